"""The list behind each dashboard tile, with the dashboard's filters (kam.portfolio.tiles)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from kam import firewall
from kam.portfolio import tiles
from kam.portfolio.views import DashboardFilterForm


@login_required
@require_safe
def tile_list(request: HttpRequest, tile: str) -> HttpResponse:
    # The tiles are the dashboard's figures: a medical colleague has a figure-free home instead.
    firewall.require(request.user, "portfolio.figures")
    if tile not in tiles.TILES:
        raise Http404(tile)
    form = DashboardFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    rows = tiles.rows(request.user, tile, form.filters(today), today)
    shown = list(rows[: tiles.LIST_LIMIT + 1])
    total = len(shown) if len(shown) <= tiles.LIST_LIMIT else rows.count()
    return render(
        request,
        "kam/tile_list.html",
        {
            "tile": tiles.TILES[tile],
            "rows": shown[: tiles.LIST_LIMIT],
            "total": total,
            "scope": form.describe(),
            "query": request.GET.urlencode(),
            "today": today,
        },
        status=200 if not request.GET or form.is_valid() else 400,
    )
