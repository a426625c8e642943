"""In a real browser: every page is usable with a keyboard and a screen reader.

``test_it_finds_no_serious_accessibility_violation`` runs axe-core (vendored under
static/vendor/axe-core/, version in static/vendor/VERSIONS.md) over every page the authorisation
matrix (tests/authz/matrix.csv, data from tests/authz/data.py) answers with a 200 HTML page, with
the WCAG 2.0 and 2.1 A and AA rules, at a desktop (1280×800) and a phone (390×844) size, and fails
on any serious or critical violation, naming page, role, size, rule and the first failing node.

The sweep's browser contexts are opened with ``bypass_csp=True``, and only they: axe is injected
with ``page.add_script_tag(path=...)``, i.e. as an inline script, which the app's policy
(``script-src 'self'``, and nothing at all on the survey pages) refuses. The policy itself is
held by tests/test_browser_security.py, which runs without the bypass.

To keep the sweep to a few minutes on two cores, it dedupes what renders the same template:
- foreign rows (account C's objects) are left out: they render the templates of the own rows
  (account A's) with the other team's data;
- each row runs once per role *kind*, as the first role of the kind that gets a 200: owner KAM
  (kam_a, kam_b, kam_c), manager (manager_a, manager_b, head), market access (access), medical
  (medical_seat, medical_out), admin (admin);
- public pages (the anonymous role gets a 200: survey pages, login, password reset) run as
  anonymous only;
- each page is loaded once and checked at both sizes (the viewport is resized in between);
- the REST API's Swagger UI (``api:docs``) is left out: a developer tool drawn entirely by the
  vendored drf-spectacular-sidecar bundle, not a page of the app, whose markup we do not write;
- non-HTML answers (CSV, XLSX, PDF, PPTX, JSON) are left out, and so are htmx fragments (no
  ``<html>`` element, e.g. a campaign's progress): axe checks them inside the page that holds them.
Every violation (all nodes, any impact) is written to test-artifacts/a11y-violations.json.
The matrix samples plan steps 1, 3 and 6; the sweep adds the other four steps with the same roles,
since each step has its own form.

``test_it_adds_an_action_on_step_5_with_the_keyboard_only`` drives plan step 5 with the keyboard
alone. Screenshots under test-artifacts/screenshots/a11y-*.png.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.authz.data import FOREIGN, build_world
from tests.authz.matrix import Row, load, url_for
from tests.browser_support import shot

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
ARTIFACT = Path(settings.BASE_DIR) / "test-artifacts" / "a11y-violations.json"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
KINDS = {
    "anonymous": ("anonymous",),
    "owner KAM": ("kam_a", "kam_b", "kam_c"),
    "manager": ("manager_a", "manager_b", "head"),
    "market access": ("access",),
    "medical": ("medical_seat", "medical_out"),
    "admin": ("admin",),
}
EXTRA_STEPS = (2, 4, 5, 7)
# Pages whose screenshots the report looks at: (route, args) -> a short name.
SCREENSHOTS = {("plans:step", "pk={plan} number=5"): "plan-step-5", ("stakeholders:dmu", "pk={account}"): "dmu"}

# After a resize, one animation frame lets the page's resize handlers run before axe looks.
NEXT_FRAME = "() => new Promise(resolve => requestAnimationFrame(() => resolve()))"
RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    target: v.nodes[0].target.join(' '), html: v.nodes[0].html.slice(0, 300),
    summary: (v.nodes[0].failureSummary || '').slice(0, 300),
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300), summary: n.failureSummary})),
  }));
}
"""


@dataclass(frozen=True)
class Visit:
    route: str
    args: str
    kind: str
    role: str
    url: str

    @property
    def label(self) -> str:
        return f"{self.route} [{self.args}]" if self.args else self.route


def _sweep_rows(rows: list[Row]) -> list[Row]:
    """The matrix's GET rows of own and object-less pages, plus the plan steps it does not sample."""
    chosen = [row for row in rows if row.method == "GET" and row.side != FOREIGN]
    for row in list(chosen):
        if row.route == "plans:step" and row.args.endswith("number=1"):
            for number in EXTRA_STEPS:
                args = row.args.replace("number=1", f"number={number}")
                chosen.append(Row(row.line, row.route, row.method, row.side, args, row.data, row.expected))
    return chosen


# Third-party pages that are not the app's own (see the module docstring).
NOT_SWEPT = {"api:docs"}


def _visits(rows: list[Row], world, sessions: dict[str, Client]) -> list[Visit]:
    visits = []
    for row in _sweep_rows(rows):
        if row.route in NOT_SWEPT:
            continue
        statuses = dict(row.expected)
        kinds = ("anonymous",) if statuses["anonymous"] == "200" else [k for k in KINDS if k != "anonymous"]
        url = url_for(row, world)
        for kind in kinds:
            role = next((r for r in KINDS[kind] if statuses[r] == "200"), None)
            if role is None:
                continue
            response = sessions[role].get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            if b"<html" not in response.content[:500]:
                continue  # an htmx fragment
            visits.append(Visit(row.route, row.args, kind, role, url))
    return visits


