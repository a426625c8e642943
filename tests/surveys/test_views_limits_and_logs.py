"""The public survey pages' limits and privacy: submits limited per client address, opting out
(in the browser and in one click from a mail client), survey tokens never in any log, and
concurrent submits. The pages themselves are in test_views.py."""

from __future__ import annotations

import importlib.util
import logging
import threading
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kam.logfilters import MaskSurveyTokens, mask_survey_tokens
from stakeholders.models import (
    InvitationStatus,
    LowScoreFollowUp,
    SurveyResponse,
)
from stakeholders.surveys.tokens import invitation_token
from tests.survey_factories import InvitationFactory
from tests.surveys.test_views import answer_url, assert_private, opt_out_url

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "kam" / "gunicorn.conf.py"


pytestmark = pytest.mark.usefixtures("fresh_cache")

# Rate limit -------------------------------------------------------------------------------------


def test_submits_are_limited_per_client_address(client, settings, invitation):
    settings.SURVEY_RATE_LIMIT = (3, 60)
    for _ in range(3):
        assert client.post(answer_url(invitation), {"csat_score": "4"}).status_code == 302
    response = client.post(answer_url(invitation), {"csat_score": "5"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Please wait a few minutes" in response.content.decode()
    assert_private(response)
    assert SurveyResponse.objects.get().csat_score == 4
    # Reading the page is not limited; another address has its own count.
    assert client.get(answer_url(invitation)).status_code == 200
    assert client.post(answer_url(invitation), {"csat_score": "5"}, REMOTE_ADDR="203.0.113.7").status_code == 302


def test_a_new_window_allows_submits_again(client, settings, invitation, time_machine):
    settings.SURVEY_RATE_LIMIT = (1, 60)
    time_machine.move_to(timezone.now(), tick=False)
    assert client.post(answer_url(invitation), {"csat_score": "4"}).status_code == 302
    assert client.post(answer_url(invitation), {"csat_score": "4"}).status_code == 429
    time_machine.shift(timedelta(seconds=61))
    assert client.post(answer_url(invitation), {"csat_score": "4"}).status_code == 302


def test_submits_go_through_when_the_cache_is_down(client, settings, invitation, caplog):
    settings.SURVEY_RATE_LIMIT = (1, 60)
    with mock.patch.object(caches["default"], "add", side_effect=ConnectionError("cache down")):
        for _ in range(3):
            assert client.post(answer_url(invitation), {"csat_score": "4"}).status_code == 302
    assert "the cache is unavailable (ConnectionError); request allowed" in caplog.text
    assert SurveyResponse.objects.count() == 1


# Opting out -------------------------------------------------------------------------------------


def test_opting_out_asks_first_then_is_honoured(client, cast, invitation):
    queued = InvitationFactory(person=invitation.person, account=cast.account_a, status=InvitationStatus.QUEUED)
    page = client.get(opt_out_url(invitation))
    assert page.status_code == 200
    assert '<form method="post">' in page.content.decode()
    invitation.person.refresh_from_db()
    assert invitation.person.survey_opt_out_at is None

    response = client.post(opt_out_url(invitation))
    assert response.status_code == 200
    assert "You have been unsubscribed" in response.content.decode()
    invitation.person.refresh_from_db()
    assert invitation.person.survey_opt_out_at is not None
    queued.refresh_from_db()
    assert queued.status == InvitationStatus.EXPIRED
    assert "You already opted out" in client.get(opt_out_url(invitation)).content.decode()


def test_one_click_unsubscribe_from_a_mail_client_works_without_csrf(cast):
    yesterday = timezone.localdate() - timedelta(days=1)
    invitation = InvitationFactory(account=cast.account_a, expires_on=yesterday, status=InvitationStatus.EXPIRED)
    response = Client(enforce_csrf_checks=True).post(
        opt_out_url(invitation), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    invitation.person.refresh_from_db()
    assert invitation.person.survey_opt_out_at is not None


def test_opting_out_of_an_unknown_token_is_a_404(client):
    assert client.get(reverse("survey:opt-out", args=["12-forged"])).status_code == 404
    assert client.post(reverse("survey:opt-out", args=["12-forged"])).status_code == 404


# Tokens never in logs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Not Found: /s/12-AbC_d-e/", "Not Found: /s/[token]/"),
        ("/s/12-AbC/opt-out/", "/s/[token]/opt-out/"),
        ('"GET /s/12-AbC/?score=4 HTTP/1.1" 200', '"GET /s/[token]/?score=4 HTTP/1.1" 200'),
        ("https://kam.example.com/s/12-AbC", "https://kam.example.com/s/[token]"),
        ("Gone: /accounts/12/", "Gone: /accounts/12/"),
    ],
)
def test_survey_tokens_are_masked(text, masked):
    assert mask_survey_tokens(text) == masked


def test_the_log_filter_masks_messages_and_arguments():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "%s: %s", ("Gone", "/s/7-xyz/"), None)
    assert MaskSurveyTokens().filter(record) is True
    assert record.getMessage() == "Gone: /s/[token]/"
    assert "7-xyz" not in record.msg and record.args == ()

    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "%d invitations", (3,), None)
    assert MaskSurveyTokens().filter(plain) is True
    assert (plain.msg, plain.args) == ("%d invitations", (3,))


