from datetime import date
from decimal import Decimal

import pytest

from plans.models import Objective, PlanningPeriod
from plans.services import plan_create


@pytest.fixture
def period(db):
    return PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))


@pytest.fixture
def next_period(db):
    return PlanningPeriod.objects.create(name="FY 2027", start=date(2027, 1, 1), end=date(2027, 12, 31))


@pytest.fixture
def plan(cast, period):
    """A draft plan of KAM A's account A with one measurable objective."""
    plan = plan_create(account=cast.account_a, period=period, by=cast.kam_a)
    Objective.objects.create(
        plan=plan,
        title="List Oncoril",
        kpi="Formulary status",
        baseline=Decimal(0),
        target=Decimal(1),
        due_date=date(2026, 9, 30),
        owner=cast.kam_a,
    )
    return plan
