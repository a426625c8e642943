"""The outbox against a real broker and worker: a redis-server of the test's own (down, or
restarted without persistence) and ``celery worker`` processes on the test database.

The sweeper is run from the test process with a shifted clock instead of waiting for beat.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountHealth
from kam import outbox
from kam.celery import app
from kam.models import OutboxState, OutboxTask, Role
from plans.models import PlanningPeriod
from plans.services import plan_create, step_save
from stakeholders.services import touchpoint_log
from tests import faults
from tests.factories import AccountFactory, UserFactory
from tests.plan_factories import ActionFactory, PlanFactory
from tests.smtp_sink import SmtpSink
from tests.stakeholder_factories import AffiliationFactory, TouchpointFactory
from tests.surveys.test_reliability import Worker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SETTLE_TIMEOUT = 60
# The bound on a request while the broker refuses: its publish gives up within the socket timeouts.
REQUEST_BOUND = 3.0


def _reset_pools() -> None:
    # Celery keeps one connection pool per app; a new broker URL needs another (kombu keeps one
    # per URL, so the shared broker's comes back afterwards).
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """This process publishes for real (not eagerly) to the test's own redis-server."""
    keys = ("broker_url", "broker_write_url", "broker_read_url", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=url, broker_write_url=url, broker_read_url=url, task_always_eager=False)
    _reset_pools()
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_pools()


@pytest.fixture
def redis_server():
    server = faults.RedisServer()  # not started: the broker is down
    yield server
    server.close()


@pytest.fixture
def worker(tmp_path, redis_server):
    process = Worker(tmp_path, broker_url=redis_server.url(), queue="celery", smtp_port=faults.free_port())
    yield process
    process.stop()


def _settle(worker: Worker) -> None:
    """Sweep as beat would, a clock shifted past any wait, until every row is done."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    shift = outbox.REPUBLISH_AFTER + timedelta(seconds=1)
    while OutboxTask.objects.exclude(state=OutboxState.DONE).exists() and time.monotonic() < deadline:
        outbox.sweep(now=timezone.now() + shift)
        shift += outbox.REPUBLISH_AFTER  # a row published by the last sweep is due at the next
        for _ in range(30):
            if not OutboxTask.objects.exclude(state=OutboxState.DONE).exists():
                break
            time.sleep(0.1)
    left = list(OutboxTask.objects.exclude(state=OutboxState.DONE).values("task", "state", "last_error"))
    assert not left, f"not done after {SETTLE_TIMEOUT} s: {left}\n{worker.log()}"


def _runs(worker: Worker, task: str) -> int:
    return len(re.findall(rf"Task {re.escape(task)}\[[0-9a-f-]+\] succeeded", worker.log()))


def _plan(cast):
    period = PlanningPeriod.objects.create(
        name="FY 2026",
        start=timezone.localdate().replace(month=1, day=1),
        end=timezone.localdate().replace(month=12, day=31),
    )
    return plan_create(account=cast.account_a, period=period, by=cast.kam_a)


def test_writes_while_redis_is_down_are_carried_out_once_it_is_back(
    cast, login, settings, redis_server, worker, tmp_path
):
    settings.PLAN_EXPORT_PRERENDER = True
    plan = _plan(cast)
    person = AffiliationFactory(account=cast.account_a).person
    client = login(cast.kam_a)
    with publishing_to(redis_server.url()):
        # What setting up the plan did (eagerly) does not count.
        OutboxTask.objects.all().delete()
        AccountHealth.objects.all().delete()
        started = time.monotonic()
        response = client.post(
            reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]),
            {
                "date": timezone.localdate().isoformat(),
                "kind": "visit",
                "summary": "Formulary talk",
                "stakeholders": [person.pk],
            },
        )
        seconds = time.monotonic() - started
        assert response.status_code == 302, response.context["form"].errors
        assert seconds < REQUEST_BOUND
        step = plan.steps.get(number=4)
        step_save(plan=plan, number=4, content={"value_proposition": "x"}, expected_version=step.version, by=cast.kam_a)
        # Recorded, not lost: one health refresh for the account (the second write found the first
        # still waiting) and one pre-render, each with the broker's refusal.
        rows = list(OutboxTask.objects.order_by("task").values_list("task", "state", "last_error"))
        assert [(task, state) for task, state, _error in rows] == [
            ("accounts.refresh_health", "pending"),
            ("plans.prerender_exports", "pending"),
        ]
        assert all(error for _task, _state, error in rows), rows
        assert not AccountHealth.objects.filter(account=cast.account_a).exists()

        redis_server.start()
        worker.start()
        _settle(worker)

    health = AccountHealth.objects.get(account=cast.account_a)
    assert health.computed_at is not None and health.key_in_touch is not None
    assert any((tmp_path / "var" / "export-cache").iterdir()), "no export was pre-rendered"
    # Exactly once each: the sweeper published each row once, and nothing twice.
    assert _runs(worker, "accounts.refresh_health") == 1
    assert _runs(worker, "plans.prerender_exports") == 1


def test_messages_lost_in_a_broker_restart_are_published_again(cast, redis_server, worker):
    redis_server.start()
    with publishing_to(redis_server.url()):
        touchpoint_log(
            touchpoint=TouchpointFactory.build(account=cast.account_a), participants=[], people=[], by=cast.kam_a
        )
        row = OutboxTask.objects.get(task="accounts.refresh_health")
        assert row.state == OutboxState.PENDING and not row.last_error  # published, not yet run
        # No worker yet; Redis restarts without persistence and the queued message is gone.
        redis_server.kill()
        redis_server.start()
        worker.start()
        time.sleep(2)
        assert OutboxTask.objects.get(pk=row.pk).state == OutboxState.PENDING
        _settle(worker)
    assert AccountHealth.objects.filter(account=cast.account_a).exists()
    assert _runs(worker, "accounts.refresh_health") == 1


def _wait(predicate, what: str, worker: Worker, timeout: float = SETTLE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"{what} after {timeout} s\n{worker.log()}")


def test_a_worker_killed_mid_digest_run_loses_no_digest_and_sends_none_twice(cast, redis_server, tmp_path):
    # Six KAMs with an overdue action each: six digests, one per person.
    kams = [UserFactory(role=Role.KAM) for _ in range(6)]
    for kam in kams:
        plan = PlanFactory(account=AccountFactory(owner=kam))
        ActionFactory(plan=plan, owner=kam, due_date=timezone.localdate() - timedelta(days=1))
    redis_server.start()
    # A slow mail server: the kill lands in the middle of a hand-over.
    with SmtpSink(delay=1.0) as sink, publishing_to(redis_server.url()):
        worker = Worker(tmp_path, broker_url=redis_server.url(), queue="celery", smtp_port=sink.port)
        try:
            worker.start()
            app.signature("plans.send_digests").apply_async()
            _wait(lambda: sink.count >= 2, "two digests not sent", worker)
            time.sleep(0.5)  # the third is being handed over
            worker.kill()
            assert sink.count < len(kams), "the run ended before the kill"
            # The next run (beat's next day, or the redelivery of the killed task) finishes the job.
            worker.start()
            app.signature("plans.send_digests").apply_async()
            _wait(lambda: _runs(worker, "plans.send_digests") == 1, "the second run did not end", worker)
        finally:
            worker.stop()
        received = Counter(r for message in sink.messages for r in message.recipients)
    assert received == Counter({kam.email: 1 for kam in kams}), f"{received}\n{worker.log()[-3000:]}"
