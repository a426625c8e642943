"""``seed_demo --large`` at a small scale: the same code path as the 10,000-account run."""

import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count

from accounts.models import Account, AccountHealth
from accounts.services import account_scores
from kam.demo.large import CRM_PREFIX, KEY_ACCOUNTS_PER_KAM, LargeDemo, Shape, apportion, seed_large
from kam.models import Role, Team, User
from plans.models import AccountPlan, Action, Objective, PlanningPeriod
from stakeholders.models import (
    Affiliation,
    CampaignStatus,
    InvitationStatus,
    Person,
    SurveyInvitation,
    SurveyResponse,
    Touchpoint,
)
from tests.factories import CompetitorProductFactory, ProductFactory, UserFactory

SCALE = 0.002


@pytest.fixture
def large(db):
    """The large seed alone, on a portfolio and an administrator: the normal demo that the
    command loads first takes far longer than this and is tested on its own."""
    UserFactory(username="admin", role=Role.ADMIN)
    for brand in ("Cardiovex", "Oncoril", "Hemastat", "Neurolin", "Respiclar"):
        ProductFactory(brand=brand)
    CompetitorProductFactory()
    assert seed_large(scale=SCALE, log=lambda line: None) is not None
    return Shape.at(SCALE)


def _large_accounts():
    return Account.objects.filter(crm_id__startswith=CRM_PREFIX)


def test_the_shape_scales_down_to_a_small_organisation():
    shape = Shape.at(SCALE)
    assert (shape.national_heads, shape.regional_heads, shape.teams, shape.kams) == (1, 2, 2, 4)
    assert (shape.accounts, shape.key_accounts, shape.stakeholders, shape.touchpoints) == (20, 12, 200, 600)
    full = Shape.at(1)
    assert (full.teams, full.kams, full.accounts, full.key_accounts) == (40, 400, 10_000, 6_000)
    assert full.key_accounts <= KEY_ACCOUNTS_PER_KAM * full.kams
    assert full.teams // full.national_heads == 10  # a national head over 10 teams


def test_apportion_adds_up_exactly():
    counts = apportion(100, [1, 2, 3.5, 0, 0.25])
    assert sum(counts) == 100
    assert counts[3] == 0
    assert counts[2] > counts[1] > counts[0] > counts[4]


def test_it_builds_accounts_with_key_accounts_capped_per_kam(large):
    accounts = _large_accounts()
    assert accounts.count() == large.accounts
    assert accounts.filter(is_key_account=True).count() == large.key_accounts
    per_owner = Counter(accounts.filter(is_key_account=True).values_list("owner__username", flat=True))
    assert len(per_owner) == large.kams
    assert max(per_owner.values()) <= KEY_ACCOUNTS_PER_KAM
    assert {"hospital", "pharmacy"} <= set(accounts.values_list("account_type", flat=True))
    # Type-specific numbers: beds for hospitals, turnover and basket penetration for the trade.
    assert not accounts.filter(account_type="hospital", beds__isnull=True).exists()
    assert not accounts.filter(account_type="hospital", annual_turnover__isnull=False).exists()
    assert not accounts.exclude(account_type="hospital").filter(annual_turnover__isnull=True).exists()
    assert not accounts.exclude(account_type="hospital").filter(basket_penetration_pct__isnull=True).exists()
    assert accounts.filter(parent__isnull=False).exists()
    counts = accounts.annotate(years=Count("financials", distinct=True), listed=Count("listings", distinct=True))
    assert {a.years for a in counts} == {4}
    assert min(a.listed for a in counts) >= 3


def test_the_stored_scores_are_what_the_services_compute(large):
    for account in _large_accounts():
        scores = account_scores(account)
        assert account.qualification_score == scores["qualification_score"]
        assert account.qualifies == scores["qualifies"]
        assert account.attractiveness == scores["attractiveness"]
        assert account.position == scores["position"]
        expected = account.qualification_override if account.qualification_override is not None else scores["qualifies"]
        assert account.is_key_account == bool(expected)
        if account.qualification_override is not None:
            assert account.qualification_override_reason


