"""Telling each successor of a handover, once: one e-mail per successor listing the accounts they
took over, each with its note and the link to its handover pack.

``accounts.services.user_handover`` enqueues ``HANDOVER_TASK`` with the new notes' ids on commit
(the outbox). The task may run twice (a redelivered message, a second worker): each successor's
notes are claimed (``notified_at``) in the transaction that hands the e-mail to the mail server,
so a second run finds them claimed and sends nothing. A refused e-mail rolls its claim back and
the outbox's retry sends it. The pack itself is built a floor up (plans); the link is by URL
name, so this floor imports nothing of it.
"""

from __future__ import annotations

import logging
import smtplib
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.models import HandoverNote
from kam.models import User

logger = logging.getLogger(__name__)

PACK_ROUTE = "plans:handover-pack"


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def pack_url(note: HandoverNote) -> str:
    return reverse(PACK_ROUTE, args=[note.pk])


def handover_message(successor: User, notes: list[HandoverNote]) -> EmailMultiAlternatives:
    """The e-mail to one successor, in their language (the app's default when they chose none)."""
    with translation.override(successor.language or settings.LANGUAGE_CODE):
        leaver = notes[0].from_user
        rows = [
            {
                "note": n,
                "account_url": _absolute(n.account.get_absolute_url()),
                "pack_url": _absolute(pack_url(n)),
            }
            for n in notes
        ]
        context = {"user": successor, "leaver": leaver, "by": notes[0].by, "rows": rows}
        subject = ngettext(
            "Handover from %(leaver)s: %(n)d account",
            "Handover from %(leaver)s: %(n)d accounts",
            len(notes),
        ) % {"leaver": leaver, "n": len(notes)}
        message = EmailMultiAlternatives(
            " ".join(subject.split()), render_to_string("emails/handover.txt", context), to=[successor.email]
        )
        message.attach_alternative(render_to_string("emails/handover.html", context), "text/html")
        return message


def notify_handover(note_ids: list[int]) -> int:
    """E-mail each successor of these notes who has not been told yet; returns how many were told."""
    waiting = (
        HandoverNote.objects.filter(pk__in=note_ids, notified_at__isnull=True)
        .select_related("account", "from_user", "to_user", "by")
        .order_by("to_user_id", "account__name", "pk")
    )
    told = 0
    for _successor_id, group in groupby(waiting, key=lambda n: n.to_user_id):
        notes = list(group)
        successor = notes[0].to_user
        if not successor.email or not successor.is_active:
            continue
        try:
            with transaction.atomic(durable=True):
                claimed = HandoverNote.objects.filter(pk__in=[n.pk for n in notes], notified_at__isnull=True).update(
                    notified_at=timezone.now()
                )
                if claimed != len(notes):
                    # Another run is sending (or sent) this e-mail; let it.
                    transaction.set_rollback(True)
                    continue
                handover_message(successor, notes).send()
        except (smtplib.SMTPException, OSError):
            logger.exception("Handover e-mail to user %s not sent; a rerun of its task sends it", successor.pk)
            raise
        told += 1
    return told
