"""A list as a file: the CSV and XLSX responses every list export of the app shares.

A list export is some columns and rows (``Sheet``). The formats do what ``accounts.exports`` does
for the account table, in one place: the CSV is streamed row by row with a byte-order mark and
every field quoted; the XLSX is written by openpyxl's write-only workbook; every text goes through
``kam.spreadsheet`` (formula starts neutralised, characters XML cannot hold dropped); both are
attachments no shared cache keeps. A filter the export does not understand is answered with
``bad_filters``: a plain-text 400, because the errors quote what was typed.

This module sits in the lowest layer and knows no app's models.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.forms import BaseForm
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kam.spreadsheet import csv_text, csv_writer, xlsx_text
from kam.text import xml_safe

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

# Column kinds: "text", "int", "decimal", "money", "bool", "date", "datetime".
_NUMBER_FORMATS = {"money": "#,##0.00", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
_WIDTHS = {"text": 22, "int": 9, "decimal": 11, "money": 14, "bool": 8, "date": 11, "datetime": 17}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"


@dataclass
class Sheet:
    """One table: its title (the XLSX sheet's name), columns, and rows in column order."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def _local(value: datetime) -> datetime:
    # Excel has no time zones: aware datetimes are written in the server's zone, as pages show them.
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return _local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return value


class _Echo:
    """csv.writer writes into this and gets the line back, to be streamed."""

    def write(self, value: str) -> str:
        return value


def csv_response(sheet: Sheet, filename: str) -> StreamingHttpResponse:
    """``sheet`` as a streamed CSV attachment named ``filename``.csv."""
    writer = csv_writer(_Echo())

    def lines() -> Iterator[str]:
        # A byte-order mark, so that spreadsheet programs read the file as UTF-8 (umlauts).
        yield "\ufeff" + writer.writerow([csv_text(c.header) for c in sheet.columns])
        for row in sheet.rows:
            yield writer.writerow([_csv_cell(v) for v in row])

    return _attach(StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE), f"{filename}.csv")


def _xlsx_cell(sheet: Any, value: Any, kind: str) -> Any:
    if isinstance(value, str):
        return xlsx_text(sheet, value)  # text stays text, even when it starts with "="
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        value = _local(value)
    elif isinstance(value, Decimal):
        value = float(value)
    if kind in _NUMBER_FORMATS:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _NUMBER_FORMATS[kind]
        return cell
    return value


def xlsx_response(sheets: Sequence[Sheet], filename: str) -> HttpResponse:
    """``sheets`` as one workbook, a worksheet each, as an attachment named ``filename``.xlsx."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in sheets:
        # Sheet names: at most 31 characters, none of []:*?/\ (openpyxl refuses them).
        title = "".join(c for c in xml_safe(table.title) if c not in "[]:*?/\\")[:31] or "Sheet"
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for n, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = _WIDTHS.get(column.kind, 18)
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=xml_safe(column.header))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    out = io.BytesIO()
    workbook.save(out)
    return _attach(HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE), f"{filename}.xlsx")


def respond(fmt: str, sheets: Callable[[], Sequence[Sheet]], filename: str) -> HttpResponse:
    """The export in ``fmt``: the CSV holds the first sheet, the XLSX every sheet. ``sheets`` is
    called only for a known format, so an unknown one costs no query."""
    if fmt not in FORMATS:
        raise Http404(_("Unknown export format."))
    tables = sheets()
    return csv_response(tables[0], filename) if fmt == "csv" else xlsx_response(tables, filename)


def bad_filters(form: BaseForm) -> HttpResponseBadRequest:
    """The refusal of filters that were not understood: plain text, never HTML, because the
    errors quote what was typed."""
    errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in form.errors.items())
    return HttpResponseBadRequest(
        _("These filters were not understood: %(errors)s") % {"errors": errors},
        content_type="text/plain; charset=utf-8",
    )


def _attach(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    # Lists of people, plans and answers: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def filename_for(stem: str, today: date | None = None) -> str:
    """``stem`` and the day, e.g. ``plans-2026-07-02``."""
    return f"{stem}-{(today or timezone.localdate()).isoformat()}"
