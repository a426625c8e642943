"""The touchpoint form's ?person= preselection with digits int() refuses (found while fuzzing the
forms, tests/test_fuzz_forms.py): the form opens without a preselection instead of a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize("person", ["²", "1" * 5000, "99999999999999999999"])
def test_the_touchpoint_form_ignores_a_person_that_is_no_id(cast, login, person):
    url = reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk])
    response = login(cast.kam_a).get(url, {"person": person})
    assert response.status_code == 200
    assert not response.context["form"].initial.get("stakeholders")
