"""Forms for an account's tenders (with their lots as inline rows) and contracts."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.forms import MAX_ROWS, UniqueByFieldFormSet
from accounts.models import Account, CompetitorProduct, Contract, Product, Tender, TenderLot
from kam import firewall
from kam.models import User
from kam.text import CleanTextMixin

DATE = {"type": "date"}


def _date_widget() -> forms.DateInput:
    # The browser shows the day in its own locale; the value travels as ISO.
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class TenderForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Tender
        fields = [
            "title",
            "reference",
            "buyer",
            "submission_deadline",
            "decision_date",
            "award_date",
            "status",
            "outcome_reason",
        ]
        widgets = {
            "submission_deadline": _date_widget(),
            "decision_date": _date_widget(),
            "award_date": _date_widget(),
            "outcome_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.account = account

    def agrees_with(self, lots: LotFormSet) -> bool:
        """Whether the status fits the outcomes of the lots kept (both validated first); if not,
        the reason stands next to the status."""
        status = getattr(self, "cleaned_data", {}).get("status")
        if not status:
            return False  # the status itself is refused already
        try:
            Tender.check_lot_outcomes(status, lots.kept_outcomes())
        except ValidationError as exc:
            self.add_error("status", exc)
            return False
        return True


class TenderLotForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = TenderLot
        fields = ["number", "name", "products", "competitor_products", "outcome"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = list(self.instance.products.values_list("pk", flat=True)) if self.instance.pk else []
        # Active products, and any retired one this lot was bid with (else saving would drop it).
        self.fields["products"].queryset = Product.objects.filter(active=True) | Product.objects.filter(pk__in=stored)
        self.fields["competitor_products"].queryset = CompetitorProduct.objects.all()
        # Short names: a row holds several of each.
        self.fields["products"].label_from_instance = lambda p: p.brand
        self.fields["competitor_products"].label_from_instance = lambda c: f"{c.name} ({c.company})"
        for name in ("products", "competitor_products"):
            self.fields[name].widget.attrs["data-search"] = "1"
        # A row's inputs have no <label> of their own (the table's header names the column).
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = str(field.label)
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
        self.fields["number"].widget.attrs["placeholder"] = str(self.fields["number"].help_text)


class LotFormSet(UniqueByFieldFormSet):
    row_key = ("number",)
    constraint = "tender_lot_unique"

    def get_unique_error_message(self, unique_check) -> str:
        # Django's own names the field's code ("number"); the page calls it a lot.
        return str(_("A lot number appears twice: each lot once."))

    def kept_outcomes(self) -> list[str]:
        """The outcomes of the rows that will be saved: not deleted, not left blank."""
        return [
            form.cleaned_data["outcome"]
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("outcome")
            and not form.cleaned_data.get("DELETE")
        ]


LotFormSetFactory = inlineformset_factory(
    Tender, TenderLot, form=TenderLotForm, formset=LotFormSet, extra=2, can_delete=True, **MAX_ROWS
)


class ContractForm(CleanTextMixin, forms.ModelForm):
    """A contract; price and rebate only for those who may see them (rule ``contract.terms``):
    for anyone else the fields are gone from the form and the stored values stay."""

    class Meta:
        model = Contract
        fields = [
            "title",
            "reference",
            "tender",
            "products",
            "start_date",
            "end_date",
            "notice_days",
            "volume",
            "volume_unit",
            "price",
            "rebate_pct",
        ]
        widgets = {"start_date": _date_widget(), "end_date": _date_widget()}

    def __init__(self, *args, account: Account, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.account = account
        self.fields["tender"].queryset = Tender.objects.filter(account=account).order_by("-submission_deadline")
        stored = list(self.instance.products.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["products"].queryset = Product.objects.filter(active=True) | Product.objects.filter(pk__in=stored)
        self.fields["products"].widget.attrs["data-search"] = "1"
        self.fields["price"].help_text = _("In %(currency)s, the account's currency.") % {"currency": account.currency}
        self.fields["rebate_pct"].help_text = _("Percent off the price.")
        firewall.restrict_form(self, user)
