"""Backups of the PostgreSQL database: pg_dump, pg_restore and a manifest of row counts.

Used by the ``backup_db`` and ``restore_db`` commands (docs/backups.md). The dump is pg_dump's
custom format, taken from the same snapshot as the manifest's row counts, so a restore can be
checked table by table even when the backup ran while people were saving.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

MANIFEST_FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# Binaries ----------------------------------------------------------------------------------------


def _major(version_text: str) -> int | None:
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text)
    return int(found.group(1)) if found else None


def binary_candidates(name: str) -> list[Path]:
    """Every ``name`` (pg_dump, pg_restore, createdb, …) this machine has: $PG_BIN_DIR first, then
    the distributions' versioned directories (Debian, RHEL), then $PATH."""
    dirs = [os.environ.get("PG_BIN_DIR", "")]
    dirs += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    dirs += sorted(glob.glob("/usr/pgsql-*/bin"), reverse=True)
    found = [Path(d) / name for d in dirs if d and (Path(d) / name).is_file()]
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    unique: list[Path] = []
    for path in found:
        if path.resolve() not in [p.resolve() for p in unique]:
            unique.append(path)
    return unique


def binary_version(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    return _major(out)


def find_binary(name: str, server_major: int) -> Path:
    """The ``name`` binary of the server's major version, else the oldest newer one.

    pg_dump refuses a server newer than itself, and an archive written by a newer pg_dump may not
    be readable by an older pg_restore; the server's own version avoids both.
    """
    versions = [(binary_version(p), p) for p in binary_candidates(name)]
    # The candidates' order is the preference among equals: a versioned directory before $PATH.
    usable = sorted(
        ((v, n, p) for n, (v, p) in enumerate(versions) if v is not None and v >= server_major), key=lambda c: c[:2]
    )
    if usable:
        return usable[0][2]
    seen = ", ".join(f"{p} ({v or '?'})" for v, p in versions) or "none"
    raise BackupError(
        f"No {name} for PostgreSQL {server_major} or newer (found: {seen}). Install the client of the "
        f"server's version (apt-get install postgresql-client-{server_major}) or set PG_BIN_DIR."
    )


# Connections -------------------------------------------------------------------------------------


def settings_dict(alias: str = "default") -> dict:
    settings = connections[alias].settings_dict
    if settings["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(f"Backups need PostgreSQL; DATABASES['{alias}'] uses {settings['ENGINE']}.")
    return settings


def client_env(settings: dict, database: str | None = None) -> dict[str, str]:
    """The environment that points libpq's tools at the configured server: the password travels
    in the environment, never on a command line that ``ps`` shows."""
    _args, env = connections["default"].client.settings_to_cmd_args_env(settings, [])
    env = {**os.environ, **(env or {})}
    for key, value in {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGDATABASE": database or settings.get("NAME"),
    }.items():
        if value:
            env[key] = str(value)
    return env


def server_major(connection: BaseDatabaseWrapper) -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


@contextmanager
def database(settings: dict, name: str, alias: str = "kam_backup_check") -> Iterator[BaseDatabaseWrapper]:
    """A connection to another database on the configured server (as Django's own test setup
    makes one for the maintenance database), closed afterwards."""
    wrapper = type(connections["default"])({**settings, "NAME": name}, alias)
    try:
        yield wrapper
    finally:
        wrapper.close()


def row_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows per table, every table of the database, not only those with a model (a table left by a
    removed app is data too). The ORM counts only modelled tables, hence the plain count."""
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


# Backup ------------------------------------------------------------------------------------------


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".manifest.json")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(dump: Path, alias: str = "default") -> dict:
    """Write a custom-format pg_dump of ``alias`` to ``dump`` and its manifest beside it.

    The row counts and pg_dump read one snapshot: this transaction exports it and stays open
    until pg_dump is done, so the counts describe exactly what the dump holds.
    """
    settings = settings_dict(alias)
    connection = connections[alias]
    major = server_major(connection)
    pg_dump = find_binary("pg_dump", major)
    dump.parent.mkdir(parents=True, exist_ok=True)
    partial = dump.with_name(dump.name + ".partial")
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = row_counts(connection)
        command = [str(pg_dump), "--format=custom", f"--file={partial}", f"--snapshot={snapshot}", "--no-password"]
        result = subprocess.run(command, env=client_env(settings), capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed ({result.returncode}): {result.stderr.strip()}")
    # The dump holds personal data (stakeholders, survey answers): readable by its owner only.
    partial.chmod(0o600)
    # A half-written file never carries the final name, so a crash mid-dump leaves no trap.
    partial.replace(dump)
    manifest = {
        "format": MANIFEST_FORMAT,
        "database": settings["NAME"],
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "server_major": major,
        "pg_dump": str(pg_dump),
        "dump": dump.name,
        "bytes": dump.stat().st_size,
        "sha256": sha256(dump),
        "tables": counts,
    }
    manifest_path(dump).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


# Restore -----------------------------------------------------------------------------------------


def database_exists(name: str, alias: str = "default") -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def create_database(name: str, alias: str = "default") -> None:
    """Create an empty database; fails if one of that name exists (createdb refuses)."""
    settings = settings_dict(alias)
    createdb = find_binary("createdb", server_major(connections[alias]))
    result = subprocess.run(
        [str(createdb), "--template=template0", "--encoding=UTF8", "--no-password", name],
        env=client_env(settings),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"createdb {name} failed: {result.stderr.strip()}")


def check_dump(dump: Path, manifest: dict) -> None:
    if not dump.is_file():
        raise BackupError(f"No dump at {dump}.")
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"Unknown manifest format {manifest.get('format')!r}.")
    if sha256(dump) != manifest["sha256"]:
        raise BackupError(f"{dump} does not match its manifest's checksum: the file is damaged or not this backup.")


def restore(dump: Path, name: str, alias: str = "default") -> None:
    """pg_restore ``dump`` into the existing, empty database ``name``, all or nothing.

    Refuses a database that holds tables: a restore never overwrites data (restore into a new
    database, check it, then point DATABASE_URL at it).
    """
    settings = settings_dict(alias)
    with database(settings, name) as target, target.cursor() as cursor:
        existing = target.introspection.table_names(cursor)
    if existing:
        raise BackupError(f"Database {name} is not empty ({len(existing)} tables): restore into a new database.")
    pg_restore = find_binary("pg_restore", server_major(connections[alias]))
    command = [str(pg_restore), f"--dbname={name}", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
    result = subprocess.run(
        [*command, "--no-password", str(dump)], env=client_env(settings, name), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed ({result.returncode}): {result.stderr.strip()}")


def count_differences(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """Tables whose rows differ, missing or extra, as readable lines; empty when all match."""
    lines = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            lines.append(f"{table}: missing (expected {expected[table]} rows)")
        elif table not in expected:
            lines.append(f"{table}: not in the backup ({actual[table]} rows)")
        elif expected[table] != actual[table]:
            lines.append(f"{table}: {actual[table]} rows, expected {expected[table]}")
    return lines


def verify(name: str, manifest: dict, alias: str = "default") -> list[str]:
    with database(settings_dict(alias), name) as target:
        return count_differences(manifest["tables"], row_counts(target))
