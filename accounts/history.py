"""An account's change history in the words of its pages: field names, choice labels, yes/no,
people's and accounts' names; never field keys or codes. The account's tenders with their lots,
and its contracts, are part of it. Fields behind the medical/commercial firewall
(``FIREWALLED_FIELDS``, ``CONTRACT_FIREWALLED_FIELDS``) are left out for those on the other side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import CONTRACT_FIREWALLED_FIELDS, FIREWALLED_FIELDS, Account, Contract, Tender, TenderLot
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


def _deltas(records: list, excluded: list[str]) -> list[tuple[Any, list]]:
    """Each record (newest first, of one or more rows) with its changes against the record of the
    same row before it; the oldest record read of a row has none to compare with."""
    older_of: dict[Any, Any] = {}
    deltas = []
    for record in reversed(records):
        older = older_of.get(record.id)
        changed = record.diff_against(older, excluded_fields=excluded).changes if older is not None else []
        deltas.append((record, changed))
        older_of[record.id] = record
    deltas.reverse()
    return deltas


def account_changes(account: Account, user: User) -> list[dict]:
    """The latest ``HISTORY_ROWS`` records of ``account``, its tenders, their lots and its
    contracts (newest first), each with the changes against the one before it that ``user`` may
    see: ``{"record", "subject", "changes": [FieldChange]}``, the subject naming a tender, lot or
    contract. A record whose every change is hidden from ``user`` is left out; a contract's price
    and rebate (``CONTRACT_FIREWALLED_FIELDS``) as the account's own figures. Tenders, lots and
    contracts only for those who may read them (rule ``tender.read``)."""
    sources = [(Account, account.history.all(), FIREWALLED_FIELDS, [])]
    if firewall.allows(user, "tender.read"):
        # The account's tenders as they ever were, deleted ones too: their lots' records outlive them.
        tender_ids = Tender.history.filter(account_id=account.pk).values("id")
        sources += [
            (Tender, Tender.history.filter(account_id=account.pk), {}, []),
            # A lot holds no terms (what was bid and its outcome): nothing of it is firewalled.
            # Products and competitors bid are left out, as a contract's products are.
            (TenderLot, TenderLot.history.filter(tender_id__in=tender_ids), {}, ["products", "competitor_products"]),
            (Contract, Contract.history.filter(account_id=account.pk), CONTRACT_FIREWALLED_FIELDS, ["products"]),
        ]
    deltas = []
    for model, history, firewalled, m2m in sources:
        records = list(history.select_related("history_user").order_by("-history_date")[:HISTORY_ROWS])
        hidden = {name for name, key in firewalled.items() if firewall.hides(user, key)}
        for record, changed in _deltas(records, m2m):
            deltas.append((model, record, [c for c in changed if c.field not in hidden]))
    deltas.sort(key=lambda d: d[1].history_date, reverse=True)
    deltas = deltas[:HISTORY_ROWS]
    # The people and accounts the changes name, one query per kind.
    wanted: dict[type, set] = {}
    for model, _record, changed in deltas:
        for c in changed:
            field = model._meta.get_field(c.field)
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update(v for v in (c.old, c.new) if v is not None)
    names = {
        (model, obj.pk): str(obj) for model, ids in wanted.items() for obj in model._default_manager.filter(pk__in=ids)
    }
    titles = _tender_titles({record.tender_id for model, record, _c in deltas if model is TenderLot})
    rows = []
    for model, record, changed in deltas:
        if changed or record.history_type != "~":
            shown = []
            for c in changed:
                field = model._meta.get_field(c.field)
                shown.append(
                    FieldChange(capfirst(field.verbose_name), _shown(field, c.old, names), _shown(field, c.new, names))
                )
            rows.append({"record": record, "subject": _subject(model, record, titles), "changes": shown})
    return rows


def _tender_titles(ids: set[int]) -> dict[int, str]:
    """Each tender's latest title, from its history: a deleted tender's lots still name it."""
    if not ids:
        return {}
    return dict(Tender.history.filter(id__in=ids).order_by("history_date").values_list("id", "title"))


def _subject(model: type[models.Model], record: Any, titles: dict[int, str]) -> str:
    """What a row is about: nothing for the account itself, else the tender, lot or contract by
    name; a lot with its tender's title, as lot numbers repeat from tender to tender."""
    if model is Account:
        return ""
    kind = capfirst(model._meta.verbose_name)
    if model is TenderLot:
        lot = " · ".join(part for part in (record.number, record.name) if part)
        tender = titles.get(record.tender_id)
        return f"{kind}: {lot} ({tender})" if tender else f"{kind}: {lot}"
    return f"{kind}: {record.title}"
