"""The dashboard's long table, drawn in Python.

The matrix table lists up to 400 key accounts; through the template language each row's dozen
variable lookups, filters and localisations cost about a tenth of a millisecond, most of the
administrator's page. Same markup, a few microseconds per row.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe

from kam.widgets import quick_escape

register = template.Library()


def _grouped(value: Decimal | float, separator: str) -> str:
    """A whole number with the language's thousand separator, as ``floatformat:"0g"`` writes it."""
    whole = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole:,}".replace(",", separator)


@register.simple_tag
def matrix_rows(rows: list[dict]) -> SafeString:
    """The ``<tr>`` of each matrix row (see ``kam.portfolio.dashboard.build``): linked name, attractiveness,
    position, revenue and health badge."""
    separator = formats.get_format("THOUSAND_SEPARATOR")
    out = []
    for m in rows:
        revenue = "—" if m["revenue"] is None else _grouped(m["revenue"], separator)
        health = "—" if m["health"] is None else m["health"]
        out.append(
            f'<tr><td><a href="{quick_escape(m["url"])}">{quick_escape(m["name"])}</a></td>'
            f'<td class="text-end">{m["attractiveness"]}</td><td class="text-end">{m["position"]}</td>'
            f'<td class="text-end">{revenue}</td><td class="text-end"><span class="health-badge '
            f'health-{quick_escape(m["band"] or "none")}">{health}</span></td></tr>'
        )
    return mark_safe("".join(out))  # every text above is escaped or a number
