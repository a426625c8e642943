"""Digits that str.isdigit() accepts and int() refuses (found by tests/test_fuzz_forms.py and the
code it pointed at): a step's "go" button and the compare page's revisions answer without a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.models import PlanStep

# A superscript two, a digit string over Python's 4,300-digit limit for int().
NOT_INTS = ["²", "1" * 5000]


@pytest.mark.parametrize("go", NOT_INTS)
def test_a_step_saved_with_an_odd_go_stays_on_its_step(cast, plan, login, go):
    url = reverse("plans:step", args=[plan.pk, 1])
    response = login(cast.kam_a).post(url, {"version": 0, "commentary": "Saved anyway", "go": go})
    assert response.status_code == 302
    assert response["Location"] == url
    assert PlanStep.objects.get(plan=plan, number=1).content["commentary"] == "Saved anyway"


def test_a_step_saved_with_go_moves_to_that_step(cast, plan, login):
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 1]), {"version": 0, "go": "2"})
    assert response["Location"] == reverse("plans:step", args=[plan.pk, 2])


@pytest.mark.parametrize("revision", NOT_INTS)
def test_the_compare_page_falls_back_on_an_odd_revision(cast, plan, login, revision):
    url = reverse("plans:compare", args=[plan.pk])
    assert login(cast.kam_a).get(url, {"a": revision, "b": revision}).status_code == 200
