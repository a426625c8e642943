"""The Celery app: configured from Django settings, and a real worker runs the account tasks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from kombu import Exchange, Queue

from accounts.models import Account, QualificationCriterion
from accounts.services import account_qualify, account_scores
from accounts.tasks import recompute_scores
from kam.celery import app
from tests.factories import AccountFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_TIMEOUT = 60
TASK_EFFECT_TIMEOUT = 60


def test_the_celery_app_is_configured_from_django_settings():
    assert app.main == "kam"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.broker_transport_options == settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert app.conf.task_always_eager == settings.CELERY_TASK_ALWAYS_EAGER
    assert app.conf.task_acks_late is True
    assert app.conf.task_ignore_result is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.timezone == settings.TIME_ZONE
    assert app.conf.beat_scheduler == "kam.beat:ResilientDatabaseScheduler"
    # autodiscover_tasks() found accounts/tasks.py, and @shared_task bound to this app.
    assert "accounts.recompute_scores" in app.tasks
    assert app.tasks["accounts.recompute_scores"].name == recompute_scores.name


def _database_url() -> str:
    """A URL for the database this test is using (the test database, not the configured one)."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = db.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def _queue(queue_name: str, *, delete: bool = False) -> None:
    """Purge the queue before the worker starts; afterwards delete it with its binding keys."""
    with app.connection_for_write() as conn:
        queue = Queue(queue_name, Exchange(queue_name), routing_key=queue_name).bind(conn.default_channel)
        if delete:
            queue.declare()  # the Redis transport deletes only the bindings this channel knows
            queue.delete()
        else:
            queue.purge()


def _wait_for_ready(worker: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{log_path.read_text()[-4000:]}")
        if " ready." in log_path.read_text():
            return
        time.sleep(0.1)
    pytest.fail(f"the worker was not ready after {WORKER_READY_TIMEOUT} s:\n{log_path.read_text()[-4000:]}")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    try:
        os.killpg(worker.pid, signal.SIGTERM)  # warm shutdown: finish the current task, close connections
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes_stale_scores(tmp_path):
    kam = UserFactory()
    account = AccountFactory(owner=kam)
    criteria = QualificationCriterion.objects.filter(account_type=account.account_type, active=True)
    assert criteria.exists(), "the default hospital criteria come from a migration"
    account_qualify(account=account, scores={c.pk: 5 for c in criteria}, override=None, reason="", by=kam)
    expected = account_scores(account)
    assert expected["qualification_score"] == 100
    # Make the stored figures stale behind the services' back, as a change of weights would.
    Account.objects.filter(pk=account.pk).update(
        qualification_score=None, qualifies=None, is_key_account=False, attractiveness=None, position=None
    )

    queue_name = f"kam-test-{uuid.uuid4().hex[:12]}"
    _queue(queue_name)
    log_path = tmp_path / "worker.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="kam.settings",
        DEBUG="1",
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_TASK_ALWAYS_EAGER="0",
        KAM_VAR_DIR=str(tmp_path / "var"),
    )
    command = [
        *(sys.executable, "-m", "celery", "-A", "kam", "worker"),
        *("--pool=solo", "--concurrency=1", "--loglevel=INFO", "-Q", queue_name),
        *("-n", f"{queue_name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    was_eager = app.conf.task_always_eager
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_for_ready(worker, log_path)
        app.conf.task_always_eager = False
        recompute_scores.apply_async(args=[[account.pk]], queue=queue_name)

        deadline = time.monotonic() + TASK_EFFECT_TIMEOUT
        while time.monotonic() < deadline:
            account.refresh_from_db()
            if account.qualification_score is not None or worker.poll() is not None:
                break
            time.sleep(0.2)
        assert account.qualification_score == expected["qualification_score"], log_path.read_text()[-4000:]
        assert account.qualifies is True
        assert account.is_key_account is True
        assert account.attractiveness == expected["attractiveness"]
        assert account.position == expected["position"]
        assert "accounts.recompute_scores" in log_path.read_text()
    finally:
        app.conf.task_always_eager = was_eager
        _stop(worker)
        _queue(queue_name, delete=True)
