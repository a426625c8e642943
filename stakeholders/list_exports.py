"""The DMU table and touchpoint lists as CSV and XLSX (``kam.table_export``), as the user sees them.

Accounts come from ``accounts_visible_to`` and people from ``people_visible_to``, as on the pages.
The firewall (``kam.firewall``) applies as on screen: medical colleagues get no stance column and
cannot filter or sort by stance; commercial colleagues learn that a medical touchpoint at an
account happened, never its content, who met whom, or which medical colleague took part.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account
from kam import firewall
from kam.models import User
from kam.table_export import Column, Sheet
from stakeholders import firewalled
from stakeholders.forms import DmuFilterForm
from stakeholders.models import STANCE_SHORT, Affiliation, Person, Touchpoint, TouchpointKind, TransferOfValue
from stakeholders.selectors import decorate, dmu_for_account, touchpoints_visible_to

# --- The DMU table ------------------------------------------------------------------------------


def dmu_rows(account: Account, user: User, form: DmuFilterForm) -> list[Affiliation]:
    """The account's DMU as its page lists it: ``form``'s filters (as ``user`` may use them, see
    ``firewalled.dmu_filters``) and sort order, each row with ``stale`` and ``cov``."""
    filters = form.cleaned_data if form.is_valid() else {}
    filters = firewalled.dmu_filters(user, form, filters)
    rows = decorate(list(dmu_for_account(account, include_ended=bool(filters.get("ended")))), user)
    if filters.get("category"):
        rows = [a for a in rows if a.category == filters["category"]]
    if filters.get("role"):
        rows = [a for a in rows if a.dmu_role == filters["role"]]
    if filters.get("stance") is not None:
        rows = [a for a in rows if a.stance == filters["stance"]]
    if filters.get("stale"):
        rows = [a for a in rows if a.stale]
    sort = filters.get("sort") or "influence"
    today = timezone.localdate()
    keys = {
        "influence": lambda a: (-a.influence, a.person.last_name),
        "name": lambda a: (a.person.last_name, a.person.first_name),
        "stance": lambda a: (a.stance, -a.influence),
        "role": lambda a: (a.dmu_role, -a.influence),
        "last": lambda a: (a.last_touchpoint is not None, a.last_touchpoint or today),
    }
    rows.sort(key=keys[sort])
    return rows


def dmu_sheet(account: Account, user: User, rows: list[Affiliation]) -> Sheet:
    hide_stance = firewall.hides(user, "affiliation.stance")
    show_medical_coverage = not firewall.hides(user, "coverage.medical")
    columns = [
        Column(_("Name")),
        Column(_("Position")),
        Column(_("Department")),
        Column(_("Function")),
        Column(_("Category")),
        Column(_("DMU role")),
        Column(_("Influence"), "int"),
        *([] if hide_stance else [Column(_("Stance"))]),
        Column(_("Therapeutic-area differences")),
        Column(_("Reports to")),
        Column(_("Covered by")),
        Column(_("Medical contact exists"), "bool"),
        *([Column(_("Medical contacts"))] if show_medical_coverage else []),
        Column(_("Last contact"), "date"),
        Column(_("Stale"), "bool"),
        Column(_("From"), "date"),
        Column(_("Left on"), "date"),
    ]

    def lines() -> Iterator[list[Any]]:
        for a in rows:
            overrides = []
            for o in a.overrides.all():
                parts = [str(o.get_dmu_role_display()) if o.dmu_role else ""]
                if o.stance is not None and not hide_stance:
                    parts.append(str(STANCE_SHORT[o.stance]))
                overrides.append(f"{o.therapeutic_area}: {' · '.join(p for p in parts if p)}")
            yield [
                a.person.full_name,
                a.position_title,
                a.department,
                str(a.function_label),
                a.get_category_display(),
                str(a.role_label),
                a.influence,
                *([] if hide_stance else [str(a.stance_label)]),
                "; ".join(overrides),
                a.reports_to.person.full_name if a.reports_to_id else "",
                ", ".join(f"{c.user} ({c.strength})" for c in a.cov.commercial),
                a.cov.medical_contact_exists,
                *([", ".join(f"{c.user} ({c.strength})" for c in a.cov.medical)] if show_medical_coverage else []),
                a.last_touchpoint,
                a.stale,
                a.start_date,
                a.end_date,
            ]

    return Sheet(_("Stakeholders"), columns, lines())


# --- Touchpoints --------------------------------------------------------------------------------


class TouchpointFilterForm(forms.Form):
    """What a touchpoint export may be narrowed to: a date range and a kind."""

    date_from = forms.DateField(required=False, label=gettext_lazy("From"))
    date_to = forms.DateField(required=False, label=gettext_lazy("To"))
    kind = forms.ChoiceField(
        required=False, label=gettext_lazy("Kind"), choices=[("", gettext_lazy("All kinds")), *TouchpointKind.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError(gettext_lazy("The end of the date range is before its start."))
        return data

    def apply(self, touchpoints: QuerySet[Touchpoint]) -> QuerySet[Touchpoint]:
        data = self.cleaned_data
        if data.get("date_from"):
            touchpoints = touchpoints.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            touchpoints = touchpoints.filter(date__lte=data["date_to"])
        if data.get("kind"):
            touchpoints = touchpoints.filter(kind=data["kind"])
        return touchpoints


def account_touchpoints(account: Account, user: User) -> QuerySet[Touchpoint]:
    """The account's touchpoints (``account`` already from ``accounts_visible_to``)."""
    return touchpoints_visible_to(user).filter(account=account)


