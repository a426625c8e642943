"""Stakeholder forms: bad input becomes a clear error and what was typed stays on the page."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from kam import firewall
from kam.compliance import PatientDataCheckMixin
from kam.models import User
from kam.owner_choices import colleagues, offer
from kam.text import CleanTextMixin
from stakeholders.models import (
    MAX_FREE_TEXT,
    Affiliation,
    AffiliationOverride,
    Category,
    DmuRole,
    KolLevel,
    Person,
    Stance,
    SupportRequest,
    Touchpoint,
    TransferOfValue,
)
from stakeholders.selectors import users_for_coverage
from stakeholders.sharing import IDENTITY_FIELDS, can_edit_identity, person_by_email_for

NO_PATIENT_DATA = _("No patient data: do not write anything that identifies a patient.")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonForm(CleanTextMixin, forms.ModelForm):
    """The person's identity. ``user`` is who types: for a person shared with accounts they cannot
    see, the identity is read-only (``stakeholders.sharing``); they may only switch "do not
    contact" on. When adding, an e-mail of someone they may not see is refused without a name."""

    class Meta:
        model = Person
        fields = ["title", "first_name", "last_name", "email", "phone", "preferred_language", "do_not_contact"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.identity_locked = bool(self.instance.pk) and not can_edit_identity(user, self.instance)
        if self.identity_locked:
            # Disabled fields keep their stored value whatever is posted.
            for name in IDENTITY_FIELDS:
                self.fields[name].disabled = True
            if self.instance.do_not_contact:
                self.fields["do_not_contact"].disabled = True

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if not self.instance.pk:
            _person, may_see = person_by_email_for(self.user, email)
            if not may_see:
                raise forms.ValidationError(
                    _(
                        "This e-mail address cannot be used here. If the person is already a stakeholder "
                        "elsewhere, ask an administrator to add them to this account."
                    ),
                    code="email_not_visible",
                )
        return email


class AffiliationForm(PatientDataCheckMixin, CleanTextMixin, forms.ModelForm):
    patient_data_fields = ("position_title", "department")

    class Meta:
        model = Affiliation
        fields = [
            "position_title",
            "department",
            "function",
            "category",
            "dmu_role",
            "influence",
            "stance",
            "reports_to",
            "start_date",
        ]
        widgets = {"start_date": DATE, "influence": forms.NumberInput(attrs={"min": 1, "max": 5})}
        help_texts = {"category": _("Leave empty to derive it from the function.")}

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        others = Affiliation.objects.active().filter(account=account).select_related("person")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = others
        self.fields["reports_to"].label_from_instance = lambda a: (
            f"{a.person} ({a.position_title or a.get_function_display()})"
        )
        self.fields["category"].required = False
        # Validation of reports-to needs the account before the model's clean() runs.
        self.instance.account = account


class AffiliationOverrideForm(CleanTextMixin, forms.ModelForm):
    """One therapeutic area where the person's role or stance differs from their overall one."""

    class Meta:
        model = AffiliationOverride
        fields = ["therapeutic_area", "dmu_role", "stance"]
        widgets = {"therapeutic_area": forms.TextInput(attrs={"list": "therapeutic-areas"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        same = _("— as overall —")
        self.fields["dmu_role"].choices = [("", same), *DmuRole.choices]
        self.fields["stance"].choices = [("", same), *Stance.choices]
        self.fields["therapeutic_area"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["dmu_role"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["stance"].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        refused = self.has_error("dmu_role") or self.has_error("stance")
        if not refused and not data.get("dmu_role") and data.get("stance") is None:
            raise forms.ValidationError(_("Set a role or a stance, or remove the row."), code="empty_override")
        return data


class BaseAffiliationOverrideFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def refuse(self, message: str) -> None:
        """Report a conflict found only on saving (the database's unique constraint) with the rows."""
        self.non_form_errors().append(message)

    def clean(self) -> None:
        # The database constraint is exact; "Oncology" and "oncology" are the same area to a KAM.
        seen: set[str] = set()
        duplicate = False
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            area = form.cleaned_data.get("therapeutic_area")
            if not area:
                continue
            key = " ".join(area.split()).casefold()
            if key not in seen:
                seen.add(key)
            elif not form.errors:  # a row refused already (e.g. by the database check) keeps its own message
                form.add_error("therapeutic_area", _("This therapeutic area is listed twice."))
                duplicate = True
        if duplicate:
            raise forms.ValidationError(_("Each therapeutic area can appear only once."), code="duplicate_area")
        super().clean()


AffiliationOverrideFormSet = forms.inlineformset_factory(
    Affiliation,
    AffiliationOverride,
    form=AffiliationOverrideForm,
    formset=BaseAffiliationOverrideFormSet,
    fields=["therapeutic_area", "dmu_role", "stance"],
    extra=1,
    can_delete=True,
    max_num=30,
    validate_max=True,
    absolute_max=30,  # Django's default builds up to 1,030 forms for a raised TOTAL_FORMS
)


class TouchpointForm(PatientDataCheckMixin, CleanTextMixin, forms.ModelForm):
    patient_data_fields = ("summary", "next_step")

    class Meta:
        model = Touchpoint
        fields = ["date", "kind", "stakeholders", "participants", "summary", "next_step", "follow_up_date"]
        widgets = {
            "date": DATE,
            "follow_up_date": DATE,
            "summary": forms.Textarea(attrs={"rows": 4, "maxlength": MAX_FREE_TEXT}),
            "stakeholders": forms.CheckboxSelectMultiple,
            "participants": forms.SelectMultiple(attrs={"size": 4}),
        }
        help_texts = {"summary": NO_PATIENT_DATA, "next_step": NO_PATIENT_DATA}

    def __init__(self, *args, account: Account, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(affiliations__account=account, affiliations__end_date__isnull=True).distinct()
        self.fields["stakeholders"].queryset = people.order_by("last_name")
        # The account team only (and the author); others take part through the account's team.
        team = User.objects.filter(Q(account_teams__account=account) | Q(pk=user.pk))
        stored = list(self.instance.participants.values_list("pk", flat=True)) if self.instance.pk else []
        offer(self.fields["participants"], colleagues(team=team, keep=stored), stored=stored)
        self.fields["participants"].required = False
        self.fields["participants"].help_text = _("You are added automatically.")
        self.user = user

    def clean_participants(self):
        participants = self.cleaned_data["participants"]
        # The firewall: a medical touchpoint takes medical colleagues only, a commercial one
        # commercial colleagues only (commercial asks medical through a support request).
        refused = [u for u in participants if not firewall.may_take_part(self.user, u)]
        if refused:
            names = ", ".join(str(u) for u in refused)
            if self.user.is_medical:
                message = _("A medical touchpoint takes medical colleagues only: remove %(names)s.")
            else:
                message = _("Medical colleagues cannot take part in a commercial touchpoint: remove %(names)s.")
            raise forms.ValidationError(message, code="firewall", params={"names": names})
        return participants

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate() + timedelta(days=365):
            raise forms.ValidationError(_("A touchpoint cannot be more than a year in the future."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("follow_up_date") and data.get("date") and data["follow_up_date"] < data["date"]:
            self.add_error("follow_up_date", _("The follow-up cannot be before the touchpoint."))
        return data


class TransferOfValueForm(CleanTextMixin, forms.ModelForm):
    """Optional: a reference to a transfer of value made at this touchpoint."""

    class Meta:
        model = TransferOfValue
        fields = ["category", "recipient_person", "amount", "currency", "disclosure_consent", "expense_record_id"]

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_person"].queryset = Person.objects.filter(affiliations__account=account).distinct()
        self.fields["recipient_person"].required = False
        self.fields["recipient_person"].help_text = _("Empty: the organisation (this account) received it.")
        for name in ("category", "amount", "expense_record_id"):
            self.fields[name].required = False
        self.account = account

    def has_data(self) -> bool:
        return any(self.data.get(self.add_prefix(f)) for f in ("category", "amount", "expense_record_id"))

    def clean(self):
        data = super().clean()
        for name in ("category", "amount", "expense_record_id"):
            if not data.get(name) and data.get(name) != 0:
                self.add_error(name, _("Required for a transfer of value."))
        if not data.get("recipient_person"):
            self.instance.recipient_organisation = self.account
        return data


class CoverageForm(CleanTextMixin, forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Colleague"))
    strength = forms.TypedChoiceField(
        choices=[("", _("Remove"))] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Relationship strength (1–5)"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["user"], colleagues(team=None, others=users_for_coverage(user)))


class KolForm(CleanTextMixin, forms.Form):
    level = forms.ChoiceField(choices=[("", _("Not a KOL")), *list(KolLevel.choices)], required=False)
    therapeutic_areas = forms.CharField(max_length=200, required=False)


class SupportRequestForm(PatientDataCheckMixin, CleanTextMixin, forms.ModelForm):
    patient_data_fields = ("topic", "details")

    class Meta:
        model = SupportRequest
        fields = ["person", "topic", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"details": NO_PATIENT_DATA}

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            affiliations__account=account, affiliations__end_date__isnull=True
        ).distinct()
        self.instance.account = account


class SupportResponseForm(PatientDataCheckMixin, CleanTextMixin, forms.Form):
    patient_data_fields = ("note",)

    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = forms.CharField(max_length=500, required=False, label=_("Note to the requester"))


class DmuFilterForm(forms.Form):
    category = forms.ChoiceField(required=False)
    role = forms.ChoiceField(required=False)
    stance = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    stale = forms.BooleanField(required=False, label=_("Stale only"))
    ended = forms.BooleanField(required=False, label=_("Include people who left"))
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("influence", _("Influence")),
            ("name", _("Name")),
            ("stance", _("Stance")),
            ("role", _("Role")),
            ("last", _("Last contact")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *Category.choices]
        self.fields["role"].choices = [("", _("All roles")), *DmuRole.choices]
        self.fields["stance"].choices = [("", _("All stances")), *[(str(v), lbl) for v, lbl in Stance.choices]]
        for f in self.fields.values():
            if isinstance(f.widget, forms.Select):
                f.widget.attrs["class"] = "form-select form-select-sm"
