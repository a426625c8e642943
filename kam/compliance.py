"""The warning before free text that looks like patient data is saved, and the record of a
confirmation (``FreeTextConfirmation``) that an administrator reviews.

How a page uses it:

- Its forms take ``PatientDataCheckMixin`` and name their free-text fields in
  ``patient_data_fields`` (by default: every text field the form shows). A field that the user changed and that looks like patient data
  (``kam.patient_data``) makes the form invalid with a warning on the field, naming the kind and the
  stretch found, unless the submit carries a confirmation. Everything typed stays in the form.
- The confirmation belongs to the page, not to a form: one "save anyway" box and one reason, under
  the unprefixed names ``patient_data_confirm`` and ``patient_data_reason``, confirm every flagged
  field of that submit, whether in the page's main form or in any row of its formsets (a plan
  step holds dozens of rows; a box per row would be a box per cell). The page shows the box when
  ``page_confirmation`` returns one, i.e. after a submit in which some form was flagged.
- After saving, the view calls ``confirmations_record`` with its forms and the objects they saved,
  in the same transaction: one row per confirmed object, naming its fields and the kinds found.

The REST API uses the same row forms without a page: text that looks like patient data is refused
there (a 400 with the warning), and a client confirms nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.forms.formsets import BaseFormSet
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kam import patient_data
from kam.models import FreeTextConfirmation, User
from kam.text import CleanTextMixin

CONFIRM_FIELD = "patient_data_confirm"
REASON_FIELD = "patient_data_reason"
MAX_REASON = 500
# How much of the flagged stretch the warning shows: enough to find it in a long note.
SHOWN_CHARS = 40

KIND_LABELS = {
    patient_data.BIRTH_DATE: _("a date of birth"),
    patient_data.INSURANCE_NUMBER: _("a health insurance number"),
    patient_data.PATIENT_ID: _("a patient or case number"),
    patient_data.DIAGNOSIS: _("a diagnosis next to a person"),
}


class PatientDataConfirmForm(CleanTextMixin, forms.Form):
    """The page's "save anyway": a box and the reason, unprefixed, one per submit."""

    patient_data_confirm = forms.BooleanField(
        required=False,
        label=_("Save anyway: this is not patient data, or it must be kept here"),
    )
    patient_data_reason = forms.CharField(
        required=False,
        max_length=MAX_REASON,
        label=_("Reason"),
        help_text=_("An administrator reviews each confirmation. Do not repeat the text itself."),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_REASON}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reason = (data.get(REASON_FIELD) or "").strip()
        if data.get(CONFIRM_FIELD) and not reason and not self.has_error(REASON_FIELD):
            self.add_error(REASON_FIELD, _("Give a reason to save text that looks like patient data."))
        elif reason and patient_data.find(reason):
            # The reason is stored for review: it must not become the copy the warning prevented.
            self.add_error(REASON_FIELD, _("The reason itself looks like patient data; say why without it."))
        return data

    def reason(self) -> str | None:
        """The reason given, when the submit confirms; else None."""
        if self.is_valid() and self.cleaned_data.get(CONFIRM_FIELD):
            return self.cleaned_data[REASON_FIELD].strip()
        return None


