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
import hashlib
import hmac
import logging
import smtplib
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Account, AccountStatus
from kam.models import User
from stakeholders.models import (
    Affiliation,
    CampaignStatus,
    InvitationStatus,
    LowScoreFollowUp,
    Person,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
    SurveyResponse,
)

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
INVITATION_VALID_DAYS = 30
BATCH = 200
# Rows claimed together, in one transaction: far fewer round trips and commits per e-mail. A
# worker that dies leaves at most this many rows to the sweeper (when their lease ends); still at
# most one duplicate, since each row is marked sent as soon as the server took it.
CLAIM_CHUNK = 25
# Rows still queued this long after creation were probably never enqueued (broker down).
STALE_QUEUED = timedelta(minutes=2)


# Tokens ----------------------------------------------------------------------------------------


def _mac(invitation_id: int) -> str:
    """An HMAC of the server secret and the invitation: 192 bits, derived, never stored.

    Reminders and re-sends carry the same link; a copy of the database alone reveals no working
    link, because the secret is not in it.
    """
    key = hashlib.sha256(("kam.survey-invitation:" + settings.SECRET_KEY).encode()).digest()
    digest = hmac.new(key, str(invitation_id).encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def invitation_token(invitation: SurveyInvitation) -> str:
    return f"{invitation.pk}-{_mac(invitation.pk)}"


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a token names, or None; constant-time, and silent about why."""
    head, _sep, mac = token.partition("-")
    if not head.isdigit() or len(head) > 12 or not mac:
        return None
    if not hmac.compare_digest(mac, _mac(int(head))):
        return None
    # The answer comes along (None when there is none yet): the page needs it, one query fewer.
    return (
        SurveyInvitation.objects.select_related("campaign__survey", "account", "person", "response")
        .filter(pk=int(head))
        .first()
    )


def existing_response(invitation: SurveyInvitation) -> SurveyResponse | None:
    """The invitation's answer, from the row ``invitation_from_token`` read (or a query)."""
    try:
        return invitation.response
    except SurveyResponse.DoesNotExist:
        return None


def survey_url(invitation: SurveyInvitation, *, score: int | None = None) -> str:
    url = settings.SITE_URL.rstrip("/") + reverse("survey:answer", args=[invitation_token(invitation)])
    return f"{url}?score={score}" if score else url


def opt_out_url(invitation: SurveyInvitation) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("survey:opt-out", args=[invitation_token(invitation)])


# Audience --------------------------------------------------------------------------------------


@dataclass
class AudienceRow:
    affiliation: Affiliation
    reason: str = ""


def campaign_accounts(campaign: SurveyCampaign) -> QuerySet[Account]:
    rules = campaign.audience or {}
    qs = Account.objects.filter(status=AccountStatus.ACTIVE, is_key_account=True)
    if rules.get("account_types"):
        qs = qs.filter(account_type__in=rules["account_types"])
    if rules.get("tiers"):
        qs = qs.filter(tier__in=rules["tiers"])
    if rules.get("owners"):
        qs = qs.filter(owner_id__in=rules["owners"])
    if rules.get("regions"):
        qs = qs.filter(region__in=rules["regions"])
    if rules.get("countries"):
        qs = qs.filter(country__in=rules["countries"])
    if rules.get("accounts"):
        qs = qs.filter(pk__in=rules["accounts"])
    return qs


def audience(campaign: SurveyCampaign, *, today: date | None = None) -> tuple[list[AudienceRow], list[AudienceRow]]:
    """Who receives the campaign and who is left out, with the reason. The whole DMU of each
    account by default, not a hand-picked few."""
    today = today or timezone.localdate()
    window_start = timezone.now() - timedelta(days=campaign.throttle_days)
    consent = SurveyConsent.objects.filter(person=OuterRef("person_id"), withdrawn_at__isnull=True)
    recent = SurveyInvitation.objects.filter(person=OuterRef("person_id"), created_at__gte=window_start).exclude(
        campaign=campaign
    )
    rows = (
        Affiliation.objects.filter(account__in=campaign_accounts(campaign))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today - timedelta(days=365)))
        .select_related("person", "account")
        .annotate(has_consent=Exists(consent), surveyed_recently=Exists(recent))
        .order_by("account__name", "person__last_name", "pk")
    )
    included: list[AudienceRow] = []
    excluded: list[AudienceRow] = []
    seen: dict[int, Account] = {}
    for a in rows:
        p = a.person
        if a.end_date is not None:
            reason = _("left the account")
        elif p.is_erased:
            reason = _("erased")
        elif p.survey_opt_out_at:
            reason = _("opted out")
        elif not p.email:
            reason = _("no e-mail")
        elif p.do_not_contact:
            reason = _("do not contact")
        elif not a.has_consent:
            reason = _("no consent")
        elif a.surveyed_recently:
            reason = _("surveyed within %(days)d days") % {"days": campaign.throttle_days}
        elif p.pk in seen:
            reason = _("already invited through %(account)s") % {"account": seen[p.pk]}
        else:
            seen[p.pk] = a.account
            included.append(AudienceRow(a))
            continue
        excluded.append(AudienceRow(a, reason))
    return included, excluded


