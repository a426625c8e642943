"""Background jobs of the stakeholders app. Thin: each task calls a service and returns its result."""

from __future__ import annotations

import random

from celery import shared_task

from stakeholders.privacy import retention_erase_due


@shared_task(name="stakeholders.retention_sweep")
def retention_sweep() -> int:
    """Erase people past the retention period when auto-erase is on; scheduled daily (migration
    0002_retention_schedule). Safe to run twice: erased people are no longer candidates."""
    return retention_erase_due()


# CSAT survey delivery. Tasks take ids, are idempotent (rows are claimed), and retry only
# temporary mail-server failures, with exponential backoff and jitter, below the broker's
# visibility timeout.

MAX_COUNTDOWN = 600


@shared_task(bind=True, name="stakeholders.send_invitations", max_retries=6, acks_late=True)
def send_invitations(self, invitation_ids: list[int]) -> dict:
    from stakeholders.surveys import TemporaryDeliveryError, send_batch

    try:
        return send_batch(invitation_ids)
    except TemporaryDeliveryError as exc:
        retry_ids = exc.args[1] if len(exc.args) > 1 else invitation_ids
        countdown = min(MAX_COUNTDOWN, 5 * 2**self.request.retries) + random.uniform(0, 3)
        # Past max_retries the rows simply stay queued; the sweeper picks them up later.
        raise self.retry(args=[retry_ids], countdown=countdown, exc=exc) from exc


@shared_task(name="stakeholders.sweep_invitations")
def sweep_invitations() -> dict:
    from stakeholders.surveys import sweep

    return sweep()


@shared_task(name="stakeholders.send_survey_reminders")
def send_survey_reminders() -> int:
    from stakeholders.surveys import send_reminders

    return send_reminders()


@shared_task(name="stakeholders.dispatch_scheduled_campaigns")
def dispatch_scheduled_campaigns() -> int:
    from stakeholders.surveys import dispatch_due_campaigns

    return dispatch_due_campaigns()


@shared_task(bind=True, name="stakeholders.alert_low_score", ignore_result=True)
def alert_low_score(self, follow_up_id: int) -> None:
    """Recorded in the outbox with a low answer; sends its e-mail at most once per follow-up."""
    from kam import outbox
    from stakeholders.surveys import low_score_alert_send

    with outbox.exactly_once(self) as act:
        if act:
            low_score_alert_send(follow_up_id)


# The CRM import's task lives with the import; imported here so that Celery's autodiscovery finds it.
from stakeholders.imports.tasks import import_run_task  # noqa: E402, F401
