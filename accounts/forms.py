"""Forms for accounts: input becomes domain values here, and bad input becomes clear errors."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.db.models import Case, Value, When
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.template.defaultfilters import linebreaksbr
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Account,
    AccountFinancials,
    AccountTeamMember,
    AccountType,
    Listing,
    Product,
    QualificationCriterion,
)
from accounts.selectors import accounts_visible_to, users_assignable_by
from kam.models import User
from kam.owner_choices import colleagues, offer
from kam.text import CleanTextMixin

MAX_TEXT = 2000
HIDDEN_PARENT_LABEL = _("a parent account you cannot see")


class AccountForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "name",
            "account_type",
            "parent",
            "crm_id",
            "owner",
            "tier",
            "country",
            "region",
            "city",
            "address",
            "currency",
            "beds",
            "ownership",
            "management_model",
            "has_formal_dmu",
            "annual_turnover",
            "turnover_goal",
            "gross_margin_pct",
            "average_discount_pct",
            "basket_penetration_pct",
            "market_share_pct",
        ]
        widgets = {
            "has_formal_dmu": forms.NullBooleanSelect(),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        parents = accounts_visible_to(user)
        hidden_parent = self._hidden_parent_id(parents)
        if hidden_parent is not None:
            # Kept on offer, first and unnamed: without it the select would post "no parent" and
            # saving the form would silently take the account out of a group the editor cannot
            # see. Only this one hidden account is added; choosing another one stays refused.
            parents = (parents | Account.objects.filter(pk=hidden_parent)).order_by(
                Case(When(pk=hidden_parent, then=Value(0)), default=Value(1)), "name"
            )
            self.fields["parent"].label_from_instance = lambda a: (
                str(HIDDEN_PARENT_LABEL) if a.pk == hidden_parent else str(a)
            )
        else:
            parents = parents.order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].widget.attrs["data-search"] = "1"
        account_team = User.objects.filter(account_teams__account_id=self.instance.pk) if self.instance.pk else None
        offer(
            self.fields["owner"],
            colleagues(
                team=account_team,
                others=users_assignable_by(user),
                keep=[self.instance.owner_id],
            ),
            stored=[self.instance.owner_id],
        )
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk
        elif not (user.is_administrator or user.is_manager):
            # Owners do not hand their own accounts away; a manager reassigns.
            self.fields["owner"].disabled = True
            owner = [self.instance.owner_id]
            offer(self.fields["owner"], colleagues(team=None, keep=owner), stored=owner)
        self.fields["account_type"].widget.attrs["data-account-type"] = "1"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Account"),
                Div(Div("name", css_class="col-md-8"), Div("account_type", css_class="col-md-4"), css_class="row"),
                Div(
                    Div("parent", css_class="col-md-6"),
                    Div("crm_id", css_class="col-md-3"),
                    Div("tier", css_class="col-md-3"),
                    css_class="row",
                ),
                Div(Div("owner", css_class="col-md-6"), Div("currency", css_class="col-md-3"), css_class="row"),
            ),
            Fieldset(
                _("Location"),
                Div(
                    Div("country", css_class="col-md-3"),
                    Div("region", css_class="col-md-3"),
                    Div("city", css_class="col-md-3"),
                    Div("address", css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            Div(
                HTML('<legend class="fs-6 fw-semibold">{% load i18n %}{% trans "Hospital numbers" %}</legend>'),
                Div(
                    Div("beds", css_class="col-md-3"),
                    Div("ownership", css_class="col-md-3"),
                    Div("management_model", css_class="col-md-3"),
                    Div("has_formal_dmu", css_class="col-md-3"),
                    css_class="row",
                ),
                css_class="type-fields",
                data_types="hospital",
            ),
            Div(
                HTML(
                    '<legend class="fs-6 fw-semibold">{% load i18n %}'
                    '{% trans "Pharmacy and wholesaler numbers (account currency)" %}</legend>'
                ),
                Div(
                    Div("annual_turnover", css_class="col-md-4"),
                    Div("turnover_goal", css_class="col-md-4"),
                    Div("gross_margin_pct", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("average_discount_pct", css_class="col-md-4"),
                    Div("basket_penetration_pct", css_class="col-md-4"),
                    Div("market_share_pct", css_class="col-md-4"),
                    css_class="row",
                ),
                css_class="type-fields",
                data_types="pharmacy wholesaler",
            ),
        )

    def _hidden_parent_id(self, visible) -> int | None:
        """The stored parent's id when the editor cannot see that parent, else None."""
        parent_id = self.instance.parent_id if self.instance.pk else None
        if parent_id is None or visible.filter(pk=parent_id).exists():
            return None
        return parent_id

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the account a name."))
        return name

    def clean_crm_id(self) -> str | None:
        crm_id = (self.cleaned_data.get("crm_id") or "").strip()
        if not crm_id:
            return None
        clash = Account.objects.filter(crm_id=crm_id).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another account already has this CRM id."))
        return crm_id

    def clean_parent(self) -> Account | None:
        parent = self.cleaned_data.get("parent")
        if parent and self.instance.pk and parent.pk == self.instance.pk:
            raise forms.ValidationError(_("An account cannot be its own parent."))
        return parent


