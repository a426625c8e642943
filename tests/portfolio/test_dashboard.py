import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Account, AccountHealth
from kam.portfolio.dashboard import DashboardFilters, build, scoped_accounts
from kam.portfolio.health.refresh import refresh_health
from kam.portfolio.models import FiguresVersion
from plans.models import AccountPlan, Action, Objective, PlanningPeriod
from plans.services import plan_approve, plan_create, plan_submit
from stakeholders.models import (
    CsatQuarter,
    InvitationStatus,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from stakeholders.surveys.results import DELIVERED
from tests.factories import (
    AccountFactory,
    ExchangeRateFactory,
    FinancialsFactory,
    ListingFactory,
    ProductFactory,
    UserFactory,
)
from tests.stakeholder_factories import AffiliationFactory, PersonFactory, TouchpointFactory

TODAY = date(2026, 7, 2)


@pytest.fixture
def world(cast):
    """A small fixed portfolio whose figures are computed by hand in the tests."""
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    a = cast.account_a
    a.is_key_account = True
    a.attractiveness, a.position = 80, 30
    a.save()
    c = cast.account_c
    c.is_key_account = True
    c.currency = "CHF"
    c.save()
    AccountFactory(owner=cast.kam_b, is_key_account=False, account_type="pharmacy")
    ExchangeRateFactory(year=2026, currency="CHF", rate=Decimal("1.10"))
    FinancialsFactory(account=a, year=2026, revenue_actual=Decimal("1000"), revenue_target=Decimal("2000"))
    FinancialsFactory(account=c, year=2026, revenue_actual=Decimal("1000"), revenue_target=Decimal("1000"))

    plan = plan_create(account=a, period=period, by=cast.kam_a)
    # Half the year has gone by on 2 July: 60 % progress is on track, 40 % at risk, 100 % achieved.
    for title, current in (("on track", 60), ("at risk", 40), ("achieved", 100)):
        Objective.objects.create(
            plan=plan, title=title, baseline=0, target=100, current_value=current, due_date=date(2026, 12, 31)
        )
    Action.objects.create(plan=plan, title="late", owner=cast.kam_a, due_date=date(2026, 6, 1), status="planned")
    Action.objects.create(plan=plan, title="done", owner=cast.kam_a, due_date=date(2026, 6, 1), status="done")
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    AccountPlan.objects.filter(pk=plan.pk).update(next_review_date=TODAY - timedelta(days=3))
    plan_create(account=c, period=period, by=cast.kam_c)

    campaign = SurveyCampaign.objects.create(
        name="Spring", survey=Survey.objects.get(is_default=True), close_date=date(2026, 12, 1), created_by=cast.admin
    )
    for account, scores in ((a, [5, 4, 3, None]), (c, [1])):
        for score in scores:
            inv = SurveyInvitation.objects.create(
                campaign=campaign,
                person=PersonFactory(),
                account=account,
                status=InvitationStatus.SENT,
                expires_on=date(2026, 12, 1),
            )
            if score:
                SurveyResponse.objects.create(invitation=inv, csat_score=score)
    stale = AffiliationFactory(account=a, influence=5)
    fresh = AffiliationFactory(account=a, influence=5)
    TouchpointFactory(account=a, date=TODAY - timedelta(days=3), stakeholders=[fresh.person])
    AffiliationFactory(account=a, influence=2)
    # Health, revenue in the reporting currency and stale contacts come from the stored health rows.
    refresh_health(today=TODAY)
    return {"plan": plan, "stale": stale}


def test_a_kam_sees_only_their_portfolio(cast, world):
    d = build(cast.kam_a, DashboardFilters(), today=TODAY)
    assert d.accounts["key"] == 1
    assert d.plans["approved"] == 1 and d.plans["draft"] == 0
    assert d.plans["coverage_pct"] == 100
    assert d.plans["reviews_overdue"] == 1
    assert d.objectives == {"on_track": 1, "at_risk": 1, "achieved": 1}
    assert d.actions == {"total": 2, "done": 1, "overdue": 1}
    assert d.revenue.revenue_actual == Decimal("1000.00") and d.revenue.revenue_target == Decimal("2000.00")
    assert [(r["answers"], r["satisfied"], r["pct"], r["rate"]) for r in d.csat_by_year] == [(3, 2, 66.7, 75.0)]
    assert d.stale_stakeholders == 1
    assert [m["name"] for m in d.matrix] == ["Account A"]


def test_the_head_sees_both_teams_converted(cast, world):
    d = build(cast.head, DashboardFilters(), today=TODAY)
    assert d.accounts["key"] == 2
    assert d.plans["coverage_pct"] == 50
    assert d.plans["draft"] == 1
    assert d.revenue.revenue_actual == Decimal("2100.00")  # 1000 EUR + 1000 CHF × 1.10
    assert [(r["answers"], r["satisfied"]) for r in d.csat_by_year] == [(4, 2)]


def test_another_manager_sees_nothing_of_team_a(cast, world):
    d = build(cast.manager_b, DashboardFilters(), today=TODAY)
    assert d.accounts["key"] == 1
    assert d.revenue.revenue_actual == Decimal("1100.00")
    assert [(r["answers"], r["satisfied"]) for r in d.csat_by_year] == [(1, 0)]
    assert d.objectives == {"on_track": 0, "at_risk": 0, "achieved": 0}


def test_filters_narrow_the_figures(cast, world):
    d = build(cast.admin, DashboardFilters(owner=cast.kam_c.pk), today=TODAY)
    assert d.accounts["key"] == 1 and d.revenue.revenue_actual == Decimal("1100.00")
    d = build(cast.admin, DashboardFilters(team_lead=cast.manager_a.pk), today=TODAY)
    assert d.accounts["key"] == 1 and d.revenue.revenue_actual == Decimal("1000.00")


def test_the_sql_objective_status_matches_the_model(cast, world):
    for o in Objective.objects.filter(plan=world["plan"]):
        assert o.status(TODAY) == o.title.replace(" ", "_")


def test_the_page_renders_and_carries_filters_in_the_url(cast, world, login):
    client = login(cast.manager_a)
    page = client.get(reverse("home"), {"owner": cast.kam_a.pk})
    assert page.status_code == 200
    assert b'id="dashboard-data"' in page.content
    assert client.get(reverse("home"), {"owner": "abc"}).status_code == 400
    # A KAM cannot filter their way into another team: the owner filter only offers people in scope.
    assert login(cast.kam_a).get(reverse("home"), {"owner": cast.kam_c.pk}).status_code == 400


def test_the_key_accounts_most_at_risk_come_first(cast, world):
    d = build(cast.head, DashboardFilters(), today=TODAY)
    # A: plan 75, objectives 67, CSAT 67, relationships 0, revenue 50 → 52; C: plan 20 (a draft),
    # CSAT 0, relationships 0, revenue 100, objectives not judged → 31. The pharmacy is no key account.
    assert [(r["account"].name, r["health"].score, r["band"]) for r in d.at_risk] == [
        ("Account C", 31, "red"),
        ("Account A", 52, "amber"),
    ]
    assert d.at_risk[0]["weakest"] == ("Customer satisfaction", 0)
    assert d.health["avg"] == 42 and (d.health["green"], d.health["amber"], d.health["red"]) == (0, 1, 1)
    assert [r["account"].name for r in build(cast.kam_a, DashboardFilters(), today=TODAY).at_risk] == ["Account A"]


def test_the_matrix_bubbles_carry_health_and_the_account_url(cast, world, login):
    d = build(cast.head, DashboardFilters(), today=TODAY)
    assert [(m["name"], m["health"], m["band"]) for m in d.matrix] == [("Account A", 52, "amber")]
    page = login(cast.head).get(reverse("home"))
    data = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page.content.decode())
    chart = json.loads(data.group(1))["matrix"]
    assert chart == [
        {
            "x": 30,
            "y": 80,
            "r": 4.2,
            "name": "Account A",
            "url": cast.account_a.get_absolute_url(),
            "health": 52,
            "band": "amber",
        }
    ]
    content = page.content.decode()
    assert 'id="matrix-legend"' in content and "health-amber" in content


