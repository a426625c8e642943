"""Factories for the whole suite: one place that knows how to build valid rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from accounts.models import (
    Account,
    AccountFinancials,
    AccountTeamMember,
    AccountType,
    CompetitorProduct,
    Contract,
    ExchangeRate,
    Listing,
    ListingStatus,
    Product,
    TeamFunction,
    Tender,
    TenderLot,
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


class TenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tender

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Ausschreibung Biologika {n}")
    submission_deadline = factory.LazyFunction(lambda: date.today() + timedelta(days=20))


class TenderLotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TenderLot
        skip_postgeneration_save = True

    tender = factory.SubFactory(TenderFactory)
    number = factory.Sequence(lambda n: f"Los {n + 1}")

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)

    @factory.post_generation
    def competitor_products(self, create, extracted, **kwargs):
        if create and extracted:
            self.competitor_products.set(extracted)


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract; ``notice_date`` is derived as the model's clean() does."""

    class Meta:
        model = Contract
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Rahmenvertrag {n}")
    start_date = factory.LazyFunction(lambda: date.today() - timedelta(days=300))
    end_date = factory.LazyFunction(lambda: date.today() + timedelta(days=400))
    notice_days = 90
    notice_date = factory.LazyAttribute(lambda o: Contract.notice_date_for(o.end_date, o.notice_days))

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)
