"""The account page: one account with its health, figures, DMU, surveys and plans.

It reads from every floor below, so it lives on the top one; the reads are in
``kam.portfolio.selectors.account_page_data``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import HEALTH_AMBER, HEALTH_GREEN, QUADRANT_ADVICE, Account, Quadrant
from kam.portfolio.selectors import account_page_data
from stakeholders.surveys.results import RELIABLE_ANSWERS

# Laid out as the matrix is drawn: attractiveness up, our position to the right.
QUADRANT_LAYOUT = (Quadrant.STAR, Quadrant.STRATEGIC, Quadrant.STREAMLINE, Quadrant.STATUS)


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
            "reliable_answers": RELIABLE_ANSWERS,
        },
    )
