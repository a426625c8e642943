"""Property-based fuzzing of the list pages' filters and the exports, with Hypothesis.

Whatever a URL carries (non-characters, lone surrogates, right-to-left text, emoji, very long
strings, NUL bytes, HTML, SQL-looking text, formula starts): never a 500, and never the value
unescaped in an HTML page; a file that refuses a filter says so in plain text. And whatever text is
stored, the account page shows it escaped and the exports carry it intact, neutralised and cleaned.

Every parameter of an endpoint is sent in every example (a valid value or a fuzzed one), so an
endpoint's example count is each of its parameters' count; endpoints that read the same parameters
(the account list and its two exports, the dashboard and its review deck) share one budget of
``PER_PARAMETER`` examples, most of it spent on the cheaper of the two (a refused filter is a quick
plain-text 400 there). Examples are derandomised: the same on every run.

Budget: the thousand hostile values per filter parameter are sent to the filter forms themselves
(test_fuzz_filter_forms.py, each parameter on its own, always hostile, through the views'
selections); here, the whole path from URL to page or file, ``PER_PARAMETER`` is 300 (it was
1,000: 75 s for this module at a load of 10 on the shared 2-core machine).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.models import Account, AccountStatus, AccountType, Tier
from kam.models import Country
from kam.spreadsheet import csv_text
from kam.text import xml_safe
from plans.models import PlanStatus
from stakeholders.models import Category, DmuRole, Stance
from tests.filter_endpoints import ACCOUNT_FILTERS, DASHBOARD_FILTERS
from tests.fuzz import FUZZ, as_django_reads_it, wire

PER_PARAMETER = 300


def fuzz_settings(examples: int) -> settings:
    # The cast and the client are made once per test, not per example: every example only reads
    # (the stored-text test writes the same row each time), so sharing them is what we want.
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _choices(*choice_lists) -> list[str]:
    return ["", *(str(value) for choices in choice_lists for value, _label in choices)]


VALID = {
    "account_type": _choices(AccountType.choices),
    "tier": _choices(Tier.choices),
    "country": _choices(Country.choices),
    "status": _choices(AccountStatus.choices),
    "key": ["", "yes", "no"],
    "sort": ["", "name", "-name", "type", "-health", "score", "owner", "updated"],
    "category": _choices(Category.choices),
    "role": _choices(DmuRole.choices),
    "stance": _choices(Stance.choices),
    "stale": ["", "on", "true"],
    "ended": ["", "on"],
    "year": ["", "2025", "2026"],
    "page": ["", "1", "2", "last"],
    "q": ["", "Account", "klin nord"],
    "region": ["", "Bayern"],
    "start": ["", "2026-07-01", "01.07.2026"],
    "end": ["", "2026-09-30"],
    "group": ["", "week", "month"],
    "kind": ["", "committee", "review", "action", "follow_up"],
}
CALENDAR_FILTERS = ("start", "end", "group", "kind", *(f for f in DASHBOARD_FILTERS if f != "period"))


def queries(params: tuple[str, ...], ids: dict[str, list[str]]) -> st.SearchStrategy[dict[str, str]]:
    """Every parameter in every example: a valid value ("" leaves the filter unset; ids of people and
    periods in scope included) or fuzz."""
    return st.fixed_dictionaries(
        {p: st.one_of(st.sampled_from(VALID.get(p, [""]) + ids.get(p, [])), FUZZ) for p in params}
    )


def get(client, url: str, query: dict[str, str]):
    return client.get(url + "?" + "&".join(f"{name}={wire(value)}" for name, value in query.items()))


def assert_safe(response, query: dict[str, str]) -> None:
    assert response.status_code < 500, query
    content_type = response["Content-Type"]
    if "html" in content_type:
        body = response.content.decode()
        for value in query.values():
            seen = as_django_reads_it(value)
            # Long enough and with markup in it that finding it raw can only mean it was echoed.
            if "<" in seen and len(seen) >= 6:
                assert seen not in body, (query, seen[:80])
    elif response.status_code >= 400:
        assert content_type.startswith("text/plain"), (query, content_type)


@pytest.fixture
def kam(cast, login, settings):
    """KAM A's client, logged in once for all examples of a test. Its session is kept in the cache,
    not the database: a query less per request, thousands of times (sessions are not under test)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    return login(cast.kam_a)


@pytest.fixture
def scope(cast):
    """KAM A's ids that the filters accept, and their account with a plan."""
    from tests.plan_factories import PlanFactory

    plan = PlanFactory(account=cast.account_a)
    return {
        "ids": {
            "owner": [str(cast.kam_a.pk), str(cast.kam_c.pk)],
            "team_lead": [str(cast.manager_a.pk), str(cast.manager_b.pk)],
            "period": [str(plan.period_id)],
            "status_plan": [s for s, _label in PlanStatus.choices],
        },
        "plan": plan,
    }


