"""Running the large demo: its steps in order, in one transaction, each timed."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account
from kam.bulk import BulkWriter
from kam.demo.large.accounts import accounts_and_numbers
from kam.demo.large.dmu import stakeholders, touchpoints
from kam.demo.large.people import users
from kam.demo.large.plans import plans
from kam.demo.large.state import CRM_PREFIX, Load, Shape
from kam.demo.large.surveys import surveys
from kam.demo.qualification import refresh_qualification
from kam.models import User
from kam.portfolio.health.refresh import refresh_health


class LargeDemo:
    def __init__(self, scale: float, log: Callable[[str], None]) -> None:
        self.shape = Shape.at(scale)
        self.log = log

    def run(self, admin: User) -> dict[str, int]:
        now = timezone.now()
        load = Load(shape=self.shape, admin=admin, now=now, today=timezone.localdate(), writer=BulkWriter(now))
        self.writer = load.writer
        with transaction.atomic():
            with load.writer:
                self._timed(users, load)
                # Users and teams refer to each other; from here on every table refers only to
                # tables written before it, so foreign keys can be checked as each chunk goes in.
                load.writer.check_constraints_now()
                for step in (accounts_and_numbers, stakeholders, touchpoints, plans, surveys):
                    self._timed(step, load)
            load.writer.finish()
            self._timed(self.refresh_summaries, load)
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner sees the new sizes from the first page view; and,
            # outside a transaction, a vacuum too.
            self._timed(self.analyze)
        return dict(load.writer.counts)

    def _timed(self, step: Callable[..., object], *args: object) -> None:
        w = self.writer
        started, busy, waited = time.perf_counter(), w.copy_seconds, w.waited_seconds
        step(*args)
        w.drain()
        elapsed = time.perf_counter() - started
        busy, waited = w.copy_seconds - busy, w.waited_seconds - waited
        detail = f" (database busy {busy:.1f} s, Python waited {waited:.1f} s)" if busy else ""
        self.log(f"  {step.__name__.replace('_', ' ')}: {elapsed:.1f} s{detail}")

    def refresh_summaries(self, load: Load) -> None:
        """Figures the app keeps on the account, computed from the stored rows for all seeded
        accounts at once: qualification, then health (which reads it), after every table is loaded,
        in the same transaction."""
        ids = [a.id for a in load.accounts]
        fixed = refresh_qualification(ids)
        if fixed:
            self.log(f"  ({fixed} accounts' qualification differed from the generated one and was corrected)")
        refresh_health(ids)

    def analyze(self) -> None:
        """VACUUM (ANALYZE) after the bulk load, not ANALYZE alone: rows written by COPY are not yet
        marked all-visible, so every index-only scan still read the table, and the first readers
        set hint bits page by page. Measured on the large demo right after the seed, then after a
        vacuum: the administrator's dashboard 167-177 ms, then 121-160 ms; the account list
        33-46 ms, then 21-31 ms. VACUUM cannot run in a transaction (a test's, or with autocommit
        off), where ANALYZE does instead."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if connection.get_autocommit() else "ANALYZE")


def seed_large(*, scale: float, log: Callable[[str], None]) -> dict[str, int] | None:
    """Load the big organisation once; None when it is already there."""
    if Account.objects.filter(crm_id__startswith=CRM_PREFIX).exists():
        return None
    admin = User.objects.filter(username="admin").first() or User.objects.filter(is_superuser=True).first()
    if admin is None:
        raise RuntimeError("Run the normal demo first: the campaigns need an administrator as their author.")
    started = time.perf_counter()
    counts = LargeDemo(scale, log).run(admin)
    log(f"  total: {time.perf_counter() - started:.1f} s")
    return counts
