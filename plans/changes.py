"""What changed in a plan, in the words its pages use.

A plan's state is a *snapshot* (``plan_state``; ``plans.snapshots.plan_snapshot`` stores one in
``PlanReview.snapshot`` at every review): plain JSON, one dict of rows per part, each row its
fields' stored values (codes, ISO dates, decimals as text, people's names). ``plan_changes``
compares two snapshots and says what changed as lines a manager reads: field names, choice labels,
names, money and dates as the pages show them, never codes or field keys.

Rows are matched by id, then by what names them (an objective's title), so two revisions of a plan,
whose rows are copies with new ids, compare too. The fields come from the models, so a field added
to a model later is compared without a change here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.exports.blocks import format_date, format_money, format_number, yes_no
from plans.models import (
    STEPS,
    Action,
    ActionStatus,
    CommunicationItem,
    Objective,
    ObjectiveStatus,
    RelationshipObjective,
    Resource,
    SwotItem,
    WhitespaceCell,
)
from plans.step_forms import STEP_FORMS
from stakeholders.models import STANCE_SHORT, Affiliation, Stance

# Never compared: the row's own links, and the medical support behind an action (medical work
# stays behind the firewall, even by its title).
SKIPPED_FIELDS = {"id", "plan", "support_request"}

ADDED, CHANGED, CLOSED, REMOVED = "added", "changed", "closed", "removed"
KIND_LABELS = {
    ADDED: gettext_lazy("added"),
    CHANGED: gettext_lazy("changed"),
    CLOSED: gettext_lazy("closed"),
    REMOVED: gettext_lazy("removed"),
}

# Keys a snapshot row holds that are no model field: (label, labels of the values or None).
EXTRA_FIELDS: dict[str, tuple[Any, Mapping | None]] = {
    "judged_status": (gettext_lazy("status"), dict(ObjectiveStatus.choices)),
    "name": (gettext_lazy("name"), None),
}


@dataclass(frozen=True)
class Part:
    key: str
    title: Any
    model: type[models.Model]
    # The fields that name a row across revisions, and in a change line.
    names: tuple[str, ...]
    # Money fields: the row field holding its currency, or "" for the account's currency.
    money: Mapping[str, str] = field(default_factory=dict)


PARTS = (
    Part("objectives", gettext_lazy("Objectives"), Objective, ("title",)),
    Part("actions", gettext_lazy("Actions"), Action, ("title",)),
    Part("resources", gettext_lazy("Resources"), Resource, ("action", "function"), money={"budget": "currency"}),
    Part("swot", gettext_lazy("SWOT"), SwotItem, ("kind", "text")),
    Part(
        "whitespace",
        gettext_lazy("Whitespace"),
        WhitespaceCell,
        ("buying_centre", "product"),
        money={"estimated_value": ""},
    ),
    Part("relationship_objectives", gettext_lazy("Relationship objectives"), RelationshipObjective, ("affiliation",)),
    Part("communications", gettext_lazy("Communication"), CommunicationItem, ("audience_kind", "audience")),
    Part("dmu", gettext_lazy("Decision-making unit"), Affiliation, ("name",)),
)
# What a snapshot keeps of each stakeholder of the account's DMU.
DMU_FIELDS = ("dmu_role", "influence", "stance")


# -- Taking a snapshot -------------------------------------------------------------------------


def compared_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a change list compares: every field a user edits, in the model's order."""
    return [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.editable and f.name not in SKIPPED_FIELDS
    ]


def _related_paths(model: type[models.Model]) -> tuple[list[str], list[str]]:
    joins, prefetches = [], []
    for f in compared_fields(model):
        if f.many_to_many:
            prefetches.append(f.name)
        elif f.is_relation:
            joins.append(f"{f.name}__person" if f.related_model is Affiliation else f.name)
    return joins, prefetches


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: names for related rows, text for dates and decimals."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Affiliation):
        return str(value.person)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, date | Decimal):
        return value.isoformat() if isinstance(value, date) else str(value)
    return str(value)


def row_values(row: models.Model) -> dict[str, Any]:
    """One row's compared fields as plain values (related rows read beforehand, see ``rows_of``)."""
    values = {}
    for f in compared_fields(type(row)):
        if f.many_to_many:
            values[f.name] = sorted(str(r) for r in getattr(row, f.name).all())
        else:
            values[f.name] = _plain(getattr(row, f.name))
    return values


