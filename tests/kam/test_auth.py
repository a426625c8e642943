import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def kam(db):
    return UserFactory(username="kam", email="kam@example.com")


def test_it_shows_the_login_page_in_the_app_look(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in to KAM Planner" in response.content
    assert b"kam/app.css" in response.content


def test_it_logs_in_with_the_right_password(client, kam):
    response = client.post(reverse("login"), {"username": "kam", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_redirects_anonymous_users_to_login(client, db):
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _fail(client, username):
    return client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR="10.9.8.7")


def test_it_gives_the_same_message_for_known_and_unknown_usernames(client, kam):
    known = _fail(client, "kam")
    unknown = _fail(client, "nobody")
    assert known.status_code == unknown.status_code == 200
    assert b"Please enter a correct username and password." in known.content
    assert b"Please enter a correct username and password." in unknown.content


def test_it_locks_out_after_repeated_failures(client, kam, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, "kam")
    locked = client.post(reverse("login"), {"username": "kam", "password": "pw-for-tests-1"}, REMOTE_ADDR="10.9.8.7")
    assert locked.status_code == 429
    assert b"Too many failed log-in attempts" in locked.content
    # An unknown username is locked out the same way, so lockout reveals nothing.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, "ghost")
    assert _fail(client, "ghost").status_code == 429


def test_it_sends_a_password_reset_link(client, kam):
    response = client.post(reverse("password_reset"), {"email": "kam@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/password-reset/" in mail.outbox[0].body


def test_it_logs_out_with_post(client, kam):
    client.force_login(kam, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
