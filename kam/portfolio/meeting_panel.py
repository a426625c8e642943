"""What a review meeting shows of one account: since-last-review changes of its current plan,
health, what is at risk (objectives at risk, overdue actions, high-influence contacts past their
cadence: what My work and the account page compute) and the open actions; and the meeting's
decisions on it. Read on the user's side of the firewall: a medical participant gets none of
the commercial figures nor the internal plan, only the account and the meeting's decisions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Account
from accounts.selectors import accounts_visible_to
from kam import firewall
from kam.models import User
from kam.portfolio.dashboard import weakest_part
from kam.portfolio.health import KEY_INFLUENCE, met_within_cadence
from kam.portfolio.meetings import action_plan, current_plans
from kam.portfolio.models import ReviewDecision, ReviewMeeting
from plans.changes import count, empty_snapshot, plan_changes
from plans.models import AccountPlan, Action, ActionStatus, Objective, ObjectiveStatus, PlanReview, ReviewOutcome
from plans.snapshots import plan_snapshot
from stakeholders.models import Affiliation

# Rows shown per list of the panel; the heading gives the full count.
PANEL_LIMIT = 20
# Up to this many changes since the last review are shown unfolded; more (a plan never approved
# lists all it holds) are folded per part, so that the page opens on what is at risk.
CHANGES_OPEN = 12


def last_approved_review(plan: AccountPlan) -> PlanReview | None:
    """The review the plan is compared against: the last approval or periodic review of this plan
    or, for a revision not yet approved, of the plan it revises."""
    kept = (ReviewOutcome.APPROVED, ReviewOutcome.PERIODIC)
    for candidate in (plan.pk, plan.previous_id):
        if candidate is None:
            continue
        review = PlanReview.objects.filter(plan_id=candidate, outcome__in=kept).select_related("reviewer").first()
        if review is not None:
            return review
    return None


def _limited(rows: QuerySet) -> tuple[list, int]:
    first = list(rows[: PANEL_LIMIT + 1])
    if len(first) <= PANEL_LIMIT:
        return first, len(first)
    return first[:PANEL_LIMIT], rows.count()


def meeting_account(user: User, account_id: int) -> Account:
    """The account through the one selector (``Account.DoesNotExist`` when not visible)."""
    return accounts_visible_to(user).select_related("owner", "health").get(pk=account_id)


def decisions_on(meeting: ReviewMeeting, account: Account) -> list[ReviewDecision]:
    return list(
        ReviewDecision.objects.filter(meeting=meeting, account=account).select_related("owner", "action__plan__period")
    )


def account_panel(user: User, meeting: ReviewMeeting, account: Account, *, today: date) -> dict[str, Any]:
    """Everything the meeting page shows of ``account`` for ``user``."""
    data: dict[str, Any] = {
        "account": account,
        "decisions": decisions_on(meeting, account),
        "show_health": not firewall.hides(user, "account.health"),
        "internal": firewall.allows(user, "plan.read_internal"),
        "changes_open": CHANGES_OPEN,
    }
    health = getattr(account, "health", None)
    if data["show_health"] and health is not None:
        data["health"] = health
        data["weakest"] = weakest_part(health)
        data["show_target"] = not firewall.hides(user, "account.target")
    if not data["internal"]:
        return data
    plans = current_plans(account, today)
    data["plans"] = plans
    data["action_plan"] = action_plan(plans, meeting.manager)
    # The plan the changes are read from: the one being worked on, else the most advanced.
    current = data["action_plan"] or (plans[0] if plans else None)
    data["plan"] = current
    if current is not None:
        review = last_approved_review(current)
        before = review.snapshot if review else empty_snapshot()
        parts = plan_changes(before, plan_snapshot(current))
        data["review"] = review
        data["changes"] = [p for p in parts if p.changes]
        data["changes_total"] = count(parts)
    # Actions and objectives of the plans in force: no superseded, archived or revised copy.
    in_force = Q(plan__account=account, plan__next_revision__isnull=True, plan__in=[p.pk for p in plans])
    actions = Action.objects.filter(in_force).exclude(status=ActionStatus.DONE).select_related("owner", "plan")
    data["overdue"], data["overdue_total"] = _limited(actions.filter(due_date__lt=today).order_by("due_date", "pk"))
    data["open_actions"], data["open_total"] = _limited(
        actions.filter(Q(due_date__gte=today) | Q(due_date__isnull=True)).order_by("due_date", "pk")
    )
    data["objectives_at_risk"], data["objectives_at_risk_total"] = _limited(
        Objective.objects.filter(in_force)
        .measurable()
        .with_status(today)
        .filter(sql_status=ObjectiveStatus.AT_RISK)
        .select_related("owner")
        .order_by("due_date", "pk")
    )
    data["stale"], data["stale_total"] = _limited(
        Affiliation.objects.filter(account=account, end_date__isnull=True, influence__gte=KEY_INFLUENCE)
        .exclude(met_within_cadence(today))
        .select_related("person")
        .order_by("-influence", "person__last_name", "pk")
    )
    return data
