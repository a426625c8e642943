"""Databases a benchmark makes for itself: the only databases a benchmark ever drops.

A bench that needs a database of its own creates one on DATABASE_URL's server under a fresh name,
``bench_<pid>_<random>``: checked against the server's databases first, and CREATE DATABASE refuses
an existing name anyway, so a name is ours only once our CREATE succeeded. At the end it drops that
name and no other. DATABASE_URL gives the server only: its database name (``kam_large``, someone's
``test``) is never created, reused or dropped here. Without DATABASE_URL, ``own_database`` starts a
private cluster in a temporary directory instead (tests/pgcluster.py), removed with everything in it.

No other bench module may say DROP DATABASE (tests/test_bench_scratch_db.py reads them all).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Collection, Iterator
from contextlib import closing, contextmanager
from urllib.parse import urlsplit, urlunsplit

NAME = re.compile(r"^bench_\d+_[0-9a-f]{12}$")
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")


def unique_name(existing: Collection[str], token: Callable[[int], str] = secrets.token_hex) -> str:
    """A name of the form ``bench_<pid>_<12 hex digits>`` that is not in ``existing``."""
    while True:
        name = f"bench_{os.getpid()}_{token(6)}"
        if name not in existing:
            return name


def with_database(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name`` (user, password, host and port kept)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _admin(server_url: str):
    import psycopg2  # here: the module is imported by benches that run without PostgreSQL too

    # The maintenance database, as Django's test runner uses: DATABASE_URL's own need not exist.
    connection = psycopg2.connect(with_database(server_url, "postgres"))
    connection.autocommit = True  # CREATE and DROP DATABASE refuse to run in a transaction
    return connection


class ScratchDatabase:
    """One database on ``server_url``'s server, created under a fresh name by ``create`` and
    dropped by ``drop``; ``drop`` before a successful ``create`` touches nothing."""

    def __init__(self, server_url: str) -> None:
        if not server_url.startswith(POSTGRES_SCHEMES):
            raise ValueError("a scratch database needs a PostgreSQL server: DATABASE_URL=postgres://…")
        self.server_url = server_url
        self.name: str | None = None  # set only once our CREATE DATABASE has succeeded

    def create(self) -> str:
        """Create the database; returns its URL."""
        from psycopg2 import sql  # here, as in _admin

        if self.name is not None:
            raise RuntimeError(f"{self.name} is already created")
        with closing(_admin(self.server_url)) as admin, admin.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database")
            name = unique_name({row[0] for row in cursor.fetchall()})
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.name = name
        return with_database(self.server_url, name)

    def drop(self) -> None:
        """Drop the database this object created, if it did; ends the sessions still on it."""
        from psycopg2 import sql  # here, as in _admin

        name, self.name = self.name, None
        if name is None:
            return
        if not NAME.match(name):  # only a name unique_name made can reach here; refuse anything else
            raise RuntimeError(f"refusing to drop {name!r}: not a bench database name")
        with closing(_admin(self.server_url)) as admin, admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _close_django_connections() -> None:
    from django.conf import settings  # here: only when Django is in use in this process

    if settings.configured:
        from django.db import connections  # here, for the same reason

        connections.close_all()


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A fresh database on ``server_url``'s server for the ``with`` block; yields its URL."""
    database = ScratchDatabase(server_url)
    url = database.create()
    try:
        yield url
    finally:
        _close_django_connections()
        database.drop()


@contextmanager
def own_database(server_url: str | None = None) -> Iterator[str]:
    """A database that exists only for this run: a scratch database on ``server_url``'s server
    (default DATABASE_URL), or, without one, a private cluster. Yields its URL."""
    server_url = os.environ.get("DATABASE_URL", "") if server_url is None else server_url
    if server_url:
        with scratch_database(server_url) as url:
            yield url
        return
    from tests.pgcluster import PgCluster  # here: only a run without DATABASE_URL needs the server binaries

    with PgCluster() as cluster:
        cluster.create_database("kam")  # a cluster of its own, in a temporary directory: nothing else is in it
        yield cluster.url("kam")
