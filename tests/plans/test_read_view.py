"""The read view: the whole plan as a document, for each role that may read it, with edit links
only for those who may edit, the reviewer's comments beside their steps, and a fixed query count."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from plans.models import AccountPlan, PlanStatus
from plans.services import plan_request_changes, plan_submit
from tests.factories import TeamMemberFactory
from tests.plan_factories import ActionFactory, ResourceFactory, SwotFactory, set_step
from tests.stakeholder_factories import AffiliationFactory


@pytest.fixture
def filled(cast, plan):
    set_step(plan, 1, commentary="Where we stand: growing", investment_decision="invest")
    set_step(plan, 4, value_proposition="Fewer days in hospital")
    SwotFactory(plan=plan, kind="W", text="Slow formulary committee")
    ResourceFactory(action=ActionFactory(plan=plan, title="Tender dossier"))
    AffiliationFactory(account=cast.account_a, stance=2)
    return plan


def read(client, plan):
    return client.get(reverse("plans:read", args=[plan.pk]))


def edit_links(html: str) -> list[str]:
    return re.findall(r'href="(/plans/\d+/step/\d/)"', html)


def test_it_shows_the_owner_all_seven_steps_as_text_with_an_edit_link_each(cast, filled, login):
    response = read(login(cast.kam_a), filled)
    assert response.status_code == 200
    html = response.content.decode()
    for n in range(1, 8):
        assert f'id="step-{n}"' in html
    assert "Where we stand: growing" in html and "Fewer days in hospital" in html
    assert "Slow formulary committee" in html and "Tender dossier" in html
    # Text and tables only: no form fields.
    assert (
        "<textarea" not in html
        and "<input" not in html.replace('name="csrfmiddlewaretoken"', "").split("</nav>", 1)[-1].split("<form", 1)[0]
    )
    assert edit_links(html) == [reverse("plans:step", args=[filled.pk, n]) for n in range(1, 8)]


def test_a_manager_reviewing_reads_it_without_edit_links(cast, filled, login):
    plan_submit(plan=filled, by=cast.kam_a)
    html = read(login(cast.manager_a), filled).content.decode()
    assert "Where we stand: growing" in html and "Slow formulary committee" in html
    assert edit_links(html) == []


def test_a_medical_colleague_with_a_seat_reads_the_joint_plan_only(cast, filled, login):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    response = read(login(cast.medical), filled)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["data"]["variant"] == "joint"
    assert "Fewer days in hospital" in html
    # Weaknesses, the commentary on what the account earns, stances and resources stay internal.
    assert "Slow formulary committee" not in html and "Where we stand" not in html
    assert "favourable" not in html and "People-days" not in html
    assert edit_links(html) == []


@pytest.mark.parametrize("who", ["kam_c", "medical"])
def test_an_outsider_gets_a_404(cast, filled, login, who):
    assert read(login(getattr(cast, who)), filled).status_code == 404


def test_an_archived_plan_reads_the_same_without_edit_links(cast, filled, login):
    AccountPlan.objects.filter(pk=filled.pk).update(status=PlanStatus.ARCHIVED)
    response = read(login(cast.kam_a), filled)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fewer days in hospital" in html and edit_links(html) == []


def test_the_reviewers_step_comments_stand_beside_their_step(cast, filled, login):
    plan_submit(plan=filled, by=cast.kam_a)
    plan_request_changes(plan=filled, by=cast.manager_a, comment="Nearly there", step_comments={4: "Say it in euros"})
    html = read(login(cast.kam_a), filled).content.decode()
    step4 = html.split('id="step-4"')[1].split("</section>")[0]
    assert "Say it in euros" in step4
    assert "Say it in euros" not in html.split('id="step-4"')[0]
    assert "Nearly there" in html


def test_the_detail_page_links_to_the_read_view(cast, filled, login):
    html = login(cast.manager_a).get(reverse("plans:detail", args=[filled.pk])).content.decode()
    assert reverse("plans:read", args=[filled.pk]) in html


# The exports' data (13 for the internal plan), the session, the user, the plan and its last review.
QUERIES = 17


def test_it_reads_the_plan_in_a_fixed_number_of_queries(cast, filled, login, django_assert_num_queries):
    client = login(cast.kam_a)
    read(client, filled)
    for i in range(5):
        ActionFactory(plan=filled, title=f"More {i}")
        SwotFactory(plan=filled, text=f"Item {i}")
    with django_assert_num_queries(QUERIES):
        assert read(client, filled).status_code == 200
