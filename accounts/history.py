"""An account's change history in the words of its pages: field names, choice labels, yes/no,
people's and accounts' names; never field keys or codes. Fields behind the medical/commercial
firewall (``FIREWALLED_FIELDS``) are left out for those on the other side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import FIREWALLED_FIELDS, Account
from kam import firewall
from kam.models import User

# The page shows this many of the latest changes.
HISTORY_ROWS = 100


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


def _shown(field: models.Field, value: Any, names: dict[tuple[type, Any], str]) -> Any:
    """A stored value as the pages show it; dates and numbers stay values, for the template to
    format in the reader's locale."""
    if value is None or value == "":
        return ""
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if field.is_relation:
        return names.get((field.related_model, value), "—")
    return value


def account_changes(account: Account, user: User) -> list[dict]:
    """The latest ``HISTORY_ROWS`` records of ``account`` (newest first), each with the changes
    against the one before it that ``user`` may see: ``{"record", "changes": [FieldChange]}``. A
    record whose every change is hidden from ``user`` is left out."""
    records = list(account.history.select_related("history_user").order_by("-history_date")[:HISTORY_ROWS])
    hidden = {name for name, key in FIREWALLED_FIELDS.items() if firewall.hides(user, key)}
    deltas = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changed = newer.diff_against(older).changes if older is not None else []
        deltas.append((newer, [c for c in changed if c.field not in hidden]))
    # The people and accounts the changes name, one query per kind.
    wanted: dict[type, set] = {}
    for _record, changed in deltas:
        for c in changed:
            field = Account._meta.get_field(c.field)
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update(v for v in (c.old, c.new) if v is not None)
    names = {
        (model, obj.pk): str(obj) for model, ids in wanted.items() for obj in model._default_manager.filter(pk__in=ids)
    }
    rows = []
    for record, changed in deltas:
        if changed or record.history_type != "~":
            shown = []
            for c in changed:
                field = Account._meta.get_field(c.field)
                shown.append(
                    FieldChange(capfirst(field.verbose_name), _shown(field, c.old, names), _shown(field, c.new, names))
                )
            rows.append({"record": record, "changes": shown})
    return rows
