"""The outbox: side effects that must happen are recorded with the write and carried out later.

``enqueue("accounts.refresh_health", [12], dedupe="health:12")`` inside the caller's transaction
writes an ``OutboxTask`` row; on commit the row's task is published at once (the broker's short
timeouts bound the wait). The task's worker marks the row done when the task has finished
(signal handlers below), so "done" means executed. The sweeper (``sweep``, every minute,
migration 0003_outbox) publishes again what is not done: rows whose publish failed (the broker
was down) and rows published a while ago that never finished (the broker lost the message on a
restart without persistence, or the worker died). Tries back off with jitter; after
``MAX_ATTEMPTS`` a row is dead, shown to administrators, who may retry it from the admin.

A task can therefore run more than once (a republish while the first message still waits, a
redelivery): every task takes ids and is idempotent. Rows are kept for ``KEEP_DONE`` /
``KEEP_DEAD`` and then deleted by the sweeper.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import signals
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kam.celery import app
from kam.lib import BROKER_ERRORS, CACHE_ERRORS
from kam.models import OutboxState, OutboxTask

logger = logging.getLogger(__name__)

# The message header that tells the worker which row a task message carries out.
HEADER = "kam_outbox_id"
# A published row not done by then is published again: long enough for a queue to drain in
# normal operation, short enough that a message the broker lost costs minutes, not hours.
REPUBLISH_AFTER = timedelta(minutes=5)
# A started row not done by then is published again (the worker died, or the task failed).
RUNNING_LEASE = timedelta(minutes=15)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# About seven hours of tries for a task that keeps failing; a broker outage costs no tries, as
# the sweeper does not run while the broker is down.
MAX_ATTEMPTS = 12
SWEEP_BATCH = 500
KEEP_DONE = timedelta(days=7)
KEEP_DEAD = timedelta(days=30)
PUBLISH_ERRORS = (*BROKER_ERRORS, *CACHE_ERRORS)


def enqueue(task_name: str, *args: int | list[int], dedupe: str = "") -> int:
    """Record ``task_name(*args)`` in the current transaction and publish it once it commits.

    ``args`` are ids or lists of ids. With ``dedupe``, a row with the same key that no worker has
    started yet stands for this one, and no second row is recorded (a broker outage of an hour
    leaves one row per object, not one per write). That row is still published on this commit:
    a message already queued for it might run before this transaction commits and miss this
    write; tasks are idempotent, so the extra run costs only time. Returns the row's id. Outside
    a transaction the row is written and published at once."""
    row = _waiting(dedupe) if dedupe else None
    if row is None:
        now = timezone.now()
        row = OutboxTask(
            task=task_name,
            args=list(args),
            dedupe_key=dedupe,
            created_at=now,
            # Assume the publish on commit succeeds; if it fails (or never happens, the process
            # dies) the sweeper takes the row up when this comes round.
            available_at=now + REPUBLISH_AFTER,
            attempts=1,
        )
        try:
            # A savepoint: a concurrent writer's row with the same key must not break the
            # caller's transaction, only stand for this one.
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            row = _waiting(dedupe) if dedupe else None
            if row is None:
                raise
    # Robust: the write has committed; whatever the publish meets, the sweeper catches up.
    transaction.on_commit(lambda: _publish_after_commit(row), robust=True)
    return row.pk


def dedupe_key(task_name: str, ids: Sequence[int]) -> str:
    """The dedupe key of ``task_name`` over these ids: readable when short, a digest when long."""
    key = f"{task_name}:{','.join(map(str, ids))}"
    return key if len(key) <= 200 else f"{task_name}:sha1:{hashlib.sha1(key.encode()).hexdigest()}"


def _waiting(dedupe: str) -> OutboxTask | None:
    return OutboxTask.objects.filter(dedupe_key=dedupe, state=OutboxState.PENDING, started_at__isnull=True).first()


def _publish(row: OutboxTask) -> str:
    """Hand the row's task to the broker; returns the error, or "" when published."""
    if row.task not in app.tasks:
        app.loader.import_default_modules()  # the apps' task modules, as a worker loads them
    try:
        app.signature(row.task, args=row.args).apply_async(headers={HEADER: row.pk})
    except PUBLISH_ERRORS as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return ""


