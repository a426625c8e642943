"""Plan steps 1 (portfolio vs profits) and 4 (blueprint) show the account's open tenders and
contracts in force as read-only context."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import TenderStatus
from plans.models import PlanningPeriod
from tests.factories import ContractFactory, TenderFactory
from tests.plan_factories import PlanFactory


@pytest.fixture
def plan(cast):
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    return PlanFactory(account=cast.account_a, period=period)


@pytest.mark.parametrize("number", [1, 4])
def test_steps_1_and_4_show_open_tenders_and_contracts_in_force(cast, plan, login, number):
    TenderFactory(account=cast.account_a, title="Ausschreibung Biologika 2027")
    TenderFactory(account=cast.account_a, title="Lost last year", status=TenderStatus.LOST)
    ContractFactory(account=cast.account_a, title="Rahmenvertrag Rheuma")
    ContractFactory(
        account=cast.account_a,
        title="Ended contract",
        start_date=date.today() - timedelta(days=800),
        end_date=date.today() - timedelta(days=10),
    )
    page = login(cast.kam_a).get(reverse("plans:step", args=[plan.pk, number])).content.decode()
    assert "Ausschreibung Biologika 2027" in page and "Rahmenvertrag Rheuma" in page
    assert "Lost last year" not in page and "Ended contract" not in page
    # Read-only here: changed on the account page.
    assert reverse("accounts:tender-create", args=[cast.account_a.pk]) not in page


def test_other_steps_do_not(cast, plan, login):
    TenderFactory(account=cast.account_a, title="Ausschreibung Biologika 2027")
    page = login(cast.kam_a).get(reverse("plans:step", args=[plan.pk, 2])).content.decode()
    assert "Ausschreibung Biologika 2027" not in page
