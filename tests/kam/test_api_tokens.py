"""Personal API tokens: created and revoked on the API tokens page, stored hashed, used as Bearer."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kam.api_tokens import api_token_create, user_for_token
from kam.models import ApiToken

pytestmark = pytest.mark.django_db

API = "/api/v1/accounts/"


def _bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_it_creates_a_token_on_the_page_and_shows_it_once(cast, login):
    client = login(cast.kam_a)
    response = client.post("/api-tokens/", {"name": "CRM sync"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("kam_") and secret.encode() in response.content
    token = ApiToken.objects.get(user=cast.kam_a)
    assert token.name == "CRM sync"
    # Only the digest is stored.
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.digest, token.prefix}
    assert secret.encode() not in client.get("/api-tokens/").content


def test_it_authenticates_as_the_tokens_user_and_records_the_use(cast):
    token, secret = api_token_create(user=cast.kam_a, name="t")
    response = _bearer(secret).get(API)
    assert response.status_code == 200
    # Account data: no cache may keep it, whichever way the user signed in.
    assert "no-store" in response["Cache-Control"]
    assert [row["id"] for row in response.json()["results"]] == [cast.account_a.pk]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_writes_the_last_use_at_most_once_a_minute(cast):
    token, secret = api_token_create(user=cast.kam_a, name="t")
    now = timezone.now()
    user_for_token(secret, now=now)
    user_for_token(secret, now=now + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == now
    user_for_token(secret, now=now + timedelta(minutes=2))
    token.refresh_from_db()
    assert token.last_used_at == now + timedelta(minutes=2)


def test_it_refuses_a_revoked_token(cast, login):
    token, secret = api_token_create(user=cast.kam_a, name="t")
    assert login(cast.kam_a).post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _bearer(secret).get(API).status_code == 401


def test_it_refuses_a_wrong_token_and_a_deactivated_user(cast):
    _token, secret = api_token_create(user=cast.kam_a, name="t")
    assert _bearer(secret + "x").get(API).status_code == 401
    cast.kam_a.is_active = False
    cast.kam_a.save()
    assert _bearer(secret).get(API).status_code == 401


def test_it_lets_nobody_revoke_anothers_token(cast, login):
    token, secret = api_token_create(user=cast.kam_a, name="t")
    assert login(cast.admin).post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _bearer(secret).get(API).status_code == 200


def test_it_refuses_a_nameless_token(cast, login):
    assert login(cast.kam_a).post("/api-tokens/", {"name": "  "}).status_code == 400
    assert not ApiToken.objects.filter(user=cast.kam_a).exists()
