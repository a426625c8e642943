from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from kam import outbox
from kam.compliance import KIND_LABELS
from kam.models import FreeTextConfirmation, OutboxTask, Team, User


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


class KindFilter(admin.SimpleListFilter):
    title = _("what was seen")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return list(KIND_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in KIND_LABELS:
            # The kinds are distinct words, so a text match on the list finds one exactly; JSON
            # containment is not available on SQLite, which the demo runs on.
            return queryset.filter(kinds__icontains=f'"{self.value()}"')
        return queryset


@admin.register(FreeTextConfirmation)
class FreeTextConfirmationAdmin(admin.ModelAdmin):
    """Free text that looked like patient data and was saved with a reason, for administrators to
    review: read-only, but for the "reviewed" action. The text itself is not here (see the model)."""

    list_display = ("created_at", "user", "object_link", "field_list", "kind_list", "reason", "reviewed")
    list_filter = ("reviewed", KindFilter, ("content_type", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("user", "content_type", "reviewed_by")
    search_fields = ("reason", "object_label", "user__username", "user__last_name")
    date_hierarchy = "created_at"
    actions = ("mark_reviewed",)
    readonly_fields = [field.name for field in FreeTextConfirmation._meta.fields]

    def _administrator(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.is_administrator

    def has_module_permission(self, request) -> bool:
        return self._administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._administrator(request)

    def has_add_permission(self, request) -> bool:
        return False  # rows come from the forms that warned, never by hand

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # what was confirmed is history; only the review action changes a row

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        return self._administrator(request)

    @admin.display(description=_("object"), ordering="object_label")
    def object_link(self, obj: FreeTextConfirmation):
        label = obj.object_label or obj.url or "—"
        # The URL was taken when the row was made: the object's own page, else the page it was
        # saved on; asking every row's object for its URL here would cost a query a row.
        if obj.url.startswith("/"):
            return format_html('<a href="{}">{}</a>', obj.url, label)
        return label

    @admin.display(description=_("fields"))
    def field_list(self, obj: FreeTextConfirmation) -> str:
        return ", ".join(str(f) for f in obj.fields)

    @admin.display(description=_("what was seen"))
    def kind_list(self, obj: FreeTextConfirmation) -> str:
        return ", ".join(str(KIND_LABELS.get(k, k)) for k in obj.kinds)

    @admin.action(description=_("Mark the selected confirmations as reviewed"), permissions=["review"])
    def mark_reviewed(self, request, queryset) -> None:
        count = queryset.filter(reviewed=False).update(
            reviewed=True, reviewed_by=request.user, reviewed_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d confirmation marked as reviewed.",
                "%(count)d confirmations marked as reviewed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
