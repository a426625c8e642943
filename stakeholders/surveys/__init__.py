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
import re
import secrets
import smtplib
import weakref
from base64 import urlsafe_b64encode
from binascii import b2a_qp
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from email.header import Header
from email.utils import formatdate
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import InterfaceError, OperationalError, connections, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.base import ModelState
from django.db.models.functions import Coalesce, Concat, ExtractQuarter, ExtractYear, Left
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.models import Account, AccountStatus
from accounts.selectors import accounts_visible_to
from accounts.services import schedule_health_refresh
from kam import outbox
from kam.lib import try_delay
from kam.models import User
from stakeholders.models import (
    Affiliation,
    CampaignStatus,
    CsatQuarter,
    InvitationStatus,
    LowScoreFollowUp,
    Person,
    Survey,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
    SurveyQuestion,
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
# A row claimed this often without being delivered (temporary errors, crashed workers) is given up
# as failed, so that one poisoned address cannot keep a worker busy for the rest of the campaign.
MAX_ATTEMPTS = 12
# Rows still queued this long after creation were probably never enqueued (broker down).
STALE_QUEUED = timedelta(minutes=2)


# Tokens ----------------------------------------------------------------------------------------


def _mac(invitation_id: int) -> str:
    """An HMAC of the server secret and the invitation: 192 bits, derived, never stored.

    Reminders and re-sends carry the same link; a copy of the database alone reveals no working
    link, because the secret is not in it.
    """
    digest = hmac.digest(_mac_key(settings.SECRET_KEY), str(invitation_id).encode(), "sha256")
    return urlsafe_b64encode(digest[:24]).decode().rstrip("=")


@lru_cache(maxsize=4)
def _mac_key(secret: str) -> bytes:
    # Derived once per secret (tests change the secret; a rotated one gets its own key).
    return hashlib.sha256(("kam.survey-invitation:" + secret).encode()).digest()


def invitation_token(invitation: SurveyInvitation) -> str:
    return f"{invitation.pk}-{_mac(invitation.pk)}"


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a token names, or None; constant-time, and silent about why.

    It comes with what the survey pages show, read in one statement (``_page_read``): its campaign
    and survey with the questions (``survey.questions.all()`` makes no query), the account (its
    name only) and the answer (``existing_response``). The person is loaded when first used.
    """
    head, _sep, mac = token.partition("-")
    # ASCII only: "¹".isdigit() holds but int() refuses it, and compare_digest refuses non-ASCII text.
    if not (head.isascii() and head.isdigit()) or len(head) > 12 or not mac or not mac.isascii():
        return None
    if not hmac.compare_digest(mac, _mac(int(head))):
        return None
    return _page_read(int(head))


@dataclass(frozen=True)
class _PageStatement:
    sql: str
    # PostgreSQL: the statement prepared once per database session, then only executed.
    prepare: str | None
    execute: str | None
    # Per model: the model, its first column in the row, its attribute names and, for the columns
    # the ORM converts (JSON, on SQLite dates and booleans too), their place in the model's values,
    # the converters and the column expression they are called with.
    parts: tuple[tuple[type[models.Model], int, tuple[str, ...], tuple[tuple[int, list, object], ...]], ...]


# The invitation, campaign, survey, the account's name, the answer (if any) and a row per question:
# the columns the pages use (None: all), the rest deferred (loaded if ever used, as with only()).
_PAGE_PARTS = (
    (SurveyInvitation, "i", ("id", "campaign_id", "person_id", "account_id", "language", "status", "expires_on")),
    (SurveyCampaign, "c", ("id", "name", "survey_id", "close_date", "anonymous", "status")),
    (Survey, "s", None),
    (Account, "a", ("id", "name")),
    (SurveyResponse, "r", ("id", "invitation_id", "csat_score", "answers", "comment", "submitted_at")),
    (SurveyQuestion, "q", None),
)
_page_statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# The database sessions (driver connections) in which the statement has been prepared.
_prepared_in: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _page_statement(connection) -> _PageStatement:
    statement = _page_statements.get(connection)
    if statement is None:
        q = connection.ops.quote_name
        columns, parts = [], []
        for model, alias, names in _PAGE_PARTS:
            fields = [f for f in model._meta.concrete_fields if names is None or f.attname in names]
            converters = []
            for n, field in enumerate(fields):
                col = field.get_col(alias)
                if functions := connection.ops.get_db_converters(col) + field.get_db_converters(connection):
                    converters.append((n, functions, col))
            parts.append((model, len(columns), tuple(f.attname for f in fields), tuple(converters)))
            columns += [f"{alias}.{q(f.column)}" for f in fields]
        table = {model: q(model._meta.db_table) for model, _alias, _names in _PAGE_PARTS}
        sql = (
            f"SELECT {', '.join(columns)} FROM {table[SurveyInvitation]} i"
            f" INNER JOIN {table[SurveyCampaign]} c ON c.{q('id')} = i.{q('campaign_id')}"
            f" INNER JOIN {table[Survey]} s ON s.{q('id')} = c.{q('survey_id')}"
            f" INNER JOIN {table[Account]} a ON a.{q('id')} = i.{q('account_id')}"
            f" LEFT OUTER JOIN {table[SurveyResponse]} r ON r.{q('invitation_id')} = i.{q('id')}"
            f" LEFT OUTER JOIN {table[SurveyQuestion]} q ON q.{q('survey_id')} = s.{q('id')}"
            f" WHERE i.{q('id')} = %s ORDER BY q.{q('order')}, q.{q('id')}"
        )
        prepare = execute = None
        if connection.vendor == "postgresql":
            prepare = f"PREPARE kam_survey_page (bigint) AS {sql.replace('%s', '$1')}"
            execute = "EXECUTE kam_survey_page (%s)"
        statement = _page_statements[connection] = _PageStatement(sql, prepare, execute, tuple(parts))
    return statement


def _page_rows(connection, statement: _PageStatement, invitation_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        if statement.prepare is None:
            cursor.execute(statement.sql, [invitation_id])
        else:
            if connection.connection not in _prepared_in:
                cursor.execute(statement.prepare)
                _prepared_in[connection.connection] = True
            cursor.execute(statement.execute, [invitation_id])
        return cursor.fetchall()


def _page_read(invitation_id: int) -> SurveyInvitation | None:
    """The invitation with what the survey pages show, from one hand-written statement.

    The link pages are the only pages the public sees, each opened by every invited person, so
    they should cost little more than a bare page. The ORM took longer to build this query and its
    six models than the database takes to answer it, and PostgreSQL took longer to plan the join
    than to run it: so the SQL is written once, and on PostgreSQL prepared once per database
    session (a prepared statement outlives a rollback; a new session prepares it again). The
    instances are built as the ORM builds them: the same converters, ``from_db``, related objects
    cached as ``select_related`` and ``prefetch_related`` cache them.
    """
    connection = connections[SurveyInvitation.objects.db]
    statement = _page_statement(connection)
    # With CONN_HEALTH_CHECKS, Django tries a reused connection with a query of its own before the
    # first query of each request: a second round trip, which cost more than this read under load.
    # Here the read is the check: if it fails on a connection nobody checked this request, the
    # connection is closed and the read runs again on a new one, as after a failed health check.
    unchecked = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if unchecked:
        connection.health_check_done = True
    try:
        rows = _page_rows(connection, statement, invitation_id)
    except (InterfaceError, OperationalError):
        if not unchecked:
            raise
        connection.close()
        rows = _page_rows(connection, statement, invitation_id)
    if not rows:
        return None

    def build(part: int, row: tuple) -> models.Model | None:
        model, start, names, converters = statement.parts[part]
        values = list(row[start : start + len(names)])
        if values[0] is None:  # no answer, or a survey without questions (outer joins)
            return None
        for n, functions, col in converters:
            for function in functions:
                values[n] = function(values[n], col, connection)
        # The instance as Model.from_db leaves it, without Model.__init__ (which walks every field
        # of the model, Account's fifty for its two, and sends pre_init and post_init): the values
        # under their attribute names, a field not read is deferred (absent from __dict__), and the
        # state says "from this database". tests/stakeholders/test_survey_page.py compares it with
        # the ORM's.
        instance = model.__new__(model)
        instance.__dict__.update(zip(names, values, strict=True))
        state = instance._state = ModelState()
        state.adding, state.db = False, connection.alias
        return instance

    invitation, campaign, survey, account, response = (build(part, rows[0]) for part in range(5))
    SurveyInvitation.campaign.field.set_cached_value(invitation, campaign)
    SurveyCampaign.survey.field.set_cached_value(campaign, survey)
    SurveyInvitation.account.field.set_cached_value(invitation, account)
    # None cached means "no answer": invitation.response raises DoesNotExist without a query.
    SurveyInvitation.response.related.set_cached_value(invitation, response)
    if response is not None:
        SurveyResponse.invitation.field.set_cached_value(response, invitation)
    questions = [question for row in rows if (question := build(5, row)) is not None]
    # What prefetch_related("questions") leaves behind: a queryset whose results are known.
    prefetched = SurveyQuestion.objects.all()
    prefetched._result_cache, prefetched._prefetch_done = questions, True
    survey._prefetched_objects_cache = {"questions": prefetched}
    return invitation


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
    # Left out for want of consent: the preview links to where it is recorded.
    needs_consent: bool = False


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
            excluded.append(AudienceRow(a, _("no consent"), needs_consent=True))
            continue
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
        # If the broker is down, the sweeper re-enqueues the rest.
        if not try_delay(send_invitations, chunk, what=f"{len(chunk)} survey invitations; the sweeper will retry"):
            break
        sent += len(chunk)
    return sent


# Delivery --------------------------------------------------------------------------------------


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


def invitation_language(invitation: SurveyInvitation) -> str:
    """The language of the e-mail and of the survey pages behind it: the one the person was
    invited in, if the survey offers it, else English."""
    offered = invitation.campaign.survey.languages.split(",")
    return invitation.language if invitation.language in offered else "en"


class _Sentinel:
    """Stands in for the recipient while the mail templates are rendered once for many of them.

    Letters and digits only, so escaping leaves it intact; each rendering gets a fresh random
    marker, so no text a user typed can match it."""

    FIELDS = ("name", "account", "token")

    def __init__(self) -> None:
        self.marker = f"kammerge{secrets.token_hex(8)}"

    def __getitem__(self, field: str) -> str:
        return f"{self.marker}{field}{self.marker}"


def _mail_templates(invitation: SurveyInvitation, language: str, reminder: bool) -> tuple[_Sentinel, str, str, str]:
    """Subject, text and HTML for every invitation of this survey, language, kind and expiry, with
    markers where each recipient's details go. Rendering the Django templates costs more than all
    the rest of an e-mail, and a campaign sends the same ones thousands of times."""
    survey = invitation.campaign.survey
    sentinel = _Sentinel()
    prefix = settings.SITE_URL.rstrip("/")
    answer = prefix + reverse("survey:answer", args=[sentinel["token"]])
    context = {
        "language": language,
        "company": settings.COMPANY_NAME,
        "account": sentinel["account"],
        "name": sentinel["name"],
        "intro": survey.text("intro_text", language),
        "question": survey.text("csat_question", language),
        "scores": [(n, f"{answer}?score={n}") for n in range(1, 6)],
        "survey_url": answer,
        "opt_out_url": prefix + reverse("survey:opt-out", args=[sentinel["token"]]),
        "expires_on": invitation.expires_on,
        "reminder": reminder,
    }
    # A template, like the bodies, so that the survey's catalog holds every string the customer
    # reads. One line; not split() on all whitespace, which would turn French no-break spaces.
    subject = "".join(render_to_string("emails/survey_invitation_subject.txt", context).splitlines()).strip()
    text = render_to_string("emails/survey_invitation.txt", context)
    html = render_to_string("emails/survey_invitation.html", context)
    return sentinel, subject, text, html


def build_email(
    invitation: SurveyInvitation, *, reminder: bool = False, templates: dict | None = None
) -> EmailMultiAlternatives:
    """The invitation or reminder, subject and both bodies in ``invitation_language``. Pass one
    ``templates`` dict for a whole batch, so each template is rendered once, not once per e-mail."""
    language = invitation_language(invitation)
    key = (invitation.campaign.survey_id, language, reminder, invitation.expires_on)
    rendered = templates.get(key) if templates is not None else None
    if rendered is None:
        with translation.override(language):
            rendered = _mail_templates(invitation, language, reminder)
        if templates is not None:
            templates[key] = rendered
    sentinel, subject, text, html = rendered
    values = {
        "name": invitation.person.salutation_name,
        "account": invitation.account.name,
        "token": invitation_token(invitation),
    }
    for field in _Sentinel.FIELDS:
        subject = subject.replace(sentinel[field], "".join(values[field].splitlines()))
        text = text.replace(sentinel[field], values[field])
        html = html.replace(sentinel[field], escape(values[field]))
    message_id = invitation.message_id if not reminder else f"<survey-reminder-{invitation.pk}@kam-planner>"
    unsubscribe = settings.SITE_URL.rstrip("/") + reverse("survey:opt-out", args=[values["token"]])
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.person.email],
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(html, "text/html")
    return email


_PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")


def _mime_bytes(email: EmailMultiAlternatives, sender: str) -> bytes | None:
    """The e-mail as the bytes Django's SMTP backend would send, built directly: Python's email
    package spends more time folding headers than everything else an invitation costs. Both parts
    quoted-printable, as Django does for long lines. None for anything unusual (a non-ASCII
    address, attachments), which then goes through Django's own path."""
    [recipient] = email.to
    if not _PLAIN_ADDRESS.match(recipient) or email.attachments or len(email.alternatives) != 1:
        return None
    subject = email.subject
    if not subject.isascii() or len(subject) > 70:
        subject = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    boundary = f"===============kam{secrets.token_hex(12)}=="
    lines = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "MIME-Version: 1.0",
        f"Subject: {subject}",
        f"From: {sender}",
        f"To: {recipient}",
        f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
        *(f"{name}: {value}" for name, value in email.extra_headers.items()),
        "",
    ]
    for body, subtype in ((email.body, "plain"), (email.alternatives[0][0], "html")):
        encoded = b2a_qp(body.replace("\r\n", "\n").encode(), istext=True).decode("ascii").replace("\n", "\r\n")
        lines += [
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            "MIME-Version: 1.0",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            encoded,
        ]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("ascii")


