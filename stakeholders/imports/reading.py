"""Reading an uploaded CSV or XLSX file safely and as a stream.

Everything a file can do wrong ends in ``BadFile`` with a sentence for the person who uploaded it,
never a 500: too big, an encoding nobody can read, a zip bomb posing as .xlsx, thousands of columns,
no header. Rows are read one at a time (a csv reader over a text wrapper; openpyxl in read-only
mode), so the worker's memory does not grow with the file. Cells are text: a cell starting with
``=`` is kept as the text it is and never evaluated (openpyxl returns a formula's text when the
workbook is not opened with ``data_only``)."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kam.text import xml_safe

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t", "|")
LATIN_LOOKALIKES = {"cp1250", "cp1252", "latin_1", "iso8859_2", "iso8859_15", "cp1257", "iso8859_9", "cp1254"}
# One cell may hold a long note; a line of several megabytes with no delimiter is not a CSV.
csv.field_size_limit(1024 * 1024)


class BadFile(Exception):
    """The file cannot be imported; the message says why, in words for its uploader."""


@dataclass(frozen=True)
class FileShape:
    file_format: str  # csv or xlsx
    encoding: str
    delimiter: str
    headers: list[str]
    rows_estimate: int


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise BadFile(
            _("The file is %(size)s MB; files up to %(limit)s MB can be imported. Split it into several files.")
            % {"size": round(size / 1024 / 1024, 1), "limit": limit // (1024 * 1024)}
        )


def _check_zip(path: Path) -> None:
    """Refuse an .xlsx whose content would unpack to far more than its size (a zip bomb), before
    anything opens it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadFile(_("This is not a readable .xlsx file (it is not a valid workbook).")) from exc
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > settings.IMPORT_MAX_UNZIPPED_BYTES or unpacked / packed > settings.IMPORT_MAX_ZIP_RATIO:
        raise BadFile(_("This workbook unpacks to far more data than its size suggests; it is refused as unsafe."))


def _detect_encoding(sample: bytes, complete: bool) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        # Text has no NUL bytes; UTF-16 without its byte order mark would pass as UTF-8 otherwise.
        raise BadFile(_("The file's text encoding could not be recognised. Save it as CSV (UTF-8) and upload again."))
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    match = from_bytes(sample).best()
    if match is None:
        raise BadFile(_("The file's text encoding could not be recognised. Save it as CSV (UTF-8) and upload again."))
    if match.encoding in LATIN_LOOKALIKES:
        # A short German sample reads the same in several single-byte code pages (ä, ö, ü, ß sit at
        # the same bytes); Excel in Western Europe writes Windows-1252, so that is the one to take.
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return match.encoding


def _check_columns(headers: list[str]) -> None:
    if len(headers) > settings.IMPORT_MAX_COLUMNS:
        raise BadFile(
            _("The file has %(n)s columns; at most %(max)s can be imported.")
            % {"n": len(headers), "max": settings.IMPORT_MAX_COLUMNS}
        )
    if not any(h.strip() for h in headers):
        raise BadFile(_("The first row must name the columns; it is empty."))


def inspect(path: Path, file_name: str) -> FileShape:
    """The shape of the file at ``path``: format, encoding, delimiter, headers, about how many rows."""
    check_size(path.stat().st_size)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        _check_zip(path)
        headers, total = _xlsx_headers(path)
        _check_columns(headers)
        return FileShape("xlsx", "", "", headers, total)
    if not file_name.lower().endswith((".csv", ".txt", ".tsv")):
        raise BadFile(_("Upload a .csv or .xlsx file."))
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
        complete = len(sample) < SAMPLE_BYTES
    if not sample.strip():
        raise BadFile(_("The file is empty."))
    encoding = _detect_encoding(sample, complete)
    first_line = sample.split(b"\n", 1)[0]
    if len(first_line) >= SAMPLE_BYTES:
        raise BadFile(
            _("The first line is too long to be a header row (more than %(max)s columns?).")
            % {"max": settings.IMPORT_MAX_COLUMNS}
        )
    text = first_line.decode(encoding, errors="replace").lstrip("\ufeff")
    delimiter = max(DELIMITERS, key=text.count)
    if not text.count(delimiter):
        delimiter = ","
    headers = next(csv.reader([text], delimiter=delimiter), [])
    _check_columns(headers)
    return FileShape("csv", encoding, delimiter, [h.strip() for h in headers], _count_lines(path) - 1)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as raw:
        while chunk := raw.read(1024 * 1024):
            count += chunk.count(b"\n")
    return count + 1


def _open_xlsx(path: Path) -> Any:
    try:
        return load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise BadFile(_("This is not a readable .xlsx file (it is not a valid workbook).")) from exc


def _xlsx_headers(path: Path) -> tuple[list[str], int]:
    workbook = _open_xlsx(path)
    try:
        sheet = workbook.worksheets[0]
        first = next(sheet.iter_rows(max_row=1, values_only=True), None)
        if first is None:
            raise BadFile(_("The file is empty."))
        if len(first) > settings.IMPORT_MAX_COLUMNS:
            raise BadFile(
                _("The file has %(n)s columns; at most %(max)s can be imported.")
                % {"n": len(first), "max": settings.IMPORT_MAX_COLUMNS}
            )
        return [cell_text(v) for v in first], max(0, (sheet.max_row or 1) - 1)
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A cell as text. Dates from a workbook become ISO dates, which the date parser reads."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return xml_safe(value).strip()


def iter_rows(path: Path, shape: FileShape) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each data row after the header; line 1 is the header. Blank rows
    are skipped. Raises ``BadFile`` when the text stops decoding part-way."""
    if shape.file_format == "xlsx":
        yield from _iter_xlsx(path)
        return
    width = settings.IMPORT_MAX_COLUMNS
    with path.open("rb") as raw:
        text: IO[str] = io.TextIOWrapper(raw, encoding=shape.encoding, newline="")
        reader = csv.reader(text, delimiter=shape.delimiter)
        try:
            next(reader, None)
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, [xml_safe(c).strip() for c in cells[:width]]
        except UnicodeDecodeError as exc:
            raise BadFile(
                _("The text stops being readable as %(encoding)s after line %(line)s. Save the file as CSV (UTF-8).")
                % {"encoding": shape.encoding, "line": reader.line_num}
            ) from exc
        except csv.Error as exc:
            raise BadFile(
                _("Line %(line)s is not valid CSV: %(error)s") % {"line": reader.line_num, "error": exc}
            ) from exc


def _iter_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    workbook = _open_xlsx(path)
    width = settings.IMPORT_MAX_COLUMNS
    try:
        rows = workbook.worksheets[0].iter_rows(min_row=2, max_col=width, values_only=True)
        for line, values in enumerate(rows, start=2):
            cells = [cell_text(v) for v in values]
            if any(cells):
                yield line, cells
    finally:
        workbook.close()
