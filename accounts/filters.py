"""The account list's filters, search and sorting."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Upper
from django.forms import BoundField
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, AccountSearchText, AccountStatus, AccountType, Tier
from kam import lib
from kam.models import Country, User
from kam.widgets import SharedChoices, people_choices

MAX_SEARCH_WORDS = 5


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    account_type = django_filters.ChoiceFilter(choices=AccountType.choices, label=_("Type"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    country = django_filters.ChoiceFilter(choices=Country.choices, label=_("Country"))
    region = django_filters.CharFilter(lookup_expr="iexact", label=_("Region"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("Owner"))
    team_lead = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), label=_("Manager / team"), method="filter_team"
    )
    key = django_filters.ChoiceFilter(
        field_name="is_key_account",
        choices=[("yes", _("Key accounts")), ("no", _("Not key accounts"))],
        method="filter_key",
        label=_("Key account"),
    )
    status = django_filters.ChoiceFilter(
        choices=AccountStatus.choices, label=_("Status"), empty_label=_("Active (default)"), method="filter_status"
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("account_type", "type"),
            ("tier", "tier"),
            ("country", "country"),
            ("city", "city"),
            ("owner__last_name", "owner"),
            ("qualification_score", "score"),
            ("health__score", "health"),
            ("updated_at", "updated"),
        ),
        label=_("Sort"),
    )

    class Meta:
        model = Account
        fields: list[str] = []

    def __init__(self, *args, owners: QuerySet[User], team_leads: QuerySet[User] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = owners
        self.filters["team_lead"].queryset = team_leads if team_leads is not None else User.objects.none()
        people_choices(self.form.fields["owner"])
        people_choices(self.form.fields["team_lead"])
        for field in self.form.fields.values():
            css = "form-select" if hasattr(field, "choices") else "form-control"
            field.widget.attrs.setdefault("class", css)

    def drawn_fields(self, user: User) -> tuple[list[BoundField], str]:
        """The fields the list draws (not the search box nor the sort; the team filter for
        managers and administrators only) and a key for their drawing: everything they show
        (label, every choice offered, the value given, whether it is in error) in the active
        language, so a drawing kept under it is never stale. The people offered are read here,
        once, and drawn from that same list."""
        names = [
            name
            for name in self.form.fields
            if name not in ("q", "sort") and (name != "team_lead" or user.is_manager or user.is_administrator)
        ]
        for name in {"owner", "team_lead"}.intersection(names):
            widget = self.form.fields[name].widget
            widget.choices = SharedChoices(list(widget.choices))  # read once: drawn and keyed from it
        key = lib.digest((get_language(), lib.form_shown(self.form, names)))
        return [self.form[name] for name in names], key

    def search(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        """Every word must begin a word of the name, city or region, in any order ("klin nord"
        finds "Klinikum München-Nord"); the whole text may also be a CRM id.

        One upper-cased text per account (``AccountSearchText``) and one LIKE per word, which a
        trigram index answers on PostgreSQL: computed for each of 10,000 visible accounts, the
        text alone cost more than the rest of the page together."""
        value = value.strip()[:200]
        if not value:
            return queryset
        queryset = queryset.alias(search_text=AccountSearchText())
        match = Q()
        for word in value.split()[:MAX_SEARCH_WORDS]:
            match &= Q(search_text__contains=Upper(Value(f" {word}")))
        return queryset.filter(match | Q(crm_id__iexact=value))

    def filter_team(self, queryset: QuerySet[Account], name: str, value: User) -> QuerySet[Account]:
        return queryset.in_team_of(value.pk)

    def filter_key(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return queryset.filter(is_key_account=(value == "yes"))

    def filter_status(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return queryset.filter(status=value)

    @property
    def qs(self) -> QuerySet[Account]:
        qs = super().qs
        if not (self.form.is_valid() and self.form.cleaned_data.get("status")):
            qs = qs.filter(status=AccountStatus.ACTIVE)
        return qs