# Dispatch --------------------------------------------------------------------------------------


@transaction.atomic
def campaign_dispatch(*, campaign: SurveyCampaign, by: User | None) -> int:
    """Create the invitation rows (the outbox) and enqueue them after commit. Idempotent: people
    already invited by this campaign are skipped by the unique constraint."""
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    included, _excluded = audience(campaign)
    today = timezone.localdate()
    expires = min(campaign.close_date, today + timedelta(days=INVITATION_VALID_DAYS))
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                campaign=campaign,
                person=row.affiliation.person,
                account=row.affiliation.account,
                language=row.affiliation.person.preferred_language,
                expires_on=expires,
            )
            for row in included
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    campaign.status = CampaignStatus.SENDING
    campaign.dispatched_at = timezone.now()
    campaign.save(update_fields=["status", "dispatched_at"])
    ids = list(campaign.invitations.filter(status=InvitationStatus.QUEUED).values_list("pk", flat=True))
    transaction.on_commit(lambda: enqueue_invitations(ids))
    return len(ids)


def enqueue_invitations(ids: list[int]) -> int:
    """Hand ids to the workers in batches. A broker outage is logged and left to the sweeper."""
    from stakeholders.tasks import send_invitations

    sent = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        try:
            send_invitations.delay(chunk)
            sent += len(chunk)
        except Exception:
            logger.warning("Could not enqueue %d survey invitations; the sweeper will retry.", len(chunk))
            break
    return sent


# Delivery --------------------------------------------------------------------------------------


class TemporaryDeliveryError(Exception):
    """The mail server said 'try later' (4xx) or could not be reached."""


def _claimable(now) -> Q:
    return Q(status=InvitationStatus.QUEUED) | Q(status=InvitationStatus.SENDING, lease_until__lt=now)


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


