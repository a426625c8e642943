"""The plan list with its objectives and actions as CSV and XLSX (``kam.table_export``).

Plans come from ``plans_visible_to`` with the list page's filter and order (superseded revisions
left out). The XLSX has three sheets (plans, objectives, actions); the CSV one row per objective
and per action, with its plan's columns repeated, and a row of its own for a plan with neither.

The firewall: medical colleagues read plans as the joint (customer-safe) plan, so their export holds
what that version holds (``plans.exports.plan_export_data``): no budget, and no action that is
medical colleagues' work (owned by one, or answering a support request).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam import firewall
from kam.models import MEDICAL_ROLES, User
from kam.table_export import Column, Sheet
from plans.models import AccountPlan, Action, ActionStatus, Objective, ObjectiveKind, ObjectiveStatus, PlanStatus
from plans.selectors import plans_visible_to


class PlanListFilterForm(forms.Form):
    """The plan list's filter: a status (empty: all but superseded revisions)."""

    status = forms.ChoiceField(
        required=False, label=gettext_lazy("Status"), choices=[("", gettext_lazy("All")), *PlanStatus.choices]
    )


def plans_listed(user: User, form: PlanListFilterForm) -> QuerySet[AccountPlan]:
    """The plans the list page shows for ``form`` (valid), in its order, without its cap."""
    plans = (
        plans_visible_to(user)
        .select_related("account__owner", "period")
        .exclude(status=PlanStatus.SUPERSEDED)
        .order_by("-period__start", "account__name", "pk")
    )
    if form.cleaned_data.get("status"):
        plans = plans.filter(status=form.cleaned_data["status"])
    return plans


def _visible_actions(actions: QuerySet[Action], user: User) -> QuerySet[Action]:
    if firewall.allows(user, "plan.read_internal"):
        return actions
    # The joint plan's rule (plan_export_data): medical colleagues' work stays behind the firewall.
    return actions.filter(support_request__isnull=True).exclude(owner__role__in=MEDICAL_ROLES)


