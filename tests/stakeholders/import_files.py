"""Files shaped as CRMs and Excel write them, made in the tests (no binary fixtures in the repo),
and a helper that takes one through upload, mapping, dry run and apply as a browser would."""

from __future__ import annotations

import csv
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stakeholders.imports.models import DataImport

VEEVA_ACCOUNTS = [
    ["Account ID", "Account Name", "Record Type", "Primary Parent", "City", "PLZ", "Country", "Beds"],
    ["V-GRP-1", "Helios Kliniken Gruppe", "Hospital_vod", "", "Berlin", "10117", "DE", ""],
    ["V-HOS-1", "Klinikum Nord", "Hospital_vod", "V-GRP-1", "Hamburg", "22417", "DE", "820"],
    ["V-PHA-1", "Stern-Apotheke", "Pharmacy_vod", "", "München", "80331", "Germany", ""],
    ["V-WHO-1", "Phoenix Pharmahandel", "Wholesaler_vod", "", "Mannheim", "68199", "DE", ""],
    ["V-HOS-2", "Klinikum Süd", "Spaceship", "", "Stuttgart", "70173", "DE", ""],
    ["", "No id Klinik", "Hospital_vod", "", "Köln", "50667", "DE", ""],
    ["V-HOS-3", "Uniklinik West", "Hospital_vod", "V-HOS-9", "Essen", "45147", "DE", "zwölf"],
]

CONTACTS = [
    ["Contact ID", "First Name", "Last Name", "Email", "Account ID", "Title", "Department", "Function", "Since"],
    [
        "C-1",
        "Anna",
        "Brenner",
        "a.brenner@nord.example",
        "V-HOS-1",
        "Chefärztin",
        "Onkologie",
        "Chefarzt",
        "31.12.2024",
    ],
    [
        "C-1",
        "Anna",
        "Brenner",
        "a.brenner@nord.example",
        "V-GRP-1",
        "Medical board",
        "Board",
        "Management",
        "2025-01-01",
    ],
    ["C-2", "Jonas", "Weiß", "j.weiss@apo.example", "V-PHA-1", "Inhaber", "", "Inhaber", ""],
    ["C-3", "Eva", "Lang", "not-an-email", "V-HOS-1", "", "", "", ""],
    ["C-4", "Max", "Roth", "m.roth@nord.example", "V-NOPE", "", "", "", ""],
    ["C-5", "Ida", "Kern", "i.kern@nord.example", "V-HOS-1", "", "", "", "32.13.2025"],
]


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, kind: str, name: str, content: bytes):
    return client.post(reverse("stakeholders:imports"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def mapping_post(data_import: DataImport, **overrides: str) -> dict[str, str]:
    """The proposed mapping as the form posts it, with ``overrides`` (column header -> field)."""
    data = {f"col_{i}": data_import.mapping.get(str(i), "") for i in range(len(data_import.headers))}
    for header, field in overrides.items():
        data[f"col_{data_import.headers.index(header)}"] = field
    return data


def run_import(
    client, capture, kind: str, name: str, content: bytes, *, apply: bool = True, **overrides: str
) -> DataImport:
    """Upload, map as proposed (plus ``overrides``), dry run and, if ``apply``, apply; the task runs
    eagerly when the request's transaction commits (``capture`` is django_capture_on_commit_callbacks)."""
    response = upload(client, kind, name, content)
    assert response.status_code == 302, re.findall(r"invalid-feedback.*", response.content.decode())
    pk = int(re.search(r"/imports/(\d+)/", response["Location"]).group(1))
    data_import = DataImport.objects.get(pk=pk)
    with capture(execute=True):
        response = client.post(data_import.get_absolute_url(), mapping_post(data_import, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    if apply:
        with capture(execute=True):
            assert client.post(reverse("stakeholders:import-apply", args=[pk])).status_code == 302
    data_import.refresh_from_db()
    return data_import
