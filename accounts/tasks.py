"""Background jobs for accounts. Tasks take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from accounts import handover_mail
from accounts.models import Account
from accounts.services import account_recompute


@shared_task(name="accounts.recompute_scores")
def recompute_scores(account_ids: list[int]) -> int:
    """Refresh stored qualification and matrix figures, e.g. after criteria or weights change."""
    done = 0
    for account in Account.objects.filter(pk__in=account_ids).iterator():
        account_recompute(account)
        done += 1
    return done


@shared_task(name="accounts.notify_handover", ignore_result=True)
def notify_handover(note_ids: list[int]) -> int:
    # Safe to run twice: each successor's notes are claimed when their e-mail goes out.
    return handover_mail.notify_handover(note_ids)