def test_csat_by_quarter_and_revenue_by_kam(cast, world):
    SurveyCampaign.objects.update(send_at=datetime(2026, 5, 10, 9, tzinfo=UTC))
    refresh_health(today=TODAY)  # as the hourly refresh would: the CSAT summary moves with it
    d = build(cast.head, DashboardFilters(), today=TODAY)
    assert [(r["label"], r["answers"], r["satisfied"], r["pct"]) for r in d.csat_by_quarter] == [
        ("2026 Q2", 4, 2, 50.0)
    ]
    by_owner = {r["owner_id"]: (r["actual"], r["target"], r["attainment"]) for r in d.revenue_by_owner}
    assert by_owner == {
        cast.kam_a.pk: (Decimal("1000.00"), Decimal("2000.00"), 50.0),
        cast.kam_c.pk: (Decimal("1100.00"), Decimal("1100.00"), 100.0),
    }
    # A KAM sees their own row only.
    mine = build(cast.kam_a, DashboardFilters(), today=TODAY).revenue_by_owner
    assert [r["owner_id"] for r in mine] == [cast.kam_a.pk]


def test_the_page_links_the_exports_with_its_filters(cast, world, login):
    content = login(cast.manager_a).get(reverse("home"), {"owner": cast.kam_a.pk, "tier": "A"}).content.decode()
    csv_url = reverse("accounts:export", args=["csv"])
    assert f'href="{csv_url}?owner={cast.kam_a.pk}&amp;tier=A"' in content
    assert f'href="{reverse("portfolio-review")}?owner={cast.kam_a.pk}&amp;tier=A"' in content
    assert 'id="csat-chart"' in content and 'id="revenue-chart"' in content and 'id="revenue-table"' in content


