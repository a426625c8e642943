"""Write a pg_dump of the configured database and a manifest of its row counts (docs/backups.md).

manage.py backup_db /var/backups/kam/kam-2026-12-06.dump
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kam import backups


class Command(BaseCommand):
    help = "Back up DATABASES['default'] with pg_dump (custom format) and write <dump>.manifest.json beside it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("dump", type=Path, help="file to write the dump to (an existing file is replaced)")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, dump: Path, database: str, **options) -> None:
        try:
            manifest = backups.backup(dump, alias=database)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Wrote {dump} ({manifest['bytes']:,} bytes, {len(manifest['tables'])} tables, {rows:,} rows) "
            f"and {backups.manifest_path(dump)}"
        )