def test_teams_sit_under_regional_and_national_heads(large):
    kams = User.objects.filter(role=Role.KAM, username__startswith="kam.de.")
    assert kams.count() == large.kams
    teams = Team.objects.exclude(lead__isnull=True).filter(lead__username__startswith="mgr.de.")
    assert teams.count() == large.teams
    for kam in kams.select_related("team__lead", "manager"):
        assert kam.team is not None and kam.manager == kam.team.lead
    national = User.objects.get(username="head.de")
    assert national.manager is None
    regional = User.objects.filter(manager=national)
    assert regional.count() == large.regional_heads
    assert set(User.objects.filter(pk__in=teams.values("lead")).values_list("manager", flat=True)) == set(
        regional.values_list("pk", flat=True)
    )
    assert User.objects.below(national).filter(role=Role.KAM).count() == large.kams


def test_it_adds_stakeholders_touchpoints_plans_and_surveys(large):
    accounts = _large_accounts()
    active = Affiliation.objects.filter(account__in=accounts, end_date__isnull=True)
    assert active.count() == large.stakeholders
    assert Person.objects.filter(affiliations__in=active).distinct().count() == large.stakeholders
    assert Affiliation.objects.filter(account__in=accounts, end_date__isnull=False).exists()
    assert Touchpoint.objects.filter(account__in=accounts).count() == large.touchpoints

    period = PlanningPeriod.current()
    plans = AccountPlan.objects.filter(account__in=accounts, period=period)
    assert plans.count() == large.key_accounts
    assert not plans.filter(account__is_key_account=False).exists()
    assert len(set(plans.values_list("status", flat=True))) == 4
    rows = Objective.objects.filter(plan__in=plans).count() + Action.objects.filter(plan__in=plans).count()
    assert rows == large.plan_rows

    invitations = SurveyInvitation.objects.filter(account__in=accounts)
    assert invitations.count() == large.invitations
    assert invitations.values("campaign__send_at__year").distinct().count() == large.survey_years
    assert invitations.filter(campaign__status=CampaignStatus.OPEN, status=InvitationStatus.SENT).exists()
    responses = SurveyResponse.objects.filter(invitation__in=invitations)
    assert 0 < responses.count() < invitations.count()
    assert responses.count() == invitations.filter(status=InvitationStatus.ANSWERED).count()
    # The health of every seeded account is stored, as the refresh after real writes would.
    assert AccountHealth.objects.filter(account__in=accounts).count() == accounts.count()


def test_the_command_keeps_the_demo_logins_and_a_second_run_changes_nothing(db):
    call_command("seed_demo", large=True, scale=SCALE, verbosity=0)
    assert _large_accounts().count() == Shape.at(SCALE).accounts
    assert Account.objects.filter(crm_id__startswith="DEMO-").count() == 40
    for username in ("admin", "kam.anna", "head.de", "kam.de.1.001"):
        assert User.objects.get(username=username).check_password("demo-pass-2026")
    before = (Account.objects.count(), Touchpoint.objects.count(), SurveyInvitation.objects.count())
    call_command("seed_demo", large=True, scale=SCALE, verbosity=0)
    assert (Account.objects.count(), Touchpoint.objects.count(), SurveyInvitation.objects.count()) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_load_ends_with_a_vacuum_outside_a_transaction_and_an_analyze_inside_one():
    def last_vacuum():
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'accounts_account'")
            return cursor.fetchone()[0]

    before = last_vacuum()
    # A vacuum refused inside a transaction would raise here.
    with transaction.atomic():
        LargeDemo.analyze(None)
    assert last_vacuum() == before
    LargeDemo.analyze(None)  # autocommit: the bulk-loaded tables are vacuumed, not only analysed
    for _ in range(50):  # the statistics collector reports shortly after
        if last_vacuum() != before:
            break
        connection.close()
        time.sleep(0.1)
    assert last_vacuum() is not None and last_vacuum() != before
