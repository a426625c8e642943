"""What each of the seven steps adds to the step page (``plans.views.plan_step``): the rows its
formsets edit, what it shows beside its form, and what it tells the user after a save. The page
itself, the form's initial values and what a form keeps on the plan are the same for every step."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import messages
from django.db.models import Case, IntegerField, Model, QuerySet, Value, When
from django.forms import BaseModelFormSet
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import AccountFinancials
from accounts.tender_selectors import TenderSection, tender_section
from kam import firewall
from kam.lib import DRAWN_CACHE_SECONDS, cached, digest, form_shown
from kam.models import User
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
from plans.row_forms import STEP_ROWS
from plans.step_forms import STEP_FORMS, StepForm
from stakeholders.models import STANCE_SHORT
from stakeholders.selectors import decorate, dmu_for_account, dmu_gaps, snapshot_gap_texts, snapshot_role

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

    def rows(self, formsets: list[tuple[str, BaseModelFormSet]], editable: bool) -> str:
        """The step's rows as drawn (``plans/_step_rows.html``): from the cache when they were
        drawn before with the same content, since drawing a few hundred inputs is most of a step
        page's work (large demo, CPU per request: step 2 43 ms drawn, 21 ms from the cache; step 5
        40 and 23 ms)."""
        context = {"formsets": formsets, "editable": editable}
        key = self.rows_key(formsets, editable)
        if key is None:
            return render_to_string("plans/_step_rows.html", context)
        return cached(key, lambda: render_to_string("plans/_step_rows.html", context), DRAWN_CACHE_SECONDS)

    def rows_key(self, formsets: list[tuple[str, BaseModelFormSet]], editable: bool) -> str | None:
        """The cache key of the rows as drawn, or None when they must be drawn afresh: after a post
        they hold what was typed, and its errors.

        The key holds everything the rows show, so an entry is never stale and two users share one
        only when they would be shown the same rows: the plan and step; every row's stored values
        (what the row forms start from); every choice offered, value and label (the colleagues and
        stakeholders a row may name, scoped as the forms scope them); the day (an action falls
        overdue); the language; the user's side of the firewall and whether they may edit."""
        if any(fs.is_bound for _title, fs in formsets):
            return None
        shown: list = [
            self.plan.pk,
            self.number,
            get_language(),
            timezone.localdate().isoformat(),
            firewall.side(self.user),
            editable,
        ]
        for _title, fs in formsets:
            rows = [_row_values(row) for row in fs.get_queryset()]
            shown.append((fs.prefix, fs.total_form_count(), rows, form_shown(fs.empty_form)))
        return "plan-step-rows:" + digest(shown)

    def context(self, formsets: dict[str, BaseModelFormSet]) -> dict:
        """What the step shows besides its form: live numbers, the DMU, totals. Rows the step's
        formsets hold are read from them rather than fetched twice."""
        return {}

    def saved(self, request: HttpRequest) -> None:
        """Said after a save, besides "Step n saved"."""


def _tenders(plan: AccountPlan) -> TenderSection:
    """The account's open tenders and contracts in force, read-only context for steps 1 and 4."""
    return tender_section(plan.account, timezone.localdate(), only_open=True)


class PortfolioStep(StepPage):
    number = 1

    def context(self, formsets: dict[str, BaseModelFormSet]) -> dict:
        year = self.plan.period.start.year
        financials = AccountFinancials.objects.filter(
            account=self.plan.account, year__in=[year - 1, year, year + 1]
        ).order_by("year")
        return {"financials": financials, "tenders": _tenders(self.plan)}


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
        snapshot = self.plan.xray_snapshot
        if snapshot:  # as submitted, in the reader's words
            people = [
                {**s, "role": snapshot_role(s), "stance_short": STANCE_SHORT.get(s.get("stance"), "")}
                for s in snapshot.get("stakeholders", [])
            ]
            return {"snapshot_people": people, "snapshot_gaps": snapshot_gap_texts(snapshot.get("gaps", []))}
        rows = decorate(list(dmu_for_account(self.plan.account, summary=True)), self.user)
        gaps = dmu_gaps(self.plan.account, rows, self.user)
        return {"dmu": rows, "gaps": gaps, "dmu_key": _dmu_key(rows, gaps, self.user)}


def _dmu_key(rows: list, gaps: list, user: User) -> str:
    """The key of the DMU list as drawn (``{% cache %}`` in ``plans/plan_step.html``, in each
    process's memory): everything it shows, per person the name, role, influence, stance, coverage
    and staleness, the gaps in words, the language and whether the user's side sees stances. Drawing
    it cost 2.7 ms of a hospital's step 3 (26 people, large demo), about 5 bare views."""
    people = [(a.pk, str(a.person), a.dmu_role, a.influence, a.stance, a.cov.covered, a.stale) for a in rows]
    shown = [get_language(), firewall.side(user), people, [str(g.text) for g in gaps]]
    return digest(shown)


class BlueprintStep(StepPage):
    number = 4

    def row_querysets(self) -> dict[str, QuerySet]:
        return {"obj": Objective.objects.filter(plan=self.plan)}

    def formsets(self, data=None) -> list[tuple[str, BaseModelFormSet]]:
        self._formsets = super().formsets(data)
        return self._formsets

    def context(self, formsets: dict[str, BaseModelFormSet]) -> dict:
        return {"tenders": _tenders(self.plan)}

    def saved(self, request: HttpRequest) -> None:
        # What an edit cleared (``Objective.clear_stale_progress``) is said as well as recorded.
        for _title, fs in getattr(self, "_formsets", []):
            for form in fs.forms:
                reason = getattr(form.instance, "_change_reason", None)
                if reason and form.instance.pk:
                    messages.info(request, f"{form.instance.title}: {reason}")
        vague = [o.title for o in self.plan.objectives.all() if not o.is_measurable]
        if vague:
            messages.warning(
                request,
                _(
                    "Not measurable yet (a number needs a target and a due date, a milestone a due date, a "
                    "listing a product, a status to reach and a due date): %(titles)s. This blocks submission."
                )
                % {"titles": ", ".join(vague)},
            )


class ActionStep(StepPage):
    number = 5

    def row_querysets(self) -> dict[str, QuerySet]:
        return {"act": Action.objects.filter(plan=self.plan).prefetch_related("stakeholders")}


class ResourceStep(StepPage):
    number = 6

    def row_querysets(self) -> dict[str, QuerySet]:
        # The account's listing of a listing objective's product is shown, and is part of the rows' key.
        return {"prog": Objective.objects.filter(plan=self.plan).select_related("product").with_listing_status()}

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


def _row_values(row: Model) -> tuple:
    """A row's stored values as its form starts from them; the rows it names by their ids."""
    values = model_to_dict(row)
    for name, value in values.items():
        if isinstance(value, list):  # a many-to-many field: its rows
            values[name] = [item.pk for item in value]
    # What a row shows besides its own values: a listing objective's account listing.
    return row.pk, sorted(values.items()), getattr(row, "account_listing_status", None)


def _stored(formset: BaseModelFormSet) -> QuerySet:
    """The formset's rows as stored: the ones it read for a page shown, read again after a submit."""
    return formset.get_queryset().all() if formset.is_bound else formset.get_queryset()