def _clients(world) -> dict[str, Client]:
    clients = {}
    for kind_roles in KINDS.values():
        for role in kind_roles:
            client = Client()
            if role != "anonymous":
                client.force_login(world.users[role], backend="django.contrib.auth.backends.ModelBackend")
            clients[role] = client
    return clients


def _context(browser, live_server, client: Client):
    context = browser.new_context(viewport=SIZES["desktop"], locale="en-GB", bypass_csp=True)
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is not None:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    return context


def _describe(visit: Visit, size: str, violation: dict) -> str:
    return (
        f"{visit.label} as {visit.role} ({visit.kind}), {size}: {violation['id']} ({violation['impact']}, "
        f"{violation['count']} nodes) {violation['help']}\n    first: {violation['target']}: {violation['html']}"
        f"\n    {violation['summary']}"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_finds_no_serious_accessibility_violation(live_server, browser):
    world = build_world()
    clients = _clients(world)
    visits = _visits(load(), world, clients)
    assert len(visits) > 60, "the sweep lost its pages"

    started = time.monotonic()
    problems: list[str] = []
    found: list[dict] = []
    pages_by_role: dict[str, object] = {}
    for visit in sorted(visits, key=lambda v: v.role):
        page = pages_by_role.get(visit.role)
        if page is None:
            page = _context(browser, live_server, clients[visit.role]).new_page()
            page.set_default_timeout(15_000)
            pages_by_role[visit.role] = page
        page.set_viewport_size(SIZES["desktop"])
        response = page.goto(f"{live_server.url}{visit.url}")
        assert response is not None and response.status == 200, f"{visit.label} as {visit.role}"
        page.add_script_tag(path=str(AXE))
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.evaluate(NEXT_FRAME)
            for violation in page.evaluate(RUN_AXE, TAGS):
                found.append({"page": visit.label, "role": visit.role, "size": size, **violation})
                if violation["impact"] in BLOCKING:
                    problems.append(_describe(visit, size, violation))
            name = SCREENSHOTS.get((visit.route, visit.args))
            if name and visit.kind == "owner KAM":
                shot(page, f"a11y-{name}-{size}")

    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(found, indent=1))
    kinds = sorted({v.kind for v in visits})
    print(
        f"\naxe sweep: {len({(v.route, v.args) for v in visits})} pages, {len(visits)} page×role visits "
        f"({', '.join(kinds)}), × {len(SIZES)} sizes, {time.monotonic() - started:.0f} s"
    )
    assert not problems, f"{len(problems)} serious or critical violations:\n" + "\n".join(problems)


def _tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never took the focus in {limit} tabs")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_adds_an_action_on_step_5_with_the_keyboard_only(live_server, page):
    from playwright.sync_api import expect

    from plans.models import Action, PlanningPeriod
    from tests.factories import AccountFactory, UserFactory
    from tests.plan_factories import PlanFactory

    year = date.today().year + 1
    period = PlanningPeriod.objects.create(name=f"FY {year}", start=date(year, 1, 1), end=date(year, 12, 31))
    kam = UserFactory(username="kam.keys", first_name="Kira", last_name="Keyes")
    plan = PlanFactory(account=AccountFactory(name="Klinikum Tastatur", owner=kam), period=period)
    # Chromium's date field orders day and month by the browser's own locale, not the page's:
    # with day == month the keys typed are the same either way.
    due = date(year, 3, 3)
    url = live_server.url

    page.goto(f"{url}/login/?next=/plans/{plan.pk}/step/5/")
    _tab_to(page, "#id_username")
    page.keyboard.type(kam.username)
    page.keyboard.press("Tab")
    page.keyboard.type("pw-for-tests-1")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{url}/plans/{plan.pk}/step/5/")

    box = page.locator(".formset[data-prefix='act']")
    rows = box.locator("tbody tr")
    before = rows.count()
    _tab_to(page, ".formset[data-prefix='act'] .add-row")
    # The keyboard's focus is visible (app.css :focus-visible, or Bootstrap's ring).
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.boxShadow]; }"
    )
    assert ring[0] != "none" or ring[1] != "none", ring
    shot(page, "a11y-keyboard-01-add-row-focused")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(before + 1)

    # The new row's first input has the focus (static/kam/formset.js), so typing goes there.
    n = before
    assert page.evaluate("() => document.activeElement.id") == f"id_act-{n}-title"
    page.keyboard.type("Present the outcomes study to the formulary committee")
    _tab_to(page, f"#id_act-{n}-owner")
    page.keyboard.type("Keyes")  # a closed <select> picks the option whose label starts so
    _tab_to(page, f"#id_act-{n}-due_date")
    page.keyboard.type(due.strftime("%d%m%Y"))
    expect(page.locator(f"#id_act-{n}-owner")).to_have_value(str(kam.pk))
    expect(page.locator(f"#id_act-{n}-due_date")).to_have_value(due.isoformat())
    shot(page, "a11y-keyboard-02-row-filled")

    _tab_to(page, "button[type=submit]:not([name])")  # "Save step"
    page.keyboard.press("Space")
    expect(page.locator(".alert-success")).to_contain_text("Step 5 saved.")
    shot(page, "a11y-keyboard-03-saved")
    action = Action.objects.get(plan=plan, title="Present the outcomes study to the formulary committee")
    assert (action.owner, action.due_date) == (kam, due)
