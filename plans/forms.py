"""The plan's own forms: create, review, next period. The step rows are in ``plans.row_forms``
(their shared base in ``plans.row_base``); each step's small text form in ``plans.step_forms``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.compliance import PatientDataCheckMixin
from kam.text import CleanTextMixin
from plans.models import (
    MAX_TEXT,
    STEPS,
    PlanningPeriod,
)


class PlanCreateForm(CleanTextMixin, forms.Form):
    period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.all(), label=_("Planning period"))
    therapeutic_area = forms.CharField(max_length=100, required=False, label=_("Therapeutic area (optional)"))


class ReviewForm(PatientDataCheckMixin, CleanTextMixin, forms.Form):
    # The reviewer's comments are the plan's free text too (kam.compliance).
    # Radio buttons with nothing chosen: a reviewer decides, the form never does it for them.
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("changes", _("Request changes")),
            ("periodic", _("Record a periodic review")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    comment = forms.CharField(
        required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for n in STEPS:
            self.fields[f"step_{n}"] = forms.CharField(
                required=False,
                max_length=2000,
                label=_("Your comment on step %(n)d") % {"n": n},
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def step_comments(self) -> dict[int, str]:
        return {n: self.cleaned_data.get(f"step_{n}", "") for n in range(1, 8)}

    def clean(self) -> dict:
        cleaned = super().clean()
        said = cleaned.get("comment", "").strip() or any(text.strip() for text in self.step_comments().values())
        if cleaned.get("decision") == "changes" and not said:
            self.add_error("comment", _("Say what should change: a comment, or one beside the step it concerns."))
        return cleaned


class NextPeriodForm(forms.Form):
    period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.all(), label=_("Next period"))
