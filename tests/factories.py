"""Factories for the whole suite: one place that knows how to build valid rows."""

from __future__ import annotations

from decimal import Decimal

import factory

from accounts.models import (
    Account,
    AccountFinancials,
    AccountTeamMember,
    AccountType,
    CompetitorProduct,
    ExchangeRate,
    Listing,
    ListingStatus,
    Product,
    TeamFunction,
)
from kam.models import Role, Team, User


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.KAM
    country = "DE"
    password = factory.django.Password("pw-for-tests-1")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Klinikum {n}")
    account_type = AccountType.HOSPITAL
    country = "DE"
    region = "Bayern"
    city = "München"
    currency = "EUR"
    owner = factory.SubFactory(UserFactory)
    tier = "A"


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamMember

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    function = TeamFunction.MARKET_ACCESS


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    brand = factory.Sequence(lambda n: f"Brand{n}")
    molecule = "examplimab"
    therapeutic_area = "Oncology"


class CompetitorProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompetitorProduct

    name = factory.Sequence(lambda n: f"Rival{n}")
    company = "Rival Pharma"
    molecule = "examplimab"
    kind = "biosimilar"


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    account = factory.SubFactory(AccountFactory)
    product = factory.SubFactory(ProductFactory)
    status = ListingStatus.LISTED


class FinancialsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountFinancials

    account = factory.SubFactory(AccountFactory)
    year = 2026
    revenue_actual = Decimal("100000.00")
    revenue_target = Decimal("120000.00")


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    year = 2026
    currency = "CHF"
    rate = Decimal("1.05")