def _grow(cast, n: int) -> None:
    """``n`` more key accounts of KAM A with everything the dashboard counts."""
    period = PlanningPeriod.objects.get(name="FY 2026")
    campaign = SurveyCampaign.objects.get()
    for _i in range(n):
        account = AccountFactory(owner=cast.kam_a, is_key_account=True, attractiveness=60, position=60)
        FinancialsFactory(account=account, year=2026)
        plan = plan_create(account=account, period=period, by=cast.kam_a)
        Objective.objects.create(plan=plan, title="o", target=10, current_value=5, due_date=date(2026, 12, 31))
        Action.objects.create(plan=plan, title="a", owner=cast.kam_a, due_date=date(2026, 6, 1))
        inv = SurveyInvitation.objects.create(
            campaign=campaign, person=PersonFactory(), account=account, status=InvitationStatus.SENT, expires_on=TODAY
        )
        SurveyResponse.objects.create(invitation=inv, csat_score=4)
        AffiliationFactory(account=account, influence=5)
    refresh_health(today=TODAY)


def test_the_stored_objective_and_action_counts_agree_with_counting_them(cast, world):
    # The current period reads the health rows; with no current period known the plans are counted.
    period = PlanningPeriod.objects.get()
    for user in (cast.kam_a, cast.head, cast.manager_b):
        stored = build(user, DashboardFilters(), today=TODAY)
        counted = build(user, DashboardFilters(period=period, periods=[]), today=TODAY)
        assert (stored.objectives, stored.actions) == (counted.objectives, counted.actions)
        assert stored.plans == counted.plans


@pytest.mark.parametrize("role", ["kam_a", "manager_a", "admin"])
def test_dashboard_queries_do_not_grow_with_accounts(cast, world, login, role, django_assert_max_num_queries):
    client = login(getattr(cast, role))
    other = PlanningPeriod.objects.create(name="FY 2025", start=date(2025, 1, 1), end=date(2025, 12, 31))
    counts = []
    extra_for = {"admin": 2, "kam_a": 1, "manager_a": 2}
    for extra in (0, 40):
        _grow(cast, extra)
        # The whole page, session and filter choices included: 13 for an administrator and the
        # current period, whose objectives and actions the health rows hold, and one more for
        # another period's; for anyone else one more, which reads their accounts' ids once; for a
        # manager one more again, which reads the people below first (accounts_visible_to); for an
        # administrator two more, beat's heartbeat and the dead outbox rows (the two warnings).
        # One more on a cold cache: the count of health refreshes the cached figures are keyed on.
        with django_assert_max_num_queries(16) as ctx:
            assert client.get(reverse("home")).status_code == 200
        with django_assert_max_num_queries(16) as other_ctx:
            assert client.get(reverse("home"), {"period": other.pk}).status_code == 200
        counts.append((len(ctx.captured_queries), len(other_ctx.captured_queries)))
        # From the cache, until the next refresh: the session, the filter choices, the scope and the
        # count; the matrix rows' fragment too.
        with django_assert_max_num_queries(6 + extra_for[role]) as warm:
            assert client.get(reverse("home")).status_code == 200
        assert len(warm.captured_queries) < counts[-1][0]
    extra = extra_for[role]
    assert counts[0] == counts[1] == (13 + extra, 14 + extra)


