"""CSAT surveys: audience, dispatch through an outbox of invitation rows, delivery with a lease,
the sweeper, reminders, answers and results.

Delivery guarantees: invitation rows are created in the same transaction as the dispatch and
enqueued only after commit. A worker claims a row with a conditional UPDATE (queued → sending with
a lease), so two workers never send the same row at once; a row whose worker died is taken back
when its lease expires. Each e-mail carries a fixed Message-ID, so any duplicate delivery (a worker
killed after sending, before recording it) can be counted by the receiver.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from django.core.mail import get_connection
from django.db import connection as database
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Concat, Left
from django.utils import timezone

from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
)
from stakeholders.surveys.dispatch import enqueue_invitations
from stakeholders.surveys.mail import build_email

logger = logging.getLogger(__name__)


LEASE = timedelta(minutes=5)


# Rows claimed together, in one transaction: far fewer round trips and commits per e-mail. A
# worker that dies leaves at most this many rows to the sweeper (when their lease ends); still at
# most one duplicate, since each row is marked sent as soon as the server took it.
CLAIM_CHUNK = 25
# A row claimed this often without being delivered (temporary errors, crashed workers) is given up
# as failed, so that one poisoned address cannot keep a worker busy for the rest of the campaign.
MAX_ATTEMPTS = 12
# Rows still queued this long after creation were probably never enqueued (broker down).
STALE_QUEUED = timedelta(minutes=2)


class TemporaryDeliveryError(Exception):
    """The mail server said 'try later' (4xx) or could not be reached."""


def _claimable(now) -> Q:
    return (Q(status=InvitationStatus.QUEUED) | Q(status=InvitationStatus.SENDING, lease_until__lt=now)) & Q(
        attempts__lt=MAX_ATTEMPTS
    )


def claim_many(ids: list[int]) -> list[SurveyInvitation]:
    """Take the claimable rows among ``ids`` in one transaction: they are locked while checked and
    updated, and rows another worker is claiming right now are skipped rather than waited for."""
    now = timezone.now()
    with transaction.atomic():
        won = list(
            SurveyInvitation.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now), pk__in=ids)
            .values_list("pk", flat=True)
        )
        if not won:
            return []
        SurveyInvitation.objects.filter(pk__in=won).update(
            status=InvitationStatus.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
        )
    return list(
        SurveyInvitation.objects.select_related("campaign__survey", "person", "account")
        .filter(pk__in=won)
        .order_by("pk")
    )


def claim(invitation_id: int) -> SurveyInvitation | None:
    """Take a row for sending: queued, or sending with an expired lease. One UPDATE, so only one
    worker wins it."""
    now = timezone.now()
    won = SurveyInvitation.objects.filter(
        Q(status=InvitationStatus.QUEUED) | Q(status=InvitationStatus.SENDING, lease_until__lt=now), pk=invitation_id
    ).update(status=InvitationStatus.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1)
    if not won:
        return None
    return SurveyInvitation.objects.select_related("campaign__survey", "person", "account").get(pk=invitation_id)


TEMPORARY_CODES = range(400, 500)


def deliver(invitation: SurveyInvitation, connection=None, templates: dict | None = None) -> bool:
    """Send one claimed invitation and record the outcome.

    Temporary failures put the row back in the queue and raise TemporaryDeliveryError for the
    task to retry with backoff; permanent ones (5xx) mark it failed for good.
    """
    email = build_email(invitation, templates=templates)
    if connection is None:
        return _settle(invitation, lambda: email.send(fail_silently=False))
    return _settle(invitation, lambda: connection.send_messages([email]))


def _settle(invitation: SurveyInvitation, send: Callable[[], object]) -> bool:
    """Run ``send`` (or collect its result) and record what the mail server said."""
    try:
        send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        _record_failure(invitation, codes[0] if codes else 550, str(exc))
        return False
    except smtplib.SMTPResponseException as exc:
        _record_failure(
            invitation,
            exc.smtp_code,
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error),
        )
        return False
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        # OSError covers refused connections, timeouts, DNS failures and unreachable hosts.
        _release(invitation, f"connection: {exc}")
        raise TemporaryDeliveryError(str(exc)) from exc
    SurveyInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.SENDING).update(
        status=InvitationStatus.SENT, sent_at=timezone.now(), lease_until=None, error=""
    )
    return True


def _release(invitation: SurveyInvitation, error: str) -> None:
    SurveyInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.SENDING).update(
        status=InvitationStatus.QUEUED, lease_until=None, error=error[:300]
    )


def _record_failure(invitation: SurveyInvitation, code: int, message: str) -> None:
    if code in TEMPORARY_CODES:
        _release(invitation, f"{code} {message}")
        raise TemporaryDeliveryError(f"{code} {message}")
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.FAILED, lease_until=None, error=f"{code} {message}"[:300]
    )


def send_batch(ids: list[int]) -> dict[str, int]:
    """Claim and deliver each row. Returns counts; raises TemporaryDeliveryError after trying all
    rows if any failed temporarily, so the task retries just those (they are queued again).

    While the mail server takes one message, the next is prepared: the SMTP conversation runs in
    a helper thread, one message at a time on one connection, and every database write stays in
    this thread. A message is marked sent as soon as the server took it, before the next is handed
    over, so a killed worker leaves at most one message sent but not marked."""
    counts = {"sent": 0, "failed": 0, "skipped": 0, "temporary": 0}
    retry: list[int] = []
    # One render of each mail template for the whole batch (see build_email).
    templates: dict = {}
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryDeliveryError(str(exc)) from exc
    in_flight: tuple[SurveyInvitation, Future] | None = None

    def settle_in_flight() -> None:
        nonlocal connection, in_flight
        if in_flight is None:
            return
        invitation, future = in_flight
        in_flight = None
        try:
            delivered = _settle(invitation, future.result)
        except TemporaryDeliveryError:
            counts["temporary"] += 1
            retry.append(invitation.pk)
            # The connection may be unusable after a 421; start a fresh one, and open it now, or
            # every later message of the batch would open and close its own.
            connection.close()
            connection = get_connection()
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.open()
        else:
            counts["sent" if delivered else "failed"] += 1

    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp") as smtp, _commits_without_waiting_for_disk():
            for start in range(0, len(ids), CLAIM_CHUNK):
                chunk = ids[start : start + CLAIM_CHUNK]
                claimed = claim_many(chunk)
                counts["skipped"] += len(chunk) - len(claimed)
                for invitation in claimed:
                    if invitation.expires_on < timezone.localdate():
                        # Too late to invite anyone: the link would already be dead.
                        SurveyInvitation.objects.filter(pk=invitation.pk).update(
                            status=InvitationStatus.EXPIRED, lease_until=None
                        )
                        counts["skipped"] += 1
                        continue
                    email = build_email(invitation, templates=templates)
                    settle_in_flight()
                    in_flight = (invitation, smtp.submit(connection.send_messages, [email]))
            settle_in_flight()
    finally:
        connection.close()
    if retry:
        raise TemporaryDeliveryError(f"{len(retry)} invitations to retry", retry)
    return counts


@contextlib.contextmanager
def _commits_without_waiting_for_disk():
    """Let PostgreSQL confirm this batch's commits before they reach the disk (synchronous_commit
    off, on this connection and only while the batch runs).

    It saves a disk flush per e-mail. The price: if the database server itself crashed, its last
    fraction of a second of claims and "sent" marks could be lost, and those few rows would be
    sent again, with the same Message-ID. No row can be lost, only sent twice, and a crash of the
    worker costs nothing more than before."""
    if database.vendor != "postgresql" or database.in_atomic_block:
        yield
        return
    with database.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with database.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def sweep(*, now=None) -> dict[str, int]:
    """The safety net, run periodically: take back expired leases, re-enqueue rows left queued,
    expire old invitations, close campaigns past their date. Safe to run twice at once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Take back rows whose worker died first, so that expiry below sees them as queued.
    reclaimed = SurveyInvitation.objects.filter(status=InvitationStatus.SENDING, lease_until__lt=now).update(
        status=InvitationStatus.QUEUED, lease_until=None
    )
    gave_up = SurveyInvitation.objects.filter(status=InvitationStatus.QUEUED, attempts__gte=MAX_ATTEMPTS).update(
        status=InvitationStatus.FAILED,
        lease_until=None,
        error=Left(Concat(Value(f"Gave up after {MAX_ATTEMPTS} attempts; last error: "), F("error")), 300),
    )
    # A delivered invitation keeps counting as invited after it expires; one never sent does not.
    expired = SurveyInvitation.objects.filter(status=InvitationStatus.SENT, expires_on__lt=today).update(
        status=InvitationStatus.EXPIRED, lease_until=None, sent_at=Coalesce(F("sent_at"), F("created_at"))
    )
    expired += SurveyInvitation.objects.filter(
        status__in=[InvitationStatus.QUEUED, InvitationStatus.FAILED], expires_on__lt=today
    ).update(status=InvitationStatus.EXPIRED, lease_until=None)
    pending = SurveyInvitation.objects.filter(status=InvitationStatus.QUEUED, expires_on__gte=today)
    if not reclaimed:
        pending = pending.filter(created_at__lt=now - STALE_QUEUED)
    stale = list(pending.values_list("pk", flat=True)[:10000])
    enqueued = enqueue_invitations(stale) if stale else 0
    SurveyCampaign.objects.filter(status=CampaignStatus.SENDING).exclude(
        Exists(
            SurveyInvitation.objects.filter(
                campaign=OuterRef("pk"), status__in=[InvitationStatus.QUEUED, InvitationStatus.SENDING]
            )
        )
    ).update(status=CampaignStatus.OPEN)
    closed = (
        SurveyCampaign.objects.filter(close_date__lt=today)
        .exclude(status=CampaignStatus.CLOSED)
        .update(status=CampaignStatus.CLOSED)
    )
    return {"reclaimed": reclaimed, "enqueued": enqueued, "expired": expired, "closed": closed, "gave_up": gave_up}


