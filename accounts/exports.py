"""The account table as a file: the accounts a user may see, filtered as on the page, with their
health and this year's revenue against target in the reporting currency.

The health and the converted revenue come from the accounts' stored health rows (the figures the
dashboard shows, with the time they were computed in their own column), so the export is one
plain query whatever the number of accounts. CSV streams row by row from a database iterator;
XLSX is written by openpyxl's write-only workbook, which keeps one row in memory at a time.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import Account, AccountType
from kam.spreadsheet import csv_text, csv_writer, xlsx_text

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000

_FIELDS = (
    "name",
    "crm_id",
    "account_type",
    "tier",
    "is_key_account",
    "country",
    "region",
    "city",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "health__score",
    "health__plan_part",
    "health__objectives_part",
    "health__csat_part",
    "health__relationships_part",
    "health__revenue_part",
    "health__computed_at",
    "health__revenue_actual",
    "health__revenue_target",
    "health__revenue_attainment",
)


_HEALTH = ("score", "plan_part", "objectives_part", "csat_part", "relationships_part", "revenue_part")


def columns(year: int) -> list[tuple[str, str]]:
    """(header, kind) per column; kind is "text", "int", "money", "pct", "bool" or "datetime"."""
    currency = settings.REPORTING_CURRENCY
    return [
        (_("Account"), "text"),
        (_("CRM id"), "text"),
        (_("Type"), "text"),
        (_("Tier"), "text"),
        (_("Key account"), "bool"),
        (_("Country"), "text"),
        (_("Region"), "text"),
        (_("City"), "text"),
        (_("Owner"), "text"),
        (_("Health score"), "int"),
        (_("Health: plan"), "int"),
        (_("Health: objectives"), "int"),
        (_("Health: CSAT"), "int"),
        (_("Health: relationships"), "int"),
        (_("Health: revenue"), "int"),
        (_("Health computed at"), "datetime"),
        (_("Revenue %(year)s (%(currency)s)") % {"year": year, "currency": currency}, "money"),
        (_("Target %(year)s (%(currency)s)") % {"year": year, "currency": currency}, "money"),
        (_("Attainment %"), "pct"),
    ]


def export_rows(accounts: QuerySet[Account]) -> Iterator[list[Any]]:
    """One list per account, in ``columns`` order, streamed from the database in chunks."""
    types = dict(AccountType.choices)
    rows = accounts.values_list(*_FIELDS).iterator(chunk_size=CHUNK)
    for row in rows:
        values = dict(zip(_FIELDS, row, strict=True))
        actual, target = (_cents(values[f"health__revenue_{which}"]) for which in ("actual", "target"))
        attainment = values["health__revenue_attainment"]
        computed_at = values["health__computed_at"]
        owner = f"{values['owner__first_name']} {values['owner__last_name']}".strip() or values["owner__username"]
        yield [
            values["name"],
            values["crm_id"] or "",
            str(types.get(values["account_type"], values["account_type"])),
            values["tier"],
            values["is_key_account"],
            values["country"],
            values["region"],
            values["city"],
            owner,
            *(values[f"health__{part}"] for part in _HEALTH),
            timezone.localtime(computed_at).replace(tzinfo=None) if computed_at else None,
            actual,
            target,
            None if attainment is None else round(attainment, 1),
        ]


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


class _Echo:
    """csv.writer writes into this and gets the line back, to be streamed."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, str):
        return csv_text(value)  # account names and cities are typed by users
    return value


def csv_response(accounts: QuerySet[Account], year: int, filename: str) -> StreamingHttpResponse:
    writer = csv_writer(_Echo())

    def lines() -> Iterator[str]:
        # A byte-order mark, so that spreadsheet programs read the file as UTF-8 (umlauts).
        yield "\ufeff" + writer.writerow([h for h, _kind in columns(year)])
        for row in export_rows(accounts):
            yield writer.writerow([_csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    return _attach(response, f"{filename}.csv")


# Only money gets a format of its own: styling a cell is what costs most in openpyxl, and whole
# numbers, percentages with one decimal and dates read well as they are.
_NUMBER_FORMATS = {"money": "#,##0.00"}
_WIDTHS = {"text": 18, "bool": 8, "int": 9, "money": 16, "pct": 11, "datetime": 17}


def xlsx_response(accounts: QuerySet[Account], year: int, filename: str) -> HttpResponse:
    cols = columns(year)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Accounts"))
    sheet.freeze_panes = "A2"
    for n, (_header, kind) in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = 34 if n == 1 else _WIDTHS[kind]
    bold = Font(bold=True)
    header = []
    for title, _kind in cols:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in export_rows(accounts):
        cells = []
        for value, (_title, kind) in zip(row, cols, strict=True):
            if isinstance(value, str):
                value = xlsx_text(sheet, value)  # text stays text, even when it starts with "="
            elif value is not None and kind in _NUMBER_FORMATS:
                cell = WriteOnlyCell(sheet, value=float(value) if isinstance(value, Decimal) else value)
                cell.number_format = _NUMBER_FORMATS[kind]
                value = cell
            cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return _attach(HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE), f"{filename}.xlsx")


def _attach(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    # Accounts with revenue: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


EXPORTERS = {"csv": csv_response, "xlsx": xlsx_response}


def export_filename(today: date) -> str:
    return f"accounts-{today.isoformat()}"


__all__ = ["EXPORTERS", "columns", "export_filename", "export_rows"]
