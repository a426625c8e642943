"""The import's background job: thin, takes the import's id (see services.import_run)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="stakeholders.import_run", acks_late=True)
def import_run_task(import_id: int, apply: bool) -> dict[str, int] | None:
    from stakeholders.imports.services import import_run

    return import_run(import_id=import_id, apply=apply)
