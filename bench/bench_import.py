"""Time the CRM import of stakeholders with their affiliations: 10,000 and 100,000 rows.

    .venv/bin/python bench/bench_import.py [--sizes 10000 100000]

On PostgreSQL, in a database of its own: with DATABASE_URL=postgres://… a new one on that server
(``bench_<pid>_<random>``, bench/scratch_db.py, dropped at the end; the database DATABASE_URL names
is not touched), without it a private cluster in a temporary directory (needs the server binaries).
It is migrated once; then each size runs in a fresh process, as one worker would: it writes a contacts
export (two affiliations per person for one person in four), then times the dry run and the
apply through ``stakeholders.imports.services.import_run`` and prints rows/s, wall time and the
process's peak RSS. Exits 1 if 100,000 rows take longer than ``--limit`` seconds to apply.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_db import own_database  # noqa: E402


def write_contacts(path: Path, rows: int, prefix: str, accounts: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Contact ID", "Vorname", "Nachname", "E-Mail", "Account ID", "Abteilung", "Funktion", "Seit"])
        n = 0
        person = 0
        while n < rows:
            person += 1
            for k in range(2 if person % 4 == 0 else 1):
                if n >= rows:
                    break
                account = accounts[(person + k) % len(accounts)]
                writer.writerow(
                    [
                        f"{prefix}-{person}",
                        "Jörg",
                        f"Müller {person}",
                        f"p{person}.{prefix}@klinik.example",
                        account,
                        "Onkologie",
                        "Chefarzt" if k else "Arzt",
                        "31.12.2025",
                    ]
                )
                n += 1


def child(rows: int) -> None:
    import django

    django.setup()
    from accounts.models import Account
    from kam.models import Role, User
    from stakeholders.imports import services
    from stakeholders.imports.models import DataImport, ImportStatus
    from stakeholders.imports.reading import inspect

    prefix = uuid.uuid4().hex[:8]
    user = User.objects.create(username=f"bench-{prefix}", role=Role.KAM)
    accounts = [f"{prefix}-A{i}" for i in range(50)]
    Account.objects.bulk_create(
        [Account(name=f"Klinik {a}", account_type="hospital", country="DE", owner=user, crm_id=a) for a in accounts]
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{prefix}.csv"
        write_contacts(path, rows, prefix, accounts)
        shape = inspect(path, path.name)
        data_import = DataImport.objects.create(
            user=user,
            kind="stakeholders",
            file_name=path.name,
            stored_name=path.name,
            file_format="csv",
            encoding=shape.encoding,
            delimiter=shape.delimiter,
            headers=shape.headers,
            rows_total=shape.rows_estimate,
        )
        from django.conf import settings

        settings.IMPORT_FILES_ROOT = tmp
        services._enqueue = lambda *args, **kwargs: None  # timed here, not in a worker
        services.import_map(data_import=data_import, mapping=services.propose("stakeholders", shape.headers, user))
        rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for apply in (False, True):
            if apply:
                DataImport.objects.filter(pk=data_import.pk).update(status=ImportStatus.APPLYING)
            started, cpu_started = time.perf_counter(), time.process_time()
            counts = services.import_run(import_id=data_import.pk, apply=apply)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{rows:>7} rows {'apply  ' if apply else 'dry run'}: {wall:6.1f} s, {rows / wall:7.0f} rows/s, "
                f"worker CPU {cpu:5.1f} s, peak RSS {peak:4.0f} MB (at start {rss_start / 1024:.0f} MB), "
                f"load {os.getloadavg()[0]:.1f}  {counts}",
                flush=True,
            )
            if apply:
                print(f"RESULT {rows} {wall:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--limit", type=float, default=120.0, help="seconds allowed to apply 100,000 rows")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    slow = False
    with own_database() as url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kam.settings",
            "DATABASE_URL": url,
            "DEBUG": "0",  # DEBUG keeps every query in memory and formats it
            "SECRET_KEY": secrets.token_urlsafe(50),  # a throwaway key: this run's processes only
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        for rows in args.sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(rows)], capture_output=True, text=True, cwd=ROOT, env=env
            )
            if out.returncode != 0:
                print(out.stdout[-3000:], out.stderr[-3000:])
                return 1
            print("\n".join(line for line in out.stdout.splitlines() if not line.startswith("RESULT")))
            for line in out.stdout.splitlines():
                if line.startswith("RESULT"):
                    _, n, wall = line.split()
                    slow |= int(n) >= 100_000 and float(wall) > args.limit
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
