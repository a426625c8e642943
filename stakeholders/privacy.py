"""Data protection for stakeholders: access (export), erasure, retention, and the yearly
transfer-of-value disclosure.

Every read starts from the accounts the user may see; administrators see everything. The
medical/commercial firewall applies to exports as it does on screen: a commercial user learns that
a medical exchange happened, never what was said, and never sees key-opinion-leader status.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import accounts_visible_to
from kam import firewall
from kam.models import User
from stakeholders.models import (
    ERASED,
    Affiliation,
    AffiliationOverride,
    Coverage,
    DmuRole,
    Function,
    KolClassification,
    Person,
    Stance,
    SupportRequest,
    Touchpoint,
    TouchpointKind,
    TovCategory,
    TransferOfValue,
)
from stakeholders.selectors import coverage_for, people_visible_to
from stakeholders.sharing import can_erase_everywhere

ERASED_FIRST_NAME = "Erased"
ERASURE_REASON = "erased on request"

# Other apps keep copies of stakeholder data (the plans app freezes DMU snapshots). They register a
# function here; ``person_erase`` calls each one inside its transaction, *before* the person row is
# anonymised, so the hook still sees the names it has to scrub. Hooks must not commit on their own.
ERASURE_HOOKS: list[Callable[[Person], None]] = []


def sees_medical(user: User) -> bool:
    """The firewall: medical content is for medical colleagues and administrators."""
    return user.is_medical or user.is_administrator


def people_in_privacy_scope(user: User) -> QuerySet[Person]:
    """People whose data ``user`` may export or erase: those at visible accounts; everyone for
    administrators (a data-access request can name someone who has no affiliation left)."""
    if not user.is_authenticated or not user.is_active:
        return Person.objects.none()
    if user.is_administrator:
        return Person.objects.all()
    return people_visible_to(user)


# --- Access: the export of everything held on one person ------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _label(choices: type[models.Choices], value: Any) -> str:
    """The translated label of a choice, or the raw value if it is no longer a choice."""
    return str(choices(value).label) if value in choices.values else str(value)


def person_export(*, person: Person, user: User) -> dict[str, Any]:
    """Everything held on ``person`` that ``user`` may see, as a JSON-able dict.

    Scope: only rows at accounts visible to ``user`` (all for administrators). Firewall for users
    who are neither medical nor administrators: medical touchpoints keep date, kind and account but
    lose summary and next step; transfers of value recorded on medical touchpoints are left out; the
    KOL classification is omitted; medical coverage shows only that a medical contact exists.
    ``restricted`` says whether anything was withheld, so whoever answers a data-access request
    knows to ask an administrator for the complete export.
    """
    medical_ok = sees_medical(user)
    visible = accounts_visible_to(user)
    # The firewall the other way: medical colleagues do not see stances (kam.firewall).
    stance_ok = not firewall.hides(user, "affiliation.stance")
    restricted = not stance_ok

    affiliations = list(
        Affiliation.objects.filter(person=person, account__in=visible)
        .select_related("account")
        .prefetch_related(
            Prefetch("coverage", queryset=Coverage.objects.select_related("user").order_by("-strength", "pk")),
            Prefetch("overrides", queryset=AffiliationOverride.objects.order_by("therapeutic_area")),
        )
        .order_by("start_date", "pk")
    )
    affiliation_rows = []
    coverage_rows = []
    for a in affiliations:
        affiliation_rows.append(
            {
                "account": a.account.name,
                "position": a.position_title,
                "department": a.department,
                "function": _label(Function, a.function),
                "dmu_role": _label(DmuRole, a.dmu_role),
                "influence": a.influence,
                "stance": _label(Stance, a.stance) if stance_ok else None,
                "start_date": _iso(a.start_date),
                "end_date": _iso(a.end_date),
                "therapeutic_area_overrides": [
                    {
                        "therapeutic_area": o.therapeutic_area,
                        "dmu_role": _label(DmuRole, o.dmu_role) if o.dmu_role else None,
                        "stance": _label(Stance, o.stance) if o.stance is not None and stance_ok else None,
                    }
                    for o in a.overrides.all()
                ],
            }
        )
        cov = coverage_for(a, user)
        for c in cov.commercial:
            coverage_rows.append(
                {"account": a.account.name, "colleague": str(c.user), "strength": c.strength, "medical": False}
            )
        if medical_ok:
            for c in cov.medical:
                coverage_rows.append(
                    {"account": a.account.name, "colleague": str(c.user), "strength": c.strength, "medical": True}
                )
        elif cov.medical_contact_exists:
            restricted = True
            coverage_rows.append({"account": a.account.name, "medical": True, "note": _("medical contact exists")})

    touchpoint_rows = []
    touchpoints = (
        Touchpoint.objects.filter(stakeholders=person, account__in=visible)
        .select_related("account")
        .order_by("date", "pk")
    )
    for t in touchpoints:
        row: dict[str, Any] = {
            "date": _iso(t.date),
            "kind": _label(TouchpointKind, t.kind),
            "account": t.account.name,
            "medical": t.is_medical,
        }
        if medical_ok or not t.is_medical:
            row["summary"] = t.summary
            row["next_step"] = t.next_step
        else:
            restricted = True
        touchpoint_rows.append(row)

    transfers = TransferOfValue.objects.filter(recipient_person=person, touchpoint__account__in=visible)
    if not medical_ok:
        if transfers.filter(touchpoint__is_medical=True).exists():
            restricted = True
        transfers = transfers.exclude(touchpoint__is_medical=True)
    transfer_rows = [
        {
            "date": _iso(tov.touchpoint.date),
            "account": tov.touchpoint.account.name,
            "category": _label(TovCategory, tov.category),
            "amount": str(tov.amount),
            "currency": tov.currency,
            "disclosure_consent": tov.disclosure_consent,
            "expense_record_id": tov.expense_record_id,
        }
        for tov in transfers.select_related("touchpoint__account").order_by("touchpoint__date", "pk")
    ]

    support_rows = [
        {
            "created": _iso(timezone.localdate(r.created_at)),
            "account": r.account.name,
            "topic": r.topic,
            "details": r.details,
            "status": str(r.get_status_display()),
            "response": r.response_note,
        }
        for r in SupportRequest.objects.filter(person=person, account__in=visible)
        .select_related("account")
        .order_by("created_at", "pk")
    ]

    export: dict[str, Any] = {
        "person": {
            "id": person.pk,
            "title": person.title,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "preferred_language": person.preferred_language,
            "do_not_contact": person.do_not_contact,
            "erased_at": person.erased_at.isoformat() if person.erased_at else None,
            "created_at": person.created_at.isoformat(),
            "updated_at": person.updated_at.isoformat(),
        },
        "affiliations": affiliation_rows,
        "coverage": coverage_rows,
        "touchpoints": touchpoint_rows,
        "transfers_of_value": transfer_rows,
        "support_requests": support_rows,
    }
    if medical_ok:
        kol = KolClassification.objects.filter(person=person).first()
        export["kol_classification"] = (
            {"level": str(kol.get_level_display()), "therapeutic_areas": kol.therapeutic_areas} if kol else None
        )
    else:
        restricted = restricted or KolClassification.objects.filter(person=person).exists()
    export["exported_at"] = timezone.now().isoformat()
    export["exported_by"] = str(user)
    export["restricted"] = restricted
    return export


# --- Erasure --------------------------------------------------------------------------------------


def can_erase(user: User, person: Person) -> bool:
    """Erasure is irreversible and reaches every account, so it is for administrators, and for
    managers who see every account the person is affiliated with (``stakeholders.sharing``)."""
    return can_erase_everywhere(user, person)


def _name_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of ``values`` as whole words, longest first so the
    full name goes before its parts. Word edges are look-arounds, not ``\\b``, so names that end in a
    dot or apostrophe still match."""
    words = sorted({v.strip() for v in values if v and v.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _scrub_rows(queryset: QuerySet, fields: list[str], pattern: re.Pattern[str], pk_name: str = "pk") -> None:
    """Replace the pattern in ``fields`` of every row, without creating history rows (bulk update)."""
    changed = []
    for obj in queryset.only(pk_name, *fields):
        dirty = False
        for name in fields:
            value = getattr(obj, name)
            if value:
                new = pattern.sub(ERASED, value)
                if new != value:
                    setattr(obj, name, new)
                    dirty = True
        if dirty:
            changed.append(obj)
    if changed:
        queryset.model.objects.bulk_update(changed, fields, batch_size=500)


def _touchpoint_ids(person: Person) -> tuple[set[int], set[int]]:
    """Touchpoints that may mention the person: those they took part in (now or in any earlier
    version of the touchpoint), and the others at any account they were affiliated with."""
    m2m_history = apps.get_model("stakeholders", "HistoricalTouchpoint_stakeholders")
    met = set(Touchpoint.stakeholders.through.objects.filter(person=person).values_list("touchpoint_id", flat=True))
    met |= set(m2m_history.objects.filter(person_id=person.pk).values_list("touchpoint_id", flat=True))
    met.discard(None)
    accounts = Affiliation.objects.filter(person=person).values("account_id")
    nearby = set(Touchpoint.objects.filter(account_id__in=accounts).values_list("pk", flat=True)) - met
    return met, nearby


def _scrub_touchpoints(ids: set[int], pattern: re.Pattern[str]) -> None:
    if not ids:
        return
    _scrub_rows(Touchpoint.objects.filter(pk__in=ids), ["summary", "next_step"], pattern)
    _scrub_rows(
        Touchpoint.history.model.objects.filter(id__in=ids),
        ["summary", "next_step", "history_change_reason"],
        pattern,
        pk_name="history_id",
    )


def _erase_in_other_apps(person: Person) -> None:
    for hook in ERASURE_HOOKS:
        hook(person)


@transaction.atomic
def person_erase(*, person: Person, by: User | None) -> None:
    """Erase a stakeholder's personal data everywhere it is copied. Irreversible.

    What goes: name, title, e-mail and phone on the person and in every historical version of it;
    the person's name, e-mail and phone inside touchpoint summaries and next steps (and their
    history) and inside support requests naming them; the KOL classification with its history.
    What stays, anonymous: affiliations, touchpoints and their counts, transfers of value with their
    amounts (needed for the yearly disclosure totals), and the audit row of the erasure itself, with
    who erased and why. ``by`` is None when the retention sweep erases.

    Erasing someone who is erased already does nothing.
    """
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.erased_at is not None:
        person.refresh_from_db()
        return
    person.refresh_from_db()
    full_names = [locked.full_name, f"{locked.first_name} {locked.last_name}"]
    identifiers = [*full_names, locked.last_name, locked.email, locked.phone]
    # Where they took part, any mention goes, the first name alone included. Elsewhere at their
    # accounts a first name alone is too likely to be a colleague's; full and last names still go.
    # Titles ("Dr.") alone are not personal; they go only as part of the full name.
    pattern = _name_pattern([*identifiers, locked.first_name])
    nearby_pattern = _name_pattern(identifiers)

    # Copies elsewhere first, while the names are still on the row.
    _erase_in_other_apps(person)

    met, nearby = _touchpoint_ids(person)
    if pattern is not None:
        _scrub_touchpoints(met, pattern)
    if nearby_pattern is not None:
        _scrub_touchpoints(nearby, nearby_pattern)
    if pattern is not None:
        requests = SupportRequest.objects.filter(person=person).values("pk")
        _scrub_rows(SupportRequest.objects.filter(pk__in=requests), ["topic", "details", "response_note"], pattern)
        _scrub_rows(
            SupportRequest.history.model.objects.filter(Q(id__in=requests) | Q(person_id=person.pk)),
            ["topic", "details", "response_note", "history_change_reason"],
            pattern,
            pk_name="history_id",
        )

    KolClassification.objects.filter(person=person).delete()
    KolClassification.history.model.objects.filter(person_id=person.pk).delete()

    anonymous = {
        "first_name": ERASED_FIRST_NAME,
        "last_name": f"person {person.pk}",
        "title": "",
        "email": "",
        "phone": "",
    }
    for name, value in anonymous.items():
        setattr(person, name, value)
    person.erased_at = timezone.now()
    person.do_not_contact = True
    # The audit row: simple-history reads these two attributes when it writes the historical row.
    person._change_reason = ERASURE_REASON
    person._history_user = by
    person.save()

    # After the final save, so the "erased on request" row is anonymised too; it keeps its user
    # and reason. Earlier rows keep their dates and other fields but lose the personal ones.
    Person.history.filter(id=person.pk).update(**anonymous)
    if pattern is not None:
        _scrub_rows(
            Person.history.filter(id=person.pk).exclude(history_change_reason=ERASURE_REASON),
            ["history_change_reason"],
            pattern,
            pk_name="history_id",
        )


# --- Retention ------------------------------------------------------------------------------------


def retention_cutoff(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today - relativedelta(months=settings.STAKEHOLDER_RETENTION_MONTHS)


def retention_candidates(*, today: date | None = None) -> QuerySet[Person]:
    """People not erased yet who left every account they were affiliated with more than
    STAKEHOLDER_RETENTION_MONTHS months ago. Annotated with ``last_left``."""
    still_there = Affiliation.objects.filter(person=OuterRef("pk"), end_date__isnull=True)
    return (
        Person.objects.filter(erased_at__isnull=True)
        .annotate(last_left=Max("affiliations__end_date"))
        .filter(~Exists(still_there), last_left__lt=retention_cutoff(today))
        .order_by("last_left", "pk")
    )


def retention_erase_due(*, today: date | None = None) -> int:
    """Erase the retention candidates when STAKEHOLDER_RETENTION_AUTO_ERASE is on; return how many.
    Off (the default), it erases nothing: administrators review the list and erase by hand."""
    if not settings.STAKEHOLDER_RETENTION_AUTO_ERASE:
        return 0
    count = 0
    for person in list(retention_candidates(today=today)):
        person_erase(person=person, by=None)  # each erasure is its own transaction
        count += 1
    return count


# --- Transfers of value: the yearly disclosure -----------------------------------------------------


@dataclass
class _TovGroup:
    recipient_type: str
    recipient_id: int
    recipient_name: str
    category: str
    currency: str
    total: Decimal = Decimal(0)
    count: int = 0
    consent: bool = True
    expense_ids: list[str] = field(default_factory=list)


def tov_export_rows(*, year: int, user: User) -> list[dict[str, Any]]:
    """Transfers of value on touchpoints dated in ``year`` at accounts ``user`` may see, one row per
    recipient (person or organisation), EFPIA category and currency. Transfers recorded on medical
    touchpoints are included for medical users and administrators only. A transfer naming both a
    person and an organisation counts for the person (individual disclosure)."""
    transfers = TransferOfValue.objects.filter(
        touchpoint__date__year=year, touchpoint__account__in=accounts_visible_to(user)
    ).select_related("recipient_person", "recipient_organisation")
    if not sees_medical(user):
        transfers = transfers.exclude(touchpoint__is_medical=True)

    groups: dict[tuple[str, int, str, str], _TovGroup] = {}
    for tov in transfers.order_by("pk"):
        if tov.recipient_person_id:
            kind, rid, name = "person", tov.recipient_person_id, tov.recipient_person.full_name
        else:
            kind, rid, name = "organisation", tov.recipient_organisation_id, tov.recipient_organisation.name
        key = (kind, rid, tov.category, tov.currency)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _TovGroup(kind, rid, name, tov.category, tov.currency)
        group.total += tov.amount
        group.count += 1
        group.consent = group.consent and tov.disclosure_consent
        group.expense_ids.append(tov.expense_record_id)

    rows = []
    for g in sorted(
        groups.values(), key=lambda g: (g.recipient_type, g.recipient_name.lower(), g.category, g.currency)
    ):
        rows.append(
            {
                "recipient_type": g.recipient_type,
                "recipient_id": g.recipient_id,
                "recipient_name": g.recipient_name,
                "category": g.category,
                "category_label": _label(TovCategory, g.category),
                "currency": g.currency,
                "total_amount": g.total,
                "count": g.count,
                "disclosure_consent": g.consent,
                "expense_record_ids": ";".join(sorted(set(g.expense_ids))),
            }
        )
    return rows
