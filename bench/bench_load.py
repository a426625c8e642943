"""Mixed load behind gunicorn: KAMs editing plans, managers on the dashboard, customers answering surveys.

    .venv/bin/python bench/bench_load.py [--users 50] [--seconds 60] [--soak 600] [--workers 2]

With DATABASE_URL=postgres://… the bench creates a database of its own on that server
(``bench_<pid>_<random>``, bench/scratch_db.py), and drops that one, and only that one, at the end; without DATABASE_URL
it starts a private PostgreSQL cluster (tests/pgcluster.py: initdb in a temporary directory, a free
port) and removes it afterwards. It migrates, collects static files, seeds one KAM with an account
and a draft plan per simulated user, managers over them and survey invitations (the factories of
tests/), makes their login sessions, and starts gunicorn with kam/gunicorn.conf.py and production
settings (bench_pages' environment: DEBUG off, its own SECRET_KEY, no HTTPS redirect, no rate
limits). Locust (bench/locustfile.py) runs as a second process on loopback:

- KAM (weight 3): GET a step of their plan, POST the form back as it came (a 302 is a save);
- manager (weight 1): GET the dashboard;
- customer (weight 2): GET a survey answer page, POST an answer (302 to the thanks page).

Prints requests, failures by status and the 50th/95th/99th percentile per kind. ``--soak S`` runs
S seconds and samples the gunicorn workers' resident memory and the database's connection count
every 10 s, and says whether each stayed flat. Exits 1 on any failure (a status other than the
expected one, or no response).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import _production_env  # noqa: E402
from bench.pages_gunicorn import _free_port, _workers  # noqa: E402
from bench.scratch_db import own_database  # noqa: E402

SAMPLE_EVERY_S = 10
KINDS = (
    "kam: plan step GET",
    "kam: plan step POST",
    "manager: dashboard",
    "customer: survey GET",
    "customer: survey POST",
)


# Data ------------------------------------------------------------------------------------------


def seed(*, kams: int, managers: int, invitations: int) -> dict:
    """Users, accounts, draft plans and open survey invitations for the load, with login sessions.

    Needs Django set up against a migrated database. Returns what the locustfile reads: the
    session cookie's name, per KAM a session with an account and a plan, per manager a session,
    and the survey tokens.
    """
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from kam.models import Role
    from stakeholders.models import InvitationStatus, SurveyInvitation
    from stakeholders.surveys.tokens import invitation_token
    from tests.factories import AccountFactory, UserFactory
    from tests.plan_factories import PeriodFactory, PlanFactory
    from tests.stakeholder_factories import AffiliationFactory
    from tests.survey_factories import CampaignFactory, bulk_invitations

    def session(user) -> str:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    today = timezone.localdate()
    period = PeriodFactory(name=f"Load {today.year}", start=date(today.year, 1, 1), end=date(today.year, 12, 31))
    bosses = [UserFactory(username=f"load.mgr.{n}", role=Role.MANAGER) for n in range(max(1, managers))]
    subjects: dict = {"session_cookie": settings.SESSION_COOKIE_NAME, "kams": [], "managers": [], "tokens": []}
    for n in range(kams):
        kam = UserFactory(username=f"load.kam.{n}", manager=bosses[n % len(bosses)])
        account = AccountFactory(owner=kam, name=f"Load Klinikum {n}", is_key_account=True)
        people = [AffiliationFactory(account=account).person_id for _ in range(3)]
        plan = PlanFactory(account=account, period=period)
        subjects["kams"].append({"session": session(kam), "account": account.pk, "plan": plan.pk, "people": people})
    subjects["managers"] = [{"session": session(boss)} for boss in bosses]
    if invitations:
        campaign = CampaignFactory(name="Load survey", created_by=bosses[0])
        ids = bulk_invitations(campaign, invitations, prefix="load")
        SurveyInvitation.objects.filter(pk__in=ids).update(status=InvitationStatus.SENT, sent_at=timezone.now())
        subjects["tokens"] = [invitation_token(i) for i in SurveyInvitation.objects.filter(pk__in=ids).order_by("pk")]
    return subjects


# Gunicorn --------------------------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], log_dir: Path, workers: int = 2) -> tuple[subprocess.Popen, str]:
    """gunicorn with the production config on a free loopback port; returns it once /healthz answers."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # No control socket: its default path is one per OS user, shared with any other gunicorn running.
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "kam/gunicorn.conf.py",
        "--workers",
        str(workers),
        "--no-control-socket",
    ]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", str(log_dir / "access.log"), "kam.wsgi"]
    log = log_dir / "gunicorn.log"
    with log.open("ab") as out:
        server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server, base
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            stop_gunicorn(server)
            raise RuntimeError(f"gunicorn did not come up:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def load_env(var_dir: str, database_url: str) -> dict[str, str]:
    """bench_pages' production environment on ``database_url``, with the product's URLs and a
    file-system Celery broker under ``var_dir`` (the tasks a save enqueues go nowhere shared)."""
    env = {**_production_env(var_dir), "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "kam.settings"}
    env["CELERY_BROKER_URL"] = ""
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate the database and collect static files (the manifest storage needs its manifest)."""
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


# Soak samples ----------------------------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        # No model for pg_stat_activity; our own connection is not the app's.
        cursor.execute("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@dataclass
class Sample:
    second: float
    rss_mb: dict[int, float]
    connections: int


def _flat(values: list[float], slack: float) -> tuple[bool, str]:
    """Flat: the last third of the run stays within ``slack`` of the first third (after the first
    sample, which is taken while the users are still starting)."""
    body = values[1:] if len(values) > 3 else values
    third = max(1, len(body) // 3)
    first, last = max(body[:third]), max(body[-third:])
    return last <= first + slack, f"{first:.0f} → {last:.0f}"


def print_soak(samples: list[Sample]) -> None:
    print(f"\nSoak samples every {SAMPLE_EVERY_S} s: gunicorn workers' RSS (MB) and PostgreSQL connections")
    for s in samples:
        rss = " ".join(f"{mb:6.1f}" for mb in s.rss_mb.values())
        print(f"  {s.second:6.0f} s   RSS {rss}   connections {s.connections}")
    if len(samples) < 3:
        print("  too few samples to judge")
        return
    total = [sum(s.rss_mb.values()) for s in samples]
    rss_flat, rss_range = _flat(total, slack=max(10.0, 0.05 * total[0]))
    con_flat, con_range = _flat([float(s.connections) for s in samples], slack=0)
    print(f"  workers' RSS, summed: {'flat' if rss_flat else 'GROWING'} ({rss_range} MB)")
    print(f"  database connections: {'flat' if con_flat else 'GROWING'} ({con_range})")


# Report ----------------------------------------------------------------------------------------


@dataclass
class Report:
    kinds: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Report:
        return cls(json.loads(path.read_text()))

    @property
    def requests(self) -> int:
        return sum(k["requests"] for k in self.kinds.values())

    def failures(self) -> dict[str, int]:
        """Responses other than the expected status, by status ("0" is no response at all)."""
        out: dict[str, int] = {}
        for kind in self.kinds.values():
            for status, count in kind["failures"].items():
                out[status] = out.get(status, 0) + count
        return dict(sorted(out.items()))

    def server_errors(self) -> int:
        return sum(n for status, n in self.failures().items() if status == "0" or status.startswith("5"))

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "failures": self.failures(),
            "server_errors": self.server_errors(),
            "kinds": {
                name: {"requests": k["requests"], **{f"p{p}_ms": percentile(k["times_ms"], p) for p in (50, 95, 99)}}
                for name, k in self.kinds.items()
            },
        }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)] if ordered else 0.0  # nearest rank


def print_report(report: Report, users: int, seconds: int) -> None:
    print(f"\n{users} users for {seconds} s: {report.requests} requests ({report.requests / seconds:.1f}/s)")
    print(f"Failures by status: {report.failures() or 'none'}")
    print(f"{'kind':<24}{'requests':>9}{'failures':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name in KINDS:
        kind = report.kinds.get(name)
        if not kind:
            print(f"{name:<24}{0:>9}")
            continue
        times = kind["times_ms"]
        failed = sum(kind["failures"].values())
        print(
            f"{name:<24}{kind['requests']:>9}{failed:>9}{percentile(times, 50):>9.0f}{percentile(times, 95):>9.0f}"
            f"{percentile(times, 99):>9.0f}{max(times, default=0):>9.0f}"
        )
    times = [t for k in report.kinds.values() for t in k["times_ms"]]
    if times:
        print(f"{'all':<24}{len(times):>9}{'':>9}{percentile(times, 50):>9.0f}{percentile(times, 95):>9.0f}"
              f"{percentile(times, 99):>9.0f}{max(times):>9.0f}")  # fmt: skip


# Run -------------------------------------------------------------------------------------------


def run_locust(base: str, subjects: Path, report: Path, users: int, seconds: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
    command += ["--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s"]
    command += ["--host", base, "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING"]
    env = {**os.environ, "LOAD_SUBJECTS": str(subjects), "LOAD_REPORT": str(report)}
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def measure(*, users: int, seconds: int, workers: int, soak: bool, temp: Path) -> tuple[Report, list[Sample]]:
    import django

    django.setup()
    subjects = seed(kams=users, managers=max(1, users // 10), invitations=users * seconds // 4 + 50)
    subjects_file = temp / "subjects.json"
    subjects_file.write_text(json.dumps(subjects))
    from django.db import connections

    connections.close_all()
    env = {k: os.environ[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "CELERY_BROKER_URL")}
    server, base = start_gunicorn(env, temp, workers)
    samples: list[Sample] = []
    try:
        report_file = temp / "report.json"
        started = time.monotonic()
        locust = run_locust(base, subjects_file, report_file, users, seconds, temp / "locust.log")
        next_sample = started + SAMPLE_EVERY_S
        while locust.poll() is None:
            time.sleep(0.5)
            if soak and time.monotonic() >= next_sample:
                rss = {pid: _rss_mb(pid) for pid in _workers(server.pid)}
                samples.append(Sample(time.monotonic() - started, rss, _connections()))
                next_sample += SAMPLE_EVERY_S
            if time.monotonic() - started > seconds + 120:
                locust.kill()
                raise RuntimeError("locust did not stop")
        if not report_file.exists():
            raise RuntimeError(f"locust wrote no report:\n{(temp / 'locust.log').read_text()[-3000:]}")
        report = Report.read(report_file)
        if report.server_errors():
            print((temp / "gunicorn.log").read_text()[-3000:])
        return report, samples
    finally:
        stop_gunicorn(server)
        connections.close_all()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument(
        "--soak", type=int, default=0, metavar="S", help="run S seconds sampling memory and connections"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, 4 threads each)")
    parser.add_argument("--json", type=Path, help="also write the summary to this file")
    args = parser.parse_args()
    seconds = args.soak or args.seconds
    if args.users < 1 or seconds < 2:
        parser.error("--users must be at least 1 and the run at least 2 seconds")

    with tempfile.TemporaryDirectory(prefix="bench-load-") as temp, own_database() as url:
        env = load_env(temp, url)
        os.environ.update(env)
        prepare(env)
        report, samples = measure(
            users=args.users, seconds=seconds, workers=args.workers, soak=bool(args.soak), temp=Path(temp)
        )
    print(
        f"gunicorn: {args.workers} workers × 4 threads (kam/gunicorn.conf.py), production settings; locust on loopback"
    )
    print_report(report, args.users, seconds)
    if samples:
        print_soak(samples)
    if args.json:
        args.json.write_text(json.dumps(report.summary(), indent=2))
    return 1 if report.failures() or report.requests == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
