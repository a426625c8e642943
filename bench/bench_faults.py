"""Faults under write load: what each outage costs in errors, lost writes, dropped background work.

    .venv/bin/python bench/bench_faults.py [--writers 6] [--pg-stop 15] [--redis-kill 30] [--redis-freeze 30]

Everything runs on servers of the bench's own, in temporary directories that are removed on exit
(also after Ctrl-C or SIGTERM): a PostgreSQL cluster and a redis-server on free loopback ports
(tests/faults.py), gunicorn with kam/gunicorn.conf.py and production settings (bench_load: 2
workers × 4 threads), one Celery worker and Celery beat (kam.beat's scheduler). Redis is the
broker and the cache, with its append-only file as docs/operations.md configures it (``--no-aof``:
without); the export cache stays on files. Static files are collected into the checkout's
(git-ignored) staticfiles/ as bench_load does, since the production settings need their manifest.

Writers (threads, one KAM each, signed in) GET a page and POST its form, over and over: a
touchpoint (a unique marker in the summary, on an account of a pool kept per window, so that a
refresh after the fault cannot hide one dropped during it), step 1 of their plan (the marker in the
commentary, with the version the page gave) and their account (the marker in the address). Every
request is recorded: when, how long, its status and marker.

Then, one after the other with ``--recovery`` seconds between: PostgreSQL stopped (pg_ctl stop -m
fast, start), PostgreSQL restarted, Redis killed (SIGKILL, started again on the same port and
directory), Redis frozen (SIGSTOP, SIGCONT), the Celery worker killed (SIGKILL to its process
group while it works) and started again. After the last one the writers stop and the bench waits
up to ``--grace`` seconds for the background work to catch up, then checks:

- acknowledged but lost: every marker of a 2xx/3xx save is in the database (touchpoints; the plan
  step's and the account's history);
- dropped background work: for each touchpoint and plan-step save, its account's
  ``AccountHealth.computed_at`` is after the request started; for each plan-step save, with the
  outbox (kam.OutboxTask) a pre-render that was done and started after the save, without it the
  plan's final state in the export cache;
- recovery: from the end of a fault to the first 2xx GET page and the first acknowledged save.

Prints one table (per fault: the fault window and the recovery window after it) and the p95 of
saves while Redis was frozen against the p95 outside the faults (the baseline and the recovery
windows). Exits 1 on a lost write or dropped work.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_load import load_env, percentile, prepare, seed, start_gunicorn, stop_gunicorn  # noqa: E402
from bench.fault_checks import await_background, lost_writes  # noqa: E402
from tests import faults  # noqa: E402

FAULTS = ("pg-stop", "pg-restart", "redis-kill", "redis-freeze", "worker-kill")
POOL = 3  # touchpoint accounts per writer and window


# Records ---------------------------------------------------------------------------------------


@dataclass
class Call:
    writer: int
    kind: str  # "touchpoint", "step", "account"
    method: str
    window: int
    started: float  # time.time()
    seconds: float
    status: int  # 0: no response
    marker: str = ""
    target: int = 0  # the account (touchpoint, account) or plan (step)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


@dataclass
class Window:
    label: str
    fault: str
    started: float
    ended: float = 0.0


@dataclass
class Run:
    """What the writers and the fault driver share."""

    windows: list[Window] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def window(self) -> int:
        return len(self.windows) - 1

    def open(self, label: str, fault: str) -> None:
        now = time.time()
        with self.lock:
            if self.windows:
                self.windows[-1].ended = now
            self.windows.append(Window(label, fault, now))

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)


# Writers ---------------------------------------------------------------------------------------


def writer(run: Run, n: int, site: faults.Site, subject: dict, think: float) -> None:
    """GET a form, POST it back with a new marker; touchpoint, plan step 1, account, in turn.

    When the page fails, the form from the last good page is sent anyway, as a user would press
    Save on a page loaded before the outage."""
    seq = 0
    forms: dict[str, list[tuple[str, str]]] = {}
    while not run.stop.is_set():
        for kind in ("touchpoint", "step", "account"):
            if run.stop.is_set():
                return
            seq += 1
            marker = f"fb{n}x{seq}x{secrets.token_hex(3)}"
            window, person = run.window, 0
            if kind == "touchpoint":
                pool = subject["pools"][window % len(subject["pools"])]
                account, person = pool[seq % len(pool)]
                path, target = f"/stakeholders/accounts/{account}/touchpoints/new/", account
            elif kind == "step":
                path, target = f"/plans/{subject['plan']}/step/1/", subject["plan"]
            else:
                path, target = f"/accounts/{subject['account']}/edit/", subject["account"]
            page = _call(run, site, Call(n, kind, "GET", window, 0, 0, 0, target=target), path)
            if page is not None and page.status == 200:
                forms[kind] = [(k, v) for k, v in faults.form_fields(page.body, path) if k not in _REPLACED[kind]]
            if kind in forms:
                call = Call(n, kind, "POST", run.window, 0, 0, 0, marker, target)
                _call(run, site, call, path, forms[kind] + _marked(kind, marker, person))
                if kind == "step" and call.ok:
                    # The saved step's version moved on by one: the next blind save must say so.
                    forms[kind] = [(k, str(int(v) + 1) if k == "version" else v) for k, v in forms[kind]]
            run.stop.wait(think)


_REPLACED = {"touchpoint": {"summary", "stakeholders"}, "step": {"commentary"}, "account": {"address"}}


def _marked(kind: str, marker: str, person: int) -> list[tuple[str, str]]:
    if kind == "touchpoint":
        return [("summary", marker), ("stakeholders", str(person))]
    return [("commentary" if kind == "step" else "address", marker)]


def _call(run: Run, site: faults.Site, call: Call, path: str, fields: list | None = None) -> faults.Response | None:
    call.started = time.time()
    started = time.monotonic()
    try:
        response = site.post(path, fields, timeout=30) if fields is not None else site.get(path, timeout=30)
    except OSError:
        response = None
    call.seconds = time.monotonic() - started
    call.status = response.status if response is not None else 0
    run.record(call)
    return response


# Servers ---------------------------------------------------------------------------------------


class Celery:
    """The worker or beat, in a process group of its own (so SIGKILL takes the pool children too)."""

    def __init__(self, env: dict[str, str], temp: Path, role: str) -> None:
        self.env, self.temp, self.role = env, temp, role
        self.process: subprocess.Popen | None = None

    def start(self) -> Celery:
        command = [faults.PYTHON, "-m", "celery", "-A", "kam", self.role, "--loglevel=INFO"]
        if self.role == "worker":
            command += ["--concurrency=2", "--without-mingle", "--without-gossip"]
            command += ["-n", f"faultbench-{os.getpid()}@%h"]
        else:
            command += ["--pidfile", str(self.temp / "beat.pid"), "--schedule", str(self.temp / "beat-schedule")]
        with (self.temp / f"{self.role}.log").open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def _queued(redis_url: str) -> tuple[int, int]:
    """Messages waiting in the broker's default queue, and taken but not acknowledged."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        return client.llen("celery"), client.hlen("unacked")
    except redis.RedisError:
        return -1, -1


