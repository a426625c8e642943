"""backup_db and restore_db: a dump restored into a new database holds every row, and its schema
is what the migrations say (docs/backups.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kam import backups
from tests.factories import AccountFactory
from tests.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory
from tests.stakeholder_factories import AffiliationFactory, TouchpointFactory
from tests.survey_factories import InvitationFactory, ResponseFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scratch_database():
    """A new database with a name no one else uses; dropped afterwards only if this test made it."""
    name = f"kam_restore_test_{uuid.uuid4().hex[:12]}"
    assert not backups.database_exists(name)
    backups.create_database(name)
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def _seed(cast) -> None:
    for account in (cast.account_a, cast.account_c, AccountFactory(owner=cast.kam_b)):
        people = [AffiliationFactory(account=account).person for _ in range(3)]
        TouchpointFactory(account=account, logged_by=account.owner, stakeholders=people[:2])
        plan = PlanFactory(account=account)
        objective = ObjectiveFactory(plan=plan)
        ActionFactory(plan=plan, objective=objective)
        ResponseFactory(invitation__account=account, invitation__person=people[0], csat_score=5)
        InvitationFactory(account=account, person=people[1])


def _url_for(name: str) -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{quote(db.get('USER') or '', safe='')}{password}@{host}:{port}/{quote(name, safe='')}"


def test_it_restores_every_row_and_a_migrated_schema(cast, tmp_path, scratch_database):
    _seed(cast)
    dump = tmp_path / "kam.dump"
    call_command("backup_db", str(dump))
    manifest = json.loads(backups.manifest_path(dump).read_text())
    assert dump.stat().st_mode & 0o077 == 0  # personal data: not readable by others
    source = backups.row_counts(connection)
    assert manifest["tables"] == source
    assert source["stakeholders_touchpoint"] == 3 and source["plans_action"] == 3
    assert source["stakeholders_surveyresponse"] == 3 and source["django_migrations"] > 50

    call_command("restore_db", str(dump), target=scratch_database)

    with backups.database(connection.settings_dict, scratch_database) as restored:
        assert backups.row_counts(restored) == source
    check = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": _url_for(scratch_database),
            "DJANGO_SETTINGS_MODULE": "kam.settings",
            "DEBUG": "1",
        },
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    # The comparison is not vacuous: a manifest that claims another count is refused.
    manifest["tables"]["plans_action"] = 4
    assert backups.verify(scratch_database, manifest) == ["plans_action: 3 rows, expected 4"]


def test_it_refuses_to_restore_over_data(cast, tmp_path):
    dump = tmp_path / "kam.dump"
    call_command("backup_db", str(dump))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_db", str(dump), target=connection.settings_dict["NAME"])


def test_it_refuses_a_damaged_dump_before_creating_anything(cast, tmp_path):
    dump = tmp_path / "kam.dump"
    call_command("backup_db", str(dump))
    with dump.open("ab") as f:
        f.write(b"\0")
    name = f"kam_restore_test_{uuid.uuid4().hex[:12]}"
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore_db", str(dump), target=name, create=True)
    assert not backups.database_exists(name)
