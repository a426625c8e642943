"""A review meeting's minutes: the page, and the e-mail each participant gets once it closes.

Each reader gets the minutes of the accounts they may see (``accounts_visible_to``) on their side
of the firewall: a medical participant's minutes carry no health score nor any other figure.
``send_minutes`` claims each participant's e-mail on their ``ReviewParticipant`` row in the
transaction that hands it to the mail server, as plan news claim theirs: a second run of the task
(a redelivery, a second close) finds every row claimed and sends nothing; a refused e-mail rolls
its claim back, and the outbox runs the task again for it.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.selectors import accounts_visible_to
from kam import firewall
from kam.models import User
from kam.portfolio.models import ReviewDecision, ReviewMeeting, ReviewMeetingAccount, ReviewParticipant

logger = logging.getLogger(__name__)


def participants_of(meeting: ReviewMeeting) -> list[User]:
    return list(
        User.objects.filter(pk__in=ReviewParticipant.objects.filter(meeting=meeting).values("user_id")).order_by(
            "last_name", "first_name", "pk"
        )
    )


def minutes_for(user: User, meeting: ReviewMeeting) -> dict[str, Any]:
    """What the minutes say to ``user``: the meeting, who took part, and per account they may see,
    in the meeting's order, its decisions (whether each became a plan action)."""
    visible = accounts_visible_to(user)
    agenda = list(
        ReviewMeetingAccount.objects.filter(meeting=meeting, account__in=visible)
        .select_related("account__owner", "account__health")
        .order_by("position")
    )
    decisions: dict[int, list[ReviewDecision]] = {}
    rows = (
        ReviewDecision.objects.filter(meeting=meeting, account__in=visible)
        .select_related("owner", "action__plan__period")
        .order_by("recorded_at", "pk")
    )
    for decision in rows:
        decisions.setdefault(decision.account_id, []).append(decision)
    show_health = not firewall.hides(user, "account.health")
    accounts = []
    for item in agenda:
        health = getattr(item.account, "health", None) if show_health else None
        accounts.append(
            {
                "account": item.account,
                "score": health.score if health is not None else None,
                "decisions": decisions.get(item.account_id, []),
            }
        )
    return {
        "meeting": meeting,
        "participants": participants_of(meeting),
        "accounts": accounts,
        "decided": [row for row in accounts if row["decisions"]],
        "show_health": show_health,
        "decision_count": sum(len(row["decisions"]) for row in accounts),
    }


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def minutes_message(user: User, meeting: ReviewMeeting) -> EmailMultiAlternatives:
    """The minutes as an e-mail to ``user``, in their language (the app's default otherwise)."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            **minutes_for(user, meeting),
            "user": user,
            "url": _absolute(reverse("meeting-minutes", args=[meeting.pk])),
        }
        subject = _("Minutes: account review of %(date)s with %(manager)s") % {
            "date": formats.date_format(meeting.date, "SHORT_DATE_FORMAT"),
            "manager": meeting.manager,
        }
        message = EmailMultiAlternatives(
            " ".join(subject.split()), render_to_string("emails/meeting_minutes.txt", context), to=[user.email]
        )
        message.attach_alternative(render_to_string("emails/meeting_minutes.html", context), "text/html")
        return message


def send_minutes(meeting_id: int) -> int:
    """Send the closed meeting's minutes to every participant who has not had them; returns how
    many went out now (0 on a rerun). Participants without an e-mail address or no longer active
    are left out."""
    meeting = ReviewMeeting.objects.select_related("manager").filter(pk=meeting_id).first()
    if meeting is None or meeting.closed_at is None or meeting.minutes_sent_at is not None:
        return 0
    waiting = (
        ReviewParticipant.objects.filter(meeting=meeting, minutes_sent_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    sent = failed = 0
    for row in waiting:
        try:
            with transaction.atomic(durable=True):
                claimed = ReviewParticipant.objects.filter(pk=row.pk, minutes_sent_at__isnull=True).update(
                    minutes_sent_at=timezone.now()
                )
                if not claimed:
                    continue
                minutes_message(row.user, meeting).send()
        except (smtplib.SMTPException, OSError):
            logger.exception("Minutes of meeting %s not e-mailed to %s; a rerun sends them", meeting.pk, row.user_id)
            failed += 1
            continue
        sent += 1
    if failed:
        # The outbox runs the task again (a failed task stays pending) for those not reached.
        raise RuntimeError(f"Minutes of meeting {meeting.pk}: {failed} e-mail(s) refused by the mail server")
    ReviewMeeting.objects.filter(pk=meeting.pk, minutes_sent_at__isnull=True).update(minutes_sent_at=timezone.now())
    return sent
