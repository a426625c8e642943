"""Property-based fuzzing of every form of the app, with Hypothesis.

Every POST route that takes a form or formset (the POST rows of tests/authz/matrix.csv, which
``test_it_fuzzes_every_form_route`` holds to this list, and routes of the URL resolver the matrix
lacks so far: the consent form) is posted with its own page's values, as the browser would send
them, with one field replaced by something hostile (``tests.fuzz.FORM_FUZZ``: non-characters,
lone surrogates as raw bytes and as text, broken UTF-8, right-to-left text and overrides, emoji,
10k–1M characters, NUL bytes, markup, SQL-looking text, formula starts). Then:

- never a 500: every answer is a 2xx, 3xx or 4xx;
- a refused form is a 400 that shows what was typed in a text field again, escaped: nothing typed
  with markup in it comes back raw;
- an accepted form redirects to a page that shows the text escaped (followed each time).

Each example runs in a savepoint that is rolled back, over one data set built once for the module
(``tests/authz/data.py``), so examples do not pile up rows. Examples are derandomised: the same
on every run.

The thousand examples per form that the issue asks for are run at the level of the forms, as
their views build them (tests/test_fuzz_form_level.py); this module keeps the whole path, from the
page's own submission to the page that shows what was saved, at a smaller budget.

Budget: ``KAM_FUZZ_FORM_EXAMPLES`` examples per form (its fields share them), 30 by default (60
until the suite neared CI's 30 minutes: 28 min 40 s on a quiet machine), so that the module stays
within two minutes on the shared 2-core machine (95 s at a load of 5 with 60): an
example costs 0.05–0.2 s with the machine's load (a refused form is rendered again, an accepted one
is followed to its page), a 10k–1M-character one about a second. ``KAM_FUZZ_FORM_EXAMPLES=1000`` is
the thorough run, 33 × 1,000 examples: about 25 minutes there (300 per form took 7.6 minutes);
add ``KAM_FUZZ_NO_SHRINK=1`` to report a failure without shrinking it.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import lxml.html
import markupsafe
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pptx import Presentation

from accounts.models import Account
from kam.spreadsheet import csv_text
from kam.text import xml_safe
from plans.models import PlanStep
from tests.authz.data import OWN, World, build_world
from tests.authz.matrix import load, route_names
from tests.fuzz import FORM_FUZZ, FUZZ, as_django_reads_it, wire

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

EXAMPLES = int(os.environ.get("KAM_FUZZ_FORM_EXAMPLES", "30"))


@dataclass(frozen=True)
class FormCase:
    """One form: the route it posts to, who posts it, the URL's kwargs ({placeholders} from the
    world, as in the matrix) and the values that make its page's defaults a valid submission."""

    route: str
    role: str | None
    args: dict[str, object] = field(default_factory=dict)
    fill: dict[str, str] = field(default_factory=dict)
    # The page whose form posts here, when the route itself shows none (a POST-only view).
    page: str = ""

    @property
    def id(self) -> str:
        number = self.args.get("number")
        return self.route + (f"-{number}" if number else "")


ACCOUNT = {"pk": "{account}"}
AFFILIATION = {"pk": "{affiliation}"}
PERSON = {"pk": "{person}"}
PLAN = {"pk": "{plan}"}