@lru_cache(maxsize=8)
def _sender(from_email: str) -> str:
    return sanitize_address(from_email, "utf-8")


def _send_fast(connection, email: EmailMultiAlternatives) -> None:
    """Send through an open SMTP connection with the bytes of _mime_bytes; other backends (tests'
    locmem, the console) and unusual messages take Django's own path."""
    smtp = getattr(connection, "connection", None)
    sender = _sender(email.from_email)
    raw = _mime_bytes(email, sender) if isinstance(connection, SmtpBackend) and smtp is not None else None
    if raw is None:
        connection.send_messages([email])
        return
    smtp.sendmail(sender, email.to, raw)


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
                    in_flight = (invitation, smtp.submit(_send_fast, connection, email))
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
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
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


# Answers ---------------------------------------------------------------------------------------


class InvitationClosed(Exception):
    pass


def invitation_is_open(invitation: SurveyInvitation, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        invitation.status not in (InvitationStatus.EXPIRED, InvitationStatus.FAILED)
        and invitation.expires_on >= today
        and not invitation.campaign.closed_on(today)
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
    schedule_health_refresh([invitation.account_id])
    if csat_score <= 2 and not invitation.campaign.anonymous:
        follow_up, opened = LowScoreFollowUp.objects.get_or_create(account=invitation.account, invitation=invitation)
        if opened:
            # Recorded with the answer: a mail server or broker outage delays the alert, never drops it.
            outbox.enqueue(ALERT_TASK, follow_up.pk, dedupe=outbox.dedupe_key(ALERT_TASK, [follow_up.pk]))
    return response


ALERT_TASK = "stakeholders.alert_low_score"


def low_score_alert_send(follow_up_id: int) -> None:
    """E-mail the account's owner about a low score; a failed send raises, to be tried again."""
    follow_up = (
        LowScoreFollowUp.objects.select_related("account__owner", "invitation__person").filter(pk=follow_up_id).first()
    )
    if follow_up is None:
        return  # the answer or the account is gone: nothing to alert about
    owner = follow_up.account.owner
    if not owner.email:
        return
    EmailMultiAlternatives(
        subject=_("Low satisfaction score at %(account)s") % {"account": follow_up.account.name},
        body=render_to_string("emails/low_score_alert.txt", {"follow_up": follow_up, "site": settings.SITE_URL}),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[owner.email],
    ).send()


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


# Every figure an anonymous campaign shows anywhere: per account type and per KAM on the campaign
# page, per account on the account page. Suppression must see them all at once, or a figure one
# page shows could be subtracted from one another page shows.
BREAKDOWNS = ("account__account_type", "account__owner_id", "account_id")


class _Hidden:
    """Stands for a breakdown's hidden groups in a cell; sorts the same way in every run."""

    def __repr__(self) -> str:
        return "<hidden>"


_HIDDEN = _Hidden()


def refresh_csat_quarters(account_ids: list[int] | None = None) -> None:
    """Rewrite the ``CsatQuarter`` rows of these accounts (all when ``None``) from their named
    campaigns' delivered invitations and answers: one DELETE and one INSERT … SELECT, grouped in the
    database, whatever the number of invitations. Run inside ``kam.portfolio.health.refresh_health``'s
    transaction, which locks the accounts' health rows first, so two refreshes never interleave."""
    rows = CsatQuarter.objects.all()
    invitations = SurveyInvitation.objects.filter(campaign__anonymous=False).filter(DELIVERED)
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
        invitations = invitations.filter(account_id__in=account_ids)
    rows.delete()
    grouped = (
        invitations.order_by()
        .values("account_id", year=ExtractYear("campaign__send_at"), quarter=ExtractQuarter("campaign__send_at"))
        .annotate(
            invited=Count("pk"),
            answers=Count("response"),
            satisfied=Count("response", filter=Q(response__csat_score__gte=4)),
        )
        .values_list("account_id", "year", "quarter", "invited", "answers", "satisfied")
        # Written in account order, an account's rows share a page: a team's dashboard then reads a
        # page per account, not one per quarter (and the planner sees the order in the statistics).
        .order_by("account_id", "year", "quarter")
    )
    sql, params = grouped.query.sql_with_params()
    connection = connections[CsatQuarter.objects.db]
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("account_id", "year", "quarter", "invited", "answers", "satisfied"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(CsatQuarter._meta.db_table)} ({columns}) {sql}", params)


def answers_per_account(invitations: QuerySet[SurveyInvitation], *also: str) -> list[dict]:
    """Invited, answered and satisfied per account (and per ``also`` fields, e.g. the campaign),
    with the account's type and owner, in one query: every figure of the results is a sum of these
    rows."""
    return list(
        invitations.filter(DELIVERED)
        .values(
            *also,
            "account_id",
            "account__account_type",
            "account__owner_id",
            "account__owner__first_name",
            "account__owner__last_name",
            "account__owner__username",
        )
        .annotate(
            invited=Count("pk"),
            answers=Count("response"),
            satisfied=Count("response", filter=Q(response__csat_score__gte=4)),
        )
        .order_by("account_id")
    )


@dataclass(frozen=True)
class Suppression:
    """What an anonymous campaign's results may show one viewer: the total or not, and per
    breakdown (a field of BREAKDOWNS) the groups to hide."""

    total_hidden: bool
    hidden: dict[str, frozenset]

    def hides(self, breakdown: str, key: object) -> bool:
        return self.total_hidden or key in self.hidden.get(breakdown, frozenset())


NOTHING_HIDDEN = Suppression(total_hidden=False, hidden={})


def anonymous_suppression(
    rows: list[dict], breakdowns: tuple[str, ...] = BREAKDOWNS, *, minimum: int = ANONYMOUS_MIN_GROUP
) -> Suppression:
    """The groups of an anonymous campaign's results to hide, so that no set of fewer than
    ``minimum`` answers can be read off the figures: not directly, and not by subtracting one
    shown figure from another (total 9, pharmacies 6 shown: the hidden hospitals' 3 answers are
    9 − 6).

    ``rows`` come from ``answers_per_account`` over the invitations one viewer can see; the total
    and every group of every breakdown shown to that viewer is a sum of them.

    1. A total below ``minimum`` hides everything.
    2. Primary suppression: every group with fewer than ``minimum`` answers is hidden.
    3. Complementary suppression. Cut the accounts into cells by the shown group they fall in per
       breakdown, with one bucket per breakdown for its hidden groups. Every shown figure is a sum
       of whole cells, so every set of answers that adding and subtracting shown figures can single
       out is a union of whole cells (total − shown groups of a breakdown = that breakdown's hidden
       bucket; pharmacies − Anna's accounts, when all of hers are pharmacies = the other KAMs'
       pharmacies). So while a cell holds 1 to ``minimum`` − 1 answers, one more group is hidden:
       the smallest shown group next to that cell (one whose accounts differ from the cell in that
       breakdown only), which merges the cell into a bigger one. Each round hides one more group,
       so this ends, at the latest with only the total shown, which has at least ``minimum``.

    For one breakdown this is the usual rule: when the hidden groups together have 1 to
    ``minimum`` − 1 answers, the smallest shown group is hidden too, so the hidden ones together
    have at least ``minimum`` and the total can stay. Groups with no answers reveal nothing and
    count for nothing.

    Not covered: viewers with different scopes comparing their figures, and one viewer comparing
    figures over time as answers come in (a group going from 5 to 6 answers shows the sixth).
    """
    total = sum(row["answers"] for row in rows)
    dims = range(len(breakdowns))
    keys = [tuple(row[b] for b in breakdowns) for row in rows]
    answers = [row["answers"] for row in rows]
    sizes: list[dict] = [{} for _b in breakdowns]
    members: dict[tuple[int, object], list[int]] = {}  # (breakdown, group) → rows
    for n, row_keys in enumerate(keys):
        for d in dims:
            sizes[d][row_keys[d]] = sizes[d].get(row_keys[d], 0) + answers[n]
            members.setdefault((d, row_keys[d]), []).append(n)
    if total < minimum:
        return Suppression(total_hidden=True, hidden={b: frozenset(sizes[d]) for d, b in enumerate(breakdowns)})
    hidden = [{key for key, n in sizes[d].items() if n < minimum} for d in dims]

    # Each row's cell, and the answers per cell, kept up to date as groups are hidden.
    place = [tuple(_HIDDEN if k[d] in hidden[d] else k[d] for d in dims) for k in keys]
    cells: dict[tuple, int] = {}
    for n, c in enumerate(place):
        cells[c] = cells.get(c, 0) + answers[n]
    while True:
        small = [c for c, n in cells.items() if 0 < n < minimum]
        if not small:
            return Suppression(total_hidden=False, hidden={b: frozenset(hidden[d]) for d, b in enumerate(breakdowns)})
        target = min(small, key=str)
        # The cell's own shown groups, and those of cells with answers one breakdown away from it.
        candidates = {(d, target[d]) for d in dims if target[d] is not _HIDDEN}
        for c, n in cells.items():
            differs = [d for d in dims if c[d] != target[d]]
            if n and len(differs) == 1 and target[differs[0]] is _HIDDEN:
                candidates.add((differs[0], c[differs[0]]))
        if not candidates:
            # Nothing borders the cell directly: hide the smallest shown group and look again.
            candidates = {(d, key) for d in dims for key in sizes[d] if key not in hidden[d]}
        d, key = min(candidates, key=lambda c: (sizes[c[0]][c[1]], c[0], str(c[1])))
        hidden[d].add(key)
        for n in members[(d, key)]:
            old = place[n]
            place[n] = (*old[:d], _HIDDEN, *old[d + 1 :])
            cells[old] -= answers[n]
            cells[place[n]] = cells.get(place[n], 0) + answers[n]


def breakdown(rows: list[dict], field: str, suppression: Suppression = NOTHING_HIDDEN) -> list[dict]:
    """CSAT per group of ``field`` (one of BREAKDOWNS), summed from ``answers_per_account`` rows:
    [{"key", "row" (a row of the group, for labels), "csat", "hidden"}], ordered by key."""
    groups: dict = {}
    for row in rows:
        group = groups.setdefault(
            row[field], {"key": row[field], "row": row, "csat": Csat(answers=0, satisfied=0, invited=0)}
        )
        value = group["csat"]
        group["csat"] = Csat(
            answers=value.answers + row["answers"],
            satisfied=value.satisfied + row["satisfied"],
            invited=value.invited + row["invited"],
        )
    result = sorted(groups.values(), key=lambda group: group["key"])
    for group in result:
        group["hidden"] = suppression.hides(field, group["key"])
        if group["hidden"]:
            group["csat"] = None
    return result


def csat_for_account(account: Account, user: User) -> list[dict]:
    """Per campaign for one account, as ``user`` may see it: a signal, never a reliable figure.

    Named campaigns in one query. Anonymous ones, in one more, decide with the figures ``user``
    sees on the campaign pages (``anonymous_suppression`` over the accounts they can see), so that
    this page's figure cannot be subtracted from those.
    """
    rows = list(
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
    anonymous = [row["campaign_id"] for row in rows if row["campaign__anonymous"]]
    seen: dict[int, list[dict]] = {pk: [] for pk in anonymous}
    if anonymous:
        visible = SurveyInvitation.objects.filter(
            campaign_id__in=anonymous, account__in=accounts_visible_to(user).values("pk")
        )
        for cell in answers_per_account(visible, "campaign_id"):
            seen[cell["campaign_id"]].append(cell)
    result = []
    for row in rows:
        value = Csat(answers=row["answers"], satisfied=row["satisfied"], invited=row["invited"])
        hidden = row["campaign__anonymous"] and anonymous_suppression(seen[row["campaign_id"]]).hides(
            "account_id", account.pk
        )
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