class PatientDataCheckMixin:
    """For forms with free text: warns on changed fields that look like patient data.

    After validation, ``patient_data_found`` maps each flagged field to its kinds, and
    ``patient_data_reason`` holds the page's reason when the submit confirmed them. Put it before
    ``CleanTextMixin`` among the bases, so that the text checked is the text saved."""

    # The fields checked; None: every text field the form shows (not e-mail addresses or links).
    patient_data_fields: tuple[str, ...] | None = None
    patient_data_found: dict[str, list[str]]
    patient_data_reason: str | None = None

    def patient_data_checked(self) -> list[str]:
        if self.patient_data_fields is not None:
            return list(self.patient_data_fields)
        return [
            name
            for name, field in self.fields.items()  # type: ignore[attr-defined]
            if isinstance(field, forms.CharField)
            and not isinstance(field, forms.EmailField | forms.URLField | forms.SlugField)
            and not field.widget.is_hidden
            and not field.disabled
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        self.patient_data_found = {}
        if data.get("DELETE"):  # a row being removed keeps nothing
            return data
        changed = self.changed_data  # type: ignore[attr-defined]
        found: dict[str, list[patient_data.Finding]] = {}
        for name in self.patient_data_checked():
            value = data.get(name)
            if name in changed and isinstance(value, str) and (findings := patient_data.find(value)):
                found[name] = findings
                self.patient_data_found[name] = sorted({f.kind for f in findings}, key=patient_data.KINDS.index)
        if not found:
            return data
        self.patient_data_reason = PatientDataConfirmForm(self.data).reason()  # type: ignore[attr-defined]
        if self.patient_data_reason is None:
            for name, findings in found.items():
                self.add_error(name, _warning(data[name], findings))  # type: ignore[attr-defined]
        return data


def kinds_text(findings: list[patient_data.Finding]) -> str:
    """The kinds found, in words and in the detector's order: "date of birth, diagnosis"."""
    kinds = sorted({f.kind for f in findings}, key=patient_data.KINDS.index)
    return ", ".join(str(KIND_LABELS[k]) for k in kinds)


def _warning(text: str, findings: list[patient_data.Finding]) -> forms.ValidationError:
    first = findings[0]
    shown = Truncator(text[first.start : first.end]).chars(SHOWN_CHARS)
    return forms.ValidationError(
        _(
            "This looks like patient data (%(kinds)s: “%(shown)s”). We store no patient data: remove it, "
            "or confirm below with a reason."
        ),
        code="patient_data",
        params={"kinds": kinds_text(findings), "shown": shown},
    )


def _forms(items: Iterable[forms.BaseForm | BaseFormSet]) -> list[forms.BaseForm]:
    out: list[forms.BaseForm] = []
    for item in items:
        out.extend(item.forms if isinstance(item, BaseFormSet) else [item])
    return out


def page_confirmation(data: Any, items: Iterable[forms.BaseForm | BaseFormSet]) -> PatientDataConfirmForm | None:
    """The confirmation box to show on a page after its submit: bound to what was posted (so a
    reason typed is kept), or None when no form of the page was flagged. Call after validation."""
    if any(getattr(form, "patient_data_found", None) for form in _forms(items)):
        return PatientDataConfirmForm(data)
    return None


def rows(formset: BaseFormSet) -> list[tuple[forms.BaseForm, Model | None]]:
    """A saved formset's forms with the rows they saved, for ``confirmations_record``."""
    return [(form, getattr(form, "instance", None)) for form in formset.forms]


def confirmations_record(
    *, by: User, items: Iterable[tuple[forms.BaseForm, Model | None]], url: str = ""
) -> list[FreeTextConfirmation]:
    """One confirmation per saved object whose form was flagged and confirmed: who, when, the
    object, the fields and the kinds, the reason. Never the text (see ``FreeTextConfirmation``).
    Call after the objects are saved, in the same transaction."""
    made = []
    for form, obj in items:
        found = getattr(form, "patient_data_found", None)
        reason = getattr(form, "patient_data_reason", None)
        if not found or reason is None:
            continue
        kinds = sorted({k for ks in found.values() for k in ks}, key=patient_data.KINDS.index)
        saved = obj is not None and obj.pk is not None
        made.append(
            FreeTextConfirmation(
                user=by,
                content_type=ContentType.objects.get_for_model(obj) if saved else None,
                object_id=obj.pk if saved else None,
                object_label=Truncator(_object_label(obj)).chars(200) if saved else "",
                url=(url or _object_url(obj))[:500],
                fields=[str(form.fields[name].label or name) for name in found],
                field_names=list(found),
                kinds=kinds,
                reason=reason,
            )
        )
    return FreeTextConfirmation.objects.bulk_create(made)


def _object_label(obj: Model) -> str:
    """What the review page calls the object: its kind and number, not its text (a touchpoint's
    or an action's own words may be the very text confirmed)."""
    return f"{obj._meta.verbose_name} #{obj.pk}"


def _object_url(obj: Model | None) -> str:
    url = getattr(obj, "get_absolute_url", None) if obj is not None and obj.pk is not None else None
    return url()[:500] if url else ""
