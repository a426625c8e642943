from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from kam import outbox
from kam.models import OutboxTask, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "first_name", "last_name", "role", "manager", "team", "country", "is_active")
    list_filter = ("role", "country", "team", "is_active")
    list_select_related = ("manager", "team")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("KAM Planner"), {"fields": ("role", "manager", "team", "country", "key_account_cap")}),
    )
    autocomplete_fields = ("manager",)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "lead", "country")
    list_select_related = ("lead",)
    search_fields = ("name",)


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Side effects waiting, done or dead; dead ones can be given new tries."""

    list_display = ("task", "args", "state", "attempts", "created_at", "available_at", "done_at", "last_error")
    list_filter = ("state", "task")
    search_fields = ("task", "dedupe_key")
    date_hierarchy = "created_at"
    actions = ("retry",)
    readonly_fields = [field.name for field in OutboxTask._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # rows come from the code that records a side effect, never by hand

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # what a task did is history; only the retry action changes a row

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("kam.change_outboxtask")

    @admin.action(description=_("Retry the selected dead tasks"), permissions=["retry"])
    def retry(self, request, queryset) -> None:
        count = outbox.retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d dead task will be published at the next sweep.",
                "%(count)d dead tasks will be published at the next sweep.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
