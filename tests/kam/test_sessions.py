"""Sessions: kept in the database, a new key at login, ended after a spell of inactivity."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory


@pytest.fixture
def kam(db):
    return UserFactory(username="kam")


def _log_in(client):
    response = client.post(reverse("login"), {"username": "kam", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    return response


def test_sessions_are_kept_in_the_database(client, kam):
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    _log_in(client)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()


def test_a_cache_outage_logs_nobody_out(client, kam):
    _log_in(client)
    down = ConnectionError("redis down")
    cache = caches["default"]
    with (
        mock.patch.object(cache, "get", side_effect=down),
        mock.patch.object(cache, "get_many", side_effect=down),
        mock.patch.object(cache, "set", side_effect=down),
        mock.patch.object(cache, "add", side_effect=down),
    ):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["user"] == kam


def test_logging_in_gives_a_new_session_key(client, kam):
    session = client.session
    session["before_login"] = True
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key

    _log_in(client)
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    # The key someone may have planted before the login is worth nothing afterwards.
    assert not Session.objects.filter(session_key=before).exists()


def test_it_logs_out_after_the_idle_timeout_and_says_why(client, kam, settings, time_machine):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    _log_in(client)

    # Activity within the timeout keeps the session going, well past the timeout in total.
    for minutes in (29, 58, 87):
        time_machine.move_to(start + timedelta(minutes=minutes), tick=False)
        assert client.get(reverse("accounts:list")).status_code == 200

    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    time_machine.move_to(start + timedelta(minutes=87 + 31), tick=False)
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    login_page = client.get(response["Location"])
    assert "logged out after 30 minutes without activity" in login_page.content.decode()
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("accounts:list")).status_code == 302


def test_it_does_not_write_the_session_on_every_request(client, kam, settings, time_machine):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    _log_in(client)
    client.get(reverse("accounts:list"))
    time_machine.move_to(start + timedelta(seconds=20), tick=False)
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.save") as save:
        client.get(reverse("accounts:list"))
    assert not save.called
