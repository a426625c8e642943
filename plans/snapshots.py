"""What a plan keeps of a moment: the DMU as it stood at submission (``dmu_snapshot``), every
part of the plan at a review (``plan_snapshot``, read by ``plans.changes``), and an erased
person scrubbed from both (``erase_person_from_plans``)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Account
from kam.models import User
from plans.changes import DMU_FIELDS, rows_of
from plans.models import (
    AccountPlan,
    PlanReview,
    Resource,
)
from stakeholders.models import Affiliation
from stakeholders.selectors import coverage_for, dmu_for_account, dmu_gaps, is_stale


def _erase_from_gap(gap: str | dict, name: str) -> str | dict:
    if isinstance(gap, str):  # a snapshot from before gaps were stored by code
        return gap.replace(name, "[erased]")
    params = gap.get("params", {})
    if params.get("name") == name:
        return {**gap, "params": {**params, "name": "[erased]"}}
    return gap


def dmu_snapshot(account: Account, user: User) -> dict:
    rows = list(dmu_for_account(account))
    return {
        "taken_at": timezone.now().isoformat(),
        "stakeholders": [
            {
                "affiliation": a.pk,
                # The org chart of a submitted plan draws the reporting lines as they were.
                "reports_to": a.reports_to_id,
                "person": a.person_id,
                "name": str(a.person),
                "position": a.position_title or a.get_function_display(),
                "role": a.get_dmu_role_display(),
                "dmu_role": a.dmu_role,  # read in the reader's language (``snapshot_role``)
                "influence": a.influence,
                "stance": a.stance,
                "covered": coverage_for(a, user).covered,
                "stale": is_stale(a),
            }
            for a in rows
        ],
        "gaps": [g.as_snapshot() for g in dmu_gaps(account, rows, user)],
    }


def plan_snapshot(plan: AccountPlan) -> dict:
    """What a review compares against later: every part of the plan, as plain values
    (``plans.changes`` reads it; version 1 kept objectives, actions and the DMU only)."""
    plan = AccountPlan.objects.select_related("account").get(pk=plan.pk)
    return {
        "version": 2,
        "currency": plan.account.currency,
        "budget_currency": plan.budget_currency,
        "steps": {
            # The plan's budget is edited on step 6: it is compared there.
            str(s.number): {**s.content, **({"budget": str(plan.budget or "")} if s.number == 6 else {})}
            for s in plan.steps.order_by()
        },
        "objectives": rows_of(
            plan.objectives.select_related("plan__period").with_listing_status(),
            lambda o: {"judged_status": str(o.status())},
        ),
        "actions": rows_of(plan.actions.all()),
        "resources": rows_of(Resource.objects.filter(action__plan=plan).order_by("action__due_date", "pk")),
        "swot": rows_of(plan.swot.all()),
        "whitespace": rows_of(plan.whitespace.all()),
        "relationship_objectives": rows_of(plan.relationship_objectives.all()),
        "communications": rows_of(plan.communications.all()),
        "dmu": {
            str(a.pk): {"name": str(a.person), **{f: getattr(a, f) for f in DMU_FIELDS}}
            for a in Affiliation.objects.active().filter(account=plan.account).select_related("person")
        },
    }


def _scrub_name(value, name: str):
    if isinstance(value, dict):
        return {k: _scrub_name(v, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_name(v, name) for v in value]
    return "[erased]" if value == name else value


def erase_person_from_plans(person) -> int:
    """Scrub an erased stakeholder's name from plan snapshots (DMU snapshots and review snapshots).

    Registered as a stakeholders erasure hook; runs before the person row is anonymised, so
    their name is still known here.
    """
    name = str(person)
    changed = 0
    for plan in AccountPlan.objects.filter(xray_snapshot__isnull=False).only("pk", "xray_snapshot"):
        snapshot = plan.xray_snapshot or {}
        hit = False
        for row in snapshot.get("stakeholders", []):
            if row.get("person") == person.pk:
                row["name"] = "[erased]"
                hit = True
        gaps = [_erase_from_gap(g, name) for g in snapshot.get("gaps", [])]
        if gaps != snapshot.get("gaps", []):
            snapshot["gaps"] = gaps
            hit = True
        if hit:
            AccountPlan.objects.filter(pk=plan.pk).update(xray_snapshot=snapshot)
            changed += 1
    affiliation_ids = {str(pk) for pk in person.affiliations.values_list("pk", flat=True)}
    for review in PlanReview.objects.exclude(snapshot={}).only("pk", "snapshot"):
        dmu = review.snapshot.get("dmu", {})
        hits = affiliation_ids & set(dmu)
        for key in hits:
            dmu[key]["name"] = "[erased]"
        # The other parts name people too (relationship objectives, an action's stakeholders).
        scrubbed = _scrub_name(review.snapshot, name)
        if hits or scrubbed != review.snapshot:
            PlanReview.objects.filter(pk=review.pk).update(snapshot=scrubbed)
            changed += 1
    return changed