CASES = [
    FormCase("accounts:create", "kam_a", fill={"name": "Fuzz Klinikum", "account_type": "hospital"}),
    FormCase("accounts:edit", "kam_a", ACCOUNT),
    FormCase("accounts:qualification", "kam_a", ACCOUNT),
    FormCase("accounts:reassign", "manager_a", ACCOUNT, fill={"new_owner": "{kam_b_pk}"}),
    FormCase("accounts:listings", "kam_a", ACCOUNT),
    FormCase("accounts:financials", "kam_a", ACCOUNT),
    FormCase("accounts:team", "kam_a", ACCOUNT),
    FormCase(
        "accounts:tender-create",
        "kam_a",
        ACCOUNT,
        fill={"title": "Ausschreibung Biologika 2027", "submission_deadline": "2027-01-15"},
    ),
    FormCase("accounts:tender-edit", "kam_a", {"pk": "{account}", "tender_pk": "{tender}"}),
    FormCase(
        "accounts:contract-create",
        "kam_a",
        ACCOUNT,
        fill={"title": "Rahmenvertrag Biologika", "start_date": "2026-01-01", "end_date": "2027-12-31"},
    ),
    FormCase("accounts:contract-edit", "kam_a", {"pk": "{account}", "contract_pk": "{contract}"}),
    FormCase(
        "stakeholders:add",
        "kam_a",
        ACCOUNT,
        fill={"person-first_name": "Ada", "person-last_name": "Fuzz", "aff-function": "hospital_pharmacist"},
    ),
    FormCase("stakeholders:affiliation-edit", "kam_a", AFFILIATION),
    FormCase("stakeholders:coverage", "kam_a", AFFILIATION, fill={"user": "{kam_a_pk}", "strength": "3"}),
    FormCase("stakeholders:kol", "medical_seat", PERSON),
    FormCase("stakeholders:support-add", "kam_a", ACCOUNT, fill={"topic": "Subgroup data", "person": "{person}"}),
    FormCase("stakeholders:support-respond", "medical_seat", {"pk": "{support}"}),
    FormCase(
        "stakeholders:touchpoint-add",
        "kam_a",
        ACCOUNT,
        fill={
            "summary": "Met at the congress",
            "stakeholders": "{person}",
            "tov-amount": "25.00",
            "tov-category": "registration_fee",
            "tov-expense_record_id": "EXP-1",
        },
    ),
    FormCase(
        "stakeholders:consent-add",
        "kam_a",
        PERSON,
        fill={"source": "Signed form", "wording": "I agree.", "given_on": "{today}"},
    ),
    FormCase("stakeholders:person-erase", "manager_a", PERSON, fill={"confirm": "on"}),
    FormCase("stakeholders:campaign-new", "manager_a", fill={"name": "Fuzz campaign", "close_date": "{in_a_month}"}),
    FormCase(
        "stakeholders:follow-up-close",
        "kam_a",
        {"pk": "{follow_up}"},
        fill={"note": "Called back; resolved."},
        # The account page's Surveys tab, which the page loads when it is opened.
        page="accounts:surveys {account}",
    ),
    FormCase("plans:create", "kam_a", {"account_pk": "{account}"}, fill={"period": "{next_period}"}),
    *[FormCase("plans:step", "kam_a", {**PLAN, "number": n}) for n in range(1, 8)],
    FormCase("plans:review", "manager_a", {"pk": "{submitted_plan}"}, fill={"decision": "approve"}),
    FormCase("plans:next", "kam_a", {"pk": "{approved_plan}"}, page="plans:detail {approved_plan}"),
    FormCase("plans:digest-settings", "kam_a"),
    FormCase("meeting-start", "manager_a"),
    FormCase(
        "meeting-account",
        "manager_a",
        {"pk": "{meeting}", "position": 1},
        fill={"title": "Book the P&T committee", "owner": "{kam_a_pk}", "due_date": "{today}"},
    ),
    FormCase(
        "people-handover",
        "manager_a",
        {"pk": "{owner}"},
        fill={"handover-0-successor": "{kam_b_pk}", "handover-0-note": "Call the pharmacist first.", "confirm": "on"},
    ),
    FormCase("survey:answer", None, {"token": "{fresh_token}"}, fill={"csat_score": "4"}),
    FormCase("login", None, fill={"username": "kam_a", "password": "wrong-password"}),
    FormCase("password_reset", None, fill={"email": "kam_a@example.com"}),
]

