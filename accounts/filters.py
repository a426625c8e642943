"""The account list's filters, search and sorting."""

from __future__ import annotations

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, AccountStatus, AccountType, Tier
from kam.models import Country, User


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
        for field in self.form.fields.values():
            css = "form-select" if hasattr(field, "choices") else "form-control"
            field.widget.attrs.setdefault("class", css)

    def search(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        value = value.strip()[:200]
        if not value:
            return queryset
        plain = Q(name__icontains=value) | Q(city__icontains=value) | Q(crm_id__iexact=value)
        if connection.vendor == "postgresql":
            # Full-text search finds word forms ("Kliniken" for "Klinik"); the plain match keeps
            # prefixes and CRM ids working.
            vector = SearchVector("name", "city", "region", config="simple")
            query = SearchQuery(value, config="simple", search_type="websearch")
            return queryset.annotate(search=vector).filter(Q(search=query) | plain)
        return queryset.filter(plain | Q(region__icontains=value))

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
