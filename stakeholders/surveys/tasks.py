"""Background jobs of the surveys. Thin: each task calls a service and returns its result.

Tasks take ids, are idempotent (rows are claimed), and retry only temporary mail-server failures,
with exponential backoff and jitter, below the broker's visibility timeout. Their names keep the
``stakeholders.`` prefix they had before the surveys got their own package: the beat schedule
(stored in the database) and queued messages name them so. kam/celery.py autodiscovers this module.
"""

from __future__ import annotations

import random

from celery import shared_task

from kam import outbox
from stakeholders.surveys.delivery import TemporaryDeliveryError, send_batch, send_reminders, sweep
from stakeholders.surveys.dispatch import dispatch_due_campaigns
from stakeholders.surveys.responses import low_score_alert_send

MAX_COUNTDOWN = 600


@shared_task(bind=True, name="stakeholders.send_invitations", max_retries=6, acks_late=True)
def send_invitations(self, invitation_ids: list[int]) -> dict:
    try:
        return send_batch(invitation_ids)
    except TemporaryDeliveryError as exc:
        retry_ids = exc.args[1] if len(exc.args) > 1 else invitation_ids
        countdown = min(MAX_COUNTDOWN, 5 * 2**self.request.retries) + random.uniform(0, 3)
        # Past max_retries the rows simply stay queued; the sweeper picks them up later.
        raise self.retry(args=[retry_ids], countdown=countdown, exc=exc) from exc


@shared_task(name="stakeholders.sweep_invitations")
def sweep_invitations() -> dict:
    return sweep()


@shared_task(name="stakeholders.send_survey_reminders")
def send_survey_reminders() -> int:
    return send_reminders()


@shared_task(name="stakeholders.dispatch_scheduled_campaigns")
def dispatch_scheduled_campaigns() -> int:
    return dispatch_due_campaigns()


@shared_task(bind=True, name="stakeholders.alert_low_score", ignore_result=True)
def alert_low_score(self, follow_up_id: int) -> None:
    """Recorded in the outbox with a low answer; sends its e-mail at most once per follow-up."""
    with outbox.exactly_once(self) as act:
        if act:
            low_score_alert_send(follow_up_id)
