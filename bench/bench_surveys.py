"""Time survey delivery with a real worker: N invitations through Redis to a local SMTP sink.

    DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… .venv/bin/python bench/bench_surveys.py
        [--sizes 1000 10000] [--limit 60] [--memory-growth 20]

Needs PostgreSQL (exits 2 otherwise): it creates a scratch database of its own on the server in
DATABASE_URL (``bench_<pid>_<random>``, bench/scratch_db.py), migrates it, and drops that one, and
only that one, at the end; the database DATABASE_URL names is not touched. Per size: a fresh worker process
(``celery -A kam worker --pool=solo``, production settings, DEBUG off) on a queue of its own,
the invitations created in bulk and enqueued with ``enqueue_invitations``, and an in-process SMTP
sink that answers at once. Measures the wall time until every row is sent and the worker's peak
resident memory (VmHWM). Exits 1 if the largest size takes over ``--limit`` seconds or its peak
memory is more than ``--memory-growth`` percent above the smallest size's.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_db import scratch_database  # noqa: E402

WORKER_READY_TIMEOUT = 60


@dataclass
class Result:
    size: int
    sent: int  # rows marked sent when the clock stopped: size, unless the run gave up
    seconds: float
    peak_rss_kb: int
    worker_cpu: float  # seconds the worker spent on the CPU: how much of the wall time is its own work
    sink_cpu: float  # seconds this process (the SMTP sink, mostly) spent on the CPU
    messages: int
    distinct: int


def _worker_env(database_url: str, broker_url: str, var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="kam.settings",
        DEBUG="0",  # as in production; DEBUG on would also keep every query in memory
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        CONN_MAX_AGE="0",
        CELERY_BROKER_URL=broker_url,
        KAM_VAR_DIR=var_dir,
    )
    return env


def _start_worker(env: dict[str, str], queue: str, log_path: Path) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "celery", "-A", "kam", "worker", "--loglevel=INFO"),
        *("--pool=solo", "--concurrency=1", "--prefetch-multiplier=1", "-Q", queue),
        *("-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}:\n{log_path.read_text()[-3000:]}")
        if " ready." in log_path.read_text():
            return worker
        time.sleep(0.1)
    _stop_worker(worker)
    raise RuntimeError(f"the worker was not ready after {WORKER_READY_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")


def _stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    try:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    except ProcessLookupError:
        pass


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/<pid>/status")


def _purge(broker_url: str, queue_name: str, *, delete: bool = False) -> None:
    from kombu import Connection, Exchange, Queue

    with Connection(broker_url) as conn:
        queue = Queue(queue_name, Exchange(queue_name), routing_key=queue_name).bind(conn.default_channel)
        if delete:
            queue.declare()
            queue.delete()
        else:
            queue.purge()


def run(size: int, *, env: dict[str, str], queue: str, broker_url: str, log_dir: Path, give_up: float) -> Result:
    from stakeholders.models import InvitationStatus, SurveyInvitation
    from stakeholders.surveys.dispatch import enqueue_invitations
    from tests.smtp_sink import SmtpSink
    from tests.survey_factories import SendingCampaignFactory, bulk_invitations

    campaign = SendingCampaignFactory(name=f"Bench {size}")
    ids = bulk_invitations(campaign, size, prefix=f"bench{size}-")
    sent = SurveyInvitation.objects.filter(campaign=campaign, status=InvitationStatus.SENT)
    _purge(broker_url, queue)
    with SmtpSink() as sink:
        worker = _start_worker({**env, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}, queue, log_dir / f"{size}.log")
        try:
            cpu_at_start = _cpu_seconds(worker.pid)
            sink_at_start = time.process_time()
            started = time.monotonic()
            enqueued = enqueue_invitations(ids)
            if enqueued != size:
                raise RuntimeError(f"only {enqueued} of {size} invitations could be enqueued")
            while (done := sent.count()) < size and time.monotonic() - started < give_up:
                if worker.poll() is not None:
                    raise RuntimeError(f"the worker died:\n{(log_dir / f'{size}.log').read_text()[-3000:]}")
                time.sleep(0.1)
            seconds = time.monotonic() - started
            peak = _peak_rss_kb(worker.pid)
            cpu = _cpu_seconds(worker.pid) - cpu_at_start
            sink_cpu = time.process_time() - sink_at_start
        finally:
            _stop_worker(worker)
        return Result(size, done, seconds, peak, cpu, sink_cpu, sink.count, sink.distinct)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--limit", type=float, default=60.0, help="most seconds the largest size may take")
    parser.add_argument("--give-up", type=float, default=300.0, help="stop waiting for a size after this many seconds")
    parser.add_argument(
        "--memory-growth", type=float, default=20.0, help="most percent the peak memory may grow, smallest to largest"
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("bench_surveys needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/any (a scratch")
        print("database of its own, bench_<pid>_<random>, is created on that server and dropped afterwards).")
        return 2
    if not broker_url.startswith("redis://"):
        print("bench_surveys needs Redis: set CELERY_BROKER_URL=redis://host:6379/N.")
        return 2
    with scratch_database(database_url) as scratch_url, tempfile.TemporaryDirectory(prefix="bench-surveys-") as temp:
        log_dir = Path(temp)
        env = _worker_env(scratch_url, broker_url, str(log_dir / "var"))
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env={**env, "DEBUG": "1"},
            capture_output=True,
            text=True,
        )
        if migrate.returncode != 0:
            print(migrate.stdout[-2000:], migrate.stderr[-2000:])
            return 1

        os.environ.update(
            DJANGO_SETTINGS_MODULE="kam.settings",
            DEBUG="0",
            SECRET_KEY=env["SECRET_KEY"],
            DATABASE_URL=scratch_url,
            KAM_VAR_DIR=env["KAM_VAR_DIR"],
            LOG_LEVEL="WARNING",
        )
        import django

        django.setup()
        from django.db import connections

        from kam.celery import app

        queue = f"kam-bench-surveys-{uuid.uuid4().hex[:12]}"
        # Every send_invitations.delay() of this process goes to the bench worker's queue.
        app.conf.task_default_queue = queue
        try:
            results = [
                run(size, env=env, queue=queue, broker_url=broker_url, log_dir=log_dir, give_up=args.give_up)
                for size in args.sizes
            ]
        finally:
            _purge(broker_url, queue, delete=True)
            connections.close_all()

    print(
        f"Survey delivery: one worker (solo pool), PostgreSQL, Redis, SMTP sink without delay; limit {args.limit:.0f} s"
    )
    print(
        f"{'invitations':>12}{'sent':>8}{'wall s':>9}{'per s':>9}{'worker CPU s':>14}{'sink CPU s':>12}{'peak RSS MB':>13}"
        f"{'messages':>10}{'duplicates':>12}"
    )
    for r in results:
        print(
            f"{r.size:>12}{r.sent:>8}{r.seconds:>9.1f}{r.sent / r.seconds:>9.0f}{r.worker_cpu:>14.1f}{r.sink_cpu:>12.1f}"
            f"{r.peak_rss_kb / 1024:>13.1f}"
            f"{r.messages:>10}{r.messages - r.distinct:>12}"
        )
    smallest, largest = results[0], results[-1]
    growth = 100 * (largest.peak_rss_kb / smallest.peak_rss_kb - 1)
    print(f"peak memory {smallest.size} → {largest.size}: {growth:+.1f} % (limit +{args.memory_growth:.0f} %)")
    failures = []
    for r in results:
        if r.sent < r.size:
            failures.append(f"gave up on {r.size} invitations after {r.seconds:.0f} s with {r.sent} sent")
    if largest.seconds > args.limit:
        failures.append(f"{largest.size} invitations took {largest.seconds:.1f} s (limit {args.limit:.0f} s)")
    if growth > args.memory_growth:
        failures.append(f"peak memory grew {growth:.1f} % (limit {args.memory_growth:.0f} %)")
    if any(r.sent == r.size and r.distinct != r.size for r in results):
        failures.append("the sink did not receive every invitation")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
