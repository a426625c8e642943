"""Benchmarks drop no database but the one they created under a unique name (bench/scratch_db.py)."""

from __future__ import annotations

import os
import re
from contextlib import closing
from itertools import chain, repeat
from pathlib import Path

import pytest

from bench import scratch_db
from bench.scratch_db import NAME, ScratchDatabase, scratch_database, unique_name, with_database

ROOT = Path(__file__).resolve().parents[1]


def _tokens(*tokens: str):
    """A token function handing out ``tokens`` in turn, then "f" * 12 for ever."""
    supply = chain(tokens, repeat("f" * 12))
    return lambda nbytes: next(supply)


def test_the_name_is_bench_pid_random():
    name = unique_name(set())
    assert NAME.match(name)
    assert name.startswith(f"bench_{os.getpid()}_")
    assert unique_name(set()) != name


def test_the_name_is_never_an_existing_one():
    taken = {f"bench_{os.getpid()}_{'a' * 12}", f"bench_{os.getpid()}_{'b' * 12}"}
    name = unique_name(taken, token=_tokens("a" * 12, "b" * 12, "c" * 12))
    assert name == f"bench_{os.getpid()}_{'c' * 12}"


def test_the_database_name_of_database_url_is_replaced_not_used():
    url = "postgres://u:p%40ss@db.example:6543/kam_large?sslmode=require"
    assert (
        with_database(url, "bench_1_0123456789ab")
        == "postgres://u:p%40ss@db.example:6543/bench_1_0123456789ab?sslmode=require"
    )


def test_drop_before_create_touches_nothing(monkeypatch):
    def no_server(url):
        raise AssertionError("connected to the server")

    monkeypatch.setattr(scratch_db, "_admin", no_server)
    ScratchDatabase("postgres://postgres@127.0.0.1:5432/kam_large").drop()


def test_drop_refuses_a_name_it_did_not_make(monkeypatch):
    monkeypatch.setattr(scratch_db, "_admin", lambda url: pytest.fail("connected to the server"))
    database = ScratchDatabase("postgres://postgres@127.0.0.1:5432/kam_large")
    database.name = "kam_large"  # as if taken from the environment: never dropped
    with pytest.raises(RuntimeError, match="refusing to drop"):
        database.drop()


def test_a_scratch_database_needs_postgresql():
    with pytest.raises(ValueError):
        ScratchDatabase("sqlite:///var/kam.sqlite3")


def test_no_other_bench_module_drops_a_database():
    """The only DROP DATABASE of the benchmarks is ScratchDatabase.drop's; no dropdb, no fixed name."""
    for path in sorted((ROOT / "bench").glob("*.py")):
        text = path.read_text()
        if path.name != "scratch_db.py":
            assert not re.search(r"drop\s+database", text, re.IGNORECASE), path.name
        assert not re.search(r"\bdropdb\b", text), path.name
    assert len(re.findall(r"SQL\(\"DROP DATABASE", (ROOT / "bench" / "scratch_db.py").read_text())) == 1


def _databases(server: str) -> set[str]:
    with closing(scratch_db._admin(server)) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def server() -> str:
    return os.environ["DATABASE_URL"]  # the postgres mark has made sure it is PostgreSQL's


@pytest.mark.postgres
def test_it_creates_its_own_database_and_drops_only_that(server, monkeypatch):
    from psycopg2 import sql

    # Someone's database that happens to carry the name the first token would give.
    theirs = f"bench_{os.getpid()}_{'0' * 12}"
    with closing(scratch_db._admin(server)) as admin, admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(theirs)))
    try:
        tokens = _tokens("0" * 12, "1" * 12)
        monkeypatch.setattr(scratch_db, "unique_name", lambda existing: unique_name(existing, token=tokens))
        with scratch_database(server) as url:
            ours = f"bench_{os.getpid()}_{'1' * 12}"
            assert url.rsplit("/", 1)[1] == ours
            assert {theirs, ours} <= _databases(server)
        databases = _databases(server)
        assert ours not in databases
        assert theirs in databases
    finally:
        with closing(scratch_db._admin(server)) as admin, admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(theirs)))


@pytest.mark.postgres
def test_a_failed_create_drops_nothing(server, monkeypatch):
    """Should the name be taken between the look and the CREATE, CREATE fails and nothing is dropped."""
    before = _databases(server)
    monkeypatch.setattr(scratch_db, "unique_name", lambda existing: "postgres")
    database = ScratchDatabase(server)
    with pytest.raises(Exception, match="already exists"):
        database.create()
    assert database.name is None
    database.drop()
    assert _databases(server) >= before
