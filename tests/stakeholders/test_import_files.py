"""Files as CRMs and Excel write them, and bad files: each gets a clear message and a 400, never a 500."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from accounts.models import Account
from stakeholders.imports.models import DataImport
from tests.stakeholders.import_files import VEEVA_ACCOUNTS, csv_bytes, run_import, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

GERMAN = [
    ["Kundennummer", "Krankenhaus", "Typ", "Ort", "PLZ", "Land", "Jahresumsatz", "Marge"],
    ["DE-1", "Städtisches Klinikum Köln", "Krankenhaus", "Köln", "50667", "Deutschland", "", ""],
    ["DE-2", "Löwen-Apotheke Würzburg", "Apotheke", "Würzburg", "97070", "DE", "98.765,4", "31,25"],
    ["DE-3", "Großhandel Süd", "Großhändler", "München", "80331", "DE", "", ""],
]


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.IMPORT_FILES_ROOT = tmp_path


def _error(response) -> str:
    assert response.status_code == 400
    assert not DataImport.objects.exists()
    return response.content.decode()


def test_it_reads_excel_germany_cp1252_semicolons_and_decimal_commas(cast, login, django_capture_on_commit_callbacks):
    content = csv_bytes(GERMAN, delimiter=";", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    data_import = run_import(login(cast.kam_a), django_capture_on_commit_callbacks, "accounts", "export.csv", content)
    assert data_import.delimiter == ";" and data_import.encoding == "cp1252"
    assert data_import.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    cologne = Account.objects.get(crm_id="DE-1")
    assert cologne.name == "Städtisches Klinikum Köln" and cologne.account_type == "hospital"
    pharmacy = Account.objects.get(crm_id="DE-2")
    assert pharmacy.account_type == "pharmacy" and pharmacy.city == "Würzburg"
    assert pharmacy.annual_turnover == Decimal("98765.40") and pharmacy.gross_margin_pct == Decimal("31.25")
    assert Account.objects.get(crm_id="DE-3").account_type == "wholesaler"


def test_it_reads_utf8_with_a_byte_order_mark(cast, login, django_capture_on_commit_callbacks):
    data_import = run_import(
        login(cast.kam_a),
        django_capture_on_commit_callbacks,
        "accounts",
        "bom.csv",
        csv_bytes(VEEVA_ACCOUNTS, bom=True),
    )
    assert data_import.headers[0] == "Account ID" and data_import.mapping["0"] == "crm_id"
    assert data_import.counts["created"] == 4


def test_it_reads_an_xlsx_and_keeps_formulas_as_text(cast, login, django_capture_on_commit_callbacks):
    rows = [
        ["Account ID", "Account Name", "Type", "City"],
        ["X-1", '=HYPERLINK("http://evil.example","Klinik")', "Hospital", "Bonn"],
        ["X-2", "Apotheke am Markt", "Apotheke", "=1+1"],
    ]
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "accounts", "a.xlsx", xlsx_bytes(rows)
    )
    assert data_import.file_format == "xlsx" and data_import.counts["created"] == 2
    assert Account.objects.get(crm_id="X-1").name == '=HYPERLINK("http://evil.example","Klinik")'
    assert Account.objects.get(crm_id="X-2").city == "=1+1"


def test_it_keeps_a_csv_formula_as_text(cast, login, django_capture_on_commit_callbacks):
    rows = [["Account ID", "Account Name", "Type"], ["X-1", "=cmd|' /C calc'!A0", "Hospital"]]
    run_import(login(cast.kam_a), django_capture_on_commit_callbacks, "accounts", "f.csv", csv_bytes(rows))
    assert Account.objects.get(crm_id="X-1").name == "=cmd|' /C calc'!A0"


def test_it_refuses_a_file_in_an_unreadable_encoding(cast, login):
    content = "Account ID,Name\nX-1,Klinik\n".encode("utf-16-le")  # no byte order mark: NULs everywhere
    assert "encoding could not be recognised" in _error(upload(login(cast.kam_a), "accounts", "a.csv", content))


def test_it_refuses_a_file_over_the_size_limit(cast, login):
    content = b"Account ID,Name\n" + b"X-1,Klinik\n" * (50 * 1024 * 1024 // 11)
    assert "files up to 25 MB" in _error(upload(login(cast.kam_a), "accounts", "big.csv", content))


def test_it_refuses_an_xlsx_zip_bomb_before_opening_it(cast, login):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    page = _error(upload(login(cast.kam_a), "accounts", "bomb.xlsx", out.getvalue()))
    assert "refused as unsafe" in page


def test_it_refuses_a_workbook_that_is_not_one(cast, login):
    page = _error(upload(login(cast.kam_a), "accounts", "fake.xlsx", b"Account ID,Name\nX-1,Klinik\n"))
    assert "not a readable .xlsx" in page


def test_it_refuses_ten_thousand_columns(cast, login):
    content = csv_bytes([[f"c{i}" for i in range(10_000)], ["x"] * 10_000])
    assert "10000 columns; at most 200" in _error(upload(login(cast.kam_a), "accounts", "wide.csv", content))


def test_it_refuses_an_empty_file_and_another_format(cast, login):
    client = login(cast.kam_a)
    assert "empty" in _error(upload(client, "accounts", "empty.csv", b""))
    assert "Upload a .csv or .xlsx" in _error(upload(client, "accounts", "a.pdf", b"%PDF-1.4"))


def test_it_drops_characters_no_export_could_hold(cast, login, django_capture_on_commit_callbacks):
    # Past the sampled start of the file, where only the row reader sees them.
    rows = [["Account ID", "Account Name", "Type"]] + [
        [f"X-{i}", "Klinik " + "x" * 150, "Hospital"] for i in range(2000)
    ]
    rows.append(["X-NUL", "Klinik\x00 am\x0b See\x07", "Hospital"])
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "accounts", "c.csv", csv_bytes(rows)
    )
    assert data_import.status == "applied" and data_import.counts["created"] == 2001
    assert Account.objects.get(crm_id="X-NUL").name == "Klinik am See"