def build_email(invitation: SurveyInvitation, *, reminder: bool = False) -> EmailMultiAlternatives:
    survey = invitation.campaign.survey
    language = invitation.language if invitation.language in survey.languages.split(",") else "en"
    with translation.override(language):
        context = {
            "invitation": invitation,
            "company": settings.COMPANY_NAME,
            "account": invitation.account.name,
            "person": invitation.person,
            "intro": survey.text("intro_text", language),
            "question": survey.text("csat_question", language),
            "scores": [(n, survey_url(invitation, score=n)) for n in range(1, 6)],
            "survey_url": survey_url(invitation),
            "opt_out_url": opt_out_url(invitation),
            "expires_on": invitation.expires_on,
            "reminder": reminder,
        }
        subject = (
            _("Reminder: how are we doing, %(account)s?") if reminder else _("How are we doing, %(account)s?")
        ) % {"account": invitation.account.name}
        text = render_to_string("emails/survey_invitation.txt", context)
        html = render_to_string("emails/survey_invitation.html", context)
    message_id = invitation.message_id if not reminder else f"<survey-reminder-{invitation.pk}@kam-planner>"
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.person.email],
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{opt_out_url(invitation)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(html, "text/html")
    return email


TEMPORARY_CODES = range(400, 500)


def deliver(invitation: SurveyInvitation, connection=None) -> bool:
    """Send one claimed invitation and record the outcome.

    Temporary failures put the row back in the queue and raise TemporaryDeliveryError for the
    task to retry with backoff; permanent ones (5xx) mark it failed for good.
    """
    try:
        build_email(invitation).send(fail_silently=False) if connection is None else connection.send_messages(
            [build_email(invitation)]
        )
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
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        # OSError covers refused connections, timeouts, DNS failures and unreachable hosts.
        _release(invitation, f"connection: {exc}")
        raise TemporaryDeliveryError(str(exc)) from exc
    else:
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
    rows if any failed temporarily, so the task retries just those (they are queued again)."""
    counts = {"sent": 0, "failed": 0, "skipped": 0, "temporary": 0}
    retry: list[int] = []
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryDeliveryError(str(exc)) from exc
    try:
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
                try:
                    delivered = deliver(invitation, connection)
                except TemporaryDeliveryError:
                    counts["temporary"] += 1
                    retry.append(invitation.pk)
                    # The connection may be unusable after a 421; start a fresh one, and open it
                    # now, or every later message of the batch would open and close its own.
                    connection.close()
                    connection = get_connection()
                    with contextlib.suppress(smtplib.SMTPException, OSError):
                        connection.open()
                else:
                    counts["sent" if delivered else "failed"] += 1
    finally:
        connection.close()
    if retry:
        raise TemporaryDeliveryError(f"{len(retry)} invitations to retry", retry)
    return counts


def sweep(*, now=None) -> dict[str, int]:
    """The safety net, run periodically: take back expired leases, re-enqueue rows left queued,
    expire old invitations, close campaigns past their date. Safe to run twice at once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Take back rows whose worker died first, so that expiry below sees them as queued.
    reclaimed = SurveyInvitation.objects.filter(status=InvitationStatus.SENDING, lease_until__lt=now).update(
        status=InvitationStatus.QUEUED, lease_until=None
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
    return {"reclaimed": reclaimed, "enqueued": enqueued, "expired": expired, "closed": closed}


def send_reminders(*, now=None) -> int:
    """One reminder per non-responder after the campaign's delay; never after an answer, an
    opt-out, expiry or the close date. Marking before sending makes two runs send nothing twice."""
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
    for invitation in due.iterator():
        if invitation.sent_at and invitation.sent_at > now - timedelta(days=invitation.campaign.reminder_after_days):
            continue
        won = SurveyInvitation.objects.filter(
            pk=invitation.pk, reminder_sent_at__isnull=True, status=InvitationStatus.SENT
        ).update(reminder_sent_at=now)
        if not won:
            continue
        invitation = SurveyInvitation.objects.select_related("campaign__survey", "person", "account").get(
            pk=invitation.pk
        )
        try:
            build_email(invitation, reminder=True).send(fail_silently=False)
            sent += 1
        except (smtplib.SMTPException, ConnectionError, TimeoutError):
            logger.warning("Reminder for invitation %s could not be sent.", invitation.pk)
    return sent


# Answers ---------------------------------------------------------------------------------------


class InvitationClosed(Exception):
    pass


def invitation_is_open(invitation: SurveyInvitation, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        invitation.status not in (InvitationStatus.EXPIRED, InvitationStatus.FAILED)
        and invitation.expires_on >= today
        and not invitation.campaign.is_closed
    )


@transaction.atomic
def record_response(*, invitation: SurveyInvitation, csat_score: int, answers: dict, comment: str) -> SurveyResponse:
    """Exactly one response per invitation, even under concurrent submits: the invitation row is
    locked, and the answer may be changed until the campaign closes."""
    invitation = (
        SurveyInvitation.objects.select_for_update().select_related("campaign", "account").get(pk=invitation.pk)
    )
    if not invitation_is_open(invitation):
        raise InvitationClosed
    response, _created = SurveyResponse.objects.update_or_create(
        invitation=invitation, defaults={"csat_score": csat_score, "answers": answers, "comment": comment}
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.ANSWERED, answered_at=timezone.now()
    )
    if csat_score <= 2 and not invitation.campaign.anonymous:
        follow_up, opened = LowScoreFollowUp.objects.get_or_create(account=invitation.account, invitation=invitation)
        if opened:
            transaction.on_commit(lambda: _alert_owner(follow_up.pk))
    return response


def _alert_owner(follow_up_id: int) -> None:
    follow_up = LowScoreFollowUp.objects.select_related("account__owner", "invitation__person").get(pk=follow_up_id)
    owner = follow_up.account.owner
    if not owner.email:
        return
    EmailMultiAlternatives(
        subject=_("Low satisfaction score at %(account)s") % {"account": follow_up.account.name},
        body=render_to_string("emails/low_score_alert.txt", {"follow_up": follow_up, "site": settings.SITE_URL}),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[owner.email],
    ).send(fail_silently=True)


def opt_out(*, invitation: SurveyInvitation) -> Person:
    person = invitation.person
    if person.survey_opt_out_at is None:
        now = timezone.now()
        Person.objects.filter(pk=person.pk).update(survey_opt_out_at=now)
        # An opt-out withdraws consent too, so no later campaign can rely on it.
        SurveyConsent.objects.filter(person=person, withdrawn_at__isnull=True).update(withdrawn_at=now)
    SurveyInvitation.objects.filter(person=person, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.EXPIRED
    )
    return person


# Results ---------------------------------------------------------------------------------------

RELIABLE_ANSWERS = 30
# Invitations that reached the person count as invited; queued, refused or never-sent ones do not.
DELIVERED = Q(sent_at__isnull=False) | Q(status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED])
ANONYMOUS_MIN_GROUP = 5


@dataclass
class Csat:
    answers: int
    satisfied: int
    invited: int

    @property
    def pct(self) -> float | None:
        return round(100 * self.satisfied / self.answers, 1) if self.answers else None

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answers / self.invited, 1) if self.invited else None

    @property
    def indicative(self) -> bool:
        return self.answers < RELIABLE_ANSWERS


