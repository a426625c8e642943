"""Periodic plan housekeeping. Tasks take ids or nothing and are safe to run twice."""

from celery import shared_task

from plans.services import plans_archive_ended


@shared_task(name="plans.archive_ended")
def archive_ended() -> int:
    return plans_archive_ended()
