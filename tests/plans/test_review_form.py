"""The review page: the plan as a document with the decision beside it; no decision chosen for
the reviewer; "changes requested" needs a comment, and a refused form keeps what was typed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from plans.models import PlanReview, PlanStatus
from plans.services import plan_submit
from tests.plan_factories import set_step


@pytest.fixture
def submitted(cast, plan):
    set_step(plan, 4, value_proposition="Fewer days in hospital")
    plan_submit(plan=plan, by=cast.kam_a)
    return plan


def review_url(plan) -> str:
    return reverse("plans:review", args=[plan.pk])


def test_it_shows_the_plan_as_text_with_only_the_review_fields(cast, submitted, login):
    html = login(cast.manager_a).get(review_url(submitted)).content.decode()
    assert "Fewer days in hospital" in html and "List Oncoril" in html
    names = set(re.findall(r'<(?:input|textarea|select)[^>]*name="([^"]+)"', html)) - {"csrfmiddlewaretoken", "a", "b"}
    assert names == {"decision", "comment", *(f"step_{n}" for n in range(1, 8))}
    # No edit links on the review page: the reviewer reads, the KAM edits.
    assert reverse("plans:step", args=[submitted.pk, 4]) not in html


def test_each_step_comment_field_stands_beside_its_step(cast, submitted, login):
    html = login(cast.manager_a).get(review_url(submitted)).content.decode()
    for n in range(1, 8):
        section = html.split(f'id="step-{n}"')[1].split("</section>")[0]
        assert f'name="step_{n}"' in section


def test_no_decision_is_preselected(cast, submitted, login):
    html = login(cast.manager_a).get(review_url(submitted)).content.decode()
    radios = re.findall(r'<input[^>]*name="decision"[^>]*>', html)
    assert len(radios) == 3 and not any("checked" in r for r in radios)


def test_requesting_changes_without_a_comment_is_a_400_that_keeps_what_was_typed(cast, submitted, login):
    response = login(cast.manager_a).post(review_url(submitted), {"decision": "changes", "comment": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what should change" in html and "Nothing you typed is lost" in html
    assert re.search(r'<input[^>]*value="changes"[^>]*checked', html)
    assert "Fewer days in hospital" in html
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.SUBMITTED and not PlanReview.objects.exists()


def test_a_refused_form_keeps_the_step_comments(cast, submitted, login):
    response = login(cast.manager_a).post(
        review_url(submitted), {"comment": "Overall fine", "step_4": "Quantify the saving"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a decision." in html
    section = html.split('id="step-4"')[1].split("</section>")[0]
    assert "Quantify the saving" in section and "Overall fine" in html


def test_changes_with_a_step_comment_go_back_to_the_kam_beside_that_step(cast, submitted, login):
    response = login(cast.manager_a).post(
        review_url(submitted), {"decision": "changes", "step_4": "Quantify the saving"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.CHANGES_REQUESTED
    assert PlanReview.objects.get(plan=submitted).step_comments == {"4": "Quantify the saving"}
    html = login(cast.kam_a).get(reverse("plans:read", args=[submitted.pk])).content.decode()
    assert "Quantify the saving" in html.split('id="step-4"')[1].split("</section>")[0]


# The read view's, less the checks that only an editor needs.
QUERIES = 15


def test_the_review_page_reads_in_a_fixed_number_of_queries(cast, submitted, login, django_assert_num_queries):
    client = login(cast.manager_a)
    client.get(review_url(submitted))
    with django_assert_num_queries(QUERIES):
        assert client.get(review_url(submitted)).status_code == 200
