"""The transfer-of-value export's ?year= with more digits than int() reads (found while fuzzing
the forms, tests/test_fuzz_forms.py): a plain 400, not a 500."""

from __future__ import annotations

from django.urls import reverse


def test_it_refuses_a_year_of_five_thousand_digits(cast, login):
    response = login(cast.kam_a).get(reverse("stakeholders:tov-export"), {"year": "1" * 5000})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
