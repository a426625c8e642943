"""My work: each role's items, their links, the firewall, and the page's query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.portfolio import work
from plans.models import AccountPlan, Action, ActionStatus
from plans.services import plan_create, plan_submit
from stakeholders.models import Affiliation
from tests.factories import ListingFactory, TeamMemberFactory
from tests.plan_factories import ObjectiveFactory, PeriodFactory
from tests.stakeholder_factories import AffiliationFactory, TouchpointFactory
from tests.survey_factories import CampaignFactory, FollowUpFactory, answered

TODAY = timezone.localdate()


@pytest.fixture
def desk(cast):
    """One item of every kind for KAM A on account A, and one of each on KAM C's account C."""
    period = PeriodFactory(start=TODAY - timedelta(days=100), end=TODAY + timedelta(days=200))
    items = {}
    for account in (cast.account_a, cast.account_c):
        owner = account.owner
        plan = plan_create(account=account, period=period, by=owner)
        ObjectiveFactory(plan=plan, owner=owner)
        plan_submit(plan=plan, by=owner)
        plan.refresh_from_db()
        late = Action.objects.create(
            plan=plan, title=f"Late {account.name}", owner=owner, due_date=TODAY - timedelta(days=2)
        )
        soon = Action.objects.create(
            plan=plan, title=f"Soon {account.name}", owner=owner, due_date=TODAY + timedelta(days=work.DUE_SOON_DAYS)
        )
        Action.objects.create(
            plan=plan, title="Later", owner=owner, due_date=TODAY + timedelta(days=work.DUE_SOON_DAYS + 1)
        )
        Action.objects.create(plan=plan, title="Done", owner=owner, due_date=TODAY, status=ActionStatus.DONE)
        touch = TouchpointFactory(
            account=account, logged_by=owner, follow_up_date=TODAY, date=TODAY - timedelta(days=1)
        )
        stale = AffiliationFactory(account=account, influence=5)
        fresh = AffiliationFactory(account=account, influence=5)
        TouchpointFactory(account=account, logged_by=owner, stakeholders=[fresh.person], date=TODAY)
        AffiliationFactory(account=account, influence=2)  # low influence: never in the list
        response = answered(CampaignFactory(), account, 2, comment=f"Nobody called back at {account.name}")
        follow_up = FollowUpFactory(invitation=response.invitation)
        # The unhappy customer is of low influence here: the stale list holds only ``stale``.
        Affiliation.objects.filter(person=response.invitation.person).update(influence=2)
        listing = ListingFactory(account=account, next_committee_date=TODAY + timedelta(days=work.COMMITTEE_DAYS))
        ListingFactory(account=account, next_committee_date=TODAY + timedelta(days=work.COMMITTEE_DAYS + 1))
        items[account.pk] = dict(
            plan=plan, late=late, soon=soon, touch=touch, stale=stale, follow_up=follow_up, listing=listing
        )
    return items


def keys(board: work.MyWork) -> dict[str, list]:
    return {s.key: [r.pk for r in s.rows] for s in board.sections}


def test_it_lists_a_kams_own_items_and_nothing_of_other_accounts(cast, desk):
    mine = desk[cast.account_a.pk]
    board = keys(work.build(cast.kam_a, today=TODAY))
    assert board == {
        work.REVIEWS: [],
        work.ACTIONS_OVERDUE: [mine["late"].pk],
        work.ACTIONS_DUE: [mine["soon"].pk],
        work.FOLLOW_UPS: [mine["touch"].pk],
        work.STALE: [mine["stale"].pk],
        work.LOW_SCORES: [mine["follow_up"].pk],
        work.COMMITTEES: [mine["listing"].pk],
        work.TENDERS: [],
        work.CONTRACT_NOTICES: [],
    }


def test_a_manager_sees_the_plans_awaiting_their_approval_only(cast, desk):
    assert keys(work.build(cast.manager_a, today=TODAY))[work.REVIEWS] == [desk[cast.account_a.pk]["plan"].pk]
    assert keys(work.build(cast.manager_b, today=TODAY))[work.REVIEWS] == [desk[cast.account_c.pk]["plan"].pk]
    assert sorted(keys(work.build(cast.head, today=TODAY))[work.REVIEWS]) == sorted(d["plan"].pk for d in desk.values())
    assert keys(work.build(cast.kam_b, today=TODAY))[work.REVIEWS] == []


def test_nobody_approves_their_own_submission(cast, desk):
    plan = desk[cast.account_a.pk]["plan"]
    AccountPlan.objects.filter(pk=plan.pk).update(submitted_by=cast.manager_a)
    assert keys(work.build(cast.manager_a, today=TODAY))[work.REVIEWS] == []


def test_a_medical_colleague_sees_no_commercial_item(cast, desk):
    TeamMemberFactory(account=cast.account_a, user=cast.medical)
    medical_touch = TouchpointFactory(account=cast.account_a, logged_by=cast.medical, follow_up_date=TODAY)
    board = keys(work.build(cast.medical, today=TODAY))
    for key in (work.REVIEWS, work.ACTIONS_OVERDUE, work.ACTIONS_DUE, work.STALE, work.LOW_SCORES):
        assert board[key] == [], key
    assert board[work.FOLLOW_UPS] == [medical_touch.pk]
    assert board[work.COMMITTEES] == [desk[cast.account_a.pk]["listing"].pk]
    # And the KAM does not get the medical follow-up, even as a participant.
    medical_touch.participants.add(cast.kam_a)
    assert medical_touch.pk not in keys(work.build(cast.kam_a, today=TODAY))[work.FOLLOW_UPS]


def test_each_item_links_to_where_it_is_done_and_the_page_shows_the_comment(cast, desk, login):
    mine = desk[cast.account_a.pk]
    page = login(cast.kam_a).get(reverse("my-work")).content.decode()
    for url in (
        reverse("plans:step", args=[mine["plan"].pk, 5]),
        reverse("stakeholders:touchpoint", args=[mine["touch"].pk]),
        reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]) + f"?person={mine['stale'].person_id}",
        reverse("accounts:detail", args=[cast.account_a.pk]) + "#surveys",
    ):
        assert f'href="{url}"' in page, url
    assert "Nobody called back at Account A" in page and "Account C" not in page
    review = login(cast.manager_a).get(reverse("my-work")).content.decode()
    assert f'href="{reverse("plans:review", args=[mine["plan"].pk])}"' in review


def test_the_home_summary_counts_what_the_page_lists(cast, desk, login):
    client = login(cast.kam_a)
    summary = client.get(reverse("my-work-summary")).content.decode()
    board = work.build(cast.kam_a, today=TODAY)
    for section in board.sections:
        if section.total:
            assert f'data-count="{section.key}">{section.total}<' in summary
    home = client.get(reverse("home")).content.decode()
    assert reverse("my-work-summary") in home and f'href="{reverse("my-work")}"' in home


@pytest.mark.parametrize("role", ["kam_a", "manager_a", "medical", "admin"])
def test_the_page_costs_the_same_queries_whatever_is_on_it(cast, desk, login, role, django_assert_max_num_queries):
    client = login(getattr(cast, role))
    # The session and user, one per section (tender deadlines and contract notices too), the follow-ups' survey questions; a manager pays
    # one more for each of the three scopes (accounts, plans, touchpoints): accounts_visible_to
    # reads the people below each time.
    with django_assert_max_num_queries(MY_WORK_QUERIES):
        assert client.get(reverse("my-work")).status_code == 200


MY_WORK_QUERIES = 15
