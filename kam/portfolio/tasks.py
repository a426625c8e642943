"""Background jobs of the portfolio floor. Tasks take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from kam.portfolio.health.refresh import refresh_health
from kam.portfolio.minutes import send_minutes


# The name stays "accounts.refresh_health": queued outbox rows and the hourly schedule
# (accounts migration 0005_health_schedule) refer to it.
@shared_task(name="accounts.refresh_health")
def refresh_health_task(account_ids: list[int] | None = None) -> int:
    """Recompute stored health scores: the given accounts after a write (enqueued on commit), or
    all accounts when called without ids (hourly, migration 0005_health_schedule)."""
    return refresh_health(account_ids)


@shared_task(name="portfolio.send_meeting_minutes", ignore_result=True)
def send_meeting_minutes(meeting_id: int) -> int:
    """E-mail a closed review meeting's minutes to its participants. Safe to run twice: each
    participant's e-mail is claimed on their row before it is sent (kam.portfolio.minutes)."""
    return send_minutes(meeting_id)
