"""Small helpers shared by the apps."""

from __future__ import annotations

import logging

from django.db import models
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What a failed enqueue raises when the broker is down or unreachable; anything else is a bug.
BROKER_ERRORS = (OperationalError, OSError)


def try_delay(task, *args, what: str) -> bool:
    """Enqueue ``task(*args)``; if the broker is down, log it and go on, since the write it
    follows has committed and a periodic job catches up. Returns whether it was enqueued."""
    try:
        task.delay(*args)
    except BROKER_ERRORS:
        logger.warning("Could not enqueue %s.", what)
        return False
    return True


def chain_reaches(model: type[models.Model], start_id: int | None, link: str, target_id: int) -> bool:
    """Whether following ``link`` (a self-referencing foreign key) from ``start_id`` reaches
    ``target_id``: the test for a cycle in parent or reports-to chains. One query per step; the
    chains are shallow (groups, org charts), and a loop already in the data cannot hang it."""
    seen: set[int] = set()
    current = start_id
    while current is not None and current not in seen:
        if current == target_id:
            return True
        seen.add(current)
        current = model.objects.filter(pk=current).values_list(f"{link}_id", flat=True).first()
    return False


class DayNumber(models.Func):
    """Days since an epoch, so date differences are plain numbers on PostgreSQL and SQLite alike."""

    output_field = models.FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="julianday(%(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s) - DATE '2000-01-01')::float", **extra)
