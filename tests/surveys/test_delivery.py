"""Survey delivery, one piece at a time: the claim, SMTP outcomes against a real SMTP server (the
sink), the e-mail itself, and dispatch around transactions and broker outages. Runs on SQLite and
PostgreSQL; the sweeper and reminders are in test_sweep_and_reminders.py, the crash and outage tests
with real workers in test_reliability.py.
"""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from celery.exceptions import Retry
from django.db import connection, transaction
from django.template import loader
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from accounts.models import AccountStatus
from stakeholders.models import CampaignStatus, InvitationStatus, Language, Survey, SurveyInvitation
from stakeholders.surveys import delivery
from stakeholders.surveys.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    TemporaryDeliveryError,
    claim,
    claim_many,
    deliver,
    send_batch,
    sweep,
)
from stakeholders.surveys.dispatch import BATCH, campaign_dispatch, enqueue_invitations
from stakeholders.surveys.mail import build_email, invitation_language
from stakeholders.surveys.tasks import MAX_COUNTDOWN, send_invitations
from stakeholders.surveys.tokens import opt_out_url, survey_url
from tests.factories import AccountFactory, UserFactory
from tests.smtp_sink import SmtpSink
from tests.stakeholder_factories import PersonFactory
from tests.survey_factories import (
    QueuedInvitationFactory,
    SendingCampaignFactory,
    consenting_person,
)


def outcome(counts: dict[str, int]) -> tuple[int, int, int]:
    """(sent, skipped, temporary) from send_batch's counts."""
    return counts["sent"], counts["skipped"], counts["temporary"]


def status(pk: int) -> str:
    return SurveyInvitation.objects.values_list("status", flat=True).get(pk=pk)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


