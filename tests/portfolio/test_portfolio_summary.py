"""The whole portfolio's figures, summed by every health refresh (kam.portfolio.summary): an
administrator's unfiltered dashboard reads them, and shows what counting every account would."""

import dataclasses
import threading
from datetime import date, timedelta

import pytest
from django.db import connections
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, AccountStatus
from accounts.services import account_reassign
from kam.portfolio.dashboard import DashboardFilters, build
from kam.portfolio.health.refresh import refresh_health
from kam.portfolio.models import FiguresVersion, PortfolioGroup
from plans.models import PlanningPeriod
from tests.factories import AccountFactory, FinancialsFactory
from tests.portfolio.test_dashboard import TODAY, world  # noqa: F401  (the fixture)


def _figures(board) -> dict:
    """Every figure of a dashboard, without the cache key it was kept under."""
    return {f.name: getattr(board, f.name) for f in dataclasses.fields(board) if f.name != "key"}


def _counted(user, today=TODAY, **filters) -> dict:
    """The figures counted from every account: as if no refresh had summed them today."""
    latest = FiguresVersion.latest()
    FiguresVersion.objects.filter(pk=latest.pk).update(summed_on=None, version=latest.version + 1)
    try:
        return _figures(build(user, DashboardFilters(**filters), today=today))
    finally:
        FiguresVersion.objects.filter(pk=latest.pk).update(summed_on=latest.summed_on, version=latest.version + 2)


def test_the_administrators_dashboard_reads_the_sums_and_they_agree_with_counting(cast, world):  # noqa: F811
    stored = _figures(build(cast.admin, DashboardFilters(), today=TODAY))
    assert stored == _counted(cast.admin)
    # The figures are the world's, not empty ones that would agree as well.
    assert stored["accounts"]["key"] == 2 and stored["plans"]["approved"] == 1 and stored["plans"]["draft"] == 1
    assert stored["plans"]["reviews_overdue"] == 1 and stored["plans"]["coverage_pct"] == 50
    assert [(r["answers"], r["satisfied"]) for r in stored["csat_by_quarter"]] == [(4, 2)]
    assert len(stored["csat_by_owner"]) == 2 and len(stored["revenue_by_owner"]) == 2


def test_they_are_what_the_dashboard_shows(cast, world):  # noqa: F811
    # Proof that the sums are read: a group changed by hand shows on the next view.
    PortfolioGroup.objects.filter(owner=cast.kam_a).update(total=500)
    FiguresVersion.bump()
    assert build(cast.admin, DashboardFilters(), today=TODAY).accounts["total"] == 500 + 2


def test_a_narrower_view_another_period_or_another_day_counts_the_accounts(cast, world):  # noqa: F811
    PortfolioGroup.objects.update(total=500)
    FiguresVersion.bump()
    total = Account.objects.filter(status=AccountStatus.ACTIVE).count()
    other = PlanningPeriod.objects.create(name="FY 2025", start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert build(cast.admin, DashboardFilters(country="CH"), today=TODAY).accounts["total"] < 500
    assert build(cast.admin, DashboardFilters(period=other), today=TODAY).accounts["total"] == total
    # The next day, until the first refresh of that day: review dates and periods move with the day.
    assert build(cast.admin, DashboardFilters(), today=TODAY + timedelta(days=1)).accounts["total"] == total
    # Anyone else's scope is their own, never the portfolio's.
    assert build(cast.head, DashboardFilters(), today=TODAY).accounts["total"] < 500


def test_a_write_shows_after_its_refresh_without_counting_an_account_twice(cast, world):  # noqa: F811
    new = AccountFactory(owner=cast.kam_b, is_key_account=True)
    FinancialsFactory(account=new, year=TODAY.year)
    refresh_health([new.pk], today=TODAY)
    stored = _figures(build(cast.admin, DashboardFilters(), today=TODAY))
    assert stored["accounts"]["key"] == 3
    assert stored == _counted(cast.admin)
    # A reassigned account leaves its KAM's group, though the refresh that follows is of it alone.
    account_reassign(account=new, new_owner=cast.kam_a, by=cast.admin)
    refresh_health([new.pk], today=TODAY)
    stored = _figures(build(cast.admin, DashboardFilters(), today=TODAY))
    assert stored["accounts"]["key"] == 3
    assert stored == _counted(cast.admin)
    assert not PortfolioGroup.objects.filter(owner=cast.kam_b, key__gt=0).exists()


def test_without_a_current_period_nothing_is_summed(cast, world):  # noqa: F811
    later = date(2030, 1, 2)  # no period covers it
    refresh_health(today=later)
    assert not PortfolioGroup.objects.exists()
    latest = FiguresVersion.latest()
    assert latest.summed_period is None and latest.summed_on == later
    assert build(cast.admin, DashboardFilters(), today=later).accounts["key"] == 2


def test_the_first_view_after_a_refresh_costs_two_queries_fewer(cast, world, login):  # noqa: F811
    today = timezone.localdate()
    PlanningPeriod.objects.update(start=today - timedelta(days=30), end=today + timedelta(days=30))
    refresh_health(today=today)
    client = login(cast.admin)
    counted = []
    for summed in (True, False):
        if not summed:
            FiguresVersion.objects.update(summed_on=None)
        FiguresVersion.bump()
        with CaptureQueriesContext(connections["default"]) as queries:
            assert client.get(reverse("home")).status_code == 200
        counted.append(len(queries))
    # Three aggregates over every account (groups, quarters, plans) against the groups' rows.
    assert counted[0] == counted[1] - 2
    assert counted[0] == 13


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_sum_each_group_once(cast):
    today = timezone.localdate()
    PlanningPeriod.objects.create(name="now", start=today - timedelta(days=30), end=today + timedelta(days=30))
    accounts = [AccountFactory(owner=owner) for owner in (cast.kam_a, cast.kam_b, cast.kam_c) for _ in range(3)]
    refresh_health(today=today)
    barrier = threading.Barrier(6)
    errors = []

    def refresh(ids: list[int]) -> None:
        try:
            barrier.wait(timeout=30)
            refresh_health(ids, today=today)
        except Exception as exc:  # reported by the assertion below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    # Six refreshes at once, of disjoint accounts: none waits on another's health rows.
    threads = [threading.Thread(target=refresh, args=([a.pk for a in accounts[n::6]],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    groups = PortfolioGroup.objects.values("owner", "country").annotate(n=Count("pk"))
    assert groups and all(group["n"] == 1 for group in groups)
    assert (
        sum(PortfolioGroup.objects.values_list("total", flat=True))
        == Account.objects.filter(status=AccountStatus.ACTIVE).count()
    )
