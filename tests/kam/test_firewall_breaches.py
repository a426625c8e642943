"""The breaches of the medical/commercial firewall found in the audit, one test each.

The medical colleague has a seat on account A's team: the breaches were all on accounts a
medical user may see. (Without a seat everything of the account is a 404, tests/kam/test_firewall_rules.py.)
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from plans.models import AccountPlan, PlanningPeriod, PlanStatus, PlanStep
from plans.reminders import digest_candidates
from plans.services import plan_approve, plan_submit
from stakeholders.models import Affiliation, Touchpoint
from tests.factories import FinancialsFactory, TeamMemberFactory
from tests.plan_factories import ObjectiveFactory, PlanFactory
from tests.stakeholder_factories import AffiliationFactory, TouchpointFactory

REVENUE = Decimal("987654")
TARGET = Decimal("1234567")


@pytest.fixture
def seat(cast):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    return cast.medical


@pytest.fixture
def plan(cast, seat):
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    plan = PlanFactory(account=cast.account_a, period=period)
    ObjectiveFactory(
        plan=plan, title="List Oncoril", target=Decimal(1), due_date=date(2026, 9, 30), share_with_customer=True
    )
    FinancialsFactory(account=cast.account_a, year=2026, revenue_actual=REVENUE, revenue_target=TARGET)
    return plan


@pytest.fixture
def approved(cast, plan):
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    PlanningPeriod.objects.create(name="FY 2027", start=date(2027, 1, 1), end=date(2027, 12, 31))
    plan.refresh_from_db()
    return plan


def test_a_medical_user_cannot_save_a_plan_step(cast, login, plan):
    response = login(cast.medical).post(
        reverse("plans:step", args=[plan.pk, 4]), {"version": 0, "value_proposition": "Steered by medical"}
    )
    assert response.status_code == 403
    assert "Step 4 saved." not in response.content.decode()
    assert PlanStep.objects.get(plan=plan, number=4).version == 0


def test_a_medical_user_cannot_submit_a_plan(cast, login, plan):
    response = login(cast.medical).post(reverse("plans:submit", args=[plan.pk]))
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_a_medical_user_sees_no_workflow_buttons_and_cannot_revise_or_copy(cast, login, approved):
    client = login(cast.medical)
    page = client.get(reverse("plans:detail", args=[approved.pk])).content.decode()
    for button in ("Revise", "Start from this plan", "Submit for review", "Review"):
        assert f"> {button}<" not in page and f">{button}<" not in page, button
    assert client.post(reverse("plans:revise", args=[approved.pk])).status_code == 403
    next_period = PlanningPeriod.objects.get(name="FY 2027")
    assert client.post(reverse("plans:next", args=[approved.pk]), {"period": next_period.pk}).status_code == 403
    assert AccountPlan.objects.count() == 1
    # The KAM, for comparison, has the buttons.
    kam_page = login(cast.kam_a).get(reverse("plans:detail", args=[approved.pk])).content.decode()
    assert "Revise" in kam_page and "Start from this plan" in kam_page


def test_a_medical_user_sees_no_revenue_against_target_and_no_stances_of_a_plan(cast, login, plan):
    AffiliationFactory(account=cast.account_a, stance=-2, influence=5)
    client = login(cast.medical)
    for number in (1, 3):
        assert client.get(reverse("plans:step", args=[plan.pk, number])).status_code == 403
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "987,654" not in page and "987654" not in page and "1,234,567" not in page
    assert "Opponent" not in page and "opponent" not in page
    # What a medical colleague may read: the joint plan.
    assert "Joint account plan" in page and "List Oncoril" in page


def test_a_medical_user_gets_the_joint_export_but_not_the_internal_one(cast, login, plan):
    client = login(cast.medical)
    assert client.get(reverse("plans:export", args=[plan.pk, "internal", "pdf"])).status_code == 403
    assert client.get(reverse("plans:export", args=[plan.pk, "internal", "pptx"])).status_code == 403
    assert client.get(reverse("plans:export", args=[plan.pk, "joint", "pptx"])).status_code == 200
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert reverse("plans:export", args=[plan.pk, "internal", "pdf"]) not in page


def test_a_medical_user_cannot_edit_stance_or_influence(cast, login, seat):
    affiliation = AffiliationFactory(account=cast.account_a, stance=1, influence=4)
    client = login(cast.medical)
    url = reverse("stakeholders:affiliation-edit", args=[affiliation.pk])
    form = client.get(url).content.decode()
    assert 'name="aff-stance"' not in form
    response = client.post(
        url,
        {
            "person-title": affiliation.person.title,
            "person-first_name": affiliation.person.first_name,
            "person-last_name": affiliation.person.last_name,
            "person-email": affiliation.person.email,
            "person-phone": affiliation.person.phone,
            "person-preferred_language": affiliation.person.preferred_language,
            "aff-position_title": "Head of oncology",
            "aff-function": affiliation.function,
            "aff-dmu_role": affiliation.dmu_role,
            "aff-influence": "1",
            "aff-stance": "-2",
            "ovr-TOTAL_FORMS": "1",
            "ovr-INITIAL_FORMS": "0",
            "ovr-MIN_NUM_FORMS": "0",
            "ovr-MAX_NUM_FORMS": "1000",
            "ovr-0-therapeutic_area": "Oncology",
            "ovr-0-stance": "-2",
        },
    )
    assert response.status_code in (302, 400)
    affiliation.refresh_from_db()
    assert (affiliation.stance, affiliation.influence) == (1, 4)
    assert not affiliation.overrides.filter(stance=-2).exists()


def test_a_kam_cannot_be_a_participant_of_a_medical_touchpoint(cast, login, seat):
    affiliation = AffiliationFactory(account=cast.account_a)
    TeamMemberFactory(account=cast.account_a, user=cast.kam_b)
    response = login(cast.medical).post(
        reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]),
        {
            "date": date.today().isoformat(),
            "kind": "visit",
            "stakeholders": [affiliation.person_id],
            "participants": [cast.kam_b.pk],
            "summary": "Scientific exchange",
        },
    )
    assert response.status_code == 400
    assert "medical colleagues only" in response.content.decode()
    assert not Touchpoint.objects.exists()


def test_commercial_users_do_not_see_which_msl_took_part_in_a_medical_touchpoint(cast, login, seat):
    cast.medical.first_name, cast.medical.last_name = "Mira", "Scientia"
    cast.medical.save()
    affiliation = AffiliationFactory(account=cast.account_a)
    tp = TouchpointFactory(account=cast.account_a, logged_by=cast.medical, stakeholders=[affiliation.person])
    assert tp.is_medical
    for role, sees in (("kam_a", False), ("manager_a", False), ("access", False), ("medical", True), ("admin", True)):
        client = login(getattr(cast, role))
        for url in (
            reverse("stakeholders:touchpoint", args=[tp.pk]),
            reverse("stakeholders:person", args=[affiliation.person_id]),
        ):
            page = client.get(url)
            assert page.status_code == 200
            assert ("Scientia" in page.content.decode()) is sees, (role, url)


def test_a_medical_user_sees_no_figures_on_the_account_page(cast, login, seat):
    FinancialsFactory(account=cast.account_a, year=2026, revenue_actual=REVENUE, revenue_target=TARGET)
    page = login(cast.medical).get(cast.account_a.get_absolute_url()).content.decode()
    assert "987,654" not in page and "1,234,567" not in page
    assert 'id="financials"' not in page and 'id="health"' not in page
    kam_page = login(cast.kam_a).get(cast.account_a.get_absolute_url()).content.decode()
    assert "987,654" in kam_page and 'id="financials"' in kam_page


def test_a_medical_user_stays_out_of_dmu_figures_on_the_dmu_table(cast, login, seat):
    AffiliationFactory(account=cast.account_a, stance=-2)
    page = login(cast.medical).get(reverse("stakeholders:dmu", args=[cast.account_a.pk])).content.decode()
    assert "stance-" not in page
    assert Affiliation.objects.count() == 1


def test_a_medical_team_member_gets_no_plan_review_reminder(cast, approved):
    """A review reminder asks for workflow a medical colleague has no part in."""
    today = date(2026, 6, 10)
    AccountPlan.objects.filter(pk=approved.pk).update(next_review_date=today + timedelta(days=3))
    recipients = {user for user, _items in digest_candidates(today=today)}
    assert cast.kam_a in recipients and cast.access in recipients
    assert cast.medical not in recipients


def test_a_medical_users_stakeholder_export_holds_no_stance(cast, login, seat):
    affiliation = AffiliationFactory(account=cast.account_a, stance=-2)
    url = reverse("stakeholders:person-export", args=[affiliation.person_id])
    data = json.loads(login(cast.medical).get(url).content)
    assert [a["stance"] for a in data["affiliations"]] == [None]
    assert data["restricted"] is True
    kam = json.loads(login(cast.kam_a).get(url).content)
    assert kam["affiliations"][0]["stance"] is not None


def test_the_touchpoint_service_itself_keeps_the_other_side_out(cast):
    """Defence in depth: whatever the caller (page, API, import), no colleague of the other side."""
    from django.core.exceptions import ValidationError

    from stakeholders.models import Touchpoint
    from stakeholders.services import touchpoint_log

    touchpoint = Touchpoint(account=cast.account_a, date=date.today(), kind="visit", summary="x")
    with pytest.raises(ValidationError):
        touchpoint_log(touchpoint=touchpoint, participants=[cast.medical], people=[], by=cast.kam_a)
    assert not Touchpoint.objects.filter(account=cast.account_a, summary="x").exists()