def test_answers_of_anonymous_campaigns_stay_out_of_every_csat_figure(cast, world):
    """An anonymous campaign's figures per KAM, country or quarter could hold fewer than five answers
    or be worked out by subtraction; the dashboard leaves them to the campaign page."""
    SurveyCampaign.objects.update(send_at=datetime(2026, 5, 10, 9, tzinfo=UTC))
    refresh_health(today=TODAY)
    before = build(cast.head, DashboardFilters(), today=TODAY)
    anonymous = SurveyCampaign.objects.create(
        name="Anonymous",
        survey=Survey.objects.get(is_default=True),
        close_date=date(2026, 12, 1),
        created_by=cast.admin,
        anonymous=True,
        send_at=datetime(2026, 5, 12, 9, tzinfo=UTC),
    )
    account = cast.account_a
    for score in (1, 2):
        inv = SurveyInvitation.objects.create(
            campaign=anonymous, person=PersonFactory(), account=account, status=InvitationStatus.SENT, expires_on=TODAY
        )
        SurveyResponse.objects.create(invitation=inv, csat_score=score)
    refresh_health(today=TODAY)
    after = build(cast.head, DashboardFilters(), today=TODAY)
    for figure in ("csat_by_year", "csat_by_quarter", "csat_by_owner"):
        assert getattr(after, figure) == getattr(before, figure), figure
    assert sum(r["answers"] for r in after.csat_by_year) == 4


def _csat_counted(user) -> tuple[dict, dict, dict]:
    """The dashboard's CSAT counted straight from the invitations, as an oracle for the summaries."""
    ids = set(scoped_accounts(user, DashboardFilters()).values_list("pk", flat=True))
    by_year: dict = {}
    by_quarter: dict = {}
    by_owner: dict = {}
    rows = SurveyInvitation.objects.filter(account__in=ids, campaign__anonymous=False).filter(DELIVERED)
    for inv in rows.select_related("campaign", "account", "response"):
        sent = timezone.localtime(inv.campaign.send_at)
        response = getattr(inv, "response", None)
        counts = (1, int(response is not None), int(response is not None and response.csat_score >= 4))
        for table, key in (
            (by_year, sent.year),
            (by_quarter, f"{sent.year} Q{(sent.month - 1) // 3 + 1}"),
            (by_owner, (inv.account.owner_id, inv.account.country)),
        ):
            table[key] = tuple(a + b for a, b in zip(table.get(key, (0, 0, 0)), counts, strict=True))
    return by_year, by_quarter, by_owner


def test_the_stored_csat_summary_agrees_with_counting_the_invitations(cast, world):
    campaign = SurveyCampaign.objects.get()
    survey = campaign.survey
    # Campaigns over two years and three quarters (one sent late on New Year's Eve in UTC, which is
    # already the next year in the server's time zone), a queued invitation that does not count,
    # and answers of every score, spread over the KAMs of both teams.
    for n, (when, account) in enumerate(
        [
            (datetime(2025, 2, 3, 9, tzinfo=UTC), cast.account_a),
            (datetime(2025, 12, 31, 23, 30, tzinfo=UTC), cast.account_c),
            (datetime(2026, 8, 1, 9, tzinfo=UTC), cast.account_a),
        ]
    ):
        other = SurveyCampaign.objects.create(
            name=f"Wave {n}", survey=survey, close_date=date(2026, 12, 1), created_by=cast.admin, send_at=when
        )
        for score in (1, 3, 4, 5, None):
            inv = SurveyInvitation.objects.create(
                campaign=other, person=PersonFactory(), account=account, status=InvitationStatus.SENT, expires_on=TODAY
            )
            if score is not None:
                SurveyResponse.objects.create(invitation=inv, csat_score=score)
        SurveyInvitation.objects.create(
            campaign=other, person=PersonFactory(), account=account, status=InvitationStatus.QUEUED, expires_on=TODAY
        )
    refresh_health(today=TODAY)
    assert CsatQuarter.objects.filter(year=2026, quarter=1, account=cast.account_c).exists()  # Berlin time
    for user in (cast.kam_a, cast.kam_c, cast.manager_a, cast.head, cast.admin):
        d = build(user, DashboardFilters(), today=TODAY)
        by_year, by_quarter, by_owner = _csat_counted(user)
        assert {r["year"].year: (r["invited"], r["answers"], r["satisfied"]) for r in d.csat_by_year} == by_year
        assert {r["label"]: (r["invited"], r["answers"], r["satisfied"]) for r in d.csat_by_quarter} == by_quarter
        assert {
            (r["account__owner_id"], r["account__country"]): (r["invited"], r["answers"], r["satisfied"])
            for r in d.csat_by_owner
        } == by_owner
        assert by_year, user  # every role sees some answers, so the comparison is not vacuous


