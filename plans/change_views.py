"""What changed in a plan: since its last review, and between any two of its revisions.

The comparing is ``plans.changes`` (pure, over snapshots); here are the reads: the snapshots, and
who changed each row when, from the rows' history (django-simple-history)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kam import firewall
from kam.models import User
from plans import snapshots
from plans.changes import Stamp, count, empty_snapshot, overdue_actions, plan_changes
from plans.models import (
    AccountPlan,
    Action,
    CommunicationItem,
    Objective,
    PlanStatus,
    PlanStep,
    RelationshipObjective,
    Resource,
    SwotItem,
    WhitespaceCell,
)
from plans.selectors import plans_visible_to, visible_plan_or_404
from stakeholders.models import Affiliation

ROW_MODELS = {
    "objectives": Objective,
    "actions": Action,
    "swot": SwotItem,
    "whitespace": WhitespaceCell,
    "relationship_objectives": RelationshipObjective,
    "communications": CommunicationItem,
}


def history_stamps(
    plan: AccountPlan, *, since: datetime | None, action_ids: Iterable[str] = ()
) -> dict[tuple[str, str], Stamp]:
    """Who last changed each row of the plan, and when, by (part, row id): the last history
    record after ``since``. One query per part, and one for the users' names."""

    def latest(part: str, history: QuerySet, key: str = "id") -> None:
        if since is not None:
            history = history.filter(history_date__gt=since)
        for row_id, when, user_id in history.order_by("history_date").values_list(
            key, "history_date", "history_user_id"
        ):
            found[(part, str(row_id))] = (user_id, when)

    found: dict[tuple[str, str], tuple[int | None, datetime]] = {}
    for part, model in ROW_MODELS.items():
        latest(part, model.history.filter(plan_id=plan.pk))
    latest("resources", Resource.history.filter(action_id__in=[int(pk) for pk in action_ids]))
    latest("steps", PlanStep.history.filter(plan_id=plan.pk), key="number")
    latest("dmu", Affiliation.history.filter(account_id=plan.account_id))
    users = User.objects.in_bulk({u for u, _w in found.values() if u})
    return {key: (str(users[u]) if u in users else "", when) for key, (u, when) in found.items()}


@login_required
def plan_since_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plan_or_404(request.user, pk)
    firewall.require(request.user, "plan.read_internal")
    review = plan.reviews.select_related("reviewer").first()
    before = review.snapshot if review else empty_snapshot()
    now = snapshots.plan_snapshot(plan)
    action_ids = {*now["actions"], *before.get("actions", {})}
    stamps = history_stamps(plan, since=review.reviewed_at if review else None, action_ids=action_ids)
    parts = plan_changes(before, now, stamps=stamps)
    return render(
        request,
        "plans/plan_since_review.html",
        {
            "plan": plan,
            "review": review,
            "parts": parts,
            "total": count(parts),
            "overdue": overdue_actions(now, timezone.localdate()),
        },
    )


def revision_state(plan: AccountPlan) -> dict:
    """A revision as it stands; for one no longer worked on, the DMU as its last review saw it
    (the DMU is the account's, so today's would say nothing about that revision)."""
    state = snapshots.plan_snapshot(plan)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED, PlanStatus.SUBMITTED):
        review = plan.reviews.first()
        if review and "dmu" in review.snapshot:
            state["dmu"] = review.snapshot["dmu"]
    return state


@login_required
def plan_compare(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plan_or_404(request.user, pk)
    firewall.require(request.user, "plan.read_internal")
    revisions = list(
        plans_visible_to(request.user)
        .filter(account=plan.account, period=plan.period, therapeutic_area=plan.therapeutic_area)
        .order_by("revision")
    )
    by_rev = {p.revision: p for p in revisions}

    def pick(name: str, default: int) -> AccountPlan:
        value = request.GET.get(name, "")
        # Compared as text: "²".isdigit() holds and int() refuses it (a 500).
        return {str(n): p for n, p in by_rev.items()}.get(value, by_rev[default])

    left = pick("a", revisions[0].revision)
    right = pick("b", plan.revision)
    before, after = revision_state(left), revision_state(right)
    # Who changed the later revision's rows, and when (rows the earlier one held have other ids).
    stamps = history_stamps(right, since=left.created_at if left != right else None, action_ids=after["actions"])
    parts = plan_changes(before, after, stamps=stamps)
    return render(
        request,
        "plans/plan_compare.html",
        {"plan": plan, "left": left, "right": right, "revisions": revisions, "parts": parts, "total": count(parts)},
    )
