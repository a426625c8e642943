"""Review meetings in the admin: to look at, not to run (the meeting pages do that)."""

from django.contrib import admin

from kam.portfolio.models import ReviewDecision, ReviewMeeting, ReviewMeetingAccount, ReviewParticipant


class ParticipantInline(admin.TabularInline):
    model = ReviewParticipant
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("minutes_sent_at",)


class AgendaInline(admin.TabularInline):
    model = ReviewMeetingAccount
    extra = 0
    raw_id_fields = ("account",)


class DecisionInline(admin.TabularInline):
    model = ReviewDecision
    extra = 0
    raw_id_fields = ("account", "owner", "action", "recorded_by")


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(admin.ModelAdmin):
    list_display = ("date", "manager", "started_at", "closed_at", "minutes_sent_at")
    list_select_related = ("manager",)
    raw_id_fields = ("manager",)
    readonly_fields = ("minutes_sent_at",)
    inlines = [ParticipantInline, AgendaInline, DecisionInline]