# Faults ----------------------------------------------------------------------------------------


def run_faults(run: Run, args, pg, redis, worker: Celery) -> dict[str, dict]:
    """Each fault in turn, a recovery window after each. Returns notes per fault."""
    notes: dict[str, dict] = {}
    for name in args.faults:
        run.open("fault", name)
        if name == "pg-stop":
            pg.stop()
            time.sleep(args.pg_stop)
            pg.start()
            notes[name] = {"what": f"PostgreSQL stopped {args.pg_stop:g} s (pg_ctl stop -m fast; start)"}
        elif name == "pg-restart":
            pg.stop()
            pg.start()
            notes[name] = {"what": "PostgreSQL restarted (stop -m fast, start)"}
        elif name == "redis-kill":
            redis.kill()
            time.sleep(args.redis_kill)
            redis.start()
            notes[name] = {"what": f"Redis killed {args.redis_kill:g} s (SIGKILL; same port and dir)"}
        elif name == "redis-freeze":
            redis.pause()
            time.sleep(args.redis_freeze)
            redis.resume()
            notes[name] = {"what": f"Redis frozen {args.redis_freeze:g} s (SIGSTOP; SIGCONT)"}
        elif name == "worker-kill":
            queued, unacked = _queued(redis.url(0))
            worker.kill()
            time.sleep(args.worker_down)
            worker.start()
            notes[name] = {
                "what": f"Celery worker SIGKILLed, {args.worker_down:g} s down",
                "detail": f"at the kill: {queued} queued, {unacked} taken and unacknowledged",
            }
        run.open("after", name)
        time.sleep(args.recovery)
    return notes


# Report ----------------------------------------------------------------------------------------


def _recovery(calls: list[Call], since: float, method: str) -> str:
    """Seconds from ``since`` until the first success of ``method`` that started after it."""
    ends = [c.started + c.seconds for c in calls if c.method == method and c.ok and c.started >= since]
    return f"{min(ends) - since:.1f}" if ends else "never"


