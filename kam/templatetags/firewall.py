"""Template filters for the medical/commercial firewall (rules in ``kam.firewall``).

``{% load firewall %}{% if request.user|fw_hides:"account.revenue" %}…{% endif %}``."""

from __future__ import annotations

from django import template

from kam import firewall

register = template.Library()


@register.filter
def fw_hides(user, key: str) -> bool:
    return firewall.hides(user, key)


@register.filter
def fw_allows(user, key: str) -> bool:
    return firewall.allows(user, key)


@register.filter
def fw_read_only(user, key: str) -> bool:
    return firewall.read_only(user, key)
