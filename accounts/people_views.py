"""People pages: who is in the user's scope, what they own, and handing a leaver's work over."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import ngettext

from accounts.models import HANDOVER_NOTE_DAYS, AccountStatus, HandoverNote
from accounts.people_forms import (
    ACCOUNTS_CHANGED,
    HandoverConfirmForm,
    HandoverRowForm,
    handover_accounts,
    handover_rows,
)
from accounts.selectors import accounts_visible_to
from accounts.services import HandoverConflict, Succession, user_handover
from kam import compliance
from kam.models import User


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    people = (
        User.objects.visible_to(request.user)
        .select_related("manager", "team")
        .annotate(owned=Count("owned_accounts", filter=Q(owned_accounts__status=AccountStatus.ACTIVE)))
        .order_by("-is_active", "last_name", "first_name")
    )
    return render(request, "kam/people_list.html", {"people": people})


@login_required
def people_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.visible_to(request.user).select_related("manager", "team"), pk=pk)
    accounts = accounts_visible_to(request.user).filter(owner=person).order_by("name")
    can_handover = person.is_active and person.pk != request.user.pk and _may_hand_over(request.user, person)
    return render(
        request,
        "kam/people_detail.html",
        {"person": person, "accounts": accounts, "can_handover": can_handover},
    )


def _may_hand_over(by: User, person: User) -> bool:
    return by.is_administrator or (by.is_manager and by.is_above(person))


@login_required
def people_handover(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.visible_to(request.user), pk=pk, is_active=True)
    if not _may_hand_over(request.user, person) or person.pk == request.user.pk:
        raise Http404
    data = request.POST if request.method == "POST" else None
    accounts = handover_accounts(person)
    rows = handover_rows(data, by=request.user, leaving=person, accounts=accounts)
    confirm = HandoverConfirmForm(data)
    status = 200
    if request.method == "POST":
        status = 400
        # Every row checked even when the box is not ticked: all mistakes, and the patient-data
        # warnings, are shown at once.
        if all([confirm.is_valid(), *[row.is_valid() for row in rows]]):
            successions = [
                Succession(row.account.pk, row.cleaned_data["successor"], row.cleaned_data["note"]) for row in rows
            ]
            try:
                with transaction.atomic():
                    notes = user_handover(leaving=person, successions=successions, by=request.user)
                    _confirmations_record(request.user, rows, notes)
            except HandoverConflict:
                messages.error(request, ACCOUNTS_CHANGED)
                status = 409
            else:
                successors = sorted({str(n.to_user) for n in notes})
                messages.success(
                    request,
                    ngettext(
                        "%(person)s was deactivated; %(n)d account was handed over to %(owners)s.",
                        "%(person)s was deactivated; %(n)d accounts were handed over to %(owners)s.",
                        len(notes),
                    )
                    % {"person": person, "n": len(notes), "owners": ", ".join(successors) or "—"},
                )
                return HttpResponseRedirect(person.get_absolute_url())
    return render(
        request,
        "kam/people_handover.html",
        {
            "person": person,
            "rows": rows,
            "confirm": confirm,
            "note_days": HANDOVER_NOTE_DAYS,
            "rows_invalid": data is not None and any(row.errors for row in rows),
            "patient_data": compliance.page_confirmation(request.POST, rows),
        },
        status=status,
    )


def _confirmations_record(by: User, rows: list[HandoverRowForm], notes: list[HandoverNote]) -> None:
    """A confirmed note's confirmation, pointing at the account page, which shows the note."""
    note_of = {note.account_id: note for note in notes}
    for row in rows:
        # The row's account, already read: the note's own would cost a query per row.
        compliance.confirmations_record(
            by=by, items=[(row, note_of[row.account.pk])], url=row.account.get_absolute_url()
        )
