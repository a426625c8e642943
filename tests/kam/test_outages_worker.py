"""A real worker meets a PostgreSQL outage: the task is retried with backoff and runs once the
database is back, instead of being acknowledged and dropped.

The test's own PostgreSQL cluster and redis-server (tests/faults.py) and a Celery worker process.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests import faults

ENQUEUE = """
import sys
import django
django.setup()
from kam.portfolio.tasks import refresh_health_task
refresh_health_task.delay([int(sys.argv[1])])
"""


@pytest.fixture(scope="module")
def pg():
    cluster = faults.PostgresCluster().start()
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def redis():
    server = faults.RedisServer().start()
    yield server
    server.close()


def _wait_for_log(log: Path, text: str, timeout: float) -> str:
    faults.wait_for(lambda: text in log.read_text(), timeout, f"{text!r} in the worker's log")
    return log.read_text()


def test_a_worker_retries_a_task_through_a_database_outage(pg, redis, tmp_path):
    env = faults.django_env(
        DATABASE_URL=pg.create_database("workerfaults"), CELERY_BROKER_URL=redis.url(0), KAM_VAR_DIR=str(tmp_path)
    )
    account = faults.seed(env)["account"]
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                faults.PYTHON,
                "-m",
                "celery",
                "-A",
                "kam",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-mingle",
            ],
            cwd=faults.ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_log(log, "ready.", 60)
        time.sleep(2)  # what the seed may have enqueued runs first
        succeeded_before = log.read_text().count("succeeded")
        pg.stop()
        try:
            subprocess.run([faults.PYTHON, "-c", ENQUEUE, str(account)], cwd=faults.ROOT, env=env, check=True)
            text = _wait_for_log(log, "Retry in", 60)
            assert "OperationalError" in text
        finally:
            pg.start()
        faults.wait_for(
            lambda: log.read_text().count("succeeded") > succeeded_before, 90, "the retried task to succeed"
        )
        # The retry ran the task: the account's health row is there.
        count = f"from accounts.models import AccountHealth; print(AccountHealth.objects.filter(account_id={account}).count())"
        assert faults.manage(env, "shell", "-c", count).strip().splitlines()[-1] == "1"
    finally:
        worker.terminate()
        worker.wait(30)
