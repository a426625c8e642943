"""Privacy pages: a stakeholder's data export, erasure on request, the retention list, and the
yearly transfer-of-value export. People are fetched through ``people_in_privacy_scope``; anyone
else is a 404."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.selectors import accounts_visible_to
from kam import table_export
from kam.spreadsheet import csv_row, csv_writer
from stakeholders import privacy, services
from stakeholders.models import Person
from stakeholders.privacy_sheets import tov_sheet
from stakeholders.sharing import can_remove_visible_affiliations

# Years a disclosure export makes sense for; anything else is a typo, answered with a 400.
TOV_YEARS = range(2000, 2101)


class EraseConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this erases the person's data for good and cannot be undone."),
        required=True,
        error_messages={"required": gettext_lazy("Tick the box to confirm the erasure.")},
    )


def _get_person(request: HttpRequest, pk: int) -> Person:
    return get_object_or_404(privacy.people_in_privacy_scope(request.user), pk=pk)


def _back_url(request: HttpRequest, person: Person) -> str:
    """The person's first account that the user may see (current ones first), or home."""
    account = (
        accounts_visible_to(request.user)
        .filter(affiliations__person=person)
        .order_by(F("affiliations__end_date").desc(nulls_first=True), "name", "pk")
        .first()
    )
    return reverse("accounts:detail", args=[account.pk]) if account else reverse("home")


@login_required
@require_GET
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk)
    data = privacy.person_export(person=person, user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stakeholder-{person.pk}.json"'
    return response


@login_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk)
    if not privacy.can_erase(request.user, person):
        # A manager who sees only some of the person's accounts takes them off those instead.
        if can_remove_visible_affiliations(request.user, person):
            return _person_remove(request, person)
        raise PermissionDenied(_("Only administrators and the managers responsible can erase a stakeholder."))
    back = _back_url(request, person)
    if person.is_erased:
        messages.info(request, _("This stakeholder was erased already."))
        return HttpResponseRedirect(back)
    # Bound on every POST, even an empty one: an unticked checkbox sends nothing at all.
    form = EraseConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        privacy.person_erase(person=person, by=request.user)
        messages.success(request, _("The stakeholder's personal data was erased."))
        return HttpResponseRedirect(back)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "stakeholders/person_erase.html",
        {"person": person, "form": form, "back": back},
        status=status,
    )


def _person_remove(request: HttpRequest, person: Person) -> HttpResponse:
    if request.method == "POST" and "remove" not in request.POST:
        raise PermissionDenied(
            _("This person is also a stakeholder at accounts you cannot see: only an administrator can erase them.")
        )
    back = _back_url(request, person)
    form = EraseConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.person_remove_visible_affiliations(person=person, by=request.user)
        messages.success(request, _("The person was removed from the accounts you are responsible for."))
        return HttpResponseRedirect(back)
    return render(
        request,
        "stakeholders/person_remove.html",
        {"person": person, "form": form, "back": back},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def retention_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_administrator:
        raise Http404(_("Page not found."))
    candidates = privacy.retention_candidates()
    return render(
        request,
        "stakeholders/retention_list.html",
        {
            "candidates": candidates,
            "cutoff": privacy.retention_cutoff(),
            "months": settings.STAKEHOLDER_RETENTION_MONTHS,
            "auto_erase": settings.STAKEHOLDER_RETENTION_AUTO_ERASE,
        },
    )


@login_required
@require_GET
def tov_export(request: HttpRequest, fmt: str = "csv") -> HttpResponse:
    """The yearly disclosure, one row per recipient, category and currency: CSV, or XLSX at
    ``…/export/xlsx/``."""
    if fmt not in table_export.FORMATS:
        raise Http404(_("Unknown export format."))
    raw = request.GET.get("year", "").strip()
    if not raw:
        year = timezone.localdate().year
    # "²" is a digit int() refuses, and so is any string of more than 4,300 digits.
    elif raw.isascii() and raw.isdigit() and len(raw) <= 4 and int(raw) in TOV_YEARS:
        year = int(raw)
    else:
        return HttpResponseBadRequest(
            _("“%(year)s” is not a valid year: give a four-digit year between %(first)d and %(last)d.")
            % {"year": raw[:20], "first": TOV_YEARS[0], "last": TOV_YEARS[-1]},
            content_type="text/plain; charset=utf-8",
        )
    rows = privacy.tov_export_rows(year=year, user=request.user)
    if fmt == "xlsx":
        return table_export.xlsx_response([tov_sheet(rows, year)], f"transfers-of-value-{year}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transfers-of-value-{year}.csv"'
    # Amounts paid to named people: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    # Names and expense ids are typed by users: every cell through the shared neutraliser.
    writer = csv_writer(response)
    writer.writerow(
        [
            _("Recipient type"),
            _("Recipient"),
            _("Recipient id"),
            _("EFPIA category"),
            _("Currency"),
            _("Total amount"),
            _("Transfers"),
            _("Disclosure consent"),
            _("Expense record ids"),
        ]
    )
    types = {"person": _("person"), "organisation": _("organisation")}
    for row in rows:
        writer.writerow(
            csv_row(
                [
                    types[row["recipient_type"]],
                    row["recipient_name"],
                    row["recipient_id"],
                    row["category_label"],
                    row["currency"],
                    f"{row['total_amount']:.2f}",
                    row["count"],
                    _("yes") if row["disclosure_consent"] else _("no"),
                    row["expense_record_ids"],
                ]
            )
        )
    return response
