"""The upload form and the mapping form (one choice of field per column)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam import firewall
from kam.models import User
from stakeholders.imports.mapping import fields_for
from stakeholders.imports.models import DataImport, ImportKind


def kinds_for(user: User) -> list[tuple[str, str]]:
    """What ``user`` may import: medical colleagues no accounts (the firewall's account.create) and
    no survey consent (they run no feedback surveys)."""
    kinds = list(ImportKind.choices)
    if firewall.hides(user, "account.create") or user.is_medical:
        kinds = [(k, label) for k, label in kinds if k not in (ImportKind.ACCOUNTS, ImportKind.CONSENT)]
    return kinds


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(label=_("CSV or Excel (.xlsx) file"), help_text=_("The first row names the columns."))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds_for(user)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"


class MappingForm(forms.Form):
    """One select per column of the file, named ``col_<index>``, offering the fields of the kind."""

    def __init__(self, *args: Any, data_import: DataImport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— do not import —"))] + [
            (f.name, f"{f.label} *" if f.required else str(f.label))
            for f in fields_for(data_import.kind, data_import.user)
        ]
        for index, header in enumerate(data_import.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("(column %(n)s without a name)") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=data_import.mapping.get(str(index), ""),
            )

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("col_"): value for name, value in self.cleaned_data.items() if value}
