"""Factories for the plans app (to be merged into tests/factories.py).

``PlanFactory`` goes through ``plans.services.plan_create``, so every plan has its seven steps,
the default communication rows and the prefilled whitespace, as a real one does.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from plans.models import (
    Action,
    ActionStatus,
    AudienceKind,
    CommunicationItem,
    Objective,
    PlanningPeriod,
    PlanStep,
    RelationshipObjective,
    Resource,
    SwotItem,
    SwotKind,
)
from plans.services import plan_create
from tests.factories import AccountFactory
from tests.stakeholder_factories import AffiliationFactory


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanningPeriod
        django_get_or_create = ("name",)

    name = "FY 2026"
    start = date(2026, 1, 1)
    end = date(2026, 12, 31)


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan made by ``plan_create``; other fields given (status, budget…) are set afterwards."""

    class Meta:
        model = "plans.AccountPlan"

    account = factory.SubFactory(AccountFactory)
    period = factory.SubFactory(PeriodFactory)
    therapeutic_area = ""
    created_by = factory.LazyAttribute(lambda p: p.account.owner)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        account = kwargs.pop("account")
        plan = plan_create(
            account=account,
            period=kwargs.pop("period"),
            therapeutic_area=kwargs.pop("therapeutic_area"),
            by=kwargs.pop("created_by"),
        )
        if kwargs:
            for name, value in kwargs.items():
                setattr(plan, name, value)
            plan.save(update_fields=list(kwargs))
        return plan


def set_step(plan, number: int, **content) -> PlanStep:
    """Fill one step's text fields, as saving the step form would."""
    PlanStep.objects.filter(plan=plan, number=number).update(content=content)
    return PlanStep.objects.get(plan=plan, number=number)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    kpi = "Share of patients treated"
    unit = "%"
    baseline = Decimal("10")
    target = Decimal("30")
    current_value = Decimal("15")
    due_date = date(2026, 12, 31)
    owner = factory.LazyAttribute(lambda o: o.plan.account.owner)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    objective = None
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.LazyAttribute(lambda a: a.plan.account.owner)
    due_date = date(2026, 9, 30)
    status = ActionStatus.PLANNED


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    action = factory.SubFactory(ActionFactory)
    people_days = Decimal("2.0")
    budget = Decimal("500.00")
    currency = "EUR"


class SwotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SwotItem

    plan = factory.SubFactory(PlanFactory)
    kind = SwotKind.STRENGTH
    text = factory.Sequence(lambda n: f"SWOT item {n}")


class CommunicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationItem

    plan = factory.SubFactory(PlanFactory)
    audience_kind = AudienceKind.EXTERNAL
    audience = factory.Sequence(lambda n: f"Audience {n}")
    message = "Joint objectives and progress"
    channel = "Meeting"
    frequency = "Quarterly"
    owner = factory.LazyAttribute(lambda c: c.plan.account.owner)
    next_date = date(2026, 10, 1)


class RelationshipObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelationshipObjective

    plan = factory.SubFactory(PlanFactory)
    affiliation = factory.SubFactory(AffiliationFactory, account=factory.SelfAttribute("..plan.account"))
    from_stance = -1
    to_stance = 1
    due_date = date(2026, 11, 30)
    owner = factory.LazyAttribute(lambda r: r.plan.account.owner)
