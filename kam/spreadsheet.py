"""Cells for CSV and XLSX files that spreadsheet programs open without running anything.

Text typed by users (account names, cities, expense ids) ends up in cells. A spreadsheet program
reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula, and a formula can fetch URLs or start programs (OWASP, "CSV Injection").
Checking only the start of the whole field is not enough: Excel set to a German locale splits a
comma-separated line on ``;``, so an unquoted ``X;=1+1;Y`` becomes three cells, the middle one a
formula. Hence, for every CSV and XLSX export of the app:

- CSV: every field quoted (``csv.QUOTE_ALL``), so no program splits inside a field, and a text
  that starts like a formula gets a leading ``'``, which spreadsheet programs read as "text" and
  hide;
- XLSX: such a text is written as a text cell (never a formula cell) with Excel's own quote-prefix
  flag, which is what Excel stores when a user types ``'=1+1``: the value stays exactly as typed,
  and editing the cell does not turn it into a formula;
- both: characters XML cannot hold are dropped (``kam.text.xml_safe``), so one stray character
  cannot fail the whole file.
"""

from __future__ import annotations

import csv
from typing import Any

from openpyxl.cell import WriteOnlyCell

from kam.text import xml_safe

# What spreadsheet programs take as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_text(value: Any) -> str:
    """A text for a CSV field: cleaned, and with a leading ``'`` where it would start a formula."""
    text = xml_safe(value)
    return f"'{text}" if looks_like_formula(text) else text


def csv_writer(stream: Any) -> Any:
    """A ``csv.writer`` that quotes every field. Pass text through ``csv_text`` (or ``csv_row``)."""
    return csv.writer(stream, quoting=csv.QUOTE_ALL)


def csv_row(values: list[Any]) -> list[Any]:
    """``values`` with every text neutralised by ``csv_text``; numbers and empty cells stay as they are."""
    return [csv_text(v) if isinstance(v, str) else v for v in values]


def xlsx_text(sheet: Any, value: Any) -> str | WriteOnlyCell:
    """A text for a write-only XLSX sheet: cleaned, and as a quote-prefixed text cell where it would
    start a formula (openpyxl would otherwise write ``=…`` as a formula)."""
    text = xml_safe(value)
    if not looks_like_formula(text):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