def test_a_refresh_of_some_accounts_leaves_the_others_csat_summary_alone(cast, world):
    refresh_health(today=TODAY)
    before = set(CsatQuarter.objects.values_list("account_id", "year", "quarter", "invited", "answers"))
    assert {row[0] for row in before} >= {cast.account_a.pk}
    SurveyInvitation.objects.filter(account=cast.account_a).delete()
    refresh_health([cast.account_c.pk], today=TODAY)
    assert set(CsatQuarter.objects.values_list("account_id", "year", "quarter", "invited", "answers")) == before
    refresh_health([cast.account_a.pk], today=TODAY)
    after = set(CsatQuarter.objects.values_list("account_id", "year", "quarter", "invited", "answers"))
    assert after == {row for row in before if row[0] != cast.account_a.pk}


def test_beyond_twenty_kams_the_per_kam_lists_show_those_furthest_behind(cast, world, login, monkeypatch):
    """An administrator over hundreds of KAMs gets the twenty furthest behind target (and lowest in
    CSAT), lowest first, and is told how many there are; a team's list stays whole."""
    campaign = SurveyCampaign.objects.get()
    for n in range(22):
        kam = UserFactory(username=f"many-{n}", manager=cast.manager_b)
        account = AccountFactory(owner=kam, country="DE")
        FinancialsFactory(account=account, year=2026, revenue_actual=Decimal(10 + n), revenue_target=Decimal(100))
        for score in (5, 5, 1 + n % 5):
            inv = SurveyInvitation.objects.create(
                campaign=campaign,
                person=PersonFactory(),
                account=account,
                status=InvitationStatus.SENT,
                expires_on=TODAY,
            )
            SurveyResponse.objects.create(invitation=inv, csat_score=score)
    refresh_health(today=TODAY)

    d = build(cast.admin, DashboardFilters(), today=TODAY)
    assert d.revenue_owners == 24 and d.csat_owners == 24  # the 22, KAM A and KAM C
    assert len(d.revenue_by_owner) == len(d.csat_by_owner) == 20
    attainment = [r["attainment"] for r in d.revenue_by_owner]
    assert attainment == sorted(attainment) and attainment[0] == 10.0 and 31.0 not in attainment
    pct = [r["pct"] for r in d.csat_by_owner]
    with monkeypatch.context() as m:
        m.setattr("kam.portfolio.dashboard.BY_KAM_LIMIT", 1000)
        cache.clear()  # the figures were cached under the old limit
        whole = build(cast.admin, DashboardFilters(), today=TODAY)
    assert len(whole.csat_by_owner) == 24
    assert pct == sorted(r["pct"] for r in whole.csat_by_owner)[:20]
    content = login(cast.admin).get(reverse("home")).content.decode()
    assert 'id="revenue-cut"' in content and 'id="csat-cut"' in content and "of 24" in content

    team = build(cast.manager_a, DashboardFilters(), today=TODAY)
    assert [r["owner_id"] for r in team.revenue_by_owner] == [cast.kam_a.pk] and team.revenue_owners == 1
    assert 'id="revenue-cut"' not in login(cast.manager_a).get(reverse("home")).content.decode()


def test_the_next_90_days_hold_the_first_twenty_reviews_and_committees_in_scope(cast, world):
    plan = AccountPlan.objects.get(account=cast.account_a, status="approved")
    AccountPlan.objects.filter(pk=plan.pk).update(next_review_date=TODAY + timedelta(days=5))
    # 25 committee dates of account A (one a day from tomorrow), one in the past, one beyond 90 days,
    # and one of account C, earlier than all of them, which KAM A must not see.
    for day in [*range(1, 26), -1, 91]:
        ListingFactory(
            account=cast.account_a,
            product=ProductFactory(brand=f"Brand {day}"),
            next_committee_date=TODAY + timedelta(days=day),
        )
    ListingFactory(account=cast.account_c, next_committee_date=TODAY)

    mine = build(cast.kam_a, DashboardFilters(), today=TODAY).upcoming
    assert [(u["date"], u["what"]) for u in mine] == sorted(
        [(TODAY + timedelta(days=day), "committee") for day in range(1, 20)] + [(TODAY + timedelta(days=5), "review")]
    )
    assert mine[5]["url"] == reverse("plans:detail", args=[plan.pk]) and mine[0]["brand"] == "Brand 1"
    everyone = build(cast.admin, DashboardFilters(), today=TODAY).upcoming
    assert len(everyone) == 20 and everyone[0]["account_name"] == "Account C"


