"""The handover pack's download: one PDF per handed-over account, for anyone who may see it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header

from accounts.models import HandoverNote
from accounts.selectors import accounts_visible_to
from plans.exports.handover import handover_pack_data
from plans.exports.pdf import PDF_CONTENT_TYPE, render_pdf


@login_required
def handover_pack(request: HttpRequest, pk: int) -> HttpResponse:
    notes = HandoverNote.objects.filter(account__in=accounts_visible_to(request.user)).select_related(
        "account", "from_user", "to_user", "by"
    )
    note = get_object_or_404(notes, pk=pk)
    data = handover_pack_data(note, request.user)
    response = HttpResponse(render_pdf(data), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{data['filename']}.pdf")
    # It holds stances and the handover note: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
