"""Every CSV and XLSX export of the app opens in a spreadsheet program without running a formula,
whether the program splits lines on "," or, as Excel does in a German locale, on ";"."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kam.spreadsheet import FORMULA_START, csv_text
from tests.factories import AccountFactory
from tests.stakeholder_factories import TouchpointFactory, TransferOfValueFactory

PAYLOADS = ["=1+1", "X;=1+1;Y", "+A1", "-2", "@SUM(A1)", "\t=1", "\r=1"]


def split_like_a_spreadsheet(body: str, separator: str) -> list[str]:
    """The cells a spreadsheet program makes of ``body``: quotes switch "inside a field" on and off
    (a separator or line end between quotes is text), then each cell loses its quotes."""
    cells, current, quoted = [], [], False
    for char in body:
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif not quoted and char in (separator, "\n"):
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    cells.append("".join(current))
    out = []
    for cell in cells:
        cell = cell.removesuffix("\r")
        if len(cell) >= 2 and cell[0] == cell[-1] == '"':
            cell = cell[1:-1].replace('""', '"')
        out.append(cell)
    return out


def assert_no_formula_cell(body: str) -> None:
    body = body.removeprefix("\ufeff")
    for separator in (",", ";"):
        formulas = [c for c in split_like_a_spreadsheet(body, separator) if c.startswith(FORMULA_START)]
        assert formulas == [], f"split on {separator!r}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("X;=1+1;Y", "X;=1+1;Y"),
        ("+A1", "'+A1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Klinik\x0b\uffffum", "Klinikum"),
        ("Köln", "Köln"),
    ],
)
def test_the_neutraliser_prefixes_formula_starts_and_drops_unusable_characters(value, expected):
    assert csv_text(value) == expected


def test_the_splitter_finds_the_bypass_in_an_unquoted_line():
    # The helper itself must see the attack it guards against.
    assert "=1+1" in split_like_a_spreadsheet("A,X;=1+1;Y,B\n", ";")
    with pytest.raises(AssertionError):
        assert_no_formula_cell("A,X;=1+1;Y,B\n")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_account_csv_holds_no_formula_for_any_separator(cast, login, payload):
    AccountFactory(owner=cast.kam_a, name=payload, city=payload, region=payload)
    response = login(cast.kam_a).get(reverse("accounts:export", args=["csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert_no_formula_cell(body)
    # Every field is quoted, the header too.
    assert body.removeprefix("\ufeff").startswith('"Account","CRM id",')
    expected = csv_text(payload).replace('"', '""')
    assert f'"{expected}"' in body


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_account_xlsx_writes_formula_starts_as_quoted_text(cast, login, payload):
    AccountFactory(owner=cast.kam_a, name=payload, city=payload)
    response = login(cast.kam_a).get(reverse("accounts:export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    if payload.startswith(FORMULA_START):
        assert len(risky) == 2  # the name and the city, kept as typed
    for cell in risky:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
        assert cell.value == payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_transfer_of_value_csv_holds_no_formula_for_any_separator(cast, login, payload):
    account = AccountFactory(owner=cast.kam_a, name=payload)
    touchpoint = TouchpointFactory(account=account, logged_by=cast.kam_a, date=date(2025, 3, 1))
    TransferOfValueFactory(
        touchpoint=touchpoint, recipient_person=None, recipient_organisation=account, expense_record_id=payload
    )
    TransferOfValueFactory(
        touchpoint=touchpoint, recipient_person=None, recipient_organisation=account, expense_record_id="A"
    )
    response = login(cast.kam_a).get(reverse("stakeholders:tov-export"), {"year": "2025"})
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert_no_formula_cell(body)
    assert body.startswith('"Recipient type","Recipient",')
    assert f'"{csv_text(payload)}"' in body
