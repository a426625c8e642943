import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    dropped = {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_extra)
    env["DJANGO_SETTINGS_MODULE"] = "kam.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_passes_the_deploy_check_with_production_variables(tmp_path):
    result = _run(
        {
            "DEBUG": "0",
            "SECRET_KEY": "a-production-secret-" + "x" * 50,
            "ALLOWED_HOSTS": "kam.example.com",
            "KAM_VAR_DIR": str(tmp_path),
            "CACHE_URL": "redis://127.0.0.1:6379/1",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = _run({"DEBUG": "0", "KAM_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_defaults_to_sqlite_and_a_serverless_broker_in_development(tmp_path):
    result = _run(
        {"DEBUG": "1", "KAM_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "CELERY_BROKER_URL": ""},
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
    )
    assert result.returncode == 0, result.stderr
    assert "sqlite3 filesystem://" in result.stdout


def test_the_filesystem_broker_keeps_all_its_files_under_the_var_folder(tmp_path):
    result = _run(
        {"DEBUG": "1", "KAM_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "CELERY_BROKER_URL": ""},
        "shell",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps(s.CELERY_BROKER_TRANSPORT_OPTIONS))",
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(options) == {"data_folder_in", "data_folder_out", "data_folder_processed", "control_folder"}
    assert all(folder.startswith(str(tmp_path)) for folder in options.values())


@pytest.mark.postgres
def test_postgresql_connections_run_without_jit(db):
    """The JIT compiler spent seconds compiling the portfolio aggregates; every connection turns it off."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.postgres
def test_postgresql_connections_price_index_reads_as_memory_reads(db):
    """With the default cost of 4 the planner hashed every account for a team of a few hundred."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


def test_a_new_release_reads_none_of_the_cache_entries_of_the_one_before(tmp_path):
    """Cached page fragments (a plan step's rows) are keyed on what they show, not on the templates
    that draw them: RELEASE keeps one release's markup from being served by the next."""
    show = "from django.core.cache import cache; print(repr(cache.make_key('plan-step-rows:1')))"
    keys = [
        _run({"DEBUG": "1", "KAM_VAR_DIR": str(tmp_path), "RELEASE": release}, "shell", "-c", show)
        for release in ("4f2a91c", "8b7e0d3")
    ]
    assert all(k.returncode == 0 for k in keys), [k.stderr for k in keys]
    first, second = (k.stdout.strip().splitlines()[-1] for k in keys)
    assert "4f2a91c" in first and "8b7e0d3" in second and first != second


def test_every_migration_applies_on_make_runs_sqlite(tmp_path):
    """`make run` migrates SQLite: an operation only PostgreSQL can run must step aside there (an
    index with NULLS LAST did not, and stopped `make run`)."""
    sqlite = {"DEBUG": "1", "DATABASE_URL": "", "CELERY_BROKER_URL": "", "KAM_VAR_DIR": str(tmp_path)}
    result = _run(sqlite, "migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "kam.sqlite3").exists()
