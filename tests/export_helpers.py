"""Reading list exports back as a spreadsheet program would: CSV with the csv module, XLSX with
openpyxl; and the formula payloads every export must neutralise."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from kam.spreadsheet import FORMULA_START

PAYLOADS = ["=1+1", "X;=1+1;Y", "+A1", "-2", "@SUM(A1)", "\t=1", "\r=1"]


def csv_body(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def csv_rows(response) -> list[dict[str, str]]:
    body = csv_body(response).removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def csv_header(response) -> list[str]:
    body = csv_body(response).removeprefix("\ufeff")
    return next(csv.reader(io.StringIO(body, newline="")))


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Cache-Control"] == "private, no-store"
    return load_workbook(io.BytesIO(response.content))


def xlsx_rows(response, sheet: str | None = None) -> list[dict]:
    book = workbook(response)
    rows = list((book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def assert_xlsx_neutralised(response, payload: str) -> None:
    """No formula cell anywhere; every text that starts like a formula is a quote-prefixed text
    cell holding what was typed; the payload is among them."""
    cells = [cell for sheet in workbook(response).worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    for cell in risky:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert payload in [c.value for c in cells]
