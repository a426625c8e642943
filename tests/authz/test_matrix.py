"""The authorisation matrix: every route × method × role × object, and the status each gets.

The matrix lives in ``tests/authz/matrix.csv``, one row per route, method and object:

    route,method,object,args,data,anonymous,kam_a,kam_b,kam_c,manager_a,manager_b,head,access,medical_seat,medical_out,admin
    plans:step,POST,own,pk={plan} number=1,,login,400,404,404,400,404,400,400,403,404,400

- ``route``: the URL name as the resolver knows it (``namespace:name``).
- ``method``: GET for every route (405 where the view takes POST only), POST where the view takes one.
- ``object``: ``own`` = account A's objects (KAM A's account, its plans, people, touchpoints, campaign…),
  ``foreign`` = account C's (KAM C's, another team), ``-`` for routes without an object.
- ``args``: the URL's kwargs, ``name=value`` separated by spaces; ``{placeholders}`` are the object's
  ids from ``tests/authz/data.py`` (``{plan}``, ``{affiliation}``, ``{token}`` … of that side).
- ``data``: the POST body as a query string (``period={next_period}``); empty means an empty POST,
  which for an allowed user is usually a 400 with the form's errors, or a 302.
- one column per role of the cast (``data.ROLES``): the status expected, 200 301 302 400 403 404 405 409 410,
  or ``login`` for the redirect to the login page. 403/404/405/login are refusals: such a request must
  also write nothing (counted by PostgreSQL, see ``matrix._rows_written``).
- lines starting with ``#`` are comments.

Each request runs once, in a savepoint rolled back afterwards, over one data set built once for the
module; the parametrised test then compares cell by cell, and ``test_it_reports_every_mismatch_at_once``
prints all unexpected cells as one table.

To add a route: add its GET row (and a POST row if the view takes POST) for each object it takes, own
and foreign, with the status every role should get (not the one it gets today: where those differ,
say why in FINDINGS below). If the route needs an object that ``data.py`` lacks, build it in
``data._side`` and return its id under a new placeholder. ``test_it_lists_every_route`` fails until
the route is in the matrix.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.authz.data import build_world
from tests.authz.matrix import (
    Cell,
    Observation,
    cells,
    load,
    observe,
    route_names,
    verdict,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROWS = load()
CELLS = cells(ROWS)

# Cells where the firewall rules were expected but not yet implemented: none since the firewall
# landed (kam.firewall). Keys are (route, method, object, args, role); "*" matches anything.
FIREWALL: set[tuple[str, str, str, str, str]] = set()
# Other cells where the code disagrees with the matrix: a security finding each, key -> "finding: …".
FINDINGS: dict[tuple[str, str, str, str, str], str] = {}


def _matches(key: tuple[str, ...], cell: Cell) -> bool:
    return all(k in ("*", c) for k, c in zip(key, cell.key, strict=True))


def _known(cell: Cell) -> str:
    """Why ``cell`` is expected to fail for now, or empty."""
    if any(_matches(key, cell) for key in FIREWALL):
        return "firewall branch"
    return next((reason for key, reason in FINDINGS.items() if _matches(key, cell)), "")


def _param(cell: Cell):
    reason = _known(cell)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(cell, id=cell.id, marks=marks)


def _cell_of(item: pytest.Item) -> Cell | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("cell") if callspec else None


# Session-scoped: under pytest-xdist a worker may run this module's tests in several stretches
# between other modules' tests, and a module-scoped fixture was then built once per stretch (about
# two minutes each); the observations are plain data, so one build serves them all.
@pytest.fixture(scope="session")
def observed(request, django_db_setup, django_db_blocker) -> dict[tuple, Observation]:
    """Every cell requested once, over one data set that is rolled back at the end. When only some
    cells were selected (``-k``), only their rows are requested."""
    selected = [
        _cell_of(item) for item in request.session.items if item.module is not None and item.module.__name__ == __name__
    ]
    rows = ROWS if None in selected else [row for row in ROWS if row in {cell.row for cell in selected}]
    with django_db_blocker.unblock(), transaction.atomic():
        seen = observe(rows, build_world())
        transaction.set_rollback(True)
    return seen


def test_it_lists_every_route():
    """Every named route of the resolver is in the matrix, and the matrix names no route that is gone.
    Left out, each with its reason: ``matrix.SKIPPED_PREFIXES``."""
    names, unnamed = route_names()
    listed = {row.route for row in ROWS}
    assert not unnamed, f"routes without a name cannot be listed in the matrix: {unnamed}"
    missing = sorted(set(names) - listed)
    assert not missing, "routes missing from tests/authz/matrix.csv:\n" + "\n".join(
        f"  {name}  ({names[name]})" for name in missing
    )
    assert not listed - set(names), f"routes in the matrix that no longer exist: {sorted(listed - set(names))}"


def test_it_knows_every_cell_it_expects_to_fail():
    """A key in FIREWALL or FINDINGS that matches no cell is a typo that would hide nothing."""
    for key in [*FIREWALL, *FINDINGS]:
        assert any(_matches(key, cell) for cell in CELLS), key


@pytest.mark.parametrize("cell", [_param(c) for c in CELLS])
def test_it_answers_each_cell_as_the_matrix_says(cell: Cell, observed):
    problem = verdict(cell, observed[cell.key])
    assert not problem, f"{cell.id} (matrix.csv line {cell.row.line}): {problem}"


def test_it_reports_every_mismatch_at_once(observed):
    """The whole picture in one table: every cell that differs from the matrix and is not a known
    firewall cell or finding."""
    lines = []
    for cell in CELLS:
        problem = verdict(cell, observed[cell.key])
        if problem and not _known(cell):
            row = cell.row
            lines.append(f"{row.line:>4}  {row.route:<30} {row.method:<4} {row.side:<7} {cell.role:<12} {problem}")
            if row.args:
                lines[-1] += f"  [{row.args}]"
    header = f"line  {'route':<30} {'verb':<4} {'object':<7} {'role':<12} problem"
    assert not lines, f"{len(lines)} cells differ from tests/authz/matrix.csv:\n{header}\n" + "\n".join(lines)


def _script_src(csp: str) -> str:
    directives = {}
    for part in csp.split(";"):
        name, _sep, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value
    return directives.get("script-src", directives.get("default-src", ""))


def test_it_sends_no_store_and_a_strict_csp_with_every_signed_in_page(observed):
    """Pages of signed-in users hold account data: no cache may keep them, and no inline script runs."""
    lines = []
    for cell in CELLS:
        seen = observed[cell.key]
        if cell.role == "anonymous" or seen.status != 200 or not seen.content_type.startswith("text/html"):
            continue
        problems = []
        if "no-store" not in seen.cache_control:
            problems.append(f"Cache-Control {seen.cache_control!r}")
        if not seen.csp:
            problems.append("no Content-Security-Policy")
        elif "'unsafe-inline'" in _script_src(seen.csp):
            problems.append("script-src allows 'unsafe-inline'")
        if problems:
            lines.append(f"{cell.id}: {', '.join(problems)}")
    assert not lines, f"{len(lines)} pages:\n" + "\n".join(lines)
