"""Owner and colleague choices: the account team first, then others where others may be chosen at
all, never an inactive user or an administrator (``UserQuerySet.assignable``), except a value a
row already stores, so that editing an old row does not silently change its owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from kam.models import User
from kam.widgets import SharedChoices

TEAM_GROUP = _("Account team")
OTHERS_GROUP = _("Others")
NOT_ASSIGNABLE = _("%(name)s is inactive or an administrator and cannot be chosen; choose a colleague from the list.")


@dataclass(frozen=True)
class Colleagues:
    """The colleagues a field offers, read in one query; built once per page and shared by rows."""

    team: list[tuple[int, str]]
    others: list[tuple[int, str]]
    assignable: frozenset[int]
    pool: tuple[int, ...]  # everyone a post may name; those not assignable are refused with a reason
    grouped: bool

    def choices(self, *, empty_label: str | None = None) -> list:
        head = [] if empty_label is None else [("", empty_label)]
        if not self.grouped:
            return head + self.others
        return head + [(name, group) for name, group in ((TEAM_GROUP, self.team), (OTHERS_GROUP, self.others)) if group]


def regrouped(found: Colleagues, team_ids: Iterable[int]) -> Colleagues:
    """``found`` with another team first: for rows of one page that each have their own team
    (a handover lists several accounts), from one read of everyone any row may offer."""
    ids = set(team_ids)
    everyone = sorted(found.team + found.others, key=lambda choice: choice[1].casefold())
    team = [c for c in everyone if c[0] in ids]
    others = [c for c in everyone if c[0] not in ids]
    return Colleagues(team, others, found.assignable, found.pool, True)


def colleagues(
    *, team: QuerySet[User] | None, others: QuerySet[User] | None = None, keep: QuerySet | Iterable[int] = ()
) -> Colleagues:
    """``team`` (None: no grouping) first, then ``others``, only assignable users, plus ``keep``
    (ids, or a values() queryset of the ids rows store) whatever they are now."""
    keep = keep if isinstance(keep, QuerySet) else [pk for pk in keep if pk]
    pool = Q(pk__in=keep)
    for part in (team, others):
        if part is not None:
            pool |= Q(pk__in=part.values("pk"))
    in_team = Exists(team.filter(pk=OuterRef("pk"))) if team is not None else Value(False)
    rows = (
        User.objects.filter(pool)
        .annotate(
            in_team=in_team,
            ok=Exists(User.objects.assignable().filter(pk=OuterRef("pk"))),
            kept=ExpressionWrapper(Q(pk__in=keep), output_field=BooleanField()),
        )
        .values_list("pk", "first_name", "last_name", "username", "in_team", "ok", "kept")
    )
    team_choices, other_choices, ids, ok_ids = [], [], [], set()
    for pk, first, last, username, is_team, ok, kept in rows:
        ids.append(pk)
        if ok:
            ok_ids.add(pk)
        elif not kept:
            continue
        label = f"{first} {last}".strip() or username
        (team_choices if is_team else other_choices).append((pk, label))
    return Colleagues(team_choices, other_choices, frozenset(ok_ids), tuple(ids), team is not None)


class _Assignable:
    """Refuses a colleague who is not assignable, unless the row already stores them."""

    def __init__(self, allowed: frozenset[int], stored: set[int]) -> None:
        self.allowed, self.stored = allowed, stored

    def __call__(self, value) -> None:
        # A single choice arrives as the user; a multiple one as the posted ids (Django validates
        # those before it reads them into users).
        values = [value] if isinstance(value, User) else list(value or ())
        ids = [v.pk if isinstance(v, User) else int(v) for v in values if v not in (None, "")]
        refused = [pk for pk in ids if pk not in self.allowed and pk not in self.stored]
        if refused:
            names = ", ".join(str(u) for u in User.objects.filter(pk__in=refused))
            raise ValidationError(NOT_ASSIGNABLE, code="not_assignable", params={"name": names})


def offer(
    field: forms.ModelChoiceField, found: Colleagues, *, stored: Iterable[int | None] = (), search: bool = True
) -> None:
    """Make ``field`` offer ``found`` (grouped) and refuse, with a reason, anyone not assignable
    who is not among ``stored`` (the value the row holds). ``search``: searched as one types
    (static/kam/pickers.js); plan rows keep the plain select, their owners are a short list."""
    if search:
        field.widget.attrs["data-search"] = "1"
    field.queryset = User.objects.filter(pk__in=found.pool)
    empty = None if isinstance(field, forms.ModelMultipleChoiceField) else field.empty_label
    field.choices = SharedChoices(found.choices(empty_label=empty))
    field.grouped_choices = field.choices
    field.validators.append(_Assignable(found.assignable, {pk for pk in stored if pk}))
