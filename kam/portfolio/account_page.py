"""The account page: one account with its health, figures, DMU, surveys and plans.

It reads from every floor below, so it lives on the top one; the reads are in
``kam.portfolio.selectors.account_page_data``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from accounts.models import HEALTH_AMBER, HEALTH_GREEN, QUADRANT_ADVICE, Account, Quadrant
from kam import firewall
from kam.lib import digest
from kam.models import User
from kam.portfolio.selectors import account_page_data, account_surveys_data
from stakeholders.surveys.results import RELIABLE_ANSWERS

# Laid out as the matrix is drawn: attractiveness up, our position to the right.
QUADRANT_LAYOUT = (Quadrant.STAR, Quadrant.STRATEGIC, Quadrant.STREAMLINE, Quadrant.STATUS)


def _surveys_key(data: dict[str, Any]) -> str:
    """A key for the drawn CSAT table and customer words: everything they show (each campaign's
    row as ``csat_for_account`` gives it, each response's person, campaign, date, score and
    texts), in the active language and time zone."""
    words = [
        (
            r.pk,
            r.invitation.person.pk,
            str(r.invitation.person),
            r.invitation.campaign.name,
            r.submitted_at,
            r.csat_score,
            r.written_answers(),
        )
        for r in data["customer_words"]
    ]
    shown = (get_language(), timezone.get_current_timezone_name(), RELIABLE_ANSWERS, data["csat_history"], words)
    return digest(shown)


def _tenders_key(data: dict[str, Any], user: User) -> str:
    """A key for the drawn tenders and contracts: all the section shows (``TenderSection.shown``),
    whether the user may change them and sees the contract terms, the account (links, currency),
    in the active language and time zone."""
    account = data["account"]
    shown = (
        get_language(),
        timezone.get_current_timezone_name(),
        data["tenders_editable"],
        firewall.hides(user, "contract.terms"),
        account.pk,
        account.currency,
        data["tenders"].shown(),
    )
    return digest(shown)


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        data = account_page_data(request.user, pk)
    except Account.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "accounts/account_detail.html",
        {
            **data,
            "quadrants": [(q, q.label, QUADRANT_ADVICE[q]) for q in QUADRANT_LAYOUT],
            "bands": {"green": HEALTH_GREEN, "amber": HEALTH_AMBER},
            # An account with tenders spent ~1.2 ms drawing them (large demo).
            "tenders_key": _tenders_key(data, request.user),
        },
    )


# The Surveys tab is read when it is opened (``hx-trigger="intersect once"`` in the page): most
# visits to an account read its overview, and its CSAT per campaign, the DMU's words and the open
# follow-ups were about a quarter of the page's time (7 of 27 ms on the large demo).
@login_required
@require_safe
def account_surveys(request: HttpRequest, pk: int) -> HttpResponse:
    """The account page's Surveys tab, for the page to load into it."""
    try:
        data = account_surveys_data(request.user, pk)
    except Account.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "accounts/_surveys_tab.html",
        {
            **data,
            "reliable_answers": RELIABLE_ANSWERS,
            # Ten campaigns' rows and ten responses' words were ~2.5 ms to draw (large demo).
            "surveys_key": _surveys_key(data),
        },
    )