def csat(invitations: QuerySet[SurveyInvitation]) -> Csat:
    """CSAT = share of answers of 4 or 5, with answers and response rate (sent invitations)."""
    row = invitations.filter(DELIVERED).aggregate(
        invited=Count("pk"),
        answers=Count("response"),
        satisfied=Count("response", filter=Q(response__csat_score__gte=4)),
    )
    return Csat(answers=row["answers"], satisfied=row["satisfied"], invited=row["invited"])


def csat_for_account(account: Account) -> list[dict]:
    """Per campaign for one account, in one query: a signal, never a reliable figure; anonymous
    campaigns only for groups of at least five answers."""
    rows = (
        SurveyInvitation.objects.filter(account=account)
        .filter(DELIVERED)
        .values("campaign_id", "campaign__name", "campaign__anonymous", "campaign__send_at", "campaign__close_date")
        .annotate(
            invited=Count("pk"),
            answers=Count("response"),
            satisfied=Count("response", filter=Q(response__csat_score__gte=4)),
        )
        .order_by("-campaign__send_at")
    )
    result = []
    for row in rows:
        value = Csat(answers=row["answers"], satisfied=row["satisfied"], invited=row["invited"])
        hidden = row["campaign__anonymous"] and value.answers < ANONYMOUS_MIN_GROUP
        result.append({"campaign": row, "csat": None if hidden else value, "hidden": hidden})
    return result


# Scheduling ------------------------------------------------------------------------------------


def dispatch_due_campaigns(*, now=None) -> int:
    """Dispatch scheduled campaigns whose time has come, and open the next round of recurring
    campaigns that have closed. Safe to run twice: dispatch takes the campaign row lock and the
    status moves on, and a recurrence is created once (it names its predecessor)."""
    from dateutil.relativedelta import relativedelta

    now = now or timezone.now()
    dispatched = 0
    for campaign in SurveyCampaign.objects.filter(status=CampaignStatus.SCHEDULED, send_at__lte=now):
        with transaction.atomic():
            locked = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
            if locked.status != CampaignStatus.SCHEDULED:
                continue
            campaign_dispatch(campaign=locked, by=None)
            dispatched += 1
    today = timezone.localdate(now)
    for campaign in SurveyCampaign.objects.filter(
        recurrence_months__isnull=False, status=CampaignStatus.CLOSED, close_date__lt=today
    ):
        name = f"{campaign.name} · {campaign.send_at + relativedelta(months=campaign.recurrence_months):%b %Y}"
        if SurveyCampaign.objects.filter(name=name).exists():
            continue
        step = relativedelta(months=campaign.recurrence_months)
        SurveyCampaign.objects.create(
            name=name,
            survey=campaign.survey,
            audience=campaign.audience,
            send_at=campaign.send_at + step,
            close_date=campaign.close_date + step,
            recurrence_months=campaign.recurrence_months,
            anonymous=campaign.anonymous,
            throttle_days=campaign.throttle_days,
            reminder_after_days=campaign.reminder_after_days,
            status=CampaignStatus.SCHEDULED,
            created_by=campaign.created_by,
        )
        # The old round stops recurring: its successor carries the schedule on.
        SurveyCampaign.objects.filter(pk=campaign.pk).update(recurrence_months=None)
    return dispatched