@pytest.fixture
def smtp(settings, sink) -> SmtpSink:
    """Django's SMTP backend, talking to the sink."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return sink


# Claim -----------------------------------------------------------------------------------------


def test_a_claimed_row_cannot_be_claimed_again(db):
    invitation = QueuedInvitationFactory()
    before = timezone.now()

    claimed = claim(invitation.pk)

    assert claimed is not None
    assert claimed.status == InvitationStatus.SENDING
    assert claimed.attempts == 1
    assert before + LEASE <= claimed.lease_until <= timezone.now() + LEASE
    assert claim(invitation.pk) is None
    assert SurveyInvitation.objects.get(pk=invitation.pk).attempts == 1


def test_an_expired_lease_can_be_claimed_again(db):
    invitation = QueuedInvitationFactory()
    first = claim(invitation.pk)

    with time_machine.travel(first.lease_until - timedelta(seconds=1), tick=False):
        assert claim(invitation.pk) is None
    with time_machine.travel(first.lease_until + timedelta(seconds=1), tick=False):
        again = claim(invitation.pk)

    assert again is not None
    assert again.attempts == 2
    assert again.lease_until > first.lease_until


@pytest.mark.parametrize("final", [InvitationStatus.SENT, InvitationStatus.FAILED, InvitationStatus.EXPIRED])
def test_rows_that_are_done_cannot_be_claimed(db, final):
    invitation = QueuedInvitationFactory(status=final)
    assert claim(invitation.pk) is None


# Delivery through SMTP -------------------------------------------------------------------------


def test_send_batch_delivers_each_row_and_marks_it_sent(db, smtp, django_assert_max_num_queries):
    campaign = SendingCampaignFactory()
    invitations = QueuedInvitationFactory.create_batch(3, campaign=campaign)
    ids = [i.pk for i in invitations]

    # Per row: the claim (UPDATE), reading it back, recording the outcome.
    with django_assert_max_num_queries(3 * len(ids)):
        counts = send_batch(ids)

    assert outcome(counts) == (3, 0, 0)
    for invitation in invitations:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.SENT
        assert invitation.sent_at is not None
        assert invitation.lease_until is None
        assert invitation.error == ""
    assert smtp.message_ids() == {i.message_id: 1 for i in invitations}
    assert [m.recipients for m in smtp.messages] == [(i.person.email,) for i in invitations]


def test_send_batch_skips_rows_it_cannot_claim(db, smtp):
    done = QueuedInvitationFactory(status=InvitationStatus.SENT)
    taken = QueuedInvitationFactory()
    claim(taken.pk)

    assert outcome(send_batch([done.pk, taken.pk])) == (0, 2, 0)
    assert smtp.count == 0


@pytest.mark.parametrize("code", [451, 421])
def test_a_recipient_answering_try_later_twice_is_delivered_on_the_third_attempt(db, smtp, code):
    invitation = QueuedInvitationFactory()
    neighbour = QueuedInvitationFactory(campaign=invitation.campaign)
    smtp.fail_temporarily(invitation.person.email, times=2, code=code)
    ids = [invitation.pk, neighbour.pk]

    for attempt in (1, 2):
        with pytest.raises(TemporaryDeliveryError) as raised:
            send_batch(ids)
        # Only the row that failed is handed back for the retry, and it is queued again.
        assert raised.value.args[1] == [invitation.pk]
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.QUEUED
        assert invitation.lease_until is None
        assert invitation.attempts == attempt
        assert invitation.error.startswith(str(code))
        ids = raised.value.args[1]
    assert status(neighbour.pk) == InvitationStatus.SENT

    assert outcome(send_batch(ids)) == (1, 0, 0)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert invitation.attempts == 3
    assert invitation.error == ""
    assert smtp.refusals(invitation.person.email) == 2
    assert smtp.message_ids() == {invitation.message_id: 1, neighbour.message_id: 1}


def test_a_refused_address_fails_for_good_with_the_servers_answer(db, smtp):
    invitation = QueuedInvitationFactory()
    smtp.refuse(invitation.person.email)

    counts = send_batch([invitation.pk])

    # The failed address is not reported as sent.
    assert counts["sent"] == 0
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED
    assert invitation.error.startswith("550")
    assert "Mailbox unavailable" in invitation.error
    assert invitation.lease_until is None
    # Not retried: a second batch skips it and the server hears nothing more.
    assert outcome(send_batch([invitation.pk])) == (0, 1, 0)
    assert smtp.refusals(invitation.person.email) == 1
    assert smtp.count == 0
    assert status(invitation.pk) == InvitationStatus.FAILED


def test_an_unreachable_server_leaves_the_rows_queued(db, smtp, settings):
    invitations = QueuedInvitationFactory.create_batch(2)
    settings.EMAIL_PORT = closed_port()

    with pytest.raises(TemporaryDeliveryError):
        send_batch([i.pk for i in invitations])

    for invitation in invitations:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.QUEUED
        assert invitation.lease_until is None


def test_deliver_puts_a_claimed_row_back_when_the_server_cannot_be_reached(db, smtp, settings):
    invitation = claim(QueuedInvitationFactory().pk)
    settings.EMAIL_PORT = closed_port()

    with pytest.raises(TemporaryDeliveryError):
        deliver(invitation)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.QUEUED
    assert invitation.lease_until is None
    assert invitation.error.startswith("connection:")


# The task --------------------------------------------------------------------------------------


def test_the_task_retries_a_temporary_failure_until_delivered(db, smtp):
    invitation = QueuedInvitationFactory()
    smtp.fail_temporarily(invitation.person.email, times=2)

    # Eager: each retry runs at once, without its countdown.
    result = send_invitations.apply(args=[[invitation.pk]])

    assert result.successful(), result.traceback
    assert status(invitation.pk) == InvitationStatus.SENT
    assert smtp.message_ids() == {invitation.message_id: 1}


def test_the_task_gives_up_after_its_retries_and_leaves_the_rows_to_the_sweeper(db, smtp, settings):
    invitation = QueuedInvitationFactory()
    settings.EMAIL_PORT = closed_port()

    result = send_invitations.apply(args=[[invitation.pk]])

    assert result.failed()
    assert isinstance(result.result, TemporaryDeliveryError)
    assert status(invitation.pk) == InvitationStatus.QUEUED


@pytest.mark.parametrize("retries", [0, 1, 3, 6])
def test_retries_back_off_exponentially_with_jitter_below_the_visibility_timeout(db, smtp, settings, retries):
    invitation = QueuedInvitationFactory()
    settings.EMAIL_PORT = closed_port()
    asked: list[dict] = []

    def retry(**kwargs):
        asked.append(kwargs)
        return Retry()

    with mock.patch.object(send_invitations, "retry", side_effect=retry):
        send_invitations.apply(args=[[invitation.pk]], retries=retries)

    [kwargs] = asked
    base = min(MAX_COUNTDOWN, 5 * 2**retries)
    assert base <= kwargs["countdown"] <= base + 3
    assert kwargs["countdown"] < settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert kwargs["args"] == [[invitation.pk]]


# The e-mail ------------------------------------------------------------------------------------


def test_the_email_is_in_the_persons_language_with_score_links_and_an_unsubscribe_header(db, smtp):
    survey = Survey.objects.get(is_default=True)  # created by migration 0004
    german = PersonFactory(preferred_language=Language.DE, title="Dr.", last_name="Brenner")
    invitation = QueuedInvitationFactory(campaign__survey=survey, person=german, account__name="Klinikum Nord")

    send_batch([invitation.pk])

    [received] = smtp.messages
    message = received.message
    assert received.message_id == invitation.message_id == f"<survey-invitation-{invitation.pk}@kam-planner>"
    assert received.recipients == (german.email,)
    assert message["List-Unsubscribe"].strip() == f"<{opt_out_url(invitation)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Klinikum Nord" in message["Subject"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    question = survey.translations["de"]["csat_question"]
    for part in (text, html):
        assert question in part
        assert survey.csat_question not in part
        assert "Dr. Brenner" in part
        for score in range(1, 6):
            assert survey_url(invitation, score=score) in part
        assert opt_out_url(invitation) in part
    assert 'lang="de"' in html


def test_a_language_the_survey_lacks_falls_back_to_english(db, smtp):
    survey = Survey.objects.get(is_default=True)
    italian = PersonFactory(preferred_language=Language.IT)
    invitation = QueuedInvitationFactory(campaign__survey=survey, person=italian)

    send_batch([invitation.pk])

    text = smtp.messages[0].message.get_body(preferencelist=("plain",)).get_content()
    assert survey.csat_question in text


def test_a_resent_invitation_keeps_its_message_id(db, smtp):
    invitation = QueuedInvitationFactory()
    send_batch([invitation.pk])
    # As if the first delivery had not been recorded (a worker killed after sending).
    SurveyInvitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.QUEUED)
    send_batch([invitation.pk])

    assert smtp.message_ids() == {invitation.message_id: 2}
    assert smtp.duplicates == 1


# Dispatch, transactions and the broker ---------------------------------------------------------


@pytest.fixture
def audience(db):
    """A key account with two consenting people and one without consent."""
    kam = UserFactory()
    account = AccountFactory(owner=kam, is_key_account=True, status=AccountStatus.ACTIVE)
    people = [consenting_person(account), consenting_person(account, preferred_language=Language.DE)]
    PersonFactory()  # not affiliated
    campaign = SendingCampaignFactory(
        status=CampaignStatus.SCHEDULED, created_by=kam, audience={"accounts": [account.pk]}
    )
    return campaign, people


def test_a_dispatch_enqueues_its_rows_only_after_commit(audience, enqueued, django_capture_on_commit_callbacks):
    campaign, people = audience

    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_dispatch(campaign=campaign, by=campaign.created_by) == 2
        assert enqueued == []

    ids = list(campaign.invitations.values_list("pk", flat=True))
    assert enqueued == [ids]
    assert sorted(campaign.invitations.values_list("person_id", flat=True)) == sorted(p.pk for p in people)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING


def test_a_dispatch_is_delivered_end_to_end(audience, smtp, django_capture_on_commit_callbacks):
    campaign, people = audience

    with django_capture_on_commit_callbacks(execute=True):
        campaign_dispatch(campaign=campaign, by=campaign.created_by)

    # Eager tasks in tests: the worker's part ran in the on-commit callback.
    assert set(campaign.invitations.values_list("status", flat=True)) == {InvitationStatus.SENT}
    assert sorted(r for m in smtp.messages for r in m.recipients) == sorted(p.email for p in people)
    # Dispatching again invites nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_dispatch(campaign=campaign, by=campaign.created_by) == 0
    assert smtp.count == 2


class Boom(Exception):
    pass


def test_a_dispatch_rolled_back_enqueues_and_sends_nothing(
    audience, enqueued, mailoutbox, django_capture_on_commit_callbacks
):
    campaign, _people = audience

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        campaign_dispatch(campaign=campaign, by=campaign.created_by)
        raise Boom

    assert callbacks == []
    assert enqueued == []
    assert mailoutbox == []
    assert not SurveyInvitation.objects.exists()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED


def test_with_the_broker_down_enqueue_logs_and_leaves_the_rows_to_the_sweeper(db, caplog):
    campaign = SendingCampaignFactory()
    ids = [QueuedInvitationFactory(campaign=campaign).pk for _ in range(3)]
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with (
        mock.patch.object(send_invitations, "delay", side_effect=down) as delay,
        caplog.at_level(logging.WARNING, logger="stakeholders.surveys"),
    ):
        assert enqueue_invitations(ids * (BATCH // 3 + 1)) == 0

    # One try, not one per batch: the broker is down, the sweeper will pick the rows up.
    assert delay.call_count == 1
    assert any("sweeper" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert set(SurveyInvitation.objects.values_list("status", flat=True)) == {InvitationStatus.QUEUED}


def test_a_dispatch_with_the_broker_down_still_commits_its_rows(audience, caplog, django_capture_on_commit_callbacks):
    campaign, _people = audience

    with (
        mock.patch.object(send_invitations, "delay", side_effect=OperationalError("down")),
        caplog.at_level(logging.WARNING, logger="stakeholders.surveys"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert campaign_dispatch(campaign=campaign, by=campaign.created_by) == 2

    assert list(campaign.invitations.values_list("status", flat=True)) == [InvitationStatus.QUEUED] * 2
    assert "sweeper" in caplog.text


def _rendered_directly(invitation: SurveyInvitation, *, reminder: bool = False) -> tuple[str, str, str]:
    """Subject and bodies as rendering the templates for this one person gives them: the reference
    that the batch's render-once-and-fill-in must match to the character."""

    survey = invitation.campaign.survey
    language = invitation_language(invitation)
    with translation.override(language):
        context = {
            "invitation": invitation,
            "language": language,
            "company": "Helvetia Pharma",
            "account": invitation.account.name,
            "person": invitation.person,
            "name": invitation.person.salutation_name,
            "intro": survey.text("intro_text", language),
            "question": survey.text("csat_question", language),
            "scores": [(n, survey_url(invitation, score=n)) for n in range(1, 6)],
            "survey_url": survey_url(invitation),
            "opt_out_url": opt_out_url(invitation),
            "expires_on": invitation.expires_on,
            "reminder": reminder,
        }
        subject = render_to_string("emails/survey_invitation_subject.txt", context)
        return (
            "".join(subject.splitlines()).strip(),
            render_to_string("emails/survey_invitation.txt", context),
            render_to_string("emails/survey_invitation.html", context),
        )


