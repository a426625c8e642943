"""Time the plan exports on a big plan: 30 objectives, 100 actions, a DMU of 25.

    .venv/bin/python bench/bench_exports.py [--runs 5] [--limit 2.0] [--out DIR]

Uses a throw-away SQLite database in a temporary directory (migrated quietly), or the database
in DATABASE_URL if set; there everything is written in one transaction that is rolled back.
Prints the median, fastest and slowest of the runs per export and exits 1 if a median is over
the limit. ``--out DIR`` also writes the four files there to look at.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Rollback(Exception):
    """Raised at the end to undo everything the benchmark wrote."""


def build_plan():
    from accounts.models import Account, AccountFinancials, AccountTeamMember, AccountType, Product
    from kam.models import Role, User
    from plans.models import (
        Action,
        ActionStatus,
        AudienceKind,
        CommunicationItem,
        Objective,
        PlanningPeriod,
        PlanStep,
        RelationshipObjective,
        Resource,
        SupplyingFunction,
        SwotItem,
        SwotKind,
    )
    from plans.services import plan_create
    from stakeholders.models import Affiliation, Coverage, DmuRole, Function, Person, category_for

    kam = User.objects.create(username="bench-kam", first_name="Anna", last_name="Keller", role=Role.KAM)
    access = User.objects.create(
        username="bench-access", first_name="Jonas", last_name="Brandt", role=Role.MARKET_ACCESS
    )
    msl = User.objects.create(username="bench-msl", first_name="Mara", last_name="Lindqvist", role=Role.MSL)
    account = Account.objects.create(
        name="Universitätsklinikum Nordstadt",
        account_type=AccountType.HOSPITAL,
        country="DE",
        city="Nordstadt",
        owner=kam,
        tier="A",
        beds=1450,
        is_key_account=True,
        attractiveness=82,
        position=64,
    )
    AccountTeamMember.objects.create(account=account, user=access, function="market_access")
    for year, actual, target in ((2025, "1840000", "1900000"), (2026, "2010000", "2200000"), (2027, None, "2450000")):
        AccountFinancials.objects.create(
            account=account,
            year=year,
            revenue_actual=Decimal(actual) if actual else None,
            revenue_target=Decimal(target),
            gross_profit=Decimal(actual) * Decimal("0.41") if actual else None,
            estimated_potential=Decimal("3100000"),
        )
    for i, (brand, molecule) in enumerate(
        [("Oncoril", "examplimab"), ("Hematex", "bendaparin"), ("Cardiolan", "ivarotide"), ("Neurafen", "lumostat")]
    ):
        Product.objects.get_or_create(
            brand=f"{brand} bench {i}", defaults={"molecule": molecule, "therapeutic_area": "Oncology"}
        )
    period, _ = PlanningPeriod.objects.get_or_create(
        name="FY 2026 (bench)", defaults={"start": date(2026, 1, 1), "end": date(2026, 12, 31)}
    )

    functions = list(Function)
    roles = list(DmuRole)
    departments = ["Oncology", "Haematology", "Pharmacy", "Procurement", "Management", "Cardiology"]
    affiliations = []
    for i in range(25):
        person = Person.objects.create(
            title="Dr." if i % 3 else "", first_name=f"Chris{i}", last_name=f"Stakeholder{i}"
        )
        function = functions[i % len(functions)]
        affiliations.append(
            Affiliation.objects.create(
                person=person,
                account=account,
                position_title=f"{departments[i % 6]} lead" if i % 2 else "",
                department=departments[i % 6],
                function=function,
                category=category_for(function),
                dmu_role=roles[i % len(roles)],
                influence=1 + i % 5,
                stance=i % 5 - 2,
            )
        )
        if i % 3:
            Coverage.objects.create(affiliation=affiliations[-1], user=kam, strength=3)
        if i % 4 == 0:
            Coverage.objects.create(affiliation=affiliations[-1], user=msl, strength=4, is_medical=True)

    plan = plan_create(account=account, period=period, by=kam)
    plan.budget = Decimal("85000")
    plan.save(update_fields=["budget"])
    lorem = (
        "The hospital wants to become the regional reference centre for haemato-oncology, shorten the time "
        "from diagnosis to therapy and keep its drug budget flat while patient numbers grow by 6 % a year. "
    )
    contents = {
        1: {"commentary": lorem * 2, "investment_decision": "invest"},
        2: {
            "strategy": lorem * 2,
            "needs": "Shorter stays.\nPredictable supply.\nTraining for day-care nurses.",
            "drivers": lorem,
        },
        3: {"notes": "Bring the pharmacy director and procurement to the joint steering meeting."},
        4: {"value_proposition": lorem * 3},
        5: {"notes": "Actions are reviewed in the monthly account team call."},
        6: {"audit_notes": "Half-year audit done in July; two objectives at risk."},
        7: {"notes": "Joint steering meeting twice a year."},
    }
    for number, content in contents.items():
        PlanStep.objects.filter(plan=plan, number=number).update(content=content)
    SwotItem.objects.bulk_create(
        SwotItem(plan=plan, kind=kind, text=f"{label} item {n}: {lorem[:90]}")
        for kind, label in SwotKind.choices
        for n in range(3)
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            plan=plan,
            title=f"Objective {n}: raise the share of eligible patients on pathway {n}",
            kpi="Share of eligible patients",
            unit="%",
            baseline=Decimal(10 + n),
            target=Decimal(40 + n),
            current_value=Decimal(15 + n) if n % 4 else None,
            due_date=date(2026, 3 + n % 10, 28),
            owner=kam if n % 3 else access,
        )
        for n in range(30)
    )
    statuses = list(ActionStatus)
    actions = Action.objects.bulk_create(
        Action(
            plan=plan,
            objective=objectives[n % 30],
            title=f"Action {n}: prepare and hold the pathway workshop with department {n % 6}",
            owner=kam if n % 2 else access,
            due_date=date(2026, 1, 15) + timedelta(days=3 * n),
            status=statuses[n % len(statuses)],
        )
        for n in range(100)
    )
    functions_supply = list(SupplyingFunction)
    Resource.objects.bulk_create(
        Resource(
            action=a,
            people_days=Decimal("1.5"),
            budget=Decimal(400 + 10 * n),
            function=functions_supply[n % len(functions_supply)],
        )
        for n, a in enumerate(actions)
    )
    RelationshipObjective.objects.bulk_create(
        RelationshipObjective(
            plan=plan, affiliation=a, from_stance=-1, to_stance=1, due_date=date(2026, 10, 31), owner=kam
        )
        for a in affiliations[:8]
    )
    CommunicationItem.objects.bulk_create(
        CommunicationItem(
            plan=plan,
            audience_kind=AudienceKind.EXTERNAL,
            audience=f"Department {n}",
            message="Progress on the joint objectives",
            channel="Meeting",
            frequency="Quarterly",
            owner=kam,
            next_date=date(2026, 12, 1),
        )
        for n in range(10)
    )
    return plan, kam


def run(runs: int, limit: float, out: Path | None) -> int:
    from django.core.cache import caches
    from django.db import transaction

    from plans.exports.cache import RENDERERS, render_cached
    from plans.exports.data import plan_export_data

    results = []
    try:
        with transaction.atomic():
            plan, user = build_plan()
            for variant in ("internal", "joint"):
                for fmt in ("pptx", "pdf"):
                    render = RENDERERS[fmt][0]
                    times, cpu, content = [], [], b""
                    for _ in range(runs):
                        started, started_cpu = time.perf_counter(), time.process_time()
                        content = render(plan_export_data(plan, variant=variant, user=user))
                        times.append(time.perf_counter() - started)
                        cpu.append(time.process_time() - started_cpu)
                    # The download after the worker's pre-render: the data is read, the file is not rendered.
                    render_cached(plan_export_data(plan, variant=variant, user=user), fmt)
                    warm = []
                    for _ in range(runs):
                        started = time.perf_counter()
                        render_cached(plan_export_data(plan, variant=variant, user=user), fmt)
                        warm.append(time.perf_counter() - started)
                    results.append(
                        (
                            variant,
                            fmt,
                            statistics.median(times),
                            times[0],
                            min(times),
                            max(times),
                            statistics.median(cpu),
                            len(content),
                            statistics.median(warm),
                        )
                    )
                    if out:
                        out.mkdir(parents=True, exist_ok=True)
                        (out / f"bench-{variant}.{fmt}").write_bytes(content)
            raise Rollback
    except Rollback:
        pass
    finally:
        caches["exports"].clear()

    print(f"Plan with 30 objectives, 100 actions, a DMU of 25; {runs} runs each")
    print(
        "'rendered' = read the plan and render the file; 'pre-rendered' = the download once the worker has rendered it"
    )
    print(
        "'first' = the first, cold render of the process; 'cpu' = the median's CPU seconds (less swayed by a busy machine)"
    )
    print(
        f"{'export':<16}{'rendered s':>11}{'first s':>9}{'min s':>8}{'max s':>8}{'cpu s':>8}{'size KB':>10}"
        f"{'pre-rendered s':>16}"
    )
    failed = False
    for variant, fmt, median, first, fastest, slowest, cpu_s, size, warm in results:
        mark = "" if median <= limit else f"  over {limit:.1f} s"
        failed = failed or bool(mark)
        print(
            f"{variant + ' ' + fmt:<16}{median:>11.3f}{first:>9.3f}{fastest:>8.3f}{slowest:>8.3f}{cpu_s:>8.3f}"
            f"{size / 1024:>10.0f}{warm:>16.3f}{mark}"
        )
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=2.0, help="most seconds a median may take")
    parser.add_argument("--out", type=Path, help="write the exported files here")
    args = parser.parse_args()

    os.environ["DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
    temp = None
    if not os.environ.get("DATABASE_URL"):
        temp = tempfile.TemporaryDirectory(prefix="kam-bench-")
        os.environ["KAM_VAR_DIR"] = temp.name
    # A cache of its own, so the benchmark neither reads nor leaves files in the app's export cache.
    os.environ.setdefault("EXPORT_CACHE_URL", "locmemcache://bench-exports")
    import django

    django.setup()
    import logging

    # WeasyPrint logs each layout step at INFO; the table is what we want to read here.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from django.core.management import call_command

    if temp is not None:
        call_command("migrate", verbosity=0, interactive=False)
    try:
        return run(args.runs, args.limit, args.out)
    finally:
        if temp is not None:
            from django.db import connections

            connections.close_all()
            temp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
