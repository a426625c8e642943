"""The download of the plan list with objectives and actions (``plans.list_exports``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kam import table_export
from plans.list_exports import PlanListFilterForm, PlanTables, plans_listed


@login_required
@require_safe
def plan_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The plan list with the page's status filter: XLSX with sheets for plans, objectives and
    actions; CSV with one row per objective and action."""
    if fmt not in table_export.FORMATS:
        raise Http404(_("Unknown export format."))
    form = PlanListFilterForm(request.GET)
    if not form.is_valid():
        return table_export.bad_filters(form)
    tables = PlanTables(plans_listed(request.user, form), request.user)
    filename = table_export.filename_for("plans")
    if fmt == "csv":
        return table_export.csv_response(tables.combined_sheet(), filename)
    return table_export.xlsx_response(
        [tables.plans_sheet(), tables.objectives_sheet(), tables.actions_sheet()], filename
    )
