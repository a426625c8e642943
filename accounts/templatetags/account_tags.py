"""The account list's rows, drawn in Python.

Through the template language each of the 25 rows cost about 0.15 ms (a dozen lookups, a type
label, a link, a translated "computed … ago"), a fifth of the page's own work. Same markup
(tests/accounts/test_account_tags.py holds it to the template it replaces), a few microseconds
per row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import Account
from kam.widgets import quick_escape

register = template.Library()


@register.simple_tag
def account_rows(accounts: Iterable[Account], figures: bool = True) -> SafeString:
    """The ``<tr>`` of each account: linked name with its badges and group, type, tier, city,
    country, owner, qualification, health badge and matrix quadrant (the last two only with
    ``figures``: the medical/commercial firewall, kam.firewall "portfolio.figures")."""
    # One reverse() for the page: the detail URL with the id filled in.
    url = reverse("accounts:detail", args=[0]).replace("/0/", "/{}/")
    key = f' <span class="badge text-bg-primary">{quick_escape(_("key"))}</span>'
    archived = f' <span class="badge text-bg-secondary">{quick_escape(_("archived"))}</span>'
    none = '<span class="text-secondary">—</span>'
    out = []
    for a in accounts:
        name = f'<a class="fw-semibold" href="{url.format(a.pk)}">{quick_escape(a.name)}</a>'
        if a.is_key_account:
            name += key
        if a.is_archived:
            name += archived
        if a.parent is not None:
            name += f'<div class="small text-secondary">{quick_escape(a.parent.name)}</div>'
        try:
            health = a.health
        except ObjectDoesNotExist:  # no row until the first refresh
            health = None
        if health is not None and health.score is not None:
            # As {% blocktrans %} writes it: the translated text as it is, the age escaped.
            title = _("computed %(age)s") % {"age": conditional_escape(naturaltime(health.computed_at))}
            health_cell = (
                f'<span class="health-badge health-{quick_escape(health.band)}" title="{title}">{health.score}</span>'
            )
        else:
            health_cell = none
        score = none if a.qualification_score is None else a.qualification_score
        quadrant = a.quadrant
        matrix = f'<span class="badge badge-quadrant">{quick_escape(quadrant.label)}</span>' if quadrant else ""
        out.append(
            f"<tr><td>{name}</td><td>{quick_escape(a.get_account_type_display())}</td><td>{quick_escape(a.tier)}</td>"
            f"<td>{quick_escape(a.city)}</td><td>{quick_escape(a.country)}</td><td>{quick_escape(a.owner)}</td>"
            f'<td class="text-end">{score}</td>'
            + (f'<td class="text-end">{health_cell}</td><td>{matrix}</td>' if figures else "")
            + "</tr>"
        )
    return mark_safe("".join(out))  # every text above is escaped or a number
