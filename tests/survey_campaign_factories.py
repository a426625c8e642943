"""Factories for survey campaigns, invitations, answers and consents (campaign pages)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from stakeholders.models import (
    InvitationStatus,
    LowScoreFollowUp,
    Survey,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
    SurveyResponse,
)
from tests.factories import UserFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory


class CampaignSurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey
        django_get_or_create = ("name",)

    name = "Customer satisfaction (campaign tests)"
    languages = "en,de"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyConsent

    person = factory.SubFactory(PersonFactory)
    source = "Signed form at the hospital pharmacy congress"
    wording = "I agree to receive occasional feedback requests by e-mail."


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCampaign

    name = factory.Sequence(lambda n: f"CSAT wave {n}")
    survey = factory.SubFactory(CampaignSurveyFactory)
    send_at = factory.LazyFunction(timezone.now)
    close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    created_by = factory.SubFactory(UserFactory, role="manager")


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation that was delivered; pass ``status`` and ``sent_at=None`` for other states."""

    class Meta:
        model = SurveyInvitation

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)
    account = factory.SubFactory("tests.factories.AccountFactory")
    status = InvitationStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    invitation = factory.SubFactory(InvitationFactory, status=InvitationStatus.ANSWERED)
    csat_score = 4
    comment = ""


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LowScoreFollowUp

    invitation = factory.SubFactory(InvitationFactory, status=InvitationStatus.ANSWERED)
    account = factory.LazyAttribute(lambda f: f.invitation.account)


def answered(campaign: SurveyCampaign, account, score: int, comment: str = "") -> SurveyResponse:
    """One person at ``account`` who answered ``campaign`` with ``score``."""
    person = AffiliationFactory(account=account).person
    invitation = InvitationFactory(campaign=campaign, person=person, account=account, status=InvitationStatus.ANSWERED)
    return ResponseFactory(invitation=invitation, csat_score=score, comment=comment)
