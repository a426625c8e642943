"""Background jobs of the stakeholders app. Thin: each task calls a service and returns its result."""

from __future__ import annotations

from celery import shared_task

from stakeholders.privacy import retention_erase_due


@shared_task(name="stakeholders.retention_sweep")
def retention_sweep() -> int:
    """Erase people past the retention period when auto-erase is on; scheduled daily (migration
    0002_retention_schedule). Safe to run twice: erased people are no longer candidates."""
    return retention_erase_due()


# The CRM import's task lives with the import; imported here so that Celery's autodiscovery finds it.
from stakeholders.imports.tasks import import_run_task  # noqa: E402, F401
