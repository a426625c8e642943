from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

ROWS = [
    {
        "url": "/accounts/1/",
        "name": 'Klinikum "Nord" <Ost> & Söhne',
        "attractiveness": 80,
        "position": 30,
        "revenue": Decimal("1234567.49"),
        "health": 64,
        "band": "amber",
    },
    {
        "url": "/accounts/2/",
        "name": "Apotheke",
        "attractiveness": 5,
        "position": 100,
        "revenue": None,
        "health": None,
        "band": "",
    },
    {
        "url": "/accounts/3/",
        "name": "Großhandel",
        "attractiveness": 0,
        "position": 0,
        "revenue": Decimal("999.5"),
        "health": 0,
        "band": "red",
    },
]


def matrix_rows(rows: list[dict]) -> str:
    return render_to_string("kam/_matrix_rows.html", {"rows": rows})


@pytest.mark.parametrize(("language", "revenue"), [("en", "1,234,567"), ("de", "1.234.567")])
def test_matrix_rows_show_revenue_in_the_users_format_and_the_health_band(language, revenue):
    with translation.override(language):
        first, second, third = matrix_rows(ROWS).split("<tr>")[1:]
    assert f">{revenue}</td>" in first and "health-amber" in first and ">64<" in first
    assert ">—</td>" in second and "health-none" in second and 'href="/accounts/2/"' in second
    assert "health-red" in third and ">0<" in third


def test_matrix_rows_escape_the_account_name():
    html = matrix_rows(ROWS[:1])
    assert "&lt;Ost&gt; &amp; Söhne" in html and "<Ost>" not in html