class AccountTypeChoiceForm(forms.Form):
    """Validates the ``?type=`` of the create page."""

    type = forms.ChoiceField(choices=AccountType.choices, required=False)


class ReassignForm(forms.Form):
    new_owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("New owner"))

    def __init__(self, *args, user: User, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        found = colleagues(
            team=User.objects.filter(account_teams__account=account).exclude(pk=account.owner_id),
            others=users_assignable_by(user).exclude(pk=account.owner_id),
        )
        offer(self.fields["new_owner"], found)


class QualificationForm(CleanTextMixin, forms.Form):
    """One 0–5 score per active criterion of the account's type, plus an optional override."""

    SCORE_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(6)]
    OVERRIDE_CHOICES = [
        ("", _("No override: follow the score")),
        ("yes", _("Treat as key account")),
        ("no", _("Do not treat as key account")),
    ]

    override = forms.ChoiceField(choices=OVERRIDE_CHOICES, required=False, label=_("Override"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=MAX_TEXT, label=_("Reason for override")
    )

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(
            QualificationCriterion.objects.filter(account_type=account.account_type, active=True).order_by(
                "order", "pk"
            )
        )
        current = dict(account.qualification_scores.values_list("criterion_id", "score"))
        for c in self.criteria:
            initial = current.get(c.pk)
            if initial is None:
                initial = _suggested_score(account, c.code)
            self.fields[f"c{c.pk}"] = forms.TypedChoiceField(
                choices=self.SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                label=f"{c.label} (×{c.weight})",
                # Form templates print help text as HTML; this one is typed by administrators.
                help_text=linebreaksbr(c.help_text, autoescape=True),
                initial="" if initial is None else str(initial),
            )
        if not self.is_bound:
            self.fields["override"].initial = {True: "yes", False: "no", None: ""}[account.qualification_override]
            self.fields["reason"].initial = account.qualification_override_reason

    def clean(self) -> dict:
        data = super().clean()
        if data.get("override") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for overriding the qualification."))
        return data

    def scores(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}

    def override_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("override") or "")

    def score_fields(self):
        return [self[f"c{c.pk}"] for c in self.criteria]


def _suggested_score(account: Account, code: str) -> int | None:
    """Defaults from what the account record already says, to save the KAM typing."""
    if code == "professional_management" and account.management_model:
        return 5 if account.management_model == "professional" else 1
    if code == "dmu_exists" and account.has_formal_dmu is not None:
        return 5 if account.has_formal_dmu else 1
    return None


class ListingForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Listing
        fields = ["product", "status", "next_committee_date", "competitor_product", "notes"]
        widgets = {"next_committee_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(active=True)
        for name in ("product", "competitor_product"):
            self.fields[name].widget.attrs["data-search"] = "1"


class UniqueByFieldFormSet(BaseInlineFormSet):
    """Reports a duplicate row as a form error instead of an integrity error."""

    # Not "unique_fields": Django's inline formsets set that attribute themselves (to the
    # foreign key), which made every formset of two or more rows fail here.
    row_key: tuple[str, ...] = ()
    # The database's unique constraint on the same key: a row added on a stale page (another tab
    # or a colleague saved it meanwhile) passes the checks above and only the database refuses it.
    constraint = ""

    def refuse(self, message: str) -> None:
        """Report a conflict found only on saving (``constraint``) with the rows."""
        self.non_form_errors().append(message)

    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            value = tuple(form.cleaned_data.get(f) for f in self.row_key)
            if value[0] is None:
                continue
            if value in seen:
                form.add_error(self.row_key[0], _("This appears twice."))
            seen.add(value)


class ListingFormSet(UniqueByFieldFormSet):
    row_key = ("product",)
    constraint = "listing_unique"


class FinancialsFormSet(UniqueByFieldFormSet):
    row_key = ("year",)
    constraint = "financials_unique_year"


class TeamFormSet(UniqueByFieldFormSet):
    row_key = ("user", "therapeutic_area")
    constraint = "team_member_unique"


# Rows per formset, and the most forms a post may make Django build (its default is 2,000,
# whatever TOTAL_FORMS says): a cap with a message instead of thousands of forms.
MAX_ROWS = {"max_num": 200, "validate_max": True, "absolute_max": 200}

ListingFormSetFactory = inlineformset_factory(
    Account, Listing, form=ListingForm, formset=ListingFormSet, extra=2, can_delete=True, **MAX_ROWS
)
FinancialsFormSetFactory = inlineformset_factory(
    Account,
    AccountFinancials,
    formset=FinancialsFormSet,
    fields=["year", "revenue_actual", "revenue_target", "gross_profit", "estimated_potential"],
    extra=1,
    can_delete=True,
    **MAX_ROWS,
)


class TeamMemberForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = AccountTeamMember
        fields = ["user", "function", "therapeutic_area"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = [self.instance.user_id] if self.instance.pk else []
        offer(self.fields["user"], colleagues(team=None, others=User.objects.all(), keep=stored), stored=stored)


TeamFormSetFactory = inlineformset_factory(
    Account, AccountTeamMember, form=TeamMemberForm, formset=TeamFormSet, extra=2, can_delete=True, **MAX_ROWS
)
