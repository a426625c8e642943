from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans.models import (
    AccountPlan,
    Action,
    CommunicationItem,
    DigestPreference,
    Objective,
    PlanningPeriod,
    PlanReview,
    PlanStep,
    RelationshipObjective,
    ReminderLog,
    Resource,
    SwotItem,
    WhitespaceCell,
)


@admin.register(PlanningPeriod)
class PlanningPeriodAdmin(SimpleHistoryAdmin):
    list_display = ("name", "start", "end")


class StepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    readonly_fields = ("number", "version", "updated_by", "updated_at")


@admin.register(AccountPlan)
class AccountPlanAdmin(SimpleHistoryAdmin):
    list_display = ("account", "period", "therapeutic_area", "revision", "status", "next_review_date")
    list_filter = ("status", "period")
    list_select_related = ("account", "period")
    raw_id_fields = ("account",)
    search_fields = ("account__name",)
    inlines = [StepInline]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ("title", "plan", "target", "current_value", "due_date")
    raw_id_fields = ("plan",)


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ("title", "plan", "owner", "due_date", "status")
    list_filter = ("status",)
    raw_id_fields = ("plan", "objective", "support_request")


@admin.register(PlanReview)
class PlanReviewAdmin(admin.ModelAdmin):
    list_display = ("plan", "reviewer", "outcome", "reviewed_at")
    raw_id_fields = ("plan",)


for model in (
    SwotItem,
    WhitespaceCell,
    RelationshipObjective,
    Resource,
    CommunicationItem,
    DigestPreference,
    ReminderLog,
):
    admin.site.register(model, SimpleHistoryAdmin)
