"""The download of a survey campaign's results (``stakeholders.surveys.campaign_exports``). The campaign
comes from ``campaigns_visible_to`` (else a 404) and its answers from ``invitations_visible_to``,
as on the campaign page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from kam import table_export
from stakeholders.surveys.campaign_exports import campaign_sheet
from stakeholders.surveys.campaign_views import campaigns_visible_to, invitations_visible_to


@login_required
@require_safe
def campaign_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user).select_related("survey"), pk=pk)
    invitations = invitations_visible_to(request.user, campaign)
    return table_export.respond(
        fmt,
        lambda: [campaign_sheet(campaign, invitations)],
        table_export.filename_for(f"survey-results-{campaign.pk}"),
    )
