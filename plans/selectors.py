"""Reads about plans. Every plan query starts from the accounts the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.selectors import account_access, accounts_visible_to
from kam.models import User
from plans.models import EDITABLE_STATUSES, AccountPlan, Objective, ObjectiveStatus


def plans_visible_to(user: User) -> QuerySet[AccountPlan]:
    return AccountPlan.objects.filter(account__in=accounts_visible_to(user))


def can_edit_plan(user: User, plan: AccountPlan) -> bool:
    """Drafts are edited by the account's owner and account team (and those who may edit the account)."""
    if plan.status not in EDITABLE_STATUSES:
        return False
    if account_access(user, plan.account).edit:
        return True
    return plan.account.team_members.filter(user=user).exists()


def can_review_plan(user: User, plan: AccountPlan) -> bool:
    """Only a manager above the owner, or an administrator, and never for one's own plan."""
    if user.pk in (plan.account.owner_id, plan.submitted_by_id):
        return False
    return user.is_administrator or (user.is_manager and user.is_above(plan.account.owner))


def completeness(plan: AccountPlan, steps: dict[int, dict] | None = None) -> dict[int, int]:
    """Per step, the share (0–100) of its parts that are filled in."""
    steps = steps if steps is not None else {s.number: s.content for s in plan.steps.all()}

    def share(*parts: bool) -> int:
        return round(100 * sum(1 for p in parts if p) / len(parts))

    objectives = list(plan.objectives.all())
    actions = list(plan.actions.all())
    swot_kinds = {s.kind for s in plan.swot.all()}
    c1, c2, c4 = steps.get(1, {}), steps.get(2, {}), steps.get(4, {})
    return {
        1: share(bool(c1.get("commentary")), bool(c1.get("investment_decision"))),
        2: share(
            bool(c2.get("strategy")),
            bool(c2.get("needs")),
            bool(c2.get("drivers")),
            len(swot_kinds) == 4,
            plan.whitespace.exists(),
        ),
        3: share(
            plan.xray_snapshot is not None or plan.account.affiliations.exists(), plan.relationship_objectives.exists()
        ),
        4: share(
            bool(c4.get("value_proposition")),
            bool(objectives),
            all(o.is_measurable for o in objectives) if objectives else False,
        ),
        5: share(bool(actions), all(a.due_date for a in actions) if actions else False),
        6: share(
            plan.budget is not None,
            any(a.resources.exists() for a in actions),
            any(o.current_value is not None for o in objectives),
        ),
        7: share(plan.communications.exists()),
    }


def objective_counts(objectives: list[Objective]) -> dict[str, int]:
    counts = {s.value: 0 for s in ObjectiveStatus}
    for o in objectives:
        counts[o.status()] += 1
    return counts
