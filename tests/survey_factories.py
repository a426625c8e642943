"""Factories for CSAT surveys: campaigns and invitations on the default survey (migration 0004)."""

from __future__ import annotations

import importlib
from datetime import timedelta

import factory
from django.utils import timezone

from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from tests.factories import AccountFactory, UserFactory
from tests.stakeholder_factories import PersonFactory


def default_survey() -> Survey:
    """The CSAT survey every database starts with: en/de/fr, a rating and a free-text question.

    Transactional tests flush the database after themselves, taking the migration's row with them;
    the migration's own function puts it back when it is missing.
    """
    survey = Survey.objects.filter(is_default=True).first()
    if survey is None:
        from django.apps import apps

        importlib.import_module("stakeholders.migrations.0004_survey_schedules_and_default").forwards(apps, None)
        survey = Survey.objects.get(is_default=True)
    return survey


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Survey {n}")
    languages = "en,de"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCampaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    survey = factory.LazyFunction(default_survey)
    close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    status = CampaignStatus.OPEN
    created_by = factory.SubFactory(UserFactory)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)
    account = factory.SubFactory(AccountFactory)
    language = "en"
    status = InvitationStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    invitation = factory.SubFactory(InvitationFactory, status=InvitationStatus.ANSWERED)
    csat_score = 4
    submitted_at = factory.LazyFunction(timezone.now)
