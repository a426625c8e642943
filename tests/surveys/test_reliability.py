"""Survey delivery survives a killed worker and a broker outage: real worker processes on the
PostgreSQL test database and Redis, delivering to an SMTP sink that counts Message-IDs.

Each test starts its own worker(s) on a queue of its own (``-Q``), routes the test process's
enqueues there, and cleans up its processes and queue in ``finally``. The sweeper is run from the
test process with a shifted clock instead of waiting for beat.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from kombu import Connection, Exchange, Queue

from kam.celery import app
from kam.models import Role
from stakeholders.models import CampaignStatus, InvitationStatus, SurveyCampaign, SurveyInvitation
from stakeholders.surveys.delivery import LEASE, STALE_QUEUED, sweep
from stakeholders.surveys.dispatch import campaign_dispatch, enqueue_invitations
from stakeholders.surveys.tasks import send_invitations
from tests.factories import UserFactory
from tests.smtp_sink import SmtpSink
from tests.survey_factories import SendingCampaignFactory, bulk_invitees

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_TIMEOUT = 60
SETTLE_TIMEOUT = 60


# Processes -------------------------------------------------------------------------------------


def _database_url() -> str:
    """A URL for the database this test is using (the test database, not the configured one)."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = db.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Worker:
    """``celery -A kam worker`` in its own process group, as production runs it, logging to a file."""

    def __init__(self, tmp_path: Path, *, broker_url: str, queue: str, smtp_port: int) -> None:
        self.tmp_path = tmp_path
        self.broker_url = broker_url
        self.queue = queue
        self.smtp_port = smtp_port
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.tmp_path / f"worker-{self.starts}.log"

    def log(self) -> str:
        return "\n".join(
            f"--- worker-{n}.log\n" + (self.tmp_path / f"worker-{n}.log").read_text()[-3000:]
            for n in range(1, self.starts + 1)
        )

    def start(self) -> None:
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "PYTEST_", "EMAIL_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="kam.settings",
            DEBUG="1",
            DATABASE_URL=_database_url(),
            CONN_MAX_AGE="0",
            CELERY_BROKER_URL=self.broker_url,
            CELERY_TASK_ALWAYS_EAGER="0",
            EMAIL_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            KAM_VAR_DIR=str(self.tmp_path / "var"),
        )
        command = [
            *(sys.executable, "-m", "celery", "-A", "kam", "worker", "--loglevel=INFO"),
            *("--pool=solo", "--concurrency=1", "--prefetch-multiplier=1", "-Q", self.queue),
            *("-n", f"{self.queue}-{self.starts}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log()}")
            if " ready." in self.log_path.read_text():
                return
            time.sleep(0.1)
        pytest.fail(f"the worker was not ready after {WORKER_READY_TIMEOUT} s:\n{self.log()}")

    def kill(self) -> datetime:
        """kill -9 the whole process group, as the OOM killer or a lost machine would."""
        assert self.process is not None and self.process.poll() is None, self.log()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        return timezone.now()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown: finish the current task
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass


class RedisServer:
    """A private redis-server on a free port, without persistence: a restart loses everything."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = _free_port()
        self.tmp_path = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(self.tmp_path)]
        with (self.tmp_path / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        pytest.fail(f"redis-server did not start:\n{(self.tmp_path / 'redis.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _purge(broker_url: str, queue_name: str, *, delete: bool = False) -> None:
    with Connection(broker_url) as conn:
        queue = Queue(queue_name, Exchange(queue_name), routing_key=queue_name).bind(conn.default_channel)
        if delete:
            queue.declare()  # the Redis transport deletes only the bindings this channel knows
            queue.delete()
        else:
            queue.purge()


def _forget_unacked(broker_url: str, queue_name: str) -> None:
    """A killed worker's unacknowledged tasks stay in Redis for the visibility timeout (an hour),
    then any worker on this Redis database would restore them to a queue nobody reads: drop them."""
    client = redis.Redis.from_url(broker_url)
    try:
        for tag, payload in client.hgetall("unacked").items():
            _message, exchange, routing_key = json.loads(payload)
            if queue_name in (exchange, routing_key):
                client.pipeline().hdel("unacked", tag).zrem("unacked_index", tag).execute()
    finally:
        client.close()


@contextlib.contextmanager
def enqueues_to(broker_url: str, queue_name: str) -> Iterator[None]:
    """Send this process's send_invitations.delay() to the test's broker and queue, for real."""
    was_eager = app.conf.task_always_eager
    with Connection(broker_url) as conn:
        producer = conn.Producer()

        def delay(ids):
            return send_invitations.apply_async(args=[ids], queue=queue_name, producer=producer)

        app.conf.task_always_eager = False
        try:
            with mock.patch.object(send_invitations, "delay", side_effect=delay):
                yield
        finally:
            app.conf.task_always_eager = was_eager


# Helpers ---------------------------------------------------------------------------------------


def _campaign_of(count: int, *, prefix: str) -> SurveyCampaign:
    manager = UserFactory(role=Role.MANAGER)
    accounts = bulk_invitees(count, owner=manager, prefix=prefix)
    return SendingCampaignFactory(
        created_by=manager, status=CampaignStatus.DRAFT, audience={"accounts": [a.pk for a in accounts]}
    )


def _not_sent(*campaigns: SurveyCampaign) -> int:
    return SurveyInvitation.objects.filter(campaign__in=campaigns).exclude(status=InvitationStatus.SENT).count()


def _sweep_until_sent(*campaigns: SurveyCampaign, now, worker: Worker, sink: SmtpSink) -> None:
    """Run the sweeper whenever delivery stalls, until every invitation is sent."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    last_count, last_progress = -1, time.monotonic()
    swept = 0
    while (left := _not_sent(*campaigns)) and time.monotonic() < deadline:
        if sink.count != last_count:
            last_count, last_progress = sink.count, time.monotonic()
        elif time.monotonic() - last_progress > 1.5:
            sweep(now=now())
            swept += 1
            last_progress = time.monotonic()
        time.sleep(0.1)
    rows = dict(SurveyInvitation.objects.filter(campaign__in=campaigns).values_list("status").annotate(n=Count("pk")))
    assert left == 0, f"{left} invitations not sent after {SETTLE_TIMEOUT} s ({swept} sweeps): {rows}\n{worker.log()}"


# Tests -----------------------------------------------------------------------------------------


def test_killing_the_worker_twice_mid_run_loses_no_invitation(tmp_path):
    broker_url = settings.CELERY_BROKER_URL
    queue = f"kam-survey-crash-{uuid.uuid4().hex[:12]}"
    _purge(broker_url, queue)
    campaign = _campaign_of(500, prefix="crash")
    invitations = SurveyInvitation.objects.filter(campaign=campaign)

    with SmtpSink(delay=0.02) as sink:
        worker = Worker(tmp_path, broker_url=broker_url, queue=queue, smtp_port=sink.port)
        try:
            with enqueues_to(broker_url, queue):
                worker.start()
                assert campaign_dispatch(campaign=campaign, by=campaign.created_by) == 500

                kills = []
                for delivered in (100, 250):
                    assert sink.wait_for(delivered, timeout=60), f"{sink.count} delivered\n{worker.log()}"
                    kills.append(worker.kill())
                    print(f"killed the worker after {sink.count} messages")
                    worker.start()

                # Rows claimed before the last kill have leases ending before last kill + LEASE;
                # rows the new worker claims have later ones. So this "now" takes back exactly
                # the rows orphaned by the kills, never one the live worker is sending.
                _sweep_until_sent(campaign, now=lambda: kills[-1] + LEASE, worker=worker, sink=sink)
        finally:
            worker.stop()
            _purge(broker_url, queue, delete=True)
            _forget_unacked(broker_url, queue)

        ids = sink.message_ids()
        duplicates = sink.duplicates
        print(f"crash test: {sink.count} messages, {len(ids)} distinct, {duplicates} duplicates")

    assert set(ids) == {i.message_id for i in invitations}
    assert len(ids) == 500
    assert set(invitations.values_list("status", flat=True)) == {InvitationStatus.SENT}
    # At most the one message in flight at each kill went out twice.
    assert duplicates <= len(kills), ids.most_common(5)


def test_a_broker_outage_mid_dispatch_loses_nothing_and_pages_keep_answering(tmp_path, client, caplog):
    broker = RedisServer(tmp_path)
    broker.start()
    queue = f"kam-survey-outage-{uuid.uuid4().hex[:12]}"
    first = _campaign_of(300, prefix="outage-a")
    second = _campaign_of(50, prefix="outage-b")
    manager = second.created_by
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")

    with SmtpSink(delay=0.01) as sink:
        worker = Worker(tmp_path, broker_url=broker.url, queue=queue, smtp_port=sink.port)
        try:
            with enqueues_to(broker.url, queue):
                worker.start()
                assert campaign_dispatch(campaign=first, by=first.created_by) == 300
                assert sink.wait_for(60, timeout=30), worker.log()

                broker.stop()
                started = time.monotonic()
                assert client.get(reverse("healthz")).status_code == 200
                assert client.get(reverse("accounts:list")).status_code == 200
                # Dispatching from the page during the outage: the rows are committed, the enqueue
                # fails, a warning is logged, and the manager gets the usual redirect.
                with caplog.at_level(logging.WARNING, logger="stakeholders.surveys"):
                    response = client.post(reverse("stakeholders:campaign-dispatch", args=[second.pk]))
                    queued = list(first.invitations.filter(status=InvitationStatus.QUEUED).values_list("pk", flat=True))
                    assert enqueue_invitations(queued) == 0
                assert response.status_code == 302
                assert second.invitations.count() == 50
                assert "sweeper" in caplog.text
                assert client.get(reverse("stakeholders:campaign", args=[second.pk])).status_code == 200
                answered_in = time.monotonic() - started
                assert answered_in < 15, f"pages took {answered_in:.1f} s with the broker down"
                # The worker finishes the batch it holds, cannot acknowledge it, and notices.
                deadline = time.monotonic() + 30
                while "Connection to broker lost" not in worker.log_path.read_text():
                    assert time.monotonic() < deadline, worker.log()
                    time.sleep(0.1)
                delivered_during_outage = sink.count

                broker.start()  # same port, empty: whatever was queued in Redis is gone
                _sweep_until_sent(
                    first,
                    second,
                    now=lambda: timezone.now() + STALE_QUEUED + timedelta(seconds=1),
                    worker=worker,
                    sink=sink,
                )
        finally:
            worker.stop()
            broker.stop()

        ids = sink.message_ids()
        duplicates = sink.duplicates
        print(
            f"outage test: pages answered in {answered_in:.1f} s with the broker down, "
            f"{delivered_during_outage} delivered before the worker noticed; "
            f"{sink.count} messages, {len(ids)} distinct, {duplicates} duplicates"
        )

    expected = set(SurveyInvitation.objects.filter(campaign__in=[first, second]).values_list("pk", flat=True))
    assert set(ids) == {f"<survey-invitation-{pk}@kam-planner>" for pk in expected}
    assert len(expected) == 350
    # Nobody died mid-send, so nothing went out twice.
    assert duplicates == 0, ids.most_common(5)
