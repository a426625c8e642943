"""'²'.isdigit() holds but int('²') raises: such query and form values are ignored, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.models import PlanStep

pytestmark = pytest.mark.django_db


def test_the_plan_comparison_ignores_a_superscript_revision(cast, plan, login):
    response = login(cast.kam_a).get(reverse("plans:compare", args=[plan.pk]) + "?a=²&b=¹")
    assert response.status_code == 200


def test_saving_a_step_ignores_a_superscript_next_step(cast, plan, login):
    step = PlanStep.objects.get(plan=plan, number=1)
    response = login(cast.kam_a).post(
        reverse("plans:step", args=[plan.pk, 1]),
        {"version": step.version, "commentary": "x", "investment_decision": "invest", "go": "³"},
    )
    assert response.status_code == 302 and response["Location"].endswith("/step/1/")


def test_logging_a_touchpoint_ignores_a_superscript_person(cast, login):
    response = login(cast.kam_a).get(reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]) + "?person=²")
    assert response.status_code == 200
