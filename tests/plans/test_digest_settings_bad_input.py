"""The digest settings form refused (found by tests/test_fuzz_forms.py): a 400 that shows the form
with its error, as every other form answers a refusal, not a 200 that looks like success."""

from __future__ import annotations

from django.urls import reverse

from plans.models import DigestPreference


def test_a_refused_setting_is_a_400_with_the_error(cast, login):
    response = login(cast.kam_a).post(
        reverse("plans:digest-settings"), {"frequency": "\"><script>alert('kam')</script>", "weekday": "4"}
    )
    assert response.status_code == 400
    assert "frequency" in response.context["form"].errors
    assert "<script>alert('kam')" not in response.content.decode()
    assert not DigestPreference.objects.exists()


def test_an_empty_post_shows_the_page(cast, login):
    # Nothing sent is nothing refused: the page, as the authorisation matrix expects.
    assert login(cast.kam_a).post(reverse("plans:digest-settings")).status_code == 200