def person_touchpoints(person: Person, user: User) -> QuerySet[Touchpoint]:
    """Touchpoints with ``person`` at accounts ``user`` may see. For those the firewall hides a
    medical touchpoint's people met from, a medical touchpoint listed under a person would say
    whom medical met: those are left out."""
    touchpoints = touchpoints_visible_to(user).filter(stakeholders=person)
    if firewall.hides(user, "touchpoint.medical_notes"):
        touchpoints = touchpoints.filter(is_medical=False)
    return touchpoints


def touchpoint_sheet(touchpoints: QuerySet[Touchpoint], user: User) -> Sheet:
    """One row per touchpoint, newest first; a medical touchpoint's people, content and transfers
    only for those the firewall shows them to."""
    notes_hidden = firewall.hides(user, "touchpoint.medical_notes")
    participants_hidden = firewall.hides(user, "touchpoint.medical_participants")
    touchpoints = (
        touchpoints.select_related("account", "logged_by")
        .prefetch_related(
            "participants",
            Prefetch("stakeholders", queryset=Person.objects.order_by("last_name", "first_name", "pk")),
            Prefetch("transfers", queryset=TransferOfValue.objects.order_by("pk")),
        )
        .order_by("-date", "-pk")
    )
    columns = [
        Column(_("Date"), "date"),
        Column(_("Kind")),
        Column(_("Account")),
        Column(_("Medical"), "bool"),
        Column(_("Stakeholders met")),
        Column(_("Our participants")),
        Column(_("Logged by")),
        Column(_("Summary")),
        Column(_("Next step")),
        Column(_("Follow-up date"), "date"),
        Column(_("Follow-up done"), "bool"),
        Column(_("Transfers of value")),
    ]
    kinds = dict(TouchpointKind.choices)

    def lines() -> Iterator[list[Any]]:
        for t in touchpoints:
            readable = not (t.is_medical and notes_hidden)
            people_shown = not (t.is_medical and participants_hidden)
            transfers = [
                f"{tv.get_category_display()} {tv.amount} {tv.currency} ({tv.expense_record_id})"
                for tv in t.transfers.all()
            ]
            yield [
                t.date,
                str(kinds.get(t.kind, t.kind)),
                t.account.name,
                t.is_medical,
                "; ".join(p.full_name for p in t.stakeholders.all()) if readable else "",
                "; ".join(str(u) for u in t.participants.all()) if people_shown else "",
                str(t.logged_by) if people_shown else "",
                t.summary if readable else "",
                t.next_step if readable else "",
                t.follow_up_date if readable else None,
                t.follow_up_done if readable else None,
                "; ".join(transfers) if readable else "",
            ]

    return Sheet(_("Touchpoints"), columns, lines())