@pytest.mark.parametrize("reminder", [False, True])
def test_a_batch_renders_each_template_once_and_every_email_matches_its_own_render(
    db, settings, reminder, django_assert_max_num_queries
):

    settings.COMPANY_NAME = "Helvetia Pharma"
    survey = Survey.objects.get(is_default=True)
    campaign = SendingCampaignFactory(survey=survey)
    people = [
        PersonFactory(preferred_language=Language.DE, title="Prof. Dr.", last_name="Müller-Lüdenscheidt"),
        PersonFactory(preferred_language=Language.DE, title="", last_name="O'Brien & <Söhne>"),
        PersonFactory(preferred_language=Language.EN, title="Dr.", last_name='Smith "the elder"'),
        PersonFactory(preferred_language=Language.FR, title="", last_name="Lefèvre"),
        PersonFactory(preferred_language=Language.IT, title="Dott.", last_name="Rossi"),
    ]
    account = AccountFactory(name="Klinik <Nord> & Söhne")
    invitations = [QueuedInvitationFactory(campaign=campaign, person=p, account=account) for p in people]
    rows = list(
        SurveyInvitation.objects.select_related("campaign__survey", "person", "account")
        .filter(pk__in=[i.pk for i in invitations])
        .order_by("pk")
    )
    templates: dict = {}
    with mock.patch(
        "stakeholders.surveys.mail.render_to_string",
        wraps=loader.render_to_string,
    ) as rendered:
        emails = [build_email(row, reminder=reminder, templates=templates) for row in rows]
    # Subject and two bodies once per language: de, en (also for it, which the survey lacks), fr.
    assert rendered.call_count == 3 * 3
    for row, email in zip(rows, emails, strict=True):
        subject, text, html = _rendered_directly(row, reminder=reminder)
        assert email.subject == subject
        assert email.body == text
        assert email.alternatives[0][0] == html
        assert "kammerge" not in email.body and "kammerge" not in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_commits_without_waiting_for_the_disk_and_restores_the_setting(smtp, monkeypatch):

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    seen: list[str] = []
    real_settle = delivery._settle

    def settle(*args, **kwargs):
        seen.append(setting())
        return real_settle(*args, **kwargs)

    monkeypatch.setattr(delivery, "_settle", settle)
    invitations = QueuedInvitationFactory.create_batch(2)
    assert setting() == "on"
    counts = send_batch([i.pk for i in invitations])
    assert counts["sent"] == 2
    assert seen == ["off", "off"]
    assert setting() == "on"


def test_a_row_that_keeps_failing_is_given_up_as_failed_and_never_claimed_again(db, enqueued):

    stuck = QueuedInvitationFactory(attempts=MAX_ATTEMPTS, error="421 try later")
    fresh = QueuedInvitationFactory(attempts=MAX_ATTEMPTS - 1)
    assert [i.pk for i in claim_many([stuck.pk])] == []

    result = sweep()

    assert result["gave_up"] == 1
    stuck.refresh_from_db()
    assert stuck.status == InvitationStatus.FAILED
    assert stuck.error == f"Gave up after {MAX_ATTEMPTS} attempts; last error: 421 try later"
    assert status(fresh.pk) == InvitationStatus.QUEUED
    assert [i.pk for i in claim_many([fresh.pk])] == [fresh.pk]
