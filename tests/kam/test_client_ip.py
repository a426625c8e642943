"""The client's address behind our proxies: one helper, used by the survey rate limit and the lockout."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from kam.security import check_shared_cache, client_ip
from stakeholders.surveys.tokens import invitation_token
from tests.factories import UserFactory
from tests.survey_factories import InvitationFactory

PROXY = "10.0.0.5"  # REMOTE_ADDR of every request that came through our proxy


@pytest.fixture
def behind_proxy(settings):
    settings.KAM_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.KAM_TRUSTED_PROXY_COUNT = 1


pytestmark = pytest.mark.usefixtures("fresh_cache")


def _request(forwarded: str | None = None, remote: str = PROXY):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# The helper -------------------------------------------------------------------------------------


def test_it_ignores_forwarded_headers_when_no_proxy_is_configured(settings):
    settings.KAM_CLIENT_IP_HEADER = ""
    assert client_ip(_request("198.51.100.1", remote="203.0.113.9")) == "203.0.113.9"


def test_it_takes_the_entry_our_proxy_appended(behind_proxy):
    assert client_ip(_request("198.51.100.1")) == "198.51.100.1"
    # Whatever the client sent itself stands left of it and changes nothing.
    assert client_ip(_request("6.6.6.6, 198.51.100.1")) == "198.51.100.1"
    assert client_ip(_request("not-an-ip, 7.7.7.7 ,198.51.100.1")) == "198.51.100.1"


def test_it_counts_trusted_proxies_from_the_right(behind_proxy, settings):
    settings.KAM_TRUSTED_PROXY_COUNT = 2
    # Load balancer appended the client, the inner proxy appended the load balancer.
    assert client_ip(_request("6.6.6.6, 198.51.100.1, 10.0.0.2")) == "198.51.100.1"
    assert client_ip(_request("2001:db8::1, 10.0.0.2")) == "2001:db8::1"


def test_it_falls_back_to_the_peer_when_the_header_is_missing_short_or_garbage(behind_proxy, settings):
    assert client_ip(_request()) == PROXY
    assert client_ip(_request("garbage")) == PROXY
    settings.KAM_TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("198.51.100.1")) == PROXY


# The survey rate limit --------------------------------------------------------------------------


def _submit(client, invitation, forwarded: str):
    url = reverse("survey:answer", args=[invitation_token(invitation)])
    return client.post(url, {"csat_score": "4"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_clients_behind_one_proxy_have_separate_survey_limits(client, cast, settings, behind_proxy):
    settings.SURVEY_RATE_LIMIT = (1, 60)
    invitation = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    assert _submit(client, invitation, "198.51.100.1").status_code == 302
    assert _submit(client, invitation, "198.51.100.2").status_code == 302
    assert _submit(client, invitation, "198.51.100.1").status_code == 429


def test_a_spoofed_leftmost_entry_does_not_escape_the_survey_limit(client, cast, settings, behind_proxy):
    settings.SURVEY_RATE_LIMIT = (1, 60)
    invitation = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    assert _submit(client, invitation, "6.6.6.6, 198.51.100.1").status_code == 302
    assert _submit(client, invitation, "7.7.7.7, 198.51.100.1").status_code == 429


# The login lockout ------------------------------------------------------------------------------


def _login(client, password: str, forwarded: str):
    return client.post(
        reverse("login"),
        {"username": "victim", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_an_attacker_behind_the_proxy_does_not_lock_out_the_user(client, db, settings, behind_proxy):
    UserFactory(username="victim")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", "203.0.113.66")
    assert _login(client, "pw-for-tests-1", "203.0.113.66").status_code == 429
    # The same user from their own address, through the same proxy, still gets in.
    assert _login(client, "pw-for-tests-1", "198.51.100.7").status_code == 302


def test_a_spoofed_leftmost_entry_does_not_reset_the_lockout(client, db, settings, behind_proxy):
    UserFactory(username="victim")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", f"192.0.2.{n}, 203.0.113.66")
    assert _login(client, "pw-for-tests-1", "192.0.2.200, 203.0.113.66").status_code == 429


def test_the_lockout_is_per_username_and_address_without_a_proxy(client, db, settings):
    UserFactory(username="victim")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "victim", "password": "wrong"}, REMOTE_ADDR="203.0.113.66")
    attacker = client.post(
        reverse("login"), {"username": "victim", "password": "pw-for-tests-1"}, REMOTE_ADDR="203.0.113.66"
    )
    victim = client.post(
        reverse("login"), {"username": "victim", "password": "pw-for-tests-1"}, REMOTE_ADDR="198.51.100.7"
    )
    assert attacker.status_code == 429
    assert victim.status_code == 302


# The counters' cache ----------------------------------------------------------------------------


def test_the_deploy_check_wants_a_shared_cache_for_the_counters():
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    with override_settings(CACHES=locmem):
        assert [m.id for m in check_shared_cache()] == ["kam.W001"]
    with override_settings(CACHES=redis):
        assert check_shared_cache() == []
