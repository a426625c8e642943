"""Reading ``matrix.csv``, walking the URL resolver, and requesting every cell once.

See the docstring of ``test_matrix.py`` for the file's format.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authz.data import FOREIGN, NONE, OWN, ROLES, World

MATRIX = Path(__file__).with_name("matrix.csv")
KEY_COLUMNS = ("route", "method", "object", "args", "data")
STATUSES = {"200", "301", "302", "400", "401", "403", "404", "405", "409", "410", "login"}
# What a user who may not do something gets: never a page, never a redirect to the result.
# 401: the REST API without credentials (it answers with WWW-Authenticate, not a redirect).
FORBIDDEN = {"401", "403", "404", "405", "login"}

# Route prefixes the matrix leaves out, and why.
SKIPPED_PREFIXES = {
    "admin/": "Django's admin: its own staff/superuser permissions, covered by Django itself",
}


@dataclass(frozen=True)
class Row:
    line: int
    route: str
    method: str
    side: str
    args: str
    data: str
    expected: tuple[tuple[str, str], ...]  # (role, status) in ROLES order

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.route, self.method, self.side, self.args)


@dataclass(frozen=True)
class Cell:
    row: Row
    role: str
    expected: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (*self.row.key, self.role)

    @property
    def id(self) -> str:
        args = f" [{self.row.args}]" if self.row.args else ""
        return f"{self.row.route} {self.row.method} {self.row.side}{args} as {self.role}"


@dataclass(frozen=True)
class Observation:
    status: int
    location: str
    content_type: str
    cache_control: str
    csp: str
    rows_written: int

    @property
    def shown(self) -> str:
        """The status as the matrix writes it."""
        if self.status == 302 and self.location.startswith(resolve_url(settings.LOGIN_URL)):
            return "login"
        return str(self.status)


def load(path: Path = MATRIX) -> list[Row]:
    """The matrix's rows; lines starting with ``#`` are comments. Refuses unknown roles, statuses,
    methods and duplicate rows, so a typo cannot pass as a cell that is never checked."""
    lines = [(n, line) for n, line in enumerate(path.read_text().splitlines(), 1) if line.strip()]
    content = [(n, line) for n, line in lines if not line.lstrip().startswith("#")]
    reader = csv.reader(line for _n, line in content)
    header = [h.strip() for h in next(reader)]
    if tuple(header) != (*KEY_COLUMNS, *ROLES):
        raise ValueError(f"{path.name}: the header must be {','.join((*KEY_COLUMNS, *ROLES))}")
    rows, seen = [], set()
    for (number, _line), values in zip(content[1:], reader, strict=True):
        values = [v.strip() for v in values]
        if len(values) != len(header):
            raise ValueError(f"{path.name}:{number}: {len(values)} columns, expected {len(header)}")
        route, method, side, args, data = values[: len(KEY_COLUMNS)]
        statuses = values[len(KEY_COLUMNS) :]
        if method not in ("GET", "POST"):
            raise ValueError(f"{path.name}:{number}: method {method!r}")
        if side not in (OWN, FOREIGN, NONE):
            raise ValueError(f"{path.name}:{number}: object {side!r}, expected {OWN}, {FOREIGN} or {NONE}")
        if unknown := set(statuses) - STATUSES:
            raise ValueError(f"{path.name}:{number}: unknown statuses {sorted(unknown)}")
        row = Row(number, route, method, side, args, data, tuple(zip(ROLES, statuses, strict=True)))
        if row.key in seen:
            raise ValueError(f"{path.name}:{number}: duplicate row {row.key}")
        seen.add(row.key)
        rows.append(row)
    return rows


def cells(rows: list[Row]) -> list[Cell]:
    return [Cell(row, role, status) for row in rows for role, status in row.expected]


def verdict(cell: Cell, seen: Observation) -> str:
    """What is wrong with ``seen`` for ``cell``, in words; empty when nothing is."""
    problems = []
    if seen.shown != cell.expected:
        problems.append(f"got {seen.shown}, expected {cell.expected}")
    if cell.expected in FORBIDDEN and seen.rows_written:
        problems.append(f"forbidden, yet wrote {seen.rows_written} rows")
    return "; ".join(problems)


def route_names() -> tuple[dict[str, str], list[str]]:
    """Every named route of the project (``namespace:name`` -> its path), skipping
    ``SKIPPED_PREFIXES``; and the paths of routes without a name, which the matrix cannot list."""
    names: dict[str, str] = {}
    unnamed: list[str] = []
    static = [u.lstrip("/") for u in (settings.STATIC_URL, settings.MEDIA_URL) if u and u.strip("/")]

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            path = prefix + str(pattern.pattern)
            if any(path.startswith(p) for p in (*SKIPPED_PREFIXES, *static)):
                continue
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, path, inner)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    names[namespace + pattern.name] = path
                else:
                    unnamed.append(path)

    walk(get_resolver().url_patterns, "", "")
    return names, unnamed


def _fill(template: str, values: dict[str, object]) -> str:
    return template.format(**values) if template else ""


def url_for(row: Row, world: World) -> str:
    values = world.values(row.side)
    kwargs = dict(part.split("=", 1) for part in _fill(row.args, values).split())
    return reverse(row.route, kwargs=kwargs)


def _rows_written() -> int:
    """Rows inserted, updated or deleted so far in this transaction, by PostgreSQL's own count.
    Left out: sessions and django-axes' access log, which logging in and out write by design."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
            " WHERE relname <> 'django_session' AND relname NOT LIKE %s",
            [r"axes\_%"],
        )
        return int(cursor.fetchone()[0])


class _Rollback(Exception):
    pass


def _request(client: Client, method: str, url: str, data: QueryDict) -> Observation:
    """One request, in a savepoint rolled back afterwards: every cell starts from the same data."""
    try:
        with transaction.atomic():
            before = _rows_written()
            response = client.get(url) if method == "GET" else client.post(url, data)
            try:
                written = _rows_written() - before
            except DatabaseError:  # the view broke the transaction: its 500 says so
                written = 0
            raise _Rollback
    except _Rollback:
        pass
    return Observation(
        status=response.status_code,
        location=response.get("Location", ""),
        content_type=response.get("Content-Type", ""),
        cache_control=response.get("Cache-Control", ""),
        csp=response.get("Content-Security-Policy", ""),
        rows_written=written,
    )


def observe(rows: list[Row], world: World) -> dict[tuple, Observation]:
    """Request every cell of ``rows`` once. Each request runs in a savepoint that is rolled back,
    so every cell starts from the same data whatever the cells before it did."""
    sessions: dict[str, str] = {}
    for role in ROLES:
        if role == "anonymous":
            continue
        client = Client()
        client.force_login(world.users[role], backend="django.contrib.auth.backends.ModelBackend")
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    client = Client(raise_request_exception=False)
    seen: dict[tuple, Observation] = {}
    # A warning per 403 and 404 is what the matrix asks for, not news; a 500 is still logged.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        # Forty POSTs to the survey pages from one address would hit its flood limit.
        with override_settings(SURVEY_RATE_LIMIT=(100_000, 60)):
            for row in rows:
                url = url_for(row, world)
                data = QueryDict(_fill(row.data, world.values(row.side)))
                for role, _expected in row.expected:
                    # The cookie as it was after logging in: a logout or a message cookie of the
                    # previous cell does not carry over.
                    client.cookies = SimpleCookie()
                    if role in sessions:
                        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
                    seen[(*row.key, role)] = _request(client, row.method, url, data)
    finally:
        request_log.setLevel(level)
    return seen