def rows_of(queryset: models.QuerySet, extra: Callable[[Any], dict] | None = None) -> dict[str, dict]:
    """Every row of ``queryset`` by id, its related rows read along (one query each kind)."""
    joins, prefetches = _related_paths(queryset.model)
    queryset = queryset.select_related(*joins).prefetch_related(*prefetches)
    return {str(r.pk): {**row_values(r), **(extra(r) if extra else {})} for r in queryset}


# -- Reading a snapshot ------------------------------------------------------------------------


def normalised(snapshot: Mapping | None) -> dict:
    """A snapshot in today's keys. Reviews stored before every part was kept hold objectives,
    actions and the DMU only, with shorter keys; the parts they lack stay absent (not empty)."""
    snapshot = dict(snapshot or {})
    if snapshot.get("version", 1) >= 2:
        return snapshot
    renamed = {
        "objectives": {"current": "current_value", "status": "judged_status"},
        "actions": {"due": "due_date"},
    }
    for part, keys in renamed.items():
        if part in snapshot:
            snapshot[part] = {pk: {keys.get(k, k): v for k, v in row.items()} for pk, row in snapshot[part].items()}
    return snapshot


def _model_field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # kept by an older snapshot, gone from the model since
        return None


def field_label(model: type[models.Model], name: str) -> str:
    f = _model_field(model, name)
    if f is not None and hasattr(f, "verbose_name"):
        return capfirst(str(f.verbose_name))
    if name in EXTRA_FIELDS:
        return capfirst(str(EXTRA_FIELDS[name][0]))
    return capfirst(name.replace("_", " "))


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def display(model: type[models.Model], name: str, value: Any, *, currency: str = "") -> str:
    """A stored value as the pages show it: a choice's label, a date in the reader's format,
    a number with its grouping, money with its currency, yes or no."""
    if _is_empty(value):
        return "—"
    f = _model_field(model, name)
    if f is None:
        labels = EXTRA_FIELDS.get(name, (None, None))[1]
        return str(labels.get(value, value)) if labels else str(value)
    if f.choices:
        # Stances in the words of the X-ray and the DMU pages.
        labels = STANCE_SHORT if f.choices == Stance.choices else dict(f.flatchoices)
        return str(labels.get(value, value))
    if isinstance(f, models.BooleanField):
        return yes_no(bool(value))
    if f.many_to_many:
        return ", ".join(value)
    if isinstance(f, models.DateField) and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(f, models.DecimalField | models.FloatField):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return format_money(number, currency) if currency else format_number(number)
    return str(value)


# -- Comparing -----------------------------------------------------------------------------------

Stamp = tuple[str, datetime]


@dataclass
class Change:
    kind: str
    subject: str
    lines: list[str]
    who: str = ""
    when: datetime | None = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class PartChanges:
    key: str
    title: str
    changes: list[Change]
    # False when the earlier snapshot did not keep this part (a review from before it was kept).
    recorded: bool = True


def _pairs(before: Mapping[str, dict], after: Mapping[str, dict], names: tuple[str, ...]) -> list[tuple]:
    """(before id, after id) for every row: matched by id, then by the fields that name it."""
    pairs = [(pk, pk) for pk in after if pk in before]
    left = [pk for pk in before if pk not in after]
    right = [pk for pk in after if pk not in before]

    def key(row: dict) -> tuple:
        return tuple(str(row.get(n)) for n in names)

    unmatched = {}
    for pk in left:
        unmatched.setdefault(key(before[pk]), []).append(pk)
    for pk in right:
        candidates = unmatched.get(key(after[pk]))
        pairs.append((candidates.pop(0) if candidates else None, pk))
    matched = {b for b, _a in pairs}
    pairs.extend((pk, None) for pk in left if pk not in matched)
    order = {pk: n for n, pk in enumerate(after)}
    return sorted(pairs, key=lambda p: (p[1] is None, order.get(p[1], 0)))


def _line(label: str, before: str, after: str) -> str:
    return _("%(label)s: %(before)s → %(after)s") % {"label": label, "before": before, "after": after}