def print_report(run: Run, notes: dict, lost: list[Call], health: list[Call], prerender: list[Call], how: str) -> None:
    per_window: dict[int, list[Call]] = {}
    for c in run.calls:
        per_window.setdefault(c.window, []).append(c)

    def markers(found: list[Call], index: int) -> int:
        return sum(1 for c in found if c.window == index)

    head = f"{'fault':<14}{'window':<10}{'s':>6}{'requests':>9}{'saves':>6}{'acked':>6}  {'errors by status':<26}"
    head += f"{'lost':>5}{'health':>7}{'prerndr':>8}{'save p95':>9}{'GET up':>7}{'save up':>8}"
    print("\n" + head)
    print("-" * len(head))
    for index, window in enumerate(run.windows):
        calls = per_window.get(index, [])
        saves = [c for c in calls if c.method == "POST"]
        errors = Counter(str(c.status) for c in calls if not c.ok)
        p95 = percentile([c.seconds * 1000 for c in saves], 95)
        up_get = up_save = ""
        if window.label == "after":
            up_get, up_save = _recovery(run.calls, window.started, "GET"), _recovery(run.calls, window.started, "POST")
        text = ", ".join(f"{s}: {n}" for s, n in sorted(errors.items())) or "none"
        print(
            f"{window.fault:<14}{window.label:<10}{window.ended - window.started:>6.1f}{len(calls):>9}{len(saves):>6}"
            f"{sum(c.ok for c in saves):>6}  {text:<26}{markers(lost, index):>5}{markers(health, index):>7}"
            f"{markers(prerender, index):>8}{p95:>9.0f}{up_get:>7}{up_save:>8}"
        )
    print("\nrequests: GET pages and POST saves started in the window; acked: saves answered 2xx/3xx;")
    print("errors: responses other than 2xx/3xx, by status (0: no response); lost: acked saves whose marker")
    print("is not in the database; health: acked touchpoint/step saves whose account's health was not")
    print(f"refreshed after them; prerndr: step saves without a pre-render ({how});")
    print("GET up / save up: seconds from the fault's end to the first 2xx page / acknowledged save.")
    for name, note in notes.items():
        print(f"  {name}: {note['what']}" + (f"; {note['detail']}" if "detail" in note else ""))
    # Normal: saves outside the faults (the baseline and the recovery windows).
    baseline = [
        c.seconds
        for i, w in enumerate(run.windows)
        if w.label != "fault"
        for c in per_window.get(i, [])
        if c.method == "POST"
    ]
    frozen = [
        c.seconds
        for i, w in enumerate(run.windows)
        if w.fault == "redis-freeze" and w.label == "fault"
        for c in per_window.get(i, [])
        if c.method == "POST"
    ]
    if baseline and frozen:
        normal, during = percentile(baseline, 95), percentile(frozen, 95)
        verdict = "within" if during <= normal + 1 else "OVER"
        print(
            f"Save p95 while Redis was frozen: {during:.2f} s, outside the faults {normal:.2f} s: {verdict} normal + 1 s"
        )


# Run -------------------------------------------------------------------------------------------


def seed_pools(kams: list[dict], windows: int) -> None:
    """Per writer and window, POOL accounts of the writer's own with a stakeholder each."""
    from kam.models import User
    from tests.factories import AccountFactory
    from tests.stakeholder_factories import AffiliationFactory

    for n, subject in enumerate(kams):
        owner = User.objects.get(username=f"load.kam.{n}")
        subject["pools"] = []
        for w in range(windows):
            pool = []
            for p in range(POOL):
                account = AccountFactory(owner=owner, name=f"Fault Klinikum {n}-{w}-{p}")
                pool.append((account.pk, AffiliationFactory(account=account).person_id))
            subject["pools"].append(pool)


def _keep_logs(temp: Path, to: Path) -> None:
    to.mkdir(parents=True, exist_ok=True)
    for log in temp.glob("*.log"):
        shutil.copy(log, to / log.name)