class PlanTables:
    """The plans, their objectives and their actions as ``user`` may read them: three queries."""

    def __init__(self, plans: QuerySet[AccountPlan], user: User, today: date | None = None) -> None:
        self.today = today or timezone.localdate()
        self.internal = firewall.allows(user, "plan.read_internal")
        self.plans = list(plans)
        ids = [p.pk for p in self.plans]
        self.objectives: dict[int, list[Objective]] = defaultdict(list)
        objectives = Objective.objects.filter(plan_id__in=ids).with_listing_status()
        for o in objectives.select_related("owner", "plan__period", "product"):
            self.objectives[o.plan_id].append(o)
        self.actions: dict[int, list[Action]] = defaultdict(list)
        actions = _visible_actions(Action.objects.filter(plan_id__in=ids), user)
        for a in actions.select_related("owner", "objective").order_by("due_date", "pk"):
            self.actions[a.plan_id].append(a)
        self._objective_status = dict(ObjectiveStatus.choices)
        self._objective_kind = dict(ObjectiveKind.choices)
        self._action_status = dict(ActionStatus.choices)
        self._plan_status = dict(PlanStatus.choices)

    # Columns each sheet starts with, naming the plan.
    def _plan_columns(self) -> list[Column]:
        return [
            Column(_("Account")),
            Column(_("Period")),
            Column(_("Therapeutic area")),
            Column(_("Revision"), "int"),
            Column(_("Plan status")),
        ]

    def _plan_cells(self, p: AccountPlan) -> list[Any]:
        return [p.account.name, str(p.period), p.therapeutic_area, p.revision, str(self._plan_status[p.status])]

    def plans_sheet(self) -> Sheet:
        columns = [
            *self._plan_columns(),
            Column(_("Owner")),
            Column(_("Next review"), "date"),
            Column(_("Updated"), "datetime"),
            Column(_("Objectives"), "int"),
            Column(_("Actions"), "int"),
            *([Column(_("Plan budget"), "money"), Column(_("Currency"))] if self.internal else []),
        ]
        rows = [
            [
                *self._plan_cells(p),
                str(p.account.owner),
                p.next_review_date,
                p.updated_at,
                len(self.objectives[p.pk]),
                len(self.actions[p.pk]),
                *([p.budget, p.budget_currency if p.budget is not None else ""] if self.internal else []),
            ]
            for p in self.plans
        ]
        return Sheet(_("Plans"), columns, rows)

    def _objective_columns(self) -> list[Column]:
        return [
            Column(_("Objective")),
            Column(_("KPI")),
            Column(_("Unit")),
            Column(_("Baseline"), "decimal"),
            Column(_("Target"), "decimal"),
            Column(_("Current value"), "decimal"),
            Column(_("Due"), "date"),
            Column(_("Status")),
            Column(_("Owner")),
            Column(_("Kind")),
            Column(_("Milestone / listing")),
        ]

    def _objective_cells(self, o: Objective) -> list[Any]:
        return [
            o.title,
            o.kpi,
            o.unit,
            o.baseline,
            o.target,
            o.current_value,
            o.due_date,
            str(self._objective_status[o.status(self.today)]),
            str(o.owner) if o.owner_id else "",
            str(self._objective_kind[o.kind]),
            self._milestone_or_listing(o),
        ]

    @staticmethod
    def _milestone_or_listing(o: Objective) -> str:
        """A milestone's "done", a listing's product, status to reach and status now; "" for a number."""
        if o.kind == ObjectiveKind.MILESTONE:
            return str(_("done") if o.done else _("not done yet"))
        if o.kind == ObjectiveKind.LISTING:
            return str(
                _("%(product)s: %(target)s (now %(now)s)")
                % {
                    "product": o.product.brand if o.product_id else "—",
                    "target": o.get_target_listing_status_display() or "—",
                    "now": o.listing_status_label,
                }
            )
        return ""

    def objectives_sheet(self) -> Sheet:
        rows = [[*self._plan_cells(p), *self._objective_cells(o)] for p in self.plans for o in self.objectives[p.pk]]
        return Sheet(_("Objectives"), [*self._plan_columns(), *self._objective_columns()], rows)

    def _action_columns(self) -> list[Column]:
        return [
            Column(_("Action")),
            Column(_("Objective served")),
            Column(_("Owner")),
            Column(_("Due"), "date"),
            Column(_("Status")),
            Column(_("Overdue"), "bool"),
        ]

    def _action_cells(self, a: Action) -> list[Any]:
        overdue = bool(a.due_date and a.status != ActionStatus.DONE and a.due_date < self.today)
        return [
            a.title,
            a.objective.title if a.objective_id else "",
            str(a.owner),
            a.due_date,
            str(self._action_status.get(a.status, a.status)),
            overdue,
        ]

    def actions_sheet(self) -> Sheet:
        rows = [[*self._plan_cells(p), *self._action_cells(a)] for p in self.plans for a in self.actions[p.pk]]
        return Sheet(_("Actions"), [*self._plan_columns(), *self._action_columns()], rows)

    def combined_sheet(self) -> Sheet:
        """One row per objective and per action (a plan with neither: one row of its own). "Title",
        "Due", "Status" and "Owner" are the objective's or the action's, as "Row" says."""
        columns = [
            *self._plan_columns(),
            Column(_("Plan owner")),
            Column(_("Row")),
            Column(_("Title")),
            Column(_("Objective served")),
            Column(_("KPI")),
            Column(_("Unit")),
            Column(_("Baseline"), "decimal"),
            Column(_("Target"), "decimal"),
            Column(_("Current value"), "decimal"),
            Column(_("Due"), "date"),
            Column(_("Status")),
            Column(_("Owner")),
            Column(_("Overdue"), "bool"),
        ]

        def lines() -> Iterator[list[Any]]:
            for p in self.plans:
                head = [*self._plan_cells(p), str(p.account.owner)]
                objectives, actions = self.objectives[p.pk], self.actions[p.pk]
                if not objectives and not actions:
                    yield [*head, _("Plan"), *([None] * 11)]
                for o in objectives:
                    title, kpi, unit, baseline, target, current, due, status, owner, *_kind = self._objective_cells(o)
                    yield [
                        *head,
                        _("Objective"),
                        title,
                        None,
                        kpi,
                        unit,
                        baseline,
                        target,
                        current,
                        due,
                        status,
                        owner,
                        None,
                    ]
                for a in actions:
                    title, served, owner, due, status, overdue = self._action_cells(a)
                    yield [*head, _("Action"), title, served, None, None, None, None, None, due, status, owner, overdue]

        return Sheet(_("Plans"), columns, lines())
