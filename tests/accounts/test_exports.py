"""The account table as CSV and XLSX: read back, filtered as in the URL, scoped to the user."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kam.portfolio.health.refresh import refresh_health
from tests.factories import AccountFactory, FinancialsFactory
from tests.health_data import TODAY, refreshed_portfolio

ROLES = ["kam_a", "kam_b", "kam_c", "manager_a", "manager_b", "head", "access", "medical", "admin"]
# Who sees which of the two accounts (A: KAM A's, market access on its team; C: KAM C's).
SEES = {
    "kam_a": {"Account A"},
    "kam_b": set(),
    "kam_c": {"Account C"},
    "manager_a": {"Account A"},
    "manager_b": {"Account C"},
    "head": {"Account A", "Account C"},
    "access": {"Account A"},
    "medical": set(),
    "admin": {"Account A", "Account C"},
}


@pytest.fixture
def portfolio(cast):
    with refreshed_portfolio(cast) as data:
        yield data


def _csv(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def _xlsx(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_csv_holds_health_owner_and_revenue_in_the_reporting_currency(cast, portfolio, login):
    response = login(cast.head).get(reverse("accounts:export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="accounts-{TODAY.isoformat()}.csv"'
    assert response["Cache-Control"] == "private, no-store"
    rows = {r["Account"]: r for r in _csv(response)}
    a, c = rows["Account A"], rows["Account C"]
    assert (a["Type"], a["Tier"], a["Country"], a["Key account"], a["Owner"]) == (
        "Hospital",
        "A",
        "DE",
        "yes",
        str(cast.kam_a),
    )
    assert (a["Health score"], a["Health: plan"], a["Health: relationships"], a["Health computed at"]) == (
        "64",
        "85",
        "33",
        "2026-07-02 12:00",  # Europe/Berlin
    )
    assert (a["Revenue 2026 (EUR)"], a["Target 2026 (EUR)"], a["Attainment %"]) == ("90000.00", "120000.00", "75.0")
    # CHF converted at 1.10; the attainment is the same in either currency.
    assert (Decimal(c["Revenue 2026 (EUR)"]), Decimal(c["Target 2026 (EUR)"]), c["Attainment %"]) == (
        Decimal("1100"),
        Decimal("880"),
        "125.0",
    )
    assert (c["Health score"], c["Health: objectives"]) == ("36", "")


def test_the_xlsx_holds_the_same_rows_as_numbers(cast, portfolio, login):
    response = login(cast.head).get(reverse("accounts:export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = {r["Account"]: r for r in _xlsx(response)}
    a = rows["Account A"]
    assert (a["Health score"], a["Health: plan"], a["Revenue 2026 (EUR)"], a["Attainment %"]) == (64, 85, 90000, 75.0)
    assert a["Owner"] == str(cast.kam_a) and a["Key account"] is True
    assert a["Health computed at"].isoformat() == "2026-07-02T12:00:00"
    assert rows["Account C"]["Target 2026 (EUR)"] == 880


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_only_the_accounts_it_may_see(cast, portfolio, login, role, fmt):
    response = login(getattr(cast, role)).get(reverse("accounts:export", args=[fmt]))
    if role == "medical":
        # The medical/commercial firewall (kam.firewall "portfolio.figures"): health and revenue
        # against target are not for medical colleagues, seat or not.
        assert response.status_code == 403
        return
    assert response.status_code == 200
    rows = _csv(response) if fmt == "csv" else _xlsx(response)
    assert {r["Account"] for r in rows} == SEES[role]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_kam_cannot_filter_into_another_team(cast, portfolio, login, fmt):
    client = login(cast.kam_a)
    url = reverse("accounts:export", args=[fmt])
    for query in ({"owner": cast.kam_c.pk}, {"team_lead": cast.manager_b.pk}, {"team_lead": cast.manager_a.pk}):
        response = client.get(url, query)
        assert response.status_code == 400
        assert b"Account C" not in response.content


def test_the_filters_of_the_url_apply(cast, portfolio, login):
    AccountFactory(owner=cast.kam_b, name="Apotheke B", account_type="pharmacy", tier="C", country="AT")
    client = login(cast.manager_a)
    url = reverse("accounts:export", args=["csv"])

    def names(**query) -> list[str]:
        response = client.get(url, query)
        assert response.status_code == 200
        return [r["Account"] for r in _csv(response)]

    assert names() == ["Account A", "Apotheke B"]
    assert names(owner=cast.kam_b.pk) == ["Apotheke B"]
    assert names(account_type="hospital") == ["Account A"]
    assert names(tier="C", country="AT") == ["Apotheke B"]
    assert names(key="yes") == ["Account A"]
    assert names(q="Apotheke") == ["Apotheke B"]
    assert names(sort="-name") == ["Apotheke B", "Account A"]
    # The head filters by team: manager A's team holds KAM A's and KAM B's accounts.
    response = login(cast.head).get(url, {"team_lead": cast.manager_a.pk})
    assert [r["Account"] for r in _csv(response)] == ["Account A", "Apotheke B"]


def test_text_that_looks_like_a_formula_stays_text(cast, login):
    AccountFactory(owner=cast.kam_a, name='=HYPERLINK("http://x")', city="+49 Köln\x07")
    client = login(cast.kam_a)
    row = next(r for r in _csv(client.get(reverse("accounts:export", args=["csv"]))) if "HYPERLINK" in r["Account"])
    assert row["Account"] == '\'=HYPERLINK("http://x")'
    assert row["City"] == "'+49 Köln"
    sheet = load_workbook(io.BytesIO(client.get(reverse("accounts:export", args=["xlsx"])).content)).active
    cells = [c for c in sheet["A"] if c.value and "HYPERLINK" in c.value]
    assert cells[0].data_type == "s" and cells[0].value == '=HYPERLINK("http://x")'


def test_anonymous_users_are_sent_to_login_and_unknown_formats_are_404(client, cast, login):
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("accounts:export", args=[fmt]))
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert login(cast.kam_a).get(reverse("accounts:export", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_accounts(cast, login, fmt, django_assert_max_num_queries):
    client = login(cast.manager_a)
    counts = []
    for extra in (5, 50):
        for _i in range(extra):
            account = AccountFactory(owner=cast.kam_b)
            FinancialsFactory(account=account, year=TODAY.year)
        refresh_health()
        with django_assert_max_num_queries(6) as ctx:
            response = client.get(reverse("accounts:export", args=[fmt]), {"team_lead": cast.manager_a.pk})
            rows = _csv(response) if fmt == "csv" else _xlsx(response)
        counts.append(len(ctx.captured_queries))
        assert len(rows) == 1 + extra + (5 if extra == 50 else 0)
    assert counts[0] == counts[1]


def test_a_kam_in_scope_without_accounts_exports_an_empty_table(cast, login):
    # The dashboard offers every KAM in scope, so its export link must work for one who owns nothing.
    response = login(cast.manager_a).get(reverse("accounts:export", args=["csv"]), {"owner": cast.kam_b.pk})
    assert response.status_code == 200
    assert _csv(response) == []


XSS = "<img src=x onerror=alert(1)>"
FILTERS = ["account_type", "tier", "country", "sort", "status", "key", "owner", "team_lead", "region", "q"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("param", FILTERS)
def test_it_never_echoes_a_filter_as_html(cast, login, fmt, param):
    response = login(cast.kam_a).get(reverse("accounts:export", args=[fmt]), {param: XSS})
    assert "html" not in response["Content-Type"]
    if param in ("region", "q"):  # free text: a filter that matches nothing
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "These filters were not understood" in response.content.decode()


@pytest.mark.parametrize("param", FILTERS)
def test_the_list_shows_a_refused_filter_escaped(cast, login, param):
    response = login(cast.kam_a).get(reverse("accounts:list"), {param: XSS})
    assert response.status_code == 200
    assert XSS.encode() not in response.content
    if param not in ("region", "q"):
        assert b"Some filters were not understood" in response.content
