"""Time the main pages on the large demo data, in process and behind gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_large .venv/bin/python bench/bench_pages.py
        [--runs 30] [--warmup 3] [--wrk-seconds 10] [--wrk-rounds 5] [--growth-rounds 3] [--no-wrk] [--no-small]
        [--only TEXT]

Needs PostgreSQL holding ``seed_demo --large`` (any ``--scale``; exits 2 otherwise); it only reads
that database, apart from the login sessions it makes and removes again. It needs Redis as the
shared cache, as production does (BENCH_CACHE_URL, default redis://127.0.0.1:6379/12, under a key
prefix of the run's own). It sets its own environment, for its processes only: production settings
(DEBUG off, a throwaway SECRET_KEY, static files collected), the HTTPS redirect, HSTS and the rate
limits switched off, and the bench's
URLs (``bench/pages_urls.py``: the product's plus a bare view rendering a small template, the
baseline). Targets and table: bench/pages_report.py.

1. In process, with django.test.Client: per page and role the median and 95th percentile server
   time of ``--runs`` requests after ``--warmup``, as a multiple of the bare view's median, and the
   queries of one more request: the dashboard of a KAM, a market-access colleague, an MSL, a team
   manager, a regional head, a national head over 10 teams and an administrator, the account list
   filtered and searched, an account page, its Surveys tab, its X-ray and the seven steps of its plan, the page of
   the account with tenders, contracts and the most group members, the survey answer page (a
   valid token) and the bare view; the pages take turns, a request each per round.
2. The administrator's dashboard at the plain demo's 40 accounts against the large demo's: the plain
   demo in a database of the bench's own on DATABASE_URL's server (``bench_<pid>_<random>``,
   bench/scratch_db.py: migrated, seeded with ``seed_demo``, dropped after); each database timed in
   a child process of the same kind (the bare view and the dashboard), the two taking turns
   ``--growth-rounds`` times, each as a multiple of its own run's bare view; the median of the
   rounds' growths is judged. ``--no-small`` leaves it out.
3. Behind gunicorn (2 workers, kam/gunicorn.conf.py, a socket per worker), loaded by wrk from a
   second process on loopback: requests per second and errors of the survey answer page and of
   the baseline, in alternating rounds (bench/pages_gunicorn.py); then the administrator's
   dashboard while the workers' peak resident memory (VmHWM) is read. Left out, with a line
   saying so, when wrk is not installed (apt-get install wrk).

Every target missed is marked MISS. Exits 1 if any response is not 200 (wrk: any non-2xx response
or socket error).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages_gunicorn import measure_gunicorn, print_gunicorn  # noqa: E402
from bench.pages_report import (  # noqa: E402
    BASE,
    DASHBOARD_RATIO,
    MAX_QUERIES,
    MISS,
    PAGE_RATIO,
    Scale,
    Timing,
    growth_table,
    missed_any,
    table,
)
from bench.scratch_db import scratch_database  # noqa: E402

SMALL_DASHBOARD = ("dashboard", "administrator (all accounts)")


class Page(NamedTuple):
    page: str
    role: str
    user: object  # a User, or None for an anonymous request
    url: str
    # Timed as the first view after a health refresh, with the dashboard's cached figures stale.
    cold: bool = False


def _production_env(var_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.pages_settings",
        "DEBUG": "0",  # as in production; DEBUG on would also keep every query in memory
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to HTTPS, no HSTS; no rate limit on a load test.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SURVEY_RATE_LIMIT_COUNT": "1000000000",
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "KAM_VAR_DIR": var_dir,
        # The shared cache production must have (kam.security's deploy check), so every cache read
        # costs its round trip as it would there; a key prefix of this run's own, so no entry of
        # another run or process is read, and none is deleted (they lapse).
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12"),
        "RELEASE": f"bench-{secrets.token_hex(6)}",
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank


# In process ----------------------------------------------------------------------------------------


def _subjects() -> dict:
    from django.db.models import Count, Exists, OuterRef

    from accounts.models import Account, Contract, Tender
    from kam.demo.large import CRM_PREFIX
    from kam.models import User
    from plans.models import AccountPlan, PlanningPeriod, PlanStatus
    from stakeholders.models import CampaignStatus, InvitationStatus, SurveyInvitation
    from stakeholders.surveys.tokens import invitation_token

    national = User.objects.get(username="head.de")
    team_manager = User.objects.filter(username__startswith="mgr.de.").order_by("username").first()
    # A hospital with a big DMU and a draft plan (drafts are editable: every form is drawn).
    plan = (
        AccountPlan.objects.filter(
            account__crm_id__startswith=CRM_PREFIX,
            account__owner__manager=team_manager,
            account__account_type="hospital",
            period=PlanningPeriod.current(),
            status=PlanStatus.DRAFT,
        )
        .annotate(people=Count("account__affiliations"))
        .order_by("-people", "pk")
        .select_related("account__owner")
        .first()
    )
    # The account whose page reads the most sections: tenders with lots, contracts, group members.
    tender_account = (
        Account.objects.filter(
            Exists(Tender.objects.filter(account=OuterRef("pk"))),
            Exists(Contract.objects.filter(account=OuterRef("pk"))),
        )
        .annotate(members=Count("children", distinct=True), lots=Count("tenders__lots", distinct=True))
        .order_by("-members", "-lots", "pk")
        .select_related("owner")
        .first()
    )
    invitation = (
        SurveyInvitation.objects.filter(
            campaign__status=CampaignStatus.OPEN, status=InvitationStatus.SENT, account__crm_id__startswith=CRM_PREFIX
        )
        .order_by("pk")
        .first()
    )
    return {
        "admin": User.objects.get(username="admin"),
        "national": national,
        "regional": team_manager.manager,
        "team_manager": team_manager,
        "access": User.objects.filter(username__startswith="access.de.").order_by("username").first(),
        "msl": User.objects.filter(username__startswith="msl.de.").order_by("username").first(),
        "plan": plan,
        "account": plan.account,
        "tender_account": tender_account,
        "kam": plan.account.owner,
        "token": invitation_token(invitation),
        "accounts": Account.objects.count(),
    }


def _pages(s: dict) -> list[Page]:
    account, plan = s["account"], s["plan"]
    pages = [
        Page(BASE, "anonymous", None, "/bench/bare/"),
        Page("dashboard", "KAM (own accounts)", s["kam"], "/"),
        Page("dashboard", "market access (1 team)", s["access"], "/"),
        Page("dashboard", "MSL (no figures)", s["msl"], "/"),
        Page("dashboard", "team manager (1 team)", s["team_manager"], "/"),
        Page("dashboard", "regional head", s["regional"], "/"),
        Page("dashboard", "national head (10 teams)", s["national"], "/"),
        Page(*SMALL_DASHBOARD, s["admin"], "/"),
        Page("dashboard, cold", "administrator (all accounts)", s["admin"], "/", cold=True),
        Page(
            "account list, filtered", "national head", s["national"], "/accounts/?account_type=hospital&tier=A&key=yes"
        ),
        Page("account list, searched", "national head", s["national"], f"/accounts/?q={account.city}"),
        Page("account list, searched", "administrator", s["admin"], "/accounts/?q=Klinikum"),
        Page("account page", "KAM", s["kam"], f"/accounts/{account.pk}/"),
        # Its Surveys tab, which the page loads when the tab is opened.
        Page("account, Surveys tab", "KAM", s["kam"], f"/accounts/{account.pk}/surveys/"),
        *(
            [Page("account page", "KAM, account with tenders", t.owner, f"/accounts/{t.pk}/")]
            if (t := s["tender_account"])
            else []
        ),
        Page("X-ray", "KAM", s["kam"], f"/stakeholders/accounts/{account.pk}/xray/"),
    ]
    pages += [Page(f"plan step {n}", "KAM", s["kam"], f"/plans/{plan.pk}/step/{n}/") for n in range(1, 8)]
    pages.append(Page("survey answer page", "customer (a link)", None, f"/s/{s['token']}/"))
    return pages


def _small_pages() -> list[Page]:
    """The plain demo's bare view and administrator's dashboard, for the 10,000-against-40 comparison."""
    from kam.models import User  # here, as every Django import of this module: Django is set up in main()

    return [
        Page(BASE, "anonymous", None, "/bench/bare/"),
        Page(*SMALL_DASHBOARD, User.objects.get(username="admin"), "/"),
    ]


def _client(user: object):
    from django.contrib.auth.backends import ModelBackend  # here: Django is set up in main()
    from django.test import Client

    client = Client(secure=True)
    if user is not None:
        client.force_login(user, backend=f"{ModelBackend.__module__}.{ModelBackend.__qualname__}")
    return client


def measure_in_process(pages: list[Page], runs: int, warmup: int) -> tuple[list[Timing], dict]:
    """Times ``pages``; returns the timings and the logged-in clients by user."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients: dict[object, object] = {}
    failures: dict[int, list[str]] = {n: [] for n in range(len(pages))}
    for page in pages:
        if page.user not in clients:
            clients[page.user] = _client(page.user)

    from kam.portfolio.models import FiguresVersion

    def stale(n: int) -> None:
        if pages[n].cold:
            FiguresVersion.bump()  # as a health refresh does; outside the timed part

    def get(n: int) -> None:
        response = clients[pages[n].user].get(pages[n].url)
        if response.status_code != 200:
            failures[n].append(f"{pages[n].url}: {response.status_code}")

    # Round robin, a request per page per round, so a slow patch of this shared machine (its speed
    # swings by a factor of two from one second to the next) falls on every page alike, not on the
    # few pages that happened to be measured then.
    for _ in range(warmup):
        for n in range(len(pages)):
            get(n)
    times: dict[int, list[float]] = {n: [] for n in range(len(pages))}
    for _ in range(runs):
        for n in range(len(pages)):
            stale(n)
            started = time.perf_counter()
            get(n)
            times[n].append((time.perf_counter() - started) * 1000)
    results = []
    for n, page in enumerate(pages):
        stale(n)
        with CaptureQueriesContext(connection) as queries:
            get(n)
        who = page.user.username if page.user is not None else "-"
        median, p95 = statistics.median(times[n]), _p95(times[n])
        results.append(Timing(page.page, page.role, who, median, p95, len(queries), failures[n]))
    return results, clients


