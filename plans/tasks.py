"""Periodic plan housekeeping. Tasks take ids or nothing and are safe to run twice."""

from celery import shared_task

from plans import notifications, reminders
from plans.services import plans_archive_ended


@shared_task(name="plans.archive_ended")
def archive_ended() -> int:
    return plans_archive_ended()


@shared_task(name="plans.send_digests")
def send_digests() -> int:
    # A thin interface: the service picks who is due today and is safe to run twice or in two
    # workers at once (see plans.reminders).
    return reminders.send_digests()


@shared_task(name="plans.prerender_exports", ignore_result=True)
def prerender_exports(plan_id: int) -> int:
    """Render a plan's exports into the export cache, so the KAM's download is instant.

    Safe to run twice or late: it renders the plan as it is now, and skips what is cached."""
    # Imported when run: beat and the processes that only enqueue need not load python-pptx.
    from plans.exports.cache import prerender  # noqa: PLC0415

    return prerender(plan_id)


@shared_task(name="plans.notify_submitted", ignore_result=True)
def notify_submitted(plan_id: int, round: int, by_id: int) -> int:
    # Safe to run twice: the notifications' unique constraint and the e-mail's claim (plans.notifications).
    return notifications.notify_submitted(plan_id=plan_id, round=round, by_id=by_id)


@shared_task(name="plans.notify_reviewed", ignore_result=True)
def notify_reviewed(review_id: int) -> int:
    return notifications.notify_reviewed(review_id=review_id)