def _part_changes(part: Part, before: Mapping, after: Mapping, snapshot: Mapping, stamps: Mapping) -> list[Change]:
    def currency(name: str, row: dict) -> str:
        if name not in part.money:
            return ""
        source = part.money[name]
        return str(row.get(source) or "") if source else str(snapshot.get("currency", ""))

    def shown(name: str, row: dict) -> str:
        return display(part.model, name, row.get(name), currency=currency(name, row))

    def subject(row: dict) -> str:
        return " · ".join(shown(n, row) for n in part.names if not _is_empty(row.get(n))) or "—"

    # An added row's currency is already beside its money.
    not_listed = {*part.names, *(source for source in part.money.values() if source)}
    changes = []
    for old_pk, new_pk in _pairs(before, after, part.names):
        old, new = before.get(old_pk), after.get(new_pk)
        stamp = stamps.get((part.key, new_pk or old_pk))
        if old is None:
            lines = [
                f"{field_label(part.model, k)}: {shown(k, new)}"
                for k, v in new.items()
                if k not in not_listed and not _is_empty(v)
            ]
            change = Change(ADDED, subject(new), lines)
        elif new is None:
            change = Change(REMOVED, subject(old), [])
        else:
            names = [k for k in new if k in old and old[k] != new[k]]
            if not names:
                continue
            lines = [_line(field_label(part.model, k), shown(k, old), shown(k, new)) for k in names]
            kind = CHANGED
            if part.model is Action and "status" in names and new["status"] == ActionStatus.DONE:
                kind = CLOSED
            change = Change(kind, subject(new), lines)
        if stamp:
            change.who, change.when = stamp
        changes.append(change)
    return changes


def _step_label(number: int, key: str) -> tuple[str, Any]:
    form_field = STEP_FORMS[number].base_fields.get(key) if number in STEP_FORMS else None
    if form_field is None:
        return capfirst(key.replace("_", " ")), None
    return str(form_field.label), form_field


def _step_value(form_field: Any, value: Any, currency: str) -> str:
    if _is_empty(value):
        return "—"
    choices = getattr(form_field, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(form_field, forms.DecimalField):
        try:
            return format_money(Decimal(str(value)), currency) if currency else format_number(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)


def step_changes(before: Mapping, after: Mapping, *, stamps: Mapping | None = None) -> list[Change]:
    """The seven steps' own texts, field by field, with the labels of the step pages."""
    stamps = stamps or {}
    changes = []
    currency = {"before": before.get("budget_currency", ""), "after": after.get("budget_currency", "")}
    old_steps, new_steps = before.get("steps", {}), after.get("steps", {})
    for n in range(1, 8):
        old, new = old_steps.get(str(n)) or {}, new_steps.get(str(n)) or {}
        lines = []
        for key in [*new, *(k for k in old if k not in new)]:
            if (old.get(key) or "") == (new.get(key) or ""):
                continue
            label, form_field = _step_label(n, key)
            lines.append(
                _line(
                    label,
                    _step_value(form_field, old.get(key), currency["before"]),
                    _step_value(form_field, new.get(key), currency["after"]),
                )
            )
        if lines:
            change = Change(CHANGED, _("Step %(n)d · %(title)s") % {"n": n, "title": STEPS[n]}, lines)
            if stamp := stamps.get(("steps", str(n))):
                change.who, change.when = stamp
            changes.append(change)
    return changes


def plan_changes(
    before: Mapping | None, after: Mapping, *, stamps: Mapping[tuple[str, str], Stamp] | None = None
) -> list[PartChanges]:
    """Every part's changes from ``before`` to ``after`` (snapshots), in the plan's order.

    ``stamps`` says who last changed a row and when, by (part, row id) ("steps" and the step's
    number for the steps), where the history knows it."""
    stamps = stamps or {}
    before, after = normalised(before), normalised(after)
    result = [
        PartChanges(
            "steps",
            str(gettext_lazy("The seven steps")),
            step_changes(before, after, stamps=stamps),
            recorded="steps" in before,
        )
    ]
    for part in PARTS:
        recorded = part.key in before
        changes = _part_changes(part, before.get(part.key, {}), after.get(part.key, {}), after, stamps)
        result.append(PartChanges(part.key, str(part.title), changes if recorded else [], recorded=recorded))
    return result


def empty_snapshot() -> dict:
    """A plan with nothing in it: what a plan never reviewed is compared against."""
    return {"version": 2, "steps": {}, **{part.key: {} for part in PARTS}}


def overdue_actions(snapshot: Mapping, today: date) -> list[dict]:
    """Actions not done whose due date has passed: their title and due date."""
    late = []
    for row in normalised(snapshot).get("actions", {}).values():
        due = row.get("due_date")
        if due and row.get("status") != ActionStatus.DONE and date.fromisoformat(due[:10]) < today:
            late.append({"title": row.get("title", ""), "due": date.fromisoformat(due[:10])})
    return sorted(late, key=lambda r: r["due"])


def count(parts: Iterable[PartChanges]) -> int:
    return sum(len(p.changes) for p in parts)
