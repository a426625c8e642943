"""Survey delivery's sweeper and reminders: rows left queued or leased are taken back, sent
invitations past their date expire, campaigns open and close on their dates, and each non-responder
gets one reminder after the delay, never after an answer, an opt-out, expiry or a withdrawn consent.
Split from test_delivery.py (the claim, SMTP outcomes, the e-mail, dispatch).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from stakeholders.models import CampaignStatus, InvitationStatus, SurveyInvitation
from stakeholders.surveys.delivery import (
    STALE_QUEUED,
    claim,
    send_reminders,
    sweep,
)
from stakeholders.surveys.responses import record_response
from stakeholders.surveys.results import csat
from tests.factories import AccountFactory
from tests.survey_factories import (
    QueuedInvitationFactory,
    SendingCampaignFactory,
    consenting_person,
)
from tests.surveys.test_delivery import status

# Sweeper ---------------------------------------------------------------------------------------


def _created_ago(invitation: SurveyInvitation, age: timedelta) -> None:
    SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - age)


def test_sweep_re_enqueues_rows_left_queued_longer_than_the_stale_limit(db, enqueued):
    stale = QueuedInvitationFactory()
    fresh = QueuedInvitationFactory(campaign=stale.campaign)
    sent = QueuedInvitationFactory(campaign=stale.campaign, status=InvitationStatus.SENT)
    for invitation in (stale, sent):
        _created_ago(invitation, STALE_QUEUED + timedelta(seconds=1))

    result = sweep()

    assert enqueued == [[stale.pk]]
    assert result["enqueued"] == 1
    assert result["reclaimed"] == 0
    assert status(fresh.pk) == InvitationStatus.QUEUED


def test_sweep_takes_back_expired_leases(db, enqueued):
    orphan = claim(QueuedInvitationFactory().pk)
    busy = QueuedInvitationFactory(campaign=orphan.campaign)
    later = orphan.lease_until + timedelta(seconds=1)
    # Claimed just before the sweep runs: its lease is still good.
    with time_machine.travel(later - timedelta(seconds=2), tick=False):
        claim(busy.pk)

    result = sweep(now=later)

    assert result["reclaimed"] == 1
    orphan.refresh_from_db()
    assert orphan.status == InvitationStatus.QUEUED
    assert orphan.lease_until is None
    assert status(busy.pk) == InvitationStatus.SENDING
    assert enqueued == [[orphan.pk]]


def test_sweep_expires_sent_invitations_past_their_date(db, enqueued):
    yesterday = timezone.localdate() - timedelta(days=1)
    campaign = SendingCampaignFactory()
    sent = QueuedInvitationFactory(campaign=campaign, status=InvitationStatus.SENT, expires_on=yesterday)
    answered = QueuedInvitationFactory(campaign=campaign, status=InvitationStatus.ANSWERED, expires_on=yesterday)
    current = QueuedInvitationFactory(campaign=campaign, status=InvitationStatus.SENT)

    assert sweep()["expired"] == 1

    assert status(sent.pk) == InvitationStatus.EXPIRED
    assert status(answered.pk) == InvitationStatus.ANSWERED
    assert status(current.pk) == InvitationStatus.SENT


def test_sweep_never_sends_an_invitation_past_its_date(db, enqueued):
    # A row stuck in the queue (broker down for days) past its date: too late to send it.
    overdue = QueuedInvitationFactory(expires_on=timezone.localdate() - timedelta(days=1))
    _created_ago(overdue, timedelta(days=31))

    sweep()

    assert enqueued == []
    assert status(overdue.pk) != InvitationStatus.QUEUED


def test_invitations_never_delivered_do_not_count_as_invited_after_expiry(db, enqueued):
    yesterday = timezone.localdate() - timedelta(days=1)
    campaign = SendingCampaignFactory()
    QueuedInvitationFactory(campaign=campaign, status=InvitationStatus.SENT, expires_on=yesterday)
    QueuedInvitationFactory(campaign=campaign, status=InvitationStatus.FAILED, expires_on=yesterday)
    stuck = QueuedInvitationFactory(campaign=campaign, expires_on=yesterday)
    _created_ago(stuck, timedelta(days=31))
    assert csat(campaign.invitations.all()).invited == 1

    sweep()

    # Expiry must not turn a refused or never-sent invitation into one that counts as invited.
    assert csat(campaign.invitations.all()).invited == 1


def test_sweep_opens_campaigns_that_are_sent_and_closes_those_past_their_date(db, enqueued):
    delivered = SendingCampaignFactory(status=CampaignStatus.SENDING)
    QueuedInvitationFactory(campaign=delivered, status=InvitationStatus.SENT)
    still_sending = SendingCampaignFactory(status=CampaignStatus.SENDING)
    QueuedInvitationFactory(campaign=still_sending)
    over = SendingCampaignFactory(status=CampaignStatus.OPEN, close_date=timezone.localdate() - timedelta(days=1))

    assert sweep()["closed"] == 1

    statuses = dict(
        (c.pk, c.status) for c in type(over).objects.filter(pk__in=[delivered.pk, still_sending.pk, over.pk])
    )
    assert statuses == {
        delivered.pk: CampaignStatus.OPEN,
        still_sending.pk: CampaignStatus.SENDING,
        over.pk: CampaignStatus.CLOSED,
    }


def test_sweeping_twice_changes_nothing_more(db, enqueued):
    yesterday = timezone.localdate() - timedelta(days=1)
    campaign = SendingCampaignFactory()
    over = SendingCampaignFactory(status=CampaignStatus.OPEN, close_date=yesterday)
    orphan = claim(QueuedInvitationFactory(campaign=campaign).pk)
    # A worker died sending this one, and its date has passed since.
    late_orphan = claim(QueuedInvitationFactory(campaign=campaign, expires_on=yesterday).pk)
    QueuedInvitationFactory(campaign=campaign, status=InvitationStatus.SENT, expires_on=yesterday)
    QueuedInvitationFactory(campaign=over, status=InvitationStatus.SENT)
    now = orphan.lease_until + timedelta(seconds=1)

    first = sweep(now=now)
    assert first["reclaimed"] == 2
    assert first["closed"] == 1
    assert status(orphan.pk) == InvitationStatus.QUEUED
    assert status(late_orphan.pk) == InvitationStatus.EXPIRED
    rows = list(SurveyInvitation.objects.values_list("pk", "status", "lease_until", "attempts").order_by("pk"))
    campaigns = list(type(campaign).objects.values_list("pk", "status").order_by("pk"))
    second = sweep(now=now)

    assert (second["reclaimed"], second["expired"], second["closed"]) == (0, 0, 0)
    assert list(SurveyInvitation.objects.values_list("pk", "status", "lease_until", "attempts").order_by("pk")) == rows
    assert list(type(campaign).objects.values_list("pk", "status").order_by("pk")) == campaigns


# Reminders -------------------------------------------------------------------------------------


@pytest.fixture
def reminder_campaign(db):
    return SendingCampaignFactory(reminder_after_days=7, close_date=timezone.localdate() + timedelta(days=30))


def _sent(campaign, **fields) -> SurveyInvitation:
    return QueuedInvitationFactory(campaign=campaign, status=InvitationStatus.SENT, sent_at=timezone.now(), **fields)


def test_one_reminder_goes_to_each_non_responder_after_the_delay(reminder_campaign, mailoutbox):
    silent = _sent(reminder_campaign)
    recent = QueuedInvitationFactory(
        campaign=reminder_campaign, status=InvitationStatus.SENT, sent_at=timezone.now() + timedelta(days=5)
    )
    now = timezone.now() + timedelta(days=8)

    assert send_reminders(now=now) == 1

    [reminder] = mailoutbox
    assert reminder.to == [silent.person.email]
    assert reminder.extra_headers["Message-ID"] == f"<survey-reminder-{silent.pk}@kam-planner>"
    assert "Reminder" in reminder.subject
    assert "List-Unsubscribe" in reminder.extra_headers
    silent.refresh_from_db()
    assert silent.reminder_sent_at == now
    recent.refresh_from_db()
    assert recent.reminder_sent_at is None
    # A second run, even much later, sends nothing twice.
    assert send_reminders(now=now) == 0
    assert send_reminders(now=now + timedelta(days=3)) == 0
    assert len(mailoutbox) == 1


def test_no_reminder_before_the_delay(reminder_campaign, mailoutbox):
    _sent(reminder_campaign)
    assert send_reminders(now=timezone.now() + timedelta(days=6)) == 0
    assert mailoutbox == []


def test_no_reminder_after_an_answer_an_opt_out_expiry_or_the_close_date(reminder_campaign, mailoutbox):
    now = timezone.now() + timedelta(days=8)
    answered = _sent(reminder_campaign)
    record_response(invitation=answered, csat_score=5, answers={}, comment="")
    opted_out = _sent(reminder_campaign)
    type(opted_out.person).objects.filter(pk=opted_out.person_id).update(survey_opt_out_at=timezone.now())
    _sent(reminder_campaign, expires_on=timezone.localdate(now) - timedelta(days=1))
    closing = SendingCampaignFactory(reminder_after_days=7, close_date=timezone.localdate(now) - timedelta(days=1))
    _sent(closing)
    closed = SendingCampaignFactory(reminder_after_days=7, status=CampaignStatus.CLOSED)
    _sent(closed)

    assert send_reminders(now=now) == 0
    assert mailoutbox == []


def test_no_reminder_after_consent_is_withdrawn_or_contact_is_barred(reminder_campaign, mailoutbox):
    now = timezone.now() + timedelta(days=8)
    account = AccountFactory(is_key_account=True)
    withdrawn = consenting_person(account)
    withdrawn.consents.update(withdrawn_at=timezone.now())
    barred = consenting_person(account)
    type(barred).objects.filter(pk=barred.pk).update(do_not_contact=True)
    _sent(reminder_campaign, person=withdrawn, account=account)
    _sent(reminder_campaign, person=barred, account=account)

    assert send_reminders(now=now) == 0
    assert mailoutbox == []