def print_in_process(results: list[Timing], accounts: int, runs: int, warmup: int) -> None:
    print(
        f"In process (django.test.Client, production settings, PostgreSQL), {accounts:,} accounts; "
        f"{runs} requests per page after {warmup} warm-up requests, the pages taking turns"
    )
    print(
        f"Targets, as multiples of the bare view in this run: every page ≤ {PAGE_RATIO}×, the dashboard "
        f"≤ {DASHBOARD_RATIO}× for every role; at most {MAX_QUERIES} queries a page. {MISS}: a target missed."
    )
    print(*table(results), sep="\n")


# The dashboard at 40 accounts ----------------------------------------------------------------------


def scale_child(runs: int, warmup: int) -> None:
    """In a child process on one database (the large demo's or the plain demo's): print the bare
    view's and the administrator's dashboard's timings as JSON."""
    import django

    django.setup()
    from accounts.models import Account  # here: only once Django is set up

    results, _clients = measure_in_process(_small_pages(), runs, warmup)
    print(json.dumps({"accounts": Account.objects.count(), "timings": [asdict(r) for r in results]}))


def _scale(label: str, child_env: dict[str, str], runs: int, warmup: int) -> Scale:
    done = subprocess.run(
        [sys.executable, __file__, "--scale-child", "--runs", str(runs), "--warmup", str(warmup)],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the run on the {label} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    base, dashboard = (Timing(**t) for t in report["timings"])
    return Scale(label, report["accounts"], dashboard, base)


def measure_growth(env: dict[str, str], runs: int, warmup: int, rounds: int) -> list[tuple[Scale, Scale]]:
    """The administrator's dashboard on the large demo and on the plain demo (40 accounts, in a
    database of the bench's own on DATABASE_URL's server, migrated and seeded, then dropped:
    bench/scratch_db.py), each timed in a child process of the same kind, the two taking turns
    ``rounds`` times (who goes first alternating). Each child has a cache prefix of its own: a
    figures key of one database must never find the other's entry."""
    large_env = {**os.environ, **env}
    with scratch_database(os.environ["DATABASE_URL"]) as url:
        small_env = {**large_env, "DATABASE_URL": url}
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            done = subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=small_env, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise RuntimeError(f"manage.py {command[0]} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        pairs = []
        for n in range(rounds):
            runs_of = {
                "large": lambda: _scale(
                    "large demo (DATABASE_URL)", {**large_env, "RELEASE": f"{env['RELEASE']}-large"}, runs, warmup
                ),
                "small": lambda: _scale(
                    "plain demo (a database of the bench's own)",
                    {**small_env, "RELEASE": f"{env['RELEASE']}-small"},
                    runs,
                    warmup,
                ),
            }
            order = ["large", "small"] if n % 2 == 0 else ["small", "large"]
            scales = {name: runs_of[name]() for name in order}
            pairs.append((scales["large"], scales["small"]))
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (at least 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="seconds of load per page under gunicorn")
    parser.add_argument("--wrk-rounds", type=int, default=5, help="rounds the gunicorn load is split into")
    parser.add_argument("--no-wrk", action="store_true", help="only the in-process measurements")
    parser.add_argument("--no-small", action="store_true", help="without the dashboard at 40 accounts")
    parser.add_argument("--only", default="", help="in process, only the pages whose page or role contains this text")
    parser.add_argument("--growth-rounds", type=int, default=3, help="turns of the 10,000-against-40 comparison")
    parser.add_argument("--scale-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:  # measure_growth's child: its environment is the parent's, on either database
        scale_child(args.runs, args.warmup)
        return 0
    if args.runs < 20:
        parser.error("--runs must be at least 20")
    if args.wrk_rounds < 1 or args.growth_rounds < 1:
        parser.error("--wrk-rounds and --growth-rounds must be at least 1")

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://")):
        print("bench_pages needs PostgreSQL with the large demo: DATABASE_URL=postgres://…/kam_large")
        return 2
    wrk = not args.no_wrk and shutil.which("wrk") is not None

    with tempfile.TemporaryDirectory(prefix="bench-pages-") as temp:
        env = _production_env(temp)
        os.environ.update(env)
        # As a deployment does: the manifest static-files storage needs its manifest.
        collect = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, capture_output=True, text=True
        )
        if collect.returncode != 0:
            print(collect.stdout[-2000:], collect.stderr[-2000:])
            return 1
        import django

        django.setup()
        from django.contrib.sessions.models import Session

        from accounts.models import Account
        from kam.demo.large import CRM_PREFIX

        if not Account.objects.filter(crm_id__startswith=CRM_PREFIX).exists():
            print("No large demo in this database: run `manage.py seed_demo --large` first.")
            return 2
        clients: dict = {}
        try:
            subjects = _subjects()
            pages = [p for p in _pages(subjects) if p.page == BASE or args.only in f"{p.page} {p.role}"]
            # The cold dashboard apart: its health refreshes would make every other page's cache cold too.
            cold = [p for p in pages if p.cold]
            results, clients = measure_in_process([p for p in pages if not p.cold], args.runs, args.warmup)
            if cold:
                cold_results, _cold_clients = measure_in_process([pages[0], *cold], args.runs, args.warmup)
                admin = next(
                    (i for i, r in enumerate(results) if (r.page, r.role) == SMALL_DASHBOARD), len(results) - 1
                )
                results.insert(admin + 1, cold_results[1])
            print_in_process(results, subjects["accounts"], args.runs, args.warmup)
            failures = [f for r in results for f in r.failures]
            missed = missed_any(results)
            print()
            admin = next((r for r in results if (r.page, r.role) == SMALL_DASHBOARD), None)
            if args.no_small or admin is None:
                print("The dashboard at 40 accounts: not measured (--no-small, or --only left the administrator out)")
            else:
                print(
                    "The administrator's dashboard, all accounts: the large demo against the plain demo, each in a"
                    f" process of its own, {args.runs} requests after {args.warmup} warm-up requests, in turns"
                )
                pairs = measure_growth(env, args.runs, args.warmup, args.growth_rounds)
                lines, small_missed = growth_table(pairs)
                print(*lines, sep="\n")
                missed = missed or small_missed
            if wrk:
                if subjects["admin"] not in clients:  # the gunicorn part loads the administrator's dashboard
                    clients[subjects["admin"]] = _client(subjects["admin"])
                subjects["cookie"] = clients[subjects["admin"]].cookies
                loads, memory = measure_gunicorn(env, subjects, args.wrk_seconds, Path(temp), args.wrk_rounds)
                missed = print_gunicorn(loads, memory, args.wrk_seconds, args.wrk_rounds) or missed
                failures += [f"{load.url_label}: {load.errors} errors" for load in [*loads, memory["dashboard"]]]
                failures = [f for f in failures if not f.endswith(": 0 errors")]
            else:
                print("\nBehind gunicorn: not measured (--no-wrk, or wrk is not installed: apt-get install wrk)")
        finally:
            sessions = [c.session.session_key for user, c in clients.items() if user is not None]
            Session.objects.filter(session_key__in=sessions).delete()
    print(f"\nTargets: {'some missed (' + MISS + ' above)' if missed else 'all met'}")
    if failures:
        print("\nResponses other than 200:", *failures[:20], sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
