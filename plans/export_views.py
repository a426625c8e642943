"""Plan exports as downloads: the internal or joint plan as PowerPoint or PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from kam import firewall
from plans.exports.cache import RENDERERS, render_cached
from plans.exports.data import INTERNAL, VARIANTS, plan_export_data
from plans.selectors import plans_visible_to


@login_required
@require_safe
def plan_export(request: HttpRequest, pk: int, variant: str, fmt: str) -> HttpResponse:
    if variant not in VARIANTS or fmt not in RENDERERS:
        raise Http404("Unknown export")
    plan = get_object_or_404(plans_visible_to(request.user), pk=pk)
    firewall.require(request.user, "plan.export_internal" if variant == INTERNAL else "plan.export_joint")
    data = plan_export_data(plan, variant=variant, user=request.user)
    response = HttpResponse(render_cached(data, fmt), content_type=RENDERERS[fmt][1])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{data['filename']}.{fmt}"
    )
    # Plans hold stances and margins: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
