"""Beat through a database outage: the schedule read fails soft, keeps the previous schedule, and
reads again as soon as the database is back.

The scheduler runs in a process of its own against a PostgreSQL cluster of the test's own
(tests/faults.py), which the test stops and starts; the process answers one JSON line per command.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests import faults

# The scheduler the settings name (CELERY_BEAT_SCHEDULER), driven one step at a time. "read" reads
# the schedule as beat does on a tick, six minutes later each time, so that the five-minutely full
# re-read of django-celery-beat is due ("read-now" without waiting); "tick" runs one tick; "add" creates a periodic task.
DRIVER = """
import json, sys
from datetime import datetime, timedelta

import django
django.setup()
import time_machine
from celery.utils.imports import symbol_by_name
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kam.celery import app

scheduler = symbol_by_name(app.conf.beat_scheduler)(app=app)
minutes = 0

def answer(**kw):
    print(json.dumps(kw), flush=True)

for command in sys.stdin:
    command = command.strip()
    try:
        if command == "read-now":
            answer(names=sorted(scheduler.schedule))
        elif command == "read":
            minutes += 6
            with time_machine.travel(datetime.now() + timedelta(minutes=minutes), tick=True):
                answer(names=sorted(scheduler.schedule))
        elif command == "crontab-names":
            answer(names=sorted(PeriodicTask.objects.filter(crontab__isnull=False).values_list("name", flat=True)))
        elif command == "tick":
            answer(wait=scheduler.tick())
        elif command.startswith("add "):
            every, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
            PeriodicTask.objects.create(name=command[4:], task="kam.heartbeat", interval=every)
            answer(added=True)
    except Exception as exc:
        answer(error=type(exc).__name__)
"""


@pytest.fixture(scope="module")
def pg():
    cluster = faults.PostgresCluster().start()
    yield cluster
    cluster.close()


@pytest.fixture
def scheduler(pg, tmp_path):
    env = faults.django_env(DATABASE_URL=pg.create_database("beatfaults"), KAM_VAR_DIR=str(tmp_path))
    faults.manage(env, "migrate", "--no-input", "-v", "0")
    process = subprocess.Popen(
        [faults.PYTHON, "-c", DRIVER],
        cwd=faults.ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )

    def send(command: str) -> dict:
        process.stdin.write(command + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        assert line, "the scheduler process ended"
        return json.loads(line)

    yield send
    process.stdin.close()
    process.wait(30)


def test_it_keeps_the_schedule_through_a_database_outage_and_reads_again_after(pg, scheduler):
    before = scheduler("read")["names"]
    assert "Account health refresh" in before

    pg.stop()
    try:
        during = scheduler("read")
        tick = scheduler("tick")
    finally:
        pg.start()

    assert during == {"names": before}
    assert "error" not in tick
    # Back: a task added now is in the schedule at the next read, not five minutes later.
    assert scheduler("add Added after the outage") == {"added": True}
    after = scheduler("read-now")["names"]
    assert "Added after the outage" in after
    # django-celery-beat (2.8+) reads only the crontab tasks due within two hours of now, so a
    # nightly job may come and go with the time of day; every other task is read again.
    windowed = set(scheduler("crontab-names")["names"])
    assert set(before) - windowed < set(after)
