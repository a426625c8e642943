"""Background jobs of the core: the heartbeat that shows scheduled jobs run."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from kam import outbox
from kam.models import Heartbeat

BEAT = "beat"


# Not retried through an outage like the other tasks: the next minute's heartbeat replaces it.
@shared_task(name="kam.heartbeat", ignore_result=True, autoretry_for=())
def heartbeat() -> None:
    """Scheduled every minute (migration 0002_heartbeat); safe to run twice or late."""
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"at": timezone.now()})


# Not retried through an outage: the next minute's sweep replaces it.
@shared_task(name="kam.outbox_sweep", ignore_result=True, autoretry_for=())
def outbox_sweep() -> None:
    """Scheduled every minute (migration 0003_outbox): publishes again the outbox rows not done."""
    outbox.sweep()
