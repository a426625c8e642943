"""The seven steps' own forms: a few texts each, stored as the step's content, and the version
the editor read (``plans.services.step_save`` refuses a save over someone else's). The rows a step
holds are formsets in ``plans.forms``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.compliance import PatientDataCheckMixin
from kam.text import CleanTextMixin
from plans.models import MAX_TEXT, AccountPlan, InvestmentDecision, PlanStep


def _text(label, rows: int = 3, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class StepForm(PatientDataCheckMixin, CleanTextMixin, forms.Form):
    # Every text of the step is checked for patient data (kam.compliance).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def initial_for(cls, plan: AccountPlan, step: PlanStep) -> dict:
        """The form's values as stored: the step's content and the version it was read at."""
        return {**step.content, "version": step.version}

    def content(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def save_to_plan(self, plan: AccountPlan) -> None:
        """Keep what the step holds on the plan itself rather than in its content (nothing, mostly)."""


class Step1Form(StepForm):
    commentary = _text(_("Commentary: where this account stands in our portfolio and what it earns"), 4)
    investment_decision = forms.ChoiceField(
        label=_("Investment decision"), choices=[("", "—"), *InvestmentDecision.choices], required=False
    )


class Step2Form(StepForm):
    strategy = _text(_("The customer's strategy and goals"))
    needs = _text(_("Needs and pain points"))
    drivers = _text(
        _("Business drivers"),
        help_text=_(
            "Hospitals: budget situation, formulary and treatment pathways, tenders. Pharmacies and wholesalers: turnover goals, margins, discounts, basket penetration."
        ),
    )


class Step3Form(StepForm):
    notes = _text(_("Relationship strategy"))


class Step4Form(StepForm):
    value_proposition = _text(_("Value proposition in the customer's terms (solutions, not products)"), 4)


class Step5Form(StepForm):
    notes = _text(_("Notes on the action plan"), 2)


class Step6Form(StepForm):
    budget = forms.DecimalField(label=_("Plan budget"), required=False, min_value=0, max_digits=14, decimal_places=2)
    audit_notes = _text(_("Audit notes"), 2)

    @classmethod
    def initial_for(cls, plan: AccountPlan, step: PlanStep) -> dict:
        return {**super().initial_for(plan, step), "budget": plan.budget}

    def content(self) -> dict:
        return {"audit_notes": self.cleaned_data.get("audit_notes", "")}

    def save_to_plan(self, plan: AccountPlan) -> None:
        # The budget lives on the plan: the exports and the resource figures read it there.
        AccountPlan.objects.filter(pk=plan.pk).update(budget=self.cleaned_data.get("budget"))


class Step7Form(StepForm):
    notes = _text(_("Notes"), 2)


STEP_FORMS = {1: Step1Form, 2: Step2Form, 3: Step3Form, 4: Step4Form, 5: Step5Form, 6: Step6Form, 7: Step7Form}