def _publish_after_commit(row: OutboxTask) -> None:
    error = _publish(row)
    now = timezone.now()
    if error:
        logger.warning("Could not publish %s (outbox %s); the sweeper will.", row.task, row.pk)
        OutboxTask.objects.filter(pk=row.pk, state=OutboxState.PENDING, started_at__isnull=True).update(
            available_at=now + backoff(1), last_error=error
        )


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th try: doubling from BACKOFF_BASE up to
    BACKOFF_MAX, with jitter (half to all of it) so that rows of one outage spread out."""
    wait = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(attempts - 1, 0))
    return wait * random.uniform(0.5, 1.0)


@dataclass
class SweepResult:
    published: int = 0
    failed: int = 0
    dead: int = 0
    deleted: int = 0


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Publish the pending rows that are due, mark the ones out of tries dead, delete old rows.

    Safe in two processes at once: each takes the due rows the other has not locked."""
    now = now or timezone.now()
    result = SweepResult()
    with transaction.atomic():
        due = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxState.PENDING, available_at__lte=now)
            .order_by("available_at")[:SWEEP_BATCH]
        )
        dead = [row for row in due if row.attempts >= MAX_ATTEMPTS]
        for row in dead:
            logger.error("Outbox %s (%s) is dead after %s tries: %s", row.pk, row.task, row.attempts, row.last_error)
        result.dead = OutboxTask.objects.filter(pk__in=[row.pk for row in dead]).update(state=OutboxState.DEAD)
        live = [row for row in due if row.attempts < MAX_ATTEMPTS]
        # The try is written before the publish: a task that runs at once (eagerly, or a worker
        # after this commit) then marks its row started or done over it, never the reverse.
        for row in live:
            row.attempts += 1
            row.available_at = now + max(REPUBLISH_AFTER, backoff(row.attempts))
        OutboxTask.objects.bulk_update(live, ["attempts", "available_at"])
        published = []
        for index, row in enumerate(live):
            error = _publish(row)
            if error:
                # The broker is down: this row backs off, the rest wait for the next sweep
                # without losing a try.
                result.failed = len(live) - index
                OutboxTask.objects.filter(pk=row.pk).update(available_at=now + backoff(row.attempts), last_error=error)
                OutboxTask.objects.filter(pk__in=[other.pk for other in live[index + 1 :]]).update(
                    attempts=F("attempts") - 1, available_at=now
                )
                break
            published.append(row.pk)
        result.published = OutboxTask.objects.filter(pk__in=published).update(published_at=now)
    result.deleted = housekeep(now=now)
    if result.failed:
        logger.warning("Outbox sweep could not publish: the broker is down (%s published before).", result.published)
    return result


def housekeep(*, now: datetime) -> int:
    """Delete done rows after KEEP_DONE and dead rows after KEEP_DEAD."""
    deleted, _ = OutboxTask.objects.filter(state=OutboxState.DONE, done_at__lt=now - KEEP_DONE).delete()
    dead, _ = OutboxTask.objects.filter(state=OutboxState.DEAD, created_at__lt=now - KEEP_DEAD).delete()
    return deleted + dead


def retry(ids: Sequence[int]) -> int:
    """Give dead rows a fresh set of tries, due at the next sweep (the admin's "retry")."""
    return OutboxTask.objects.filter(pk__in=ids, state=OutboxState.DEAD).update(
        state=OutboxState.PENDING, attempts=0, available_at=timezone.now(), started_at=None
    )


def dead_count() -> int:
    return OutboxTask.objects.filter(state=OutboxState.DEAD).count()


@contextmanager
def exactly_once(task) -> Iterator[bool]:
    """For a task whose effect must not repeat, such as an e-mail: holds the task's outbox row
    locked and says whether to act (False when an earlier run finished). The row is marked done
    in the same transaction, after the effect: a run killed midway leaves it pending, to be done
    again, and a finished run is never repeated. Called without a row (directly, or from a
    message of before the outbox) it always acts."""
    pk = _row_id(task)
    if pk is None:
        yield True
        return
    with transaction.atomic():
        state = OutboxTask.objects.select_for_update().filter(pk=pk).values_list("state", flat=True).first()
        if state == OutboxState.DONE:
            yield False
            return
        yield True
        OutboxTask.objects.filter(pk=pk).update(state=OutboxState.DONE, done_at=timezone.now(), last_error="")


# The worker's side: a task message that carries a row id marks the row started, then done. ------


def _row_id(task) -> int | None:
    request = task.request
    headers = request.headers or {}
    value = headers.get(HEADER, getattr(request, HEADER, None))
    return int(value) if value is not None else None


@signals.task_prerun.connect
def _started(sender=None, task=None, **kwargs) -> None:
    if (pk := _row_id(task)) is None:
        return
    now = timezone.now()
    OutboxTask.objects.filter(pk=pk, state=OutboxState.PENDING).update(started_at=now, available_at=now + RUNNING_LEASE)


@signals.task_success.connect
def _done(sender=None, **kwargs) -> None:
    if (pk := _row_id(sender)) is None:
        return
    OutboxTask.objects.filter(pk=pk).exclude(state=OutboxState.DONE).update(
        state=OutboxState.DONE, done_at=timezone.now(), last_error=""
    )


@signals.task_failure.connect
def _failed(sender=None, exception=None, **kwargs) -> None:
    # The row stays pending: the sweeper publishes it again after RUNNING_LEASE.
    if (pk := _row_id(sender)) is None:
        return
    OutboxTask.objects.filter(pk=pk, state=OutboxState.PENDING).update(
        last_error=f"{type(exception).__name__}: {exception}"[:500]
    )