def test_djangos_request_log_carries_no_token(client, cast, invitation, caplog):
    expired = InvitationFactory(account=cast.account_a, status=InvitationStatus.EXPIRED)
    filters = [(logging.getLogger("django.request"), MaskSurveyTokens())]
    for logger, log_filter in filters:
        logger.addFilter(log_filter)
    try:
        with caplog.at_level(logging.WARNING, logger="django"):
            client.get(reverse("survey:answer", args=["1-forged"]))
            client.get(answer_url(expired))
            client.post(answer_url(invitation), {"csat_score": "9"})
    finally:
        for logger, log_filter in filters:
            logger.removeFilter(log_filter)
    messages = [record.getMessage() for record in caplog.records]
    assert "Not Found: /s/[token]/" in messages
    assert "Gone: /s/[token]/" in messages
    assert "Bad Request: /s/[token]/" in messages
    assert invitation_token(expired) not in caplog.text and invitation_token(invitation) not in caplog.text
    assert "forged" not in caplog.text


def _gunicorn_config():
    spec = importlib.util.spec_from_file_location("kam_gunicorn_conf_for_tests", GUNICORN_CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorns_access_log_carries_no_token():
    # Imported here: gunicorn is the production server, needed by this test alone.
    from gunicorn.config import Config

    conf = _gunicorn_config()
    assert conf.logger_class is conf.MaskingLogger
    cfg = Config()
    for name in ("accesslog", "access_log_format", "errorlog"):
        cfg.set(name, getattr(conf, name))
    gunicorn_logger = conf.MaskingLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/s/12-AbCdEf/?score=4",
        "PATH_INFO": "/s/12-AbCdEf/",
        "QUERY_STRING": "score=4",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": "https://kam.example.com/s/12-AbCdEf/",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]), ("USER-AGENT", "Mozilla/5.0")])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Content-Type", "text/html")])
    atoms = gunicorn_logger.atoms(response, request, environ, timedelta(milliseconds=42))
    assert atoms["r"] == "GET /s/[token]/?score=4 HTTP/1.1"
    assert atoms["U"] == "/s/[token]/"
    assert atoms["q"] == "score=4"
    assert "12-AbCdEf" not in repr(atoms)

    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    gunicorn_logger.access_log.addHandler(handler)
    try:
        gunicorn_logger.access(response, request, environ, timedelta(milliseconds=42))
    finally:
        gunicorn_logger.access_log.removeHandler(handler)
    assert len(lines) == 1
    assert '"GET /s/[token]/?score=4 HTTP/1.1" 200 512 "https://kam.example.com/s/[token]/"' in lines[0]
    assert "12-AbCdEf" not in lines[0]

    # The error log names the URI of a failed request.
    errors = []
    handler.emit = lambda record: errors.append(record.getMessage())
    gunicorn_logger.error_log.addHandler(handler)
    try:
        gunicorn_logger.error("Error handling request %s", "/s/12-AbCdEf/?score=4")
    finally:
        gunicorn_logger.error_log.removeHandler(handler)
    assert errors == ["Error handling request /s/[token]/?score=4"]


# Concurrency ------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_leave_exactly_one_response(settings, cast):
    settings.SURVEY_RATE_LIMIT = (1000, 60)
    invitation = InvitationFactory(account=cast.account_a)
    url = answer_url(invitation)
    threads_count = 20
    start = threading.Barrier(threads_count)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            client = Client()
            start.wait(timeout=10)
            statuses.append(client.post(url, {"csat_score": "1", "comment": "Too slow."}).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert statuses == [302] * threads_count
    assert SurveyResponse.objects.filter(invitation=invitation).count() == 1
    assert LowScoreFollowUp.objects.filter(invitation=invitation).count() == 1
    assert len(mail.outbox) == 1
