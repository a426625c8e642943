"""Whether the parts the site needs are up: the database, the broker, the cache, a worker, beat.

Each check has a short time limit and reports instead of raising, so /healthz answers within about
a second whatever is down. The broker's checks run beside the others, in a thread of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError
from django.utils import timezone

from kam.celery import app
from kam.lib import BROKER_ERRORS, CACHE_ERRORS
from kam.models import Heartbeat
from kam.tasks import BEAT

DB_ERRORS = (DatabaseError, InterfaceError)
# How long a worker has to answer a ping; a live worker answers in milliseconds.
WORKER_PING_TIMEOUT = 0.5


@dataclass
class Check:
    ok: bool | None  # None: not known, e.g. the worker when the broker is down
    detail: str = ""
    ms: int = 0

    def as_json(self) -> dict:
        return {"ok": self.ok, "detail": self.detail, "ms": self.ms}


def last_beat() -> datetime | None:
    """When the heartbeat task last ran (raises the database's error when it is down)."""
    return Heartbeat.objects.filter(name=BEAT).values_list("at", flat=True).first()


def beat_is_late(at: datetime | None, now: datetime | None = None) -> bool:
    """Whether scheduled jobs have not run on time: no heartbeat for BEAT_HEARTBEAT_STALE_MINUTES."""
    now = now or timezone.now()
    return at is None or now - at > timedelta(minutes=settings.BEAT_HEARTBEAT_STALE_MINUTES)


def _timed(check: Callable[[], tuple[Check, ...]]) -> tuple[Check, ...]:
    """Run a check; its first result carries how long it took."""
    started = time.monotonic()
    results = check()
    results[0].ms = round((time.monotonic() - started) * 1000)
    return results


def _database_and_beat() -> tuple[Check, Check]:
    try:
        at = last_beat()
    except DB_ERRORS as exc:
        return Check(False, type(exc).__name__), Check(None, "database unavailable")
    if at is None:
        return Check(True), Check(False, "no heartbeat yet")
    age = round((timezone.now() - at).total_seconds())
    return Check(True), Check(not beat_is_late(at), f"last heartbeat {age} s ago")


def _cache() -> tuple[Check]:
    try:
        cache.get("kam:healthz")
    except CACHE_ERRORS as exc:
        return (Check(False, type(exc).__name__),)
    return (Check(True),)


def _broker() -> tuple[Check]:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.1, interval_max=0.1)
            # Redis accepts connections even while it hangs: only a command shows it answers.
            client = getattr(conn.default_channel, "client", None)
            if client is not None:
                client.ping()
    except (*BROKER_ERRORS, *CACHE_ERRORS) as exc:
        return (Check(False, type(exc).__name__),)
    return (Check(True),)


def _worker() -> tuple[Check]:
    try:
        replies = app.control.ping(timeout=WORKER_PING_TIMEOUT)
    except (*BROKER_ERRORS, *CACHE_ERRORS) as exc:
        return (Check(None, type(exc).__name__),)
    return (Check(bool(replies), f"{len(replies)} answered" if replies else "no worker answered"),)


def _broker_and_worker() -> tuple[Check, Check]:
    (broker,) = _timed(_broker)
    if not broker.ok:
        return broker, Check(None, "broker unavailable")
    (worker,) = _timed(_worker)
    return broker, worker


def report() -> dict[str, Check]:
    """Every check, by name: database, broker, cache, worker, beat."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        broker_and_worker = pool.submit(_broker_and_worker)
        database, beat = _timed(_database_and_beat)
        (cache_check,) = _timed(_cache)
        broker, worker = broker_and_worker.result()
    return {"database": database, "broker": broker, "cache": cache_check, "worker": worker, "beat": beat}
