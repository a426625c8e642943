"""Downloads of the DMU table and of touchpoint lists (``stakeholders.list_exports``). Accounts come
from ``accounts_visible_to`` and people from ``people_visible_to``; anything else is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from accounts.selectors import accounts_visible_to
from kam import table_export
from stakeholders.forms import DmuFilterForm
from stakeholders.list_exports import (
    TouchpointFilterForm,
    account_touchpoints,
    dmu_rows,
    dmu_sheet,
    person_touchpoints,
    touchpoint_sheet,
)
from stakeholders.selectors import people_visible_to


@login_required
@require_safe
def dmu_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The DMU table with the page's filters and sort order."""
    account = get_object_or_404(accounts_visible_to(request.user), pk=pk)
    form = DmuFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return table_export.bad_filters(form)
    return table_export.respond(
        fmt,
        lambda: [dmu_sheet(account, request.user, dmu_rows(account, request.user, form))],
        table_export.filename_for(f"stakeholders-{account.pk}"),
    )


@login_required
@require_safe
def account_touchpoints_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    account = get_object_or_404(accounts_visible_to(request.user), pk=pk)
    form = TouchpointFilterForm(request.GET)
    if not form.is_valid():
        return table_export.bad_filters(form)
    return table_export.respond(
        fmt,
        lambda: [touchpoint_sheet(form.apply(account_touchpoints(account, request.user)), request.user)],
        table_export.filename_for(f"touchpoints-account-{account.pk}"),
    )


@login_required
@require_safe
def person_touchpoints_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    form = TouchpointFilterForm(request.GET)
    if not form.is_valid():
        return table_export.bad_filters(form)
    return table_export.respond(
        fmt,
        lambda: [touchpoint_sheet(form.apply(person_touchpoints(person, request.user)), request.user)],
        table_export.filename_for(f"touchpoints-stakeholder-{person.pk}"),
    )