def test_a_new_account_joins_the_matrix_with_its_first_health_refresh(cast, world):
    # The matrix reads the accounts with a health row, in the order of its revenue index.
    new = AccountFactory(owner=cast.kam_a, is_key_account=True, attractiveness=50, position=50)
    assert not AccountHealth.objects.filter(account=new).exists()
    FiguresVersion.bump()

    def names() -> list[str]:
        return [m["name"] for m in build(cast.head, DashboardFilters(), today=TODAY).matrix]

    assert names() == ["Account A"]
    refresh_health([new.pk], today=TODAY)
    assert new.name in names()


def test_beyond_its_limit_the_matrix_shows_the_largest_accounts_and_says_so(cast, world, login, monkeypatch):
    c = cast.account_c
    c.attractiveness, c.position = 20, 90
    c.save()
    refresh_health(today=TODAY)
    d = build(cast.head, DashboardFilters(), today=TODAY)
    assert [(m["name"], m["revenue"]) for m in d.matrix] == [
        ("Account C", Decimal("1100.00")),
        ("Account A", Decimal("1000.00")),
    ]
    assert d.accounts["placed"] == 2
    monkeypatch.setattr("kam.portfolio.dashboard.MATRIX_LIMIT", 1)
    cache.clear()  # the figures were cached under the old limit
    assert [m["name"] for m in build(cast.head, DashboardFilters(), today=TODAY).matrix] == ["Account C"]
    content = login(cast.head).get(reverse("home")).content.decode()
    assert 'id="matrix-cut"' in content and "The 1 largest by revenue of 2 key accounts" in content


def _matrix_table(client, **filters) -> str:
    content = client.get(reverse("home"), filters).content.decode()
    return content.split('<details class="mt-2 chart-table">', 1)[1].split("</details>", 1)[0]


def test_the_cached_matrix_table_shows_each_user_their_own_current_rows(cast, world, login):
    c = cast.account_c
    c.attractiveness, c.position = 20, 90
    c.save()
    refresh_health(today=TODAY)
    # The rows are a cached fragment: KAM A and KAM C each see their own accounts, twice over.
    for _ in range(2):
        mine, theirs = _matrix_table(login(cast.kam_a)), _matrix_table(login(cast.kam_c))
        assert "Account A" in mine and "Account C" not in mine
        assert "Account C" in theirs and "Account A" not in theirs
    today = timezone.localdate()
    filters = DashboardFilters()
    filters.period = filters.current_period(today)  # as the page's filter form sets it
    board = build(cast.kam_a, filters, today=today)
    # Kept under a key naming the rows it shows (kam.portfolio.views._draw_figures).
    assert "Account A" in cache.get(f"matrix:{get_language()}:{board.matrix_digest}")
    # A refresh that changed none of the rows keeps the drawn table: the new figures carry the same digest.
    FiguresVersion.bump()
    again = build(cast.kam_a, filters, today=today)
    assert again.key != board.key and again.matrix_digest == board.matrix_digest
    # A change of the account or of its stored health shows on the next view, not after the timeout.
    AccountHealth.objects.filter(account=cast.account_a).update(score=91)
    Account.objects.filter(pk=cast.account_a.pk).update(name="Account A <renamed>")
    FiguresVersion.bump()  # as the health refresh that follows every write does
    mine = _matrix_table(login(cast.kam_a))
    assert "Account A &lt;renamed&gt;" in mine and "health-green" in mine and ">91<" in mine
    assert "Account A <renamed>" not in mine
    # A filter narrows the cached rows too.
    head = login(cast.head)
    both = _matrix_table(head)
    assert "Account A" in both and "Account C" in both
    only_c = _matrix_table(head, owner=cast.kam_c.pk)
    assert "Account A" not in only_c and "Account C" in only_c