# POST routes that take no form (a button), each with why it is left out.
NO_FORM = {
    "accounts:archive": "a button, no fields",
    "accounts:restore": "a button, no fields",
    "accounts:tender-delete": "a button, no fields",
    "accounts:contract-delete": "a button, no fields",
    "logout": "a button, no fields",
    "plans:submit": "a button, no fields",
    "plans:notifications": "buttons: mark all read, or open one (a hidden id; anything but digits marks all)",
    "plans:revise": "a button, no fields",
    "stakeholders:affiliation-end": "a button, no fields",
    "stakeholders:campaign-dispatch": "a button, no fields",
    "stakeholders:consent-withdraw": "a button, no fields",
    "survey:opt-out": "a button, no fields",
    "api-token-revoke": "a button, no fields",
    "calendar-feed-revoke": "a button, no fields",
    "meeting-close": "a button, no fields",
    "meeting-decision-to-plan": "a button, no fields",
    "calendar-feed-renew": "a button, no fields; success answers 200 with the new link shown once",
    # Success shows the new secret once on a 200 page (no redirect, or the secret would travel in
    # the session), which this harness cannot tell from a refusal; tests/kam/test_api_tokens.py.
    "api-tokens": "a token's name; success answers 200 with the secret shown once",
    "stakeholders:import-apply": "a button, no fields",
    "stakeholders:imports": "a file upload: bad files (encodings, size, zip bomb, 10,000 columns) in test_import_files.py",
    "stakeholders:import": "column-to-field choices only; unknown choices are refused in test_import.py",
}
# The REST API takes JSON, not forms: schemathesis fuzzes every operation from its schema
# (tests/kam/test_api_schema.py), with no 5xx allowed.
NO_FORM_PREFIXES = ("api:",)
# Django's own views answer a refused login and any password reset with a 200 (the latter so that
# nobody learns which addresses have an account); every other form answers a refusal with a 400.
REFUSED_WITH_200 = {"login", "password_reset"}
# Controls that carry no typed text of their own: never expected back on a refused form's page.
NOT_ECHOED = ("csrfmiddlewaretoken", "TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
ERRORS = (
    "//*[contains(@class, 'invalid-feedback') or contains(@class, 'errorlist') or contains(@class, 'alert-danger')]"
)
TEXT_TYPES = {"text", "email", "search", "tel", "url", "number", "date", "datetime-local", "time", "password"}


def test_it_fuzzes_every_form_route():
    """Every POST row of the authorisation matrix is fuzzed here or listed in NO_FORM with its reason."""
    names, _unnamed = route_names()
    posted = {row.route for row in load() if row.method == "POST"}
    covered = {case.route for case in CASES} | set(NO_FORM) | {r for r in posted if r.startswith(NO_FORM_PREFIXES)}
    assert not posted - covered, f"POST routes neither fuzzed nor in NO_FORM: {sorted(posted - covered)}"
    assert not covered - set(names), f"gone from the resolver: {sorted(covered - set(names))}"


@dataclass
class Target:
    url: str
    pairs: list[tuple[str, str]]  # the page's submission, as a browser sends it
    fields: list[str]  # what gets fuzzed
    echoed: set[str]  # text controls a refused form shows again
    client: Client


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The authorisation matrix's data set, once for the module, rolled back at its end; plus an
    invitation nobody has answered yet, for the survey page."""
    from stakeholders.surveys.tokens import invitation_token
    from tests.survey_factories import CampaignFactory, InvitationFactory

    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        own = built.objects[OWN]
        invitation = InvitationFactory(campaign=CampaignFactory(created_by=built.users["manager_a"]))
        own["fresh_token"] = invitation_token(invitation)
        own["kam_a_pk"] = built.users["kam_a"].pk
        own["kam_b_pk"] = built.users["kam_b"].pk
        own["today"] = timezone.localdate().isoformat()
        own["in_a_month"] = (timezone.localdate() + timedelta(days=30)).isoformat()
        yield built
        transaction.set_rollback(True)


def _fill(value: object, world: World) -> str:
    return str(value).format(**world.values(OWN)) if isinstance(value, str) else str(value)


def _client(world: World, role: str | None) -> Client:
    # raise_request_exception: a 500 fails the example with the view's own traceback.
    client = Client(raise_request_exception=True)
    if role:
        client.force_login(world.users[role], backend="django.contrib.auth.backends.ModelBackend")
    return client


def target(case: FormCase, world: World) -> Target:
    """The form as its page offers it, with ``case.fill`` on top."""
    client = _client(world, case.role)
    url = reverse(case.route, kwargs={k: _fill(v, world) for k, v in case.args.items()})
    page = url
    if case.page:
        route, *args = case.page.split()
        page = reverse(route, args=[_fill(a, world) for a in args])
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    doc = lxml.html.fromstring(response.content)
    forms = [f for f in doc.forms if (f.method or "").upper() == "POST" and (f.action or page) == url]
    assert forms, f"no form posting to {url} on {page}"
    form = forms[0]
    pairs = [(n, v) for n, v in form.form_values() if "__prefix__" not in n]
    names, echoed = [], set()
    for element in form.inputs:
        name = element.name
        if not name or "__prefix__" in name or name in names:
            continue
        names.append(name)
        kind = element.tag if element.tag != "input" else (element.get("type") or "text").lower()
        text_like = kind == "textarea" or kind in TEXT_TYPES
        if text_like and element.get("disabled") is None and not name.endswith(NOT_ECHOED):
            echoed.add(name)
    # Buttons with a name ("go" to the next step…) are sent only when clicked: fuzzed too.
    names += [b.get("name") for b in form.xpath(".//button[@name]") if b.get("name") not in names]
    for name, value in case.fill.items():
        pairs = [(n, v) for n, v in pairs if n != name] + [(name, _fill(value, world))]
    fields = [n for n in names if n != "csrfmiddlewaretoken"]
    return Target(url, pairs, fields, echoed, client)


def body(pairs: list[tuple[str, str]], name: str, value: str | bytes) -> bytes:
    """The form's pairs with every value of ``name`` replaced by the one ``value``."""
    kept = [(n, v) for n, v in pairs if n != name]
    return "&".join(f"{wire(n)}={wire(v)}" for n, v in [*kept, (name, value)]).encode("ascii")


class _Rollback(Exception):
    pass


def post(t: Target, data: bytes):
    """One submission in a savepoint rolled back afterwards; for an accepted one, the page it
    leads to as well (read before the rollback, while the saved text is there)."""
    shown = None
    try:
        with transaction.atomic():
            response = t.client.generic("POST", t.url, data, content_type="application/x-www-form-urlencoded")
            location = response.get("Location", "")
            if 300 <= response.status_code < 400 and location and not urlsplit(location).netloc:
                shown = t.client.get(location)
            raise _Rollback
    except _Rollback:
        pass
    return response, shown


def shown_escaped(text: str, page: str) -> bool:
    """``text`` is on ``page``, escaped by Django's templates or, inside a form's widget, by Jinja2's
    (FORM_RENDERER): markupsafe writes ' as &#39; where Django writes &#x27;."""
    return escape(text) in page or markupsafe.escape(text) in page


def assert_safe(response, typed: str, *, echoed: bool) -> None:
    status = response.status_code
    assert 200 <= status < 500, (status, typed[:80])
    if "html" not in response.get("Content-Type", ""):
        return
    page = response.content.decode("utf-8", "replace")
    # Long enough and with markup in it that finding it raw can only mean it was echoed.
    if "<" in typed and len(typed) >= 6:
        assert typed not in page, ("unescaped", status, typed[:80])
    if status == 400 and echoed and "\x00" not in typed and typed.strip():
        # Shown again as typed (escaped), so nothing typed is lost.
        assert shown_escaped(typed, page) or shown_escaped(typed.strip(), page), ("not shown again", typed[:80])


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
        # Finding, not shrinking, when hunting with a big budget (shrinking a 1M-character value is slow).
        phases=[Phase.explicit, Phase.reuse, Phase.generate]
        if os.environ.get("KAM_FUZZ_NO_SHRINK")
        else [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    )


@pytest.fixture
def quiet():
    """Thousands of expected 400s would each log a warning."""
    log = logging.getLogger("django.request")
    level = log.level
    log.setLevel(logging.ERROR)
    yield
    log.setLevel(level)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_no_form_answers_hostile_input_with_a_500(case, world, quiet, no_flood_limit):
    t = target(case, world)

    @fuzz_settings(EXAMPLES)
    @given(name=st.sampled_from(t.fields), value=FORM_FUZZ)
    def check(name: str, value: str | bytes) -> None:
        typed = as_django_reads_it(value)
        data = body(t.pairs, name, value)
        response, shown = post(t, data)
        # A body over Django's limit is refused whole, before any form sees it (a plain 400).
        fits = len(data) <= django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        assert_safe(response, typed, echoed=name in t.echoed and fits)
        if case.route not in REFUSED_WITH_200:
            assert response.status_code != 200, ("a refused form answered 200", name, typed[:80])
        if shown is not None:
            assert_safe(shown, typed, echoed=False)

    check()


@pytest.fixture
def no_flood_limit():
    # The survey page's flood limit would refuse most examples from one address with a 429.
    with override_settings(SURVEY_RATE_LIMIT=(10**9, 60)):
        yield
    # The examples' submits stay counted in the shared cache: later tests of the same process
    # (the survey's browser test) would find 127.0.0.1 over the limit.
    cache.clear()


def test_the_base_submission_of_each_form_is_accepted(world, quiet, no_flood_limit):
    """The values each form starts from are valid, so a refusal is the fuzzed field's doing."""
    refused = {}
    for case in CASES:
        if case.route in ("login", "password_reset"):
            continue  # a wrong password is refused by design, a reset answers 200
        t = target(case, world)
        response, _shown = post(t, "&".join(f"{wire(n)}={wire(v)}" for n, v in t.pairs).encode())
        if response.status_code != 302:
            doc = lxml.html.fromstring(response.content)
            invalid = [e.get("name") for e in doc.xpath("//*[contains(@class, 'is-invalid')]")]
            errors = [e.text_content().strip()[:80] for e in doc.xpath(ERRORS)]
            refused[case.id] = (response.status_code, invalid, errors[:5])
    assert not refused, "\n".join(f"{k}: {v}" for k, v in refused.items())


# What comes back: text typed into a form, as stored (what Django reads, without the characters
# kam.text strips, trimmed), on the page that shows it and in the files made from it. NUL is left
# out (Django refuses it, see above), and text that strips to nothing (a required field refuses it).
STORABLE = FUZZ.map(lambda s: s.replace("\x00", "")[:100]).filter(lambda s: xml_safe(as_django_reads_it(s)).strip())
ROUND_TRIPS = max(15, EXAMPLES // 3)


def _stored(value: str) -> str:
    return xml_safe(as_django_reads_it(value)).strip()


def _case(case_id: str) -> FormCase:
    return next(case for case in CASES if case.id == case_id)


# The page's "save anyway" for text that looks like patient data, with its reason.
CONFIRMED = {"patient_data_confirm": "on", "patient_data_reason": "Fuzzing: what was typed must come back"}


def _replace(pairs: list[tuple[str, str]], **values: str) -> bytes:
    kept = [(n, v) for n, v in pairs if n not in values]
    return "&".join(f"{wire(n)}={wire(v)}" for n, v in [*kept, *values.items()]).encode("ascii")


def _squeezed(text: str) -> str:
    # Layout breaks lines and turns line ends into paragraphs: compare without whitespace.
    return "".join(text.split())


def test_text_typed_into_the_account_form_comes_back_escaped_and_intact_in_the_exports(world, quiet):
    t = target(_case("accounts:edit"), world)
    account_pk = world.values(OWN)["account"]

    @fuzz_settings(ROUND_TRIPS)
    @given(text=STORABLE)
    def check(text: str) -> None:
        stored = _stored(text)
        with transaction.atomic():
            data = _replace(t.pairs, name=text, city=text, crm_id="FUZZ-A")
            response = t.client.generic("POST", t.url, data, content_type="application/x-www-form-urlencoded")
            assert response.status_code == 302, text
            account = Account.objects.get(pk=account_pk)
            assert (account.name, account.city) == (stored, stored)

            page = t.client.get(reverse("accounts:detail", args=[account_pk])).content.decode()
            assert shown_escaped(stored, page)
            if "<" in stored:
                assert stored not in page

            response = t.client.get(reverse("accounts:export", args=["csv"]))
            content = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
            row = next(r for r in csv.DictReader(io.StringIO(content, newline="")) if r["CRM id"] == "FUZZ-A")
            assert (row["Account"], row["City"]) == (csv_text(stored), csv_text(stored))

            response = t.client.get(reverse("accounts:export", args=["xlsx"]))
            rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
            row = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if "FUZZ-A" in r)
            assert (row["Account"], row["City"]) == (stored, stored)
            transaction.set_rollback(True)

    check()


def _pptx_text(content: bytes) -> str:
    parts = []
    for slide in Presentation(io.BytesIO(content)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", pdf.name, "-"], capture_output=True, check=True, text=True
        ).stdout


def _pdf_comparable(text: str) -> str:
    """What pdftotext gives back faithfully: letters, digits, punctuation and symbols of the Latin,
    Greek and Cyrillic fonts installed, without accents (it may return them composed or apart) and
    without whitespace. Emoji and scripts the machine has no font for are drawn as missing glyphs
    and cannot be read back."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isprintable() and not c.isspace() and ord(c) < 0x250)


# Right-to-left letters and bidirectional controls: the PDF holds such text in display order, so
# pdftotext reads "\u202egpj.exe" back as "exe.jpg". Such text is only checked to render.
_BIDI = {"R", "AL", "AN", "RLO", "RLE", "LRO", "LRE", "RLI", "LRI", "FSI", "PDF", "PDI"}


def _left_to_right(text: str) -> bool:
    return not any(unicodedata.bidirectional(c) in _BIDI for c in text)


def test_text_typed_into_a_plan_step_comes_back_escaped_and_intact_in_the_deck_and_the_pdf(world, quiet):
    step1 = target(_case("plans:step-1"), world)
    step4 = target(_case("plans:step-4"), world)
    plan_pk = world.values(OWN)["plan"]

    @fuzz_settings(ROUND_TRIPS)
    @given(text=STORABLE, pdf=st.booleans())
    def check(text: str, pdf: bool) -> None:
        stored = _stored(text)
        with transaction.atomic():
            for t, name in ((step1, "commentary"), (step4, "value_proposition")):
                # Confirmed, should the text look like patient data (kam.compliance): stored as typed.
                body = _replace(t.pairs, **{name: text}, **CONFIRMED)
                response = t.client.generic("POST", t.url, body, content_type="application/x-www-form-urlencoded")
                assert response.status_code == 302, text
                page = t.client.get(t.url).content.decode()
                assert shown_escaped(stored, page)
                if "<" in stored:
                    assert stored not in page
            steps = dict(PlanStep.objects.filter(plan_id=plan_pk).values_list("number", "content"))
            assert (steps[1]["commentary"], steps[4]["value_proposition"]) == (stored, stored)

            response = step1.client.get(reverse("plans:export", args=[plan_pk, "internal", "pptx"]))
            assert response.status_code == 200
            assert _squeezed(stored) in _squeezed(_pptx_text(response.content)), stored
            if pdf:
                response = step1.client.get(reverse("plans:export", args=[plan_pk, "internal", "pdf"]))
                assert response.status_code == 200
                text = _pdf_text(response.content)
                if _left_to_right(stored):
                    assert _pdf_comparable(stored) in _pdf_comparable(text), stored
            transaction.set_rollback(True)

    check()
