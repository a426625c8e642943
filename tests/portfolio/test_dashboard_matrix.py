from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

# The rows as the dashboard has always drawn them: the include must keep this markup.
TEMPLATE = Template(
    """{% for m in rows %}<tr><td><a href="{{ m.url }}">{{ m.name }}</a></td><td class="text-end">"""
    """{{ m.attractiveness }}</td><td class="text-end">{{ m.position }}</td><td class="text-end">"""
    """{% if m.revenue is not None %}{{ m.revenue|floatformat:"0g" }}{% else %}—{% endif %}</td>"""
    """<td class="text-end"><span class="health-badge health-{{ m.band|default:'none' }}">"""
    """{{ m.health|default_if_none:"—" }}</span></td></tr>{% endfor %}"""
)

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


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_matrix_rows_keep_their_markup(language):
    with translation.override(language):
        assert matrix_rows(ROWS) == TEMPLATE.render(Context({"rows": ROWS}))


def test_matrix_rows_escape_the_account_name():
    html = matrix_rows(ROWS[:1])
    assert "&lt;Ost&gt; &amp; Söhne" in html and "<Ost>" not in html
