from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from plans.exports.template import MAX_TEMPLATE_BYTES, TemplateError, check_template
from plans.models import (
    AccountPlan,
    Action,
    CommunicationItem,
    DeckTemplate,
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


class DeckTemplateForm(forms.ModelForm):
    """The upload: checked to be a .pptx that opens, with a layout holding a title placeholder."""

    upload = forms.FileField(
        label=_("PowerPoint template (.pptx)"),
        help_text=_("The company's slide master; every exported deck is built on its layouts."),
    )

    class Meta:
        model = DeckTemplate
        fields = ["name", "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["upload"].required = False

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if upload.size > MAX_TEMPLATE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_TEMPLATE_BYTES // (1024 * 1024)}
            )
        content = upload.read()
        try:
            check_template(content)
        except TemplateError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return content

    def save(self, commit: bool = True):
        content = self.cleaned_data.get("upload")
        if content is not None:
            self.instance.content = content
        return super().save(commit=commit)


@admin.register(DeckTemplate)
class DeckTemplateAdmin(admin.ModelAdmin):
    form = DeckTemplateForm
    list_display = ("name", "is_active", "uploaded_at", "uploaded_by")
    readonly_fields = ("uploaded_at", "uploaded_by", "sha256")

    def save_model(self, request, obj, form, change) -> None:
        if form.cleaned_data.get("upload") is not None:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
