"""Logs never carry passwords, session ids, CSRF tokens or survey tokens.

Every logger is turned to DEBUG (SQL included), every stream handler the logging configuration
installed writes into one buffer, and a round of requests runs: logins right and wrong, a CSRF
failure, survey pages by token, a 404 with a token in its path, a 500. Then nothing secret may be
in what was written, nor in any mail a log handler sent.
"""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.logfilters import MaskSecrets, mask_secret_paths, mask_sql
from stakeholders.surveys.tokens import invitation_token
from tests.factories import UserFactory
from tests.survey_factories import InvitationFactory

PASSWORD = "Correct-Horse-Log-7781"
WRONG_PASSWORD = "Wrong-Guess-Log-9913"
FORGED_CSRF = "ForgedCsrfTokenValue" * 2


@contextmanager
def everything_logged():
    """All loggers at DEBUG; every stream handler of the configuration writes into the buffer."""
    buffer = io.StringIO()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    handlers = {handler for logger in loggers for handler in logger.handlers}
    saved_levels = [(logger, logger.level) for logger in loggers]
    saved_handlers = [(handler, handler.level) for handler in handlers]
    streams = {}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for handler in handlers:
        handler.setLevel(logging.DEBUG)
        if isinstance(handler, logging.StreamHandler):
            streams[handler] = handler.setStream(buffer)
    try:
        with CaptureQueriesContext(connection):  # Django logs SQL only with a debug cursor
            yield buffer
    finally:
        for logger, level in saved_levels:
            logger.setLevel(level)
        for handler, level in saved_handlers:
            handler.setLevel(level)
        for handler, stream in streams.items():
            handler.setStream(stream)


@pytest.fixture
def user(db):
    return UserFactory(username="kam.logs", password=PASSWORD)


def test_no_secret_reaches_the_logs(user, cast):
    invitation = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    token = invitation_token(invitation)
    bad_token = f"{invitation.pk}-NotTheRightMacButSecret"
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)

    with everything_logged() as log:
        # A failed login, a CSRF failure, then the real login.
        csrf_cookie = browser.get(reverse("login")).cookies[django_settings.CSRF_COOKIE_NAME].value
        browser.post(
            reverse("login"), {"username": "kam.logs", "password": WRONG_PASSWORD, "csrfmiddlewaretoken": csrf_cookie}
        )
        assert (
            browser.post(
                reverse("login"),
                {"username": "kam.logs", "password": PASSWORD, "csrfmiddlewaretoken": FORGED_CSRF},
            ).status_code
            == 403
        )
        response = browser.post(
            reverse("login"), {"username": "kam.logs", "password": PASSWORD, "csrfmiddlewaretoken": csrf_cookie}
        )
        assert response.status_code == 302
        session_id = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
        csrf_after_login = browser.cookies[django_settings.CSRF_COOKIE_NAME].value
        assert browser.get(reverse("home")).status_code == 200
        assert browser.get("/no-such-page/").status_code == 404
        # A failed login that stays on record (the success above cleared the first one).
        stranger = Client(enforce_csrf_checks=True)
        stranger_csrf = stranger.get(reverse("login")).cookies[django_settings.CSRF_COOKIE_NAME].value
        stranger.post(
            reverse("login"), {"username": "nobody", "password": WRONG_PASSWORD, "csrfmiddlewaretoken": stranger_csrf}
        )

        # The survey pages: read, answer, a wrong token, and a crash while a token is in the path.
        survey = Client(raise_request_exception=False)
        assert survey.get(reverse("survey:answer", args=[token]) + "?score=4").status_code == 200
        assert survey.post(reverse("survey:answer", args=[token]), {"csat_score": "4"}).status_code == 302
        assert survey.get(reverse("survey:answer", args=[bad_token])).status_code == 404
        with mock.patch(
            "stakeholders.surveys.responses.invitation_is_open", side_effect=RuntimeError(f"boom at /s/{token}/")
        ):
            assert survey.get(reverse("survey:answer", args=[token])).status_code == 500

    written = log.getvalue() + "".join(m.subject + m.body for m in mail.outbox)
    # The capture saw the requests, so an absence below means something.
    for expected in ("Forbidden (CSRF", "Not Found", "Internal Server Error", "django_session", "AXES"):
        assert expected in written, expected
    token_mac = token.partition("-")[2]
    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "session id": session_id,
        "csrf cookie": csrf_cookie,
        "csrf cookie after login": csrf_after_login,
        "forged csrf token": FORGED_CSRF,
        "another csrf cookie": stranger_csrf,
        "survey token": token_mac,
        "wrong survey token": bad_token.partition("-")[2],
    }
    leaked = {name for name, secret in secrets.items() if secret in written}
    assert leaked == set(), written
    # Nor does the failed login's form that axes keeps in the database.
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "csrfmiddlewaretoken" in stored
    assert stranger_csrf not in stored and WRONG_PASSWORD not in stored


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            '(0.001) SELECT 1 FROM "django_session" WHERE "django_session"."session_key" = \'abc\'\'d\'; '
            "args=('abc''d',); alias=default",
            '(0.001) SELECT 1 FROM "django_session" WHERE "django_session"."session_key" = \'…\'; '
            "args=[masked]; alias=default",
        ),
        ("(0.001) SELECT 1; args=None; alias=default", "(0.001) SELECT 1; args=[masked]; alias=default"),
    ],
)
def test_sql_keeps_its_shape_and_loses_its_values(text, masked):
    assert mask_sql(text) == masked


def test_password_reset_links_are_masked():
    assert mask_secret_paths("Not Found: /password-reset/MQ/cz0abc-123/") == "Not Found: /password-reset/[uid]/[token]/"
    assert mask_secret_paths("GET /password-reset/sent/ 200") == "GET /password-reset/sent/ 200"


def test_a_sql_record_is_masked_with_its_attributes():
    record = logging.LogRecord(
        "django.db.backends",
        logging.DEBUG,
        __file__,
        1,
        "(%.3f) %s; args=%s; alias=%s",
        (0.1, "SELECT 'secret'", ("secret",), "default"),
        None,
    )
    record.sql, record.params = "SELECT 'secret'", ("secret",)
    assert MaskSecrets().filter(record) is True
    assert "secret" not in record.getMessage() + record.sql + record.params
