"""Rendered plan exports, kept in the export cache by a digest of their content, and rendered
ahead by the worker after each save (``plans.prerender_exports``)."""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import caches
from django.utils import translation
from django.utils.translation import get_language

from kam.lib import CACHE_ERRORS
from kam.models import User
from plans.exports.data import VARIANTS, plan_export_data
from plans.exports.deck import PPTX_CONTENT_TYPE
from plans.exports.pdf import PDF_CONTENT_TYPE, render_pdf
from plans.exports.plan_deck import render_pptx
from plans.exports.template import active_digest
from plans.models import AccountPlan

logger = logging.getLogger(__name__)

RENDERERS = {
    "pptx": (render_pptx, PPTX_CONTENT_TYPE),
    "pdf": (render_pdf, PDF_CONTENT_TYPE),
}


# Raise when the templates or renderers change what a given data dict turns into.
RENDER_VERSION = 5  # 5: decks on the template's layouts, summary, charts, org chart


def export_key(data: dict, fmt: str) -> str:
    """The cache key of one export: a digest of everything the file is made from, so a change to
    the plan, the account or the viewer's rights makes a new key and nothing needs invalidating.
    A deck is also made from the active slide template: uploading or switching one makes new keys."""
    template = active_digest() if fmt == "pptx" else ""
    payload = json.dumps(
        [RENDER_VERSION, fmt, get_language(), template, data], sort_keys=True, default=str, ensure_ascii=False
    )
    return f"plan-export:{hashlib.sha256(payload.encode()).hexdigest()}"


def render_cached(data: dict, fmt: str) -> bytes:
    """The rendered file, from the export cache when this exact content was rendered before.

    WeasyPrint needs about a second for a 12-page plan; plans.prerender_exports renders each plan
    after every save, so the download is usually a cache hit."""
    return _render_or_get(data, fmt)[0]


def _render_or_get(data: dict, fmt: str) -> tuple[bytes, bool]:
    """The file and whether it had to be rendered now."""
    key = export_key(data, fmt)
    store = caches["exports"]
    try:
        content = store.get(key)
    except CACHE_ERRORS as exc:
        # The cache is a shortcut: when it is down, render now rather than fail the download.
        logger.warning("Export cache unavailable (%s); rendering without it.", type(exc).__name__)
        return RENDERERS[fmt][0](data), True
    if content is not None:
        return content, False
    content = RENDERERS[fmt][0](data)
    try:
        store.set(key, content)
    except CACHE_ERRORS as exc:
        logger.warning("Export cache unavailable (%s); the file was not kept.", type(exc).__name__)
    return content, True


def team_languages(plan: AccountPlan) -> list[str]:
    """The languages the account's team reads the app in: each member's choice; the default for a
    member who chose none (their browser's language is unknown to a worker)."""
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = set(User.objects.filter(account_teams__account=plan.account_id).values_list("language", flat=True))
    chosen.add(plan.account.owner.language)
    return sorted({code if code in supported else settings.LANGUAGE_CODE for code in chosen})


def prerender(plan_id: int) -> int:
    """Render every variant and format of a plan as its owner sees it, in each language its team
    reads (a German team's downloads hit too); returns how many were new.

    Exports by other people of the owner's side of the firewall make the same data, so they hit."""
    plan = AccountPlan.objects.select_related("account__owner").filter(pk=plan_id).first()
    if plan is None or plan.account.owner is None:
        return 0
    rendered = 0
    for language in team_languages(plan):
        with translation.override(language):
            for variant in VARIANTS:
                data = plan_export_data(plan, variant=variant, user=plan.account.owner)
                rendered += sum(_render_or_get(data, fmt)[1] for fmt in RENDERERS)
    return rendered
