"""Factories for the stakeholders app (to be merged into tests/factories.py)."""

from __future__ import annotations

from decimal import Decimal

import factory

from stakeholders.models import (
    Affiliation,
    Coverage,
    Function,
    KolClassification,
    KolLevel,
    Person,
    Touchpoint,
    TouchpointKind,
    TovCategory,
    TransferOfValue,
    category_for,
)
from tests.factories import AccountFactory, UserFactory


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    title = "Dr."
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@klinikum.example")
    phone = factory.Sequence(lambda n: f"+49 89 555 {n:04d}")


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    account = factory.SubFactory(AccountFactory)
    position_title = "Chief physician"
    department = "Oncology"
    function = Function.HEAD_OF_DEPARTMENT
    category = factory.LazyAttribute(lambda a: category_for(a.function))
    influence = 4
    stance = 1


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    kind = TouchpointKind.VISIT
    summary = "Discussed the formulary application."
    next_step = "Send the dossier."
    logged_by = factory.SubFactory(UserFactory)
    is_medical = factory.LazyAttribute(lambda t: t.logged_by.is_medical)

    @factory.post_generation
    def stakeholders(self, create, extracted, **kwargs):
        if create and extracted:
            self.stakeholders.set(extracted)

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if create:
            self.participants.set(extracted or [self.logged_by])


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    affiliation = factory.SubFactory(AffiliationFactory)
    user = factory.SubFactory(UserFactory)
    strength = 4
    is_medical = factory.LazyAttribute(lambda c: c.user.is_medical)


class TransferOfValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransferOfValue

    touchpoint = factory.SubFactory(TouchpointFactory)
    category = TovCategory.REGISTRATION_FEE
    recipient_person = factory.SubFactory(PersonFactory)
    amount = Decimal("100.00")
    currency = "EUR"
    disclosure_consent = True
    expense_record_id = factory.Sequence(lambda n: f"EXP-{n:05d}")


class KolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KolClassification

    person = factory.SubFactory(PersonFactory)
    level = KolLevel.NATIONAL
    therapeutic_areas = "Oncology"
    set_by = factory.SubFactory(UserFactory, role="msl")
