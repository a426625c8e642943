"""Account health: the parts and the score against hand-computed values (tests/health_data.py),
the set-based refresh, and the refresh after writes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from accounts.models import AccountHealth, health_band
from accounts.services import schedule_health_refresh
from kam.portfolio.health.explain import explain
from kam.portfolio.health.refresh import refresh_health
from plans.models import PlanningPeriod
from plans.services import plan_create
from stakeholders.services import touchpoint_log
from stakeholders.surveys.responses import record_response
from tests.factories import AccountFactory, FinancialsFactory
from tests.health_data import NOW, TODAY, build_portfolio
from tests.plan_factories import ObjectiveFactory
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, TouchpointFactory
from tests.survey_factories import InvitationFactory

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def portfolio(cast):
    return build_portfolio(cast)


def _health(account) -> AccountHealth:
    return AccountHealth.objects.get(account=account)


def test_the_parts_and_the_score_match_the_hand_computed_values(cast, portfolio):
    assert refresh_health(today=TODAY) == 2
    a = _health(cast.account_a)
    assert (a.plan_status, a.plan_completeness, a.period_name) == ("approved", 69, "FY 2026")
    assert (a.objectives_measurable, a.objectives_on_track, a.objectives_achieved, a.objectives_at_risk) == (3, 1, 1, 1)
    assert (a.csat_answers, a.csat_satisfied) == (4, 2)
    assert (a.key_people, a.key_in_touch, a.key_uncovered, a.key_stale) == (3, 1, 1, 1)
    assert (a.revenue_actual, a.revenue_target, a.revenue_attainment) == (Decimal("90000"), Decimal("120000"), 75.0)
    assert (a.plan_part, a.objectives_part, a.csat_part, a.relationships_part, a.revenue_part) == (85, 67, 50, 33, 75)
    assert a.score == 64
    assert health_band(a.score) == "amber"

    c = _health(cast.account_c)
    assert (c.plan_part, c.objectives_part, c.csat_part, c.relationships_part, c.revenue_part) == (0, None, 60, 0, 100)
    assert (c.csat_answers, c.csat_satisfied) == (5, 3)
    assert (c.revenue_actual, c.revenue_target) == (Decimal("1100.00"), Decimal("880.00"))
    assert c.revenue_attainment == 125.0
    assert c.score == 36
    assert health_band(c.score) == "red"


def test_the_sql_completeness_is_the_plans_own(cast, portfolio):
    from plans.selectors import overall_completeness

    refresh_health(today=TODAY)
    assert _health(cast.account_a).plan_completeness == overall_completeness(portfolio["plan"]) == 69


def test_a_part_without_data_hands_its_weight_to_the_others(cast, portfolio):
    refresh_health(today=TODAY)
    parts = {p.key: p for p in explain(_health(cast.account_c))}
    assert parts["objectives"].value is None and parts["objectives"].share is None
    # 25, 15, 20 and 20 of the 80 judged points.
    assert [parts[k].share for k in ("plan", "csat", "relationships", "revenue")] == [31, 19, 25, 25]
    assert "No plan for FY 2026." in parts["plan"].detail
    assert "Start the plan" in parts["plan"].advice
    assert parts["revenue"].advice == "Target reached."


def test_each_part_says_what_would_raise_it(cast, portfolio):
    refresh_health(today=TODAY)
    parts = {p.key: p for p in explain(_health(cast.account_a))}
    assert [p.weight for p in parts.values()] == [25, 20, 15, 20, 20]
    assert parts["plan"].detail == "FY 2026: Approved, 69 % complete."
    assert "step navigator" in parts["plan"].advice
    assert parts["objectives"].detail == "2 of 3 measurable objectives on track or achieved, 1 at risk."
    assert "4 answers over 12 months" in parts["csat"].detail
    assert "1 without an owner on our side, 1 past their contact cadence" in parts["relationships"].detail
    assert "owner on our side" in parts["relationships"].advice and "touchpoints" in parts["relationships"].advice
    assert parts["revenue"].detail == "2026: 90,000 EUR of 120,000 EUR (75.0 %)."
    assert parts["revenue"].advice == "Close the gap of 30,000 EUR to target."


def test_without_a_current_period_plans_and_objectives_are_not_judged(cast, portfolio):
    PlanningPeriod.objects.update(start=date(2027, 1, 1), end=date(2027, 12, 31))
    refresh_health(today=TODAY)
    a = _health(cast.account_a)
    assert (a.plan_part, a.objectives_part, a.period_name) == (None, None, "")
    # (15·50 + 20·33 + 20·75) / 55 = 52.9
    assert a.score == 53


def test_an_account_with_nothing_recorded_scores_zero(cast):
    refresh_health(today=TODAY)
    a = _health(cast.account_a)
    assert (a.plan_part, a.objectives_part, a.csat_part, a.relationships_part, a.revenue_part) == (
        None,
        None,
        None,
        0,
        None,
    )
    assert a.score == 0


def test_a_refresh_of_some_accounts_leaves_the_others_alone(cast, portfolio):
    refresh_health(today=TODAY)
    AccountHealth.objects.filter(account=cast.account_c).update(score=99)
    cast.account_a.financials.filter(year=2026).update(revenue_target=None)
    assert refresh_health([cast.account_a.pk], today=TODAY) == 1
    assert _health(cast.account_c).score == 99
    assert _health(cast.account_a).revenue_part is None
    assert refresh_health([], today=TODAY) == 0


def _grow(cast, n: int) -> None:
    """``n`` more accounts, each with a plan, objectives, stakeholders, answers and financials."""
    period = PlanningPeriod.objects.get()
    for _i in range(n):
        account = AccountFactory(owner=cast.kam_a, is_key_account=True)
        plan = plan_create(account=account, period=period, by=cast.kam_a)
        ObjectiveFactory(plan=plan)
        affiliation = AffiliationFactory(account=account, influence=5)
        CoverageFactory(affiliation=affiliation, user=cast.kam_a)
        TouchpointFactory(account=account, date=TODAY, stakeholders=[affiliation.person], logged_by=cast.kam_a)
        FinancialsFactory(account=account, year=2026)
        from tests.health_data import answers

        answers(account, [4])


def test_the_refresh_is_set_based(cast, portfolio):
    counts = []
    for extra in (3, 45):  # 5 and then 50 accounts
        _grow(cast, extra)
        with CaptureQueriesContext(connection) as ctx:
            refreshed = refresh_health(today=TODAY)
        counts.append((refreshed, len(ctx.captured_queries)))
    (five, small), (fifty, large) = counts
    assert (five, fifty) == (5, 50)
    # The CSAT summary: one DELETE, one INSERT … SELECT; the figures count; the portfolio's sums:
    # a DELETE and an INSERT of the groups, three aggregates, an UPDATE.
    assert small == large <= 17, counts
    assert AccountHealth.objects.filter(score__isnull=False).count() == 50


def test_writes_refresh_the_health_once_they_commit(cast, portfolio, django_capture_on_commit_callbacks):
    refresh_health(today=TODAY)
    assert _health(cast.account_a).key_stale == 1
    stale = cast.account_a.affiliations.get(influence=4, end_date__isnull=True)
    touchpoint = TouchpointFactory.build(account=cast.account_a, date=TODAY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        touchpoint_log(touchpoint=touchpoint, participants=[], people=[stale.person], by=cast.kam_a)
    assert len(callbacks) == 1
    assert _health(cast.account_a).key_stale == 0
    assert _health(cast.account_a).relationships_part == 67

    invitation = InvitationFactory(account=cast.account_c, campaign__close_date=TODAY + timedelta(days=30))
    invitation.expires_on = TODAY + timedelta(days=30)
    invitation.save()
    with django_capture_on_commit_callbacks(execute=True):
        record_response(invitation=invitation, csat_score=5, answers={}, comment="")
    # Named answers count at once; the five anonymous ones still count as a group.
    assert (_health(cast.account_c).csat_answers, _health(cast.account_c).csat_satisfied) == (6, 4)


def test_saving_financials_refreshes_the_revenue_part(cast, portfolio, login, django_capture_on_commit_callbacks):
    refresh_health(today=TODAY)
    row = cast.account_a.financials.get(year=2026)
    other = cast.account_a.financials.get(year=2025)
    data = {
        "financials-TOTAL_FORMS": "2",
        "financials-INITIAL_FORMS": "2",
        "financials-MIN_NUM_FORMS": "0",
        "financials-MAX_NUM_FORMS": "1000",
    }
    for n, r in enumerate([row, other]):
        data |= {
            f"financials-{n}-id": r.pk,
            f"financials-{n}-account": cast.account_a.pk,
            f"financials-{n}-year": r.year,
            f"financials-{n}-revenue_actual": "120000" if r == row else "10",
            f"financials-{n}-revenue_target": "120000" if r == row else "1000",
        }
    with django_capture_on_commit_callbacks(execute=True):
        response = login(cast.kam_a).post(reverse("accounts:financials", args=[cast.account_a.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _health(cast.account_a).revenue_part == 100


def test_a_broker_outage_leaves_the_write_alone(cast, caplog, django_capture_on_commit_callbacks, monkeypatch):
    from kombu.exceptions import OperationalError

    from kam.celery import app
    from kam.models import OutboxTask

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(app.signature("x")), "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        schedule_health_refresh([cast.account_a.pk])
    # Recorded in the outbox: the sweeper refreshes it once the broker is back.
    assert OutboxTask.objects.get(task="accounts.refresh_health").args == [[cast.account_a.pk]]
    assert "Could not publish accounts.refresh_health" in caplog.text


def test_the_hourly_refresh_is_scheduled_by_the_migrations(db):
    task = PeriodicTask.objects.select_related("interval").get(name="Account health refresh")
    assert task.task == "accounts.refresh_health" and task.enabled
    assert (task.interval.every, task.interval.period) == (1, "hours")


def test_the_account_page_explains_the_score_and_its_age(cast, portfolio, login):
    refresh_health(today=TODAY)
    AccountHealth.objects.filter(account=cast.account_a).update(computed_at=NOW - timedelta(minutes=3))
    page = login(cast.kam_a).get(cast.account_a.get_absolute_url()).content.decode()
    assert 'id="health"' in page
    assert re.search(r'class="health-score health-amber"[^>]*>64<', page)
    assert "computed 3\xa0minutes ago" in page
    plan_row = re.search(r'<tr data-part="plan">(.*?)</tr>', page, re.S).group(1)
    assert "Account plan" in plan_row and "85" in plan_row and "25 %" in plan_row
    revenue_row = re.search(r'<tr data-part="revenue">(.*?)</tr>', page, re.S).group(1)
    assert "Close the gap of 30,000 EUR to target." in revenue_row


def test_an_account_not_yet_computed_says_so(cast, login):
    page = login(cast.kam_a).get(cast.account_a.get_absolute_url()).content.decode()
    assert "Not computed yet" in page
