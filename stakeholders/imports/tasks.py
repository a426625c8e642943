"""The import's background job: thin, takes the import's id (see services.import_run)."""

from __future__ import annotations

from celery import shared_task

from stakeholders.imports.services import IMPORT_TASK, import_run


@shared_task(name=IMPORT_TASK, acks_late=True)
def import_run_task(import_id: int, apply: int) -> dict[str, int] | None:
    return import_run(import_id=import_id, apply=bool(apply))
