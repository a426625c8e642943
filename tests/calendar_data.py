"""Key dates of every kind on account A (KAM A's) and one on account C (KAM C's), for the calendar
page (tests/portfolio/test_calendar.py) and its feed (tests/kam/test_calendar_feed.py).

Today is 1 July 2026 (``TODAY``; the tests travel there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accounts.models import TeamFunction
from plans.models import PlanStatus
from tests.factories import ListingFactory, TeamMemberFactory
from tests.plan_factories import ActionFactory, PlanFactory
from tests.stakeholder_factories import TouchpointFactory

TODAY = date(2026, 7, 1)
NOW = "2026-07-01 10:00 +0200"


@dataclass
class KeyDates:
    committee: object
    committee_c: object
    plan: object
    action: object
    medical_action: object
    done_action: object
    follow_up: object
    medical_follow_up: object
    past_follow_up: object


def key_dates(cast) -> KeyDates:
    # The MSL of the cast has a seat on account A, so account A is theirs to see.
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function=TeamFunction.MSL)
    plan = PlanFactory(account=cast.account_a, status=PlanStatus.APPROVED, next_review_date=date(2026, 7, 20))
    return KeyDates(
        committee=ListingFactory(account=cast.account_a, next_committee_date=date(2026, 7, 10)),
        committee_c=ListingFactory(account=cast.account_c, next_committee_date=date(2026, 7, 11)),
        plan=plan,
        action=ActionFactory(plan=plan, title="Send the budget impact model", due_date=date(2026, 8, 5)),
        medical_action=ActionFactory(
            plan=plan, title="Present the subgroup data", owner=cast.medical, due_date=date(2026, 7, 25)
        ),
        done_action=ActionFactory(plan=plan, title="Done already", due_date=date(2026, 7, 6), status="done"),
        follow_up=TouchpointFactory(
            account=cast.account_a, logged_by=cast.kam_a, next_step="Send the dossier", follow_up_date=date(2026, 7, 15)
        ),
        medical_follow_up=TouchpointFactory(
            account=cast.account_a,
            logged_by=cast.medical,
            next_step="Answer the question on dosing",
            follow_up_date=date(2026, 7, 16),
        ),
        past_follow_up=TouchpointFactory(
            account=cast.account_a, logged_by=cast.kam_a, next_step="Call back", follow_up_date=date(2026, 6, 10)
        ),
    )
