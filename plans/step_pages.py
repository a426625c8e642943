"""What each of the seven steps adds to the step page (``plans.views.plan_step``): the rows its
formsets edit, what it shows beside its form, and what it tells the user after a save. The page
itself, the form's initial values and what a form keeps on the plan are the same for every step."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import messages
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.forms import BaseModelFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import AccountFinancials
from kam.models import User
from plans.forms import STEP_ROWS
from plans.models import (
    AccountPlan,
    Action,
    CommunicationItem,
    Objective,
    ObjectiveStatus,
    PlanStep,
    SwotItem,
    WhitespaceStatus,
)
from plans.step_forms import STEP_FORMS, StepForm
from stakeholders.selectors import decorate, dmu_for_account, dmu_gaps

SWOT_ORDER = Case(*[When(kind=k, then=Value(i)) for i, k in enumerate("SWOT")], output_field=IntegerField())


class StepPage:
    """One step of one plan as the step page shows it. Subclasses say what differs."""

    number: ClassVar[int]

    def __init__(self, plan: AccountPlan, user: User) -> None:
        self.plan = plan
        self.user = user

    def form(self, step: PlanStep, data=None) -> StepForm:
        form_class = STEP_FORMS[self.number]
        return form_class(data, initial=form_class.initial_for(self.plan, step))

    def row_querysets(self) -> dict[str, QuerySet]:
        """The rows a formset edits, by prefix, where its default order or reads are not enough."""
        return {}

    def formsets(self, data=None) -> list[tuple[str, BaseModelFormSet]]:
        querysets = self.row_querysets()
        sets = []
        for prefix, factory, title in STEP_ROWS[self.number]:
            kwargs = {"plan": self.plan, "prefix": prefix}
            if prefix in querysets:
                kwargs["queryset"] = querysets[prefix]
            sets.append((title, factory(data, **kwargs)))
        return sets

    def context(self, formsets: dict[str, BaseModelFormSet]) -> dict:
        """What the step shows besides its form: live numbers, the DMU, totals. Rows the step's
        formsets hold are read from them rather than fetched twice."""
        return {}

    def saved(self, request: HttpRequest) -> None:
        """Said after a save, besides "Step n saved"."""


class PortfolioStep(StepPage):
    number = 1

    def context(self, formsets: dict[str, BaseModelFormSet]) -> dict:
        year = self.plan.period.start.year
        financials = AccountFinancials.objects.filter(
            account=self.plan.account, year__in=[year - 1, year, year + 1]
        ).order_by("year")
        return {"financials": financials}


class CustomerStep(StepPage):
    number = 2

    def row_querysets(self) -> dict[str, QuerySet]:
        return {"swot": SwotItem.objects.filter(plan=self.plan).order_by(SWOT_ORDER, "pk")}

    def context(self, formsets: dict[str, BaseModelFormSet]) -> dict:
        cells = list(self.plan.whitespace.select_related("product"))
        # Each cell shows its status twice; get_status_display would rebuild the choices each time.
        labels = dict(WhitespaceStatus.choices)
        for c in cells:
            c.status_label = labels.get(c.status, c.status)
        centres = sorted({c.buying_centre for c in cells})
        products = sorted({c.product for c in cells}, key=lambda p: p.brand)
        grid = {(c.buying_centre, c.product_id): c for c in cells}
        whitespace = {
            "products": products,
            "rows": [{"centre": centre, "cells": [grid.get((centre, p.pk)) for p in products]} for centre in centres],
            "opportunity_value": sum(c.estimated_value or 0 for c in cells if c.status == "opportunity"),
        }
        return {"whitespace": whitespace}


class RelationshipStep(StepPage):
    number = 3

    def context(self, formsets: dict[str, BaseModelFormSet]) -> dict:
        rows = decorate(list(dmu_for_account(self.plan.account, summary=True)), self.user)
        return {"dmu": rows, "gaps": dmu_gaps(self.plan.account, rows, self.user)}


class BlueprintStep(StepPage):
    number = 4

    def row_querysets(self) -> dict[str, QuerySet]:
        return {"obj": Objective.objects.filter(plan=self.plan)}

    def saved(self, request: HttpRequest) -> None:
        vague = [o.title for o in self.plan.objectives.all() if not o.is_measurable]
        if vague:
            messages.warning(
                request,
                _("Not measurable yet (no target or due date): %(titles)s. This blocks submission.")
                % {"titles": ", ".join(vague)},
            )


class ActionStep(StepPage):
    number = 5

    def row_querysets(self) -> dict[str, QuerySet]:
        return {"act": Action.objects.filter(plan=self.plan).prefetch_related("stakeholders")}


class ResourceStep(StepPage):
    number = 6

    def row_querysets(self) -> dict[str, QuerySet]:
        return {"prog": Objective.objects.filter(plan=self.plan)}

    def context(self, formsets: dict[str, BaseModelFormSet]) -> dict:
        plan = self.plan
        # A refused submit has typed its values into the formsets' rows: the figures are then read
        # afresh, so that they show what is stored.
        resources = _stored(formsets["res"])
        ctx: dict = {
            "people_days": sum(r.people_days for r in resources),
            "resource_budget": sum(r.budget for r in resources if r.currency == plan.budget_currency),
            "foreign_budget": [r for r in resources if r.currency != plan.budget_currency],
        }
        objectives = _stored(formsets["prog"])
        for o in objectives:
            o.plan = plan  # status() reads the period, which came along with the plan
        ctx["objectives_status"] = [(o, ObjectiveStatus(o.status())) for o in objectives]
        actions = list(plan.actions.all())
        ctx["done_share"] = round(100 * sum(a.status == "done" for a in actions) / len(actions)) if actions else 0
        return ctx


class CommunicationStep(StepPage):
    number = 7

    def row_querysets(self) -> dict[str, QuerySet]:
        return {"com": CommunicationItem.objects.filter(plan=self.plan).order_by("-audience_kind", "pk")}


STEP_PAGES: dict[int, type[StepPage]] = {
    page.number: page
    for page in (
        PortfolioStep,
        CustomerStep,
        RelationshipStep,
        BlueprintStep,
        ActionStep,
        ResourceStep,
        CommunicationStep,
    )
}


def _stored(formset: BaseModelFormSet) -> QuerySet:
    """The formset's rows as stored: the ones it read for a page shown, read again after a submit."""
    return formset.get_queryset().all() if formset.is_bound else formset.get_queryset()
