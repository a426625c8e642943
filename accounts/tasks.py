"""Background jobs for accounts. Tasks take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

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
