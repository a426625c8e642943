"""My work: the page, and its counts for the home page (fetched after home loads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kam.portfolio import work


@login_required
@require_safe
def my_work(request: HttpRequest) -> HttpResponse:
    board = work.build(request.user)
    return render(
        request,
        "kam/my_work.html",
        {
            "work": board,
            "due_soon_days": work.DUE_SOON_DAYS,
            "committee_days": work.COMMITTEE_DAYS,
        },
    )


@login_required
@require_safe
def my_work_summary(request: HttpRequest) -> HttpResponse:
    """The counts per section, drawn into the home page by htmx: the dashboard pays no query for
    them, and a page without scripts still has the link."""
    counts = work.counts(request.user)
    rows = [(key, str(work.TITLES[key]), counts[key]) for key in work.TITLES]
    response = render(request, "kam/_my_work_summary.html", {"rows": rows, "total": sum(counts.values())})
    response["Cache-Control"] = "private, no-store"
    return response