ACCOUNT_URLS = {
    "list": lambda: reverse("accounts:list"),
    "csv": lambda: reverse("accounts:export", args=["csv"]),
    "xlsx": lambda: reverse("accounts:export", args=["xlsx"]),
}


@fuzz_settings(PER_PARAMETER // 5)
@given(query=st.data())
def test_the_account_list_survives_any_filter(cast, kam, scope, query):
    q = query.draw(queries((*ACCOUNT_FILTERS, "page"), scope["ids"]))
    assert_safe(get(kam, ACCOUNT_URLS["list"](), q), q)


@fuzz_settings(PER_PARAMETER * 3 // 5)
@given(query=st.data())
def test_the_account_csv_survives_any_filter(cast, kam, scope, query):
    q = query.draw(queries(ACCOUNT_FILTERS, scope["ids"]))
    response = get(kam, ACCOUNT_URLS["csv"](), q)
    assert_safe(response, q)
    if response.status_code == 200:
        b"".join(response.streaming_content).decode("utf-8")


@fuzz_settings(PER_PARAMETER // 5)
@given(query=st.data())
def test_the_account_xlsx_survives_any_filter(cast, kam, scope, query):
    q = query.draw(queries(ACCOUNT_FILTERS, scope["ids"]))
    response = get(kam, ACCOUNT_URLS["xlsx"](), q)
    assert_safe(response, q)
    if response.status_code == 200:
        load_workbook(io.BytesIO(response.content))


@fuzz_settings(PER_PARAMETER // 5)
@given(query=st.data())
def test_the_dashboard_survives_any_filter(cast, kam, scope, query):
    q = query.draw(queries(DASHBOARD_FILTERS, scope["ids"]))
    assert_safe(get(kam, reverse("home"), q), q)


@fuzz_settings(PER_PARAMETER // 5)
@given(query=st.data())
def test_the_calendar_survives_any_filter(cast, kam, scope, query):
    q = query.draw(queries(CALENDAR_FILTERS, scope["ids"]))
    assert_safe(get(kam, reverse("calendar"), q), q)


@fuzz_settings(PER_PARAMETER * 4 // 5)
@given(query=st.data())
def test_the_portfolio_review_survives_any_filter(cast, kam, scope, query):
    q = query.draw(queries(DASHBOARD_FILTERS, scope["ids"]))
    assert_safe(get(kam, reverse("portfolio-review"), q), q)


@fuzz_settings(PER_PARAMETER)
@given(query=st.data())
def test_the_dmu_list_survives_any_filter(cast, kam, scope, query):
    q = query.draw(queries(("category", "role", "stance", "stale", "ended", "sort"), scope["ids"]))
    assert_safe(get(kam, reverse("stakeholders:dmu", args=[cast.account_a.pk]), q), q)


@fuzz_settings(PER_PARAMETER)
@given(query=st.data())
def test_the_plan_list_survives_any_filter(cast, kam, scope, query):
    ids = {"status": scope["ids"]["status_plan"]}
    q = query.draw(queries(("status",), ids))
    assert_safe(get(kam, reverse("plans:list"), q), q)


# The year is read by the view, not by a form (no filter-form test): its thousand are here, cheap
# (a refused year is a plain-text 400).
@fuzz_settings(1000)
@given(query=st.data())
def test_the_transfer_of_value_export_survives_any_year(kam, query):
    q = query.draw(queries(("year",), {}))
    assert_safe(get(kam, reverse("stakeholders:tov-export"), q), q)


# What PostgreSQL can store (it refuses NUL and lone surrogates), cut to the columns' lengths.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
STORED = FUZZ.map(lambda s: _UNSTORABLE.sub("", s)[:100])


@fuzz_settings(100)
@given(text=STORED)
def test_stored_text_comes_back_escaped_on_the_page_and_intact_in_the_exports(cast, kam, text):
    Account.objects.filter(pk=cast.account_a.pk).update(name=text, city=text, crm_id="FUZZ-A")
    client = kam
    page = client.get(reverse("accounts:detail", args=[cast.account_a.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    if "<" in text:
        assert text not in body
    assert escape(text) in body

    response = client.get(reverse("accounts:export", args=["csv"]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    row = next(r for r in csv.DictReader(io.StringIO(content, newline="")) if r["CRM id"] == "FUZZ-A")
    assert (row["Account"], row["City"]) == (csv_text(text), csv_text(text))

    response = client.get(reverse("accounts:export", args=["xlsx"]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    row = next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[1] == "FUZZ-A")
    assert (row["Account"] or "", row["City"] or "") == (xml_safe(text), xml_safe(text))