def measure(args, temp: Path, stack: contextlib.ExitStack) -> int:
    if args.keep_logs:
        # Registered first, so it runs last: after the servers stopped, before the directory goes.
        stack.callback(_keep_logs, temp, args.keep_logs)
    pg = faults.PostgresCluster().start()
    stack.callback(pg.close)
    redis = faults.RedisServer(appendonly=not args.no_aof).start()
    stack.callback(redis.close)
    env = load_env(str(temp), pg.create_database("kam"))
    env.update({"CELERY_BROKER_URL": redis.url(0), "CACHE_URL": redis.url(1), "PLAN_EXPORT_PRERENDER": "1"})
    os.environ.update(env)
    prepare(env)

    import django

    django.setup()
    from django.db import connections

    subjects = seed(kams=args.writers, managers=1, invitations=0)
    seed_pools(subjects["kams"], 1 + 2 * len(args.faults))
    connections.close_all()

    server, base = start_gunicorn(env, temp, workers=2)
    stack.callback(stop_gunicorn, server)
    worker = Celery(dict(os.environ), temp, "worker").start()
    stack.callback(worker.stop)
    beat = Celery(dict(os.environ), temp, "beat").start()
    stack.callback(beat.stop)

    run = Run()
    stack.callback(run.stop.set)
    run.open("baseline", "none")
    port = int(base.rsplit(":", 1)[1])
    threads = []
    for n, subject in enumerate(subjects["kams"]):
        site = faults.Site(port, server)
        site.cookies = {subjects["session_cookie"]: subject["session"], "csrftoken": secrets.token_hex(16)}
        thread = threading.Thread(target=writer, args=(run, n, site, subject, args.think), daemon=True)
        thread.start()
        threads.append(thread)
    time.sleep(args.baseline)
    notes = run_faults(run, args, pg, redis, worker)
    run.stop.set()
    run.windows[-1].ended = time.time()
    for thread in threads:
        thread.join(60)

    saves = [c for c in run.calls if c.method == "POST"]
    health, prerender, how, waited = await_background(saves, subjects["kams"], args.grace)
    queued, unacked = _queued(redis.url(0))
    lost = lost_writes(saves)
    print(
        f"\ngunicorn 2 workers × 4 threads, 1 Celery worker (2 processes) and beat; {args.writers} writers, "
        f"think {args.think:g} s; own PostgreSQL :{pg.port} and Redis :{redis.port} "
        f"({'no persistence' if args.no_aof else 'appendonly, fsync every second'})"
    )
    print_report(run, notes, lost, health, prerender, how)
    print(
        f"Background work checked {waited:.0f} s after the writers stopped (grace {args.grace:g} s); "
        f"broker then: {queued} queued, {unacked} unacknowledged."
    )
    print(f"Totals: {len(run.calls)} requests, {sum(c.ok for c in saves)} acknowledged saves, {len(lost)} lost, "
          f"{len(health)} health refreshes and {len(prerender)} pre-renders missing.")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps([c.__dict__ for c in run.calls]))
    return 1 if lost or health or prerender else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=6, help="writer threads, one KAM each (default 6)")
    parser.add_argument("--think", type=float, default=1.0, help="seconds each writer waits between saves (1)")
    parser.add_argument("--baseline", type=float, default=20, help="seconds of load before the first fault (20)")
    parser.add_argument("--recovery", type=float, default=20, help="seconds after each fault (20)")
    parser.add_argument("--pg-stop", type=float, default=15, help="seconds PostgreSQL stays stopped (15)")
    parser.add_argument("--redis-kill", type=float, default=30, help="seconds Redis stays dead (30)")
    parser.add_argument("--redis-freeze", type=float, default=30, help="seconds Redis stays frozen (30)")
    parser.add_argument("--worker-down", type=float, default=5, help="seconds before the killed worker restarts (5)")
    parser.add_argument("--grace", type=float, default=180, help="seconds for background work to catch up (180)")
    parser.add_argument("--faults", nargs="+", choices=FAULTS, default=list(FAULTS), help="which, in this order")
    parser.add_argument(
        "--no-aof", action="store_true", help="Redis without its append-only file (docs/operations.md has it on)"
    )
    parser.add_argument("--json", type=Path, help="also write every request to this file")
    parser.add_argument("--keep-logs", type=Path, metavar="DIR", help="copy gunicorn's, the worker's, beat's logs here")
    args = parser.parse_args()
    if args.writers < 1:
        parser.error("--writers must be at least 1")

    # SIGTERM and SIGHUP end the run as Ctrl-C does: through the finally blocks that stop the servers.
    # Ctrl-C too when started in the background, where the shell had SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda number, _frame: sys.exit(128 + number))
    print(f"$ {' '.join(sys.argv)}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-faults-") as temp, contextlib.ExitStack() as stack:
            try:
                return measure(args, Path(temp), stack)
            finally:
                # Django's connections go before the cluster does.
                with contextlib.suppress(Exception):
                    from django.db import connections

                    connections.close_all()
    except KeyboardInterrupt:
        print("Interrupted: the servers are stopped and the temporary directories removed.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
