"""The row engine shared by every kind: rows arrive in chunks, each row is cleaned, matched on its
external id and counted as created, updated, unchanged or rejected; in a dry run nothing is
written, in an apply each chunk is written in one transaction.

Row by row, not all or nothing: a valid row is applied even when its neighbour is rejected, and
every rejected row is listed with its line and reason (and downloadable to fix and re-upload).
An import never deletes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model
from django.utils.translation import gettext as _

from kam.models import User
from stakeholders.imports.models import DataImport, ImportRejection
from stakeholders.imports.values import BadValue

Row = tuple[int, list[str]]


class Run:
    """One pass over a file for one import; subclasses clean and write their kind of row."""

    def __init__(self, data_import: DataImport, *, apply: bool) -> None:
        self.data_import = data_import
        self.user: User = data_import.user
        self.apply = apply
        self.columns = {field: int(index) for index, field in data_import.mapping.items() if field}
        self.counts: Counter[str] = Counter(created=0, updated=0, unchanged=0, rejected=0)
        self._rejections: list[ImportRejection] = []
        self.reason = data_import.change_reason

    # Reading a row.
    def values(self, cells: list[str]) -> dict[str, str]:
        """The mapped fields' texts; a field whose column this row lacks is an empty text."""
        return {f: (cells[i] if i < len(cells) else "") for f, i in self.columns.items()}

    def reject(self, line: int, cells: list[str], reason: str) -> None:
        self.counts["rejected"] += 1
        self._rejections.append(
            ImportRejection(data_import=self.data_import, line=line, reason=reason[:500], values=cells)
        )

    def flush_rejections(self) -> None:
        ImportRejection.objects.bulk_create(self._rejections, batch_size=1000)
        self._rejections = []

    # The work.
    def process(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Rows held back until the whole file was read (an account whose parent comes later)."""

    def stamp(self, instance: Model) -> Model:
        """Mark ``instance`` so that its history names the import and the importing user."""
        instance._change_reason = self.reason
        instance._history_user = self.user
        return instance


def text(value: str, model: type[Model], field: str) -> str:
    """``value`` as a text that fits ``model.field``: too long is a rejection, not a cut."""
    limit = model._meta.get_field(field).max_length
    if limit and len(value) > limit:
        raise BadValue(
            _("%(field)s is longer than %(max)s characters.")
            % {"field": model._meta.get_field(field).verbose_name, "max": limit}
        )
    return value


def email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError as exc:
        raise BadValue(_("“%(value)s” is not an e-mail address.") % {"value": value[:60]}) from exc
    return value.lower()


def changes(instance: Model, data: dict[str, Any]) -> list[str]:
    """Set ``data`` on ``instance``; the names of the fields whose value changed."""
    changed = []
    for field, value in data.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    return changed


def message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)