def send_reminders(*, now=None) -> int:
    """One reminder per non-responder after the campaign's delay; never after an answer, an
    opt-out, expiry or the close date. The mark and the send share a transaction: a second run
    waits on the marked row and then finds it reminded (nothing twice), and a send that fails or
    is cut off (a killed worker) rolls the mark back for the next run (nothing lost). A refused
    address keeps its mark, as trying it again would fail the same way."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        SurveyInvitation.objects.filter(
            status=InvitationStatus.SENT,
            reminder_sent_at__isnull=True,
            expires_on__gte=today,
            campaign__close_date__gte=today,
            person__survey_opt_out_at__isnull=True,
            person__do_not_contact=False,
            person__erased_at__isnull=True,
        )
        .filter(Exists(SurveyConsent.objects.filter(person=OuterRef("person_id"), withdrawn_at__isnull=True)))
        .exclude(campaign__status=CampaignStatus.CLOSED)
        .select_related("campaign")
    )
    sent = 0
    templates: dict = {}
    for invitation in due.iterator():
        if invitation.sent_at and invitation.sent_at > now - timedelta(days=invitation.campaign.reminder_after_days):
            continue
        try:
            with transaction.atomic():
                won = SurveyInvitation.objects.filter(
                    pk=invitation.pk, reminder_sent_at__isnull=True, status=InvitationStatus.SENT
                ).update(reminder_sent_at=now)
                if not won:
                    continue
                invitation = SurveyInvitation.objects.select_related("campaign__survey", "person", "account").get(
                    pk=invitation.pk
                )
                try:
                    build_email(invitation, reminder=True, templates=templates).send(fail_silently=False)
                except smtplib.SMTPRecipientsRefused:
                    logger.warning("Reminder for invitation %s refused by the mail server.", invitation.pk)
                    continue
            sent += 1
        except (smtplib.SMTPException, ConnectionError, TimeoutError):
            logger.warning("Reminder for invitation %s could not be sent; the next run tries again.", invitation.pk)
    return sent
