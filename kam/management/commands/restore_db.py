"""Restore a backup_db dump into a new database and check its row counts (docs/backups.md).

manage.py restore_db /var/backups/kam/kam-2026-12-06.dump --target kam_restored --create
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kam import backups


class Command(BaseCommand):
    help = (
        "Restore a backup_db dump into TARGET, a new or empty database on the configured server, "
        "then compare its row counts with the dump's manifest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dump", type=Path, help="a file written by backup_db")
        parser.add_argument("--target", required=True, help="database to restore into (must be empty or new)")
        parser.add_argument("--create", action="store_true", help="create TARGET first (fails if it exists)")
        parser.add_argument("--manifest", type=Path, help="default: <dump>.manifest.json")
        parser.add_argument("--no-verify", action="store_true", help="skip the row-count comparison")
        parser.add_argument("--database", default="default", help="alias of the server's connection settings")

    def handle(self, *args, dump: Path, target: str, create: bool, manifest: Path | None, **options) -> None:
        alias = options["database"]
        manifest_file = manifest or backups.manifest_path(dump)
        try:
            expected = json.loads(manifest_file.read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the manifest {manifest_file}: {exc}") from exc
        try:
            # Checked before anything is created: a damaged file must not leave a half-made database.
            backups.check_dump(dump, expected)
            if create:
                backups.create_database(target, alias=alias)
            backups.restore(dump, target, alias=alias)
            differences = [] if options["no_verify"] else backups.verify(target, expected, alias=alias)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if differences:
            raise CommandError(f"Restored into {target}, but the row counts differ:\n  " + "\n  ".join(differences))
        checked = "not checked" if options["no_verify"] else f"{len(expected['tables'])} tables' row counts match"
        self.stdout.write(f"Restored {dump} into {target}: {checked}.")
