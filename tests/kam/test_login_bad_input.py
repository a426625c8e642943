"""The login form under hostile input (found by tests/test_fuzz_forms.py): a refusal, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("length", [149, 150, 151, 255, 256, 300, 5000])
def test_it_refuses_a_long_username_without_a_500(client, cast, length):
    username = ("<img src=x onerror=alert(1)>" * 200)[:length]
    response = client.post(reverse("login"), {"username": username, "password": "wrong-password"})
    assert response.status_code == 200
    assert "<img src=x" not in response.content.decode()


def test_it_says_the_username_is_too_long(client, cast):
    response = client.post(reverse("login"), {"username": "x" * 256, "password": "wrong-password"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
