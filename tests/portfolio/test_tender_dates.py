"""Tender deadlines and contract dates where the field looks: My work, the digest, the dashboard's
next 90 days and its won/lost table, the calendar and its feed; price and rebate nowhere for a
medical colleague."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import LotOutcome, TenderStatus
from kam.models import CalendarFeedToken
from kam.portfolio import work
from kam.portfolio.calendar import TENDER_KINDS, tender_calendar_url
from kam.portfolio.dashboard import DashboardFilters, build
from kam.portfolio.tender_figures import won_lost
from plans.reminders import CONTRACT, TENDER, digest_candidates
from tests.factories import (
    CompetitorProductFactory,
    ContractFactory,
    ProductFactory,
    TeamMemberFactory,
    TenderFactory,
    TenderLotFactory,
)

TODAY = date(2026, 6, 10)
PRICE = Decimal("98765.43")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-06-10 10:00:00+02:00", tick=False):
        yield


@pytest.fixture
def rows(cast):
    """A tender due in ten days and a contract whose notice date is in twenty, on account A; the
    same on account C (another team's); a decided tender of A beyond the window."""
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    mine = {
        "tender": TenderFactory(
            account=cast.account_a, title="Ausschreibung Biologika 2027", submission_deadline=TODAY + timedelta(days=10)
        ),
        "contract": ContractFactory(
            account=cast.account_a,
            title="Rahmenvertrag Rheuma",
            end_date=TODAY + timedelta(days=60),
            notice_days=40,
            notice_date=TODAY + timedelta(days=20),
            price=PRICE,
            rebate_pct=Decimal("17.25"),
        ),
    }
    TenderFactory(account=cast.account_a, status=TenderStatus.LOST, submission_deadline=TODAY + timedelta(days=5))
    theirs = {
        "tender": TenderFactory(account=cast.account_c, submission_deadline=TODAY + timedelta(days=10)),
        "contract": ContractFactory(
            account=cast.account_c,
            end_date=TODAY + timedelta(days=110),
            notice_days=90,
            notice_date=TODAY + timedelta(days=20),
        ),
    }
    return {"mine": mine, "theirs": theirs}


def _keys(board: work.MyWork) -> dict[str, list[int]]:
    return {s.key: [r.pk for r in s.rows] for s in board.sections}


def test_my_work_lists_my_tender_deadlines_and_notice_dates_only(cast, rows):
    board = _keys(work.build(cast.kam_a, today=TODAY))
    assert board[work.TENDERS] == [rows["mine"]["tender"].pk]
    assert board[work.CONTRACT_NOTICES] == [rows["mine"]["contract"].pk]
    counts = work.counts(cast.kam_a, today=TODAY)
    assert counts[work.TENDERS] == 1 and counts[work.CONTRACT_NOTICES] == 1


def test_my_work_leaves_out_dates_beyond_thirty_days(cast, rows):
    board = _keys(work.build(cast.kam_a, today=TODAY - timedelta(days=25)))
    assert board[work.TENDERS] == []  # the deadline is 35 days away then


def test_the_digest_tells_owner_and_team_of_both(cast, rows):
    found = {user.pk: items for user, items in digest_candidates(today=TODAY)}
    for user in (cast.kam_a, cast.access):
        keys = {(i.kind, i.object_id) for i in found[user.pk]}
        assert (TENDER, rows["mine"]["tender"].pk) in keys
        assert (CONTRACT, rows["mine"]["contract"].pk) in keys
        assert (TENDER, rows["theirs"]["tender"].pk) not in keys
    # The medical colleague on the team: dates and titles, which carry no terms.
    assert (TENDER, rows["mine"]["tender"].pk) in {(i.kind, i.object_id) for i in found[cast.medical.pk]}


def test_the_dashboard_shows_them_in_the_next_90_days(cast, rows, login):
    board = build(cast.kam_a, DashboardFilters(), today=TODAY)
    whats = {(u["what"], u["brand"]) for u in board.upcoming}
    assert ("tender", "Ausschreibung Biologika 2027") in whats
    assert ("contract_notice", "Rahmenvertrag Rheuma") in whats
    assert ("contract_end", "Rahmenvertrag Rheuma") in whats
    page = login(cast.kam_a).get(reverse("home")).content.decode()
    assert "Tender deadline: Ausschreibung Biologika 2027" in page
    assert tender_calendar_url().replace("&", "&amp;") in page


def test_won_and_lost_lots_by_product_and_competitor(cast):
    ours, rival = ProductFactory(brand="Inflixa"), CompetitorProductFactory(name="Hyrimoz")
    tender = TenderFactory(account=cast.account_a, submission_deadline=TODAY - timedelta(days=60), status="partly_won")
    for number, outcome in (("Los 1", LotOutcome.WON), ("Los 2", LotOutcome.LOST), ("Los 3", LotOutcome.LOST)):
        TenderLotFactory(tender=tender, number=number, outcome=outcome, products=[ours], competitor_products=[rival])
    TenderLotFactory(tender=tender, number="Los 4", outcome=LotOutcome.OPEN, products=[ours])
    # Another team's lots are not counted.
    other = TenderFactory(account=cast.account_c, submission_deadline=TODAY - timedelta(days=60), status="won")
    TenderLotFactory(tender=other, number="Los 1", outcome=LotOutcome.WON, products=[ours])
    board = build(cast.kam_a, DashboardFilters(), today=TODAY)
    assert board.tender_results["products"] == [{"name": "Inflixa", "won": 1, "lost": 2}]
    assert board.tender_results["competitors"] == [{"name": "Hyrimoz", "won": 1, "lost": 2}]
    assert build(cast.head, DashboardFilters(), today=TODAY).tender_results["products"] == [
        {"name": "Inflixa", "won": 2, "lost": 2}
    ]


def test_the_won_lost_table_costs_one_query(cast, django_assert_num_queries):
    from accounts.models import Account

    ours = ProductFactory()
    for n in range(3):
        tender = TenderFactory(account=cast.account_a, submission_deadline=TODAY - timedelta(days=60 + n), status="won")
        TenderLotFactory(tender=tender, outcome=LotOutcome.WON, products=[ours])
    with django_assert_num_queries(1):
        won_lost(Account.objects.filter(pk=cast.account_a.pk).values("pk"), TODAY)


def test_the_calendar_and_feed_carry_tender_and_contract_dates(cast, rows, login):
    client = login(cast.kam_a)
    response = client.get(tender_calendar_url())
    assert response.status_code == 200
    seen = {(e.kind, e.object_id) for g in response.context["groups"] for e in g.entries}
    assert ("tender", rows["mine"]["tender"].pk) in seen
    assert ("contract_notice", rows["mine"]["contract"].pk) in seen
    assert ("contract_end", rows["mine"]["contract"].pk) in seen
    assert ("tender", rows["theirs"]["tender"].pk) not in seen
    assert {e.kind for g in response.context["groups"] for e in g.entries} <= set(TENDER_KINDS)


def test_a_team_filter_makes_a_teams_tender_calendar(cast, rows, login):
    response = login(cast.head).get(tender_calendar_url(f"team_lead={cast.manager_b.pk}"))
    seen = {(e.kind, e.object_id) for g in response.context["groups"] for e in g.entries}
    assert ("tender", rows["theirs"]["tender"].pk) in seen
    assert ("tender", rows["mine"]["tender"].pk) not in seen


def test_a_medical_colleague_sees_the_dates_and_never_the_terms(cast, rows, login):
    client = login(cast.medical)
    page = client.get(tender_calendar_url()).content.decode()
    assert "Rahmenvertrag Rheuma" in page and "98,765" not in page and "17.25" not in page
    token = CalendarFeedToken.objects.renew(cast.medical)
    feed = client.get(reverse("calendar-feed", args=[token])).content.decode()
    assert "Rahmenvertrag Rheuma" in feed and "98765" not in feed
    work_page = client.get(reverse("my-work")).content.decode()
    assert "Rahmenvertrag Rheuma" in work_page and "98,765" not in work_page
    history = client.get(reverse("accounts:history", args=[cast.account_a.pk])).content.decode()
    assert "98,765" not in history and "98765" not in history
