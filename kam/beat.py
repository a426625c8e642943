"""Celery beat's scheduler: django-celery-beat's, made to live through a database outage.

django-celery-beat reads the whole schedule again every five minutes (and on every change) with
no guard around the read: a database restart at that moment raised OperationalError out of
``tick()`` and ended the beat process. Here a failed read keeps the schedule beat already has
and tries again on the next tick; writes of run times were guarded upstream already.

Use: ``celery -A kam beat --scheduler kam.beat:ResilientDatabaseScheduler`` (CELERY_BEAT_SCHEDULER).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, close_old_connections
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# OperationalError is a DatabaseError; InterfaceError (a connection already closed) is not.
DB_DOWN_ERRORS = (DatabaseError, InterfaceError)


class ResilientDatabaseScheduler(DatabaseScheduler):
    """A DatabaseScheduler whose schedule read fails soft: the previous schedule stays."""

    _read_failed = False

    def all_as_schedule(self) -> dict:
        try:
            schedule = super().all_as_schedule()
        except DB_DOWN_ERRORS as exc:
            logger.warning("Could not read the schedule (%s); keeping the previous one.", type(exc).__name__)
            self._read_failed = True
            # A broken connection is dropped here so that the next read opens a fresh one.
            close_old_connections()
            return self._schedule if self._schedule is not None else {}
        self._read_failed = False
        return schedule

    def schedule_changed(self) -> bool:
        # After a failed read, read again on the next tick rather than five minutes later.
        if self._read_failed:
            return True
        return super().schedule_changed()

    def tick(self, *args, **kwargs) -> float:
        # The last guard: an entry that touches the database while it is down (an expired or
        # one-off task disabling itself) must not end the process either.
        try:
            return super().tick(*args, **kwargs)
        except DB_DOWN_ERRORS as exc:
            logger.warning("Database unavailable during a beat tick (%s); trying again.", type(exc).__name__)
            close_old_connections()
            return self.max_interval
