"""Factories for CSAT surveys, one set for every survey test and benchmark: surveys, campaigns,
invitations, answers, consents and follow-ups, on the default survey (migration 0004) unless told.

Small rows through factory_boy; hundreds or thousands of invitees through ``bulk_invitees`` and
``bulk_invitations``, which write with bulk_create (a few queries, no history rows).
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Account, AccountType
from kam.models import User
from stakeholders.models import (
    Affiliation,
    CampaignStatus,
    Function,
    InvitationStatus,
    LowScoreFollowUp,
    Person,
    Survey,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
    SurveyResponse,
)
from tests.factories import AccountFactory, UserFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory

CONSENT_WORDING = "I agree to receive occasional feedback requests by e-mail. I can withdraw at any time."


def default_survey() -> Survey:
    """The CSAT survey every database starts with: en/de/fr, a rating and a free-text question.

    Transactional tests flush the database after themselves, taking the migration's row with them;
    the migration's own function puts it back when it is missing.
    """
    survey = Survey.objects.filter(is_default=True).first()
    if survey is None:
        # Imported here: only the transactional tests that flushed the row need the migration's function.
        from django.apps import apps

        importlib.import_module("stakeholders.migrations.0004_survey_schedules_and_default").forwards(apps, None)
        survey = Survey.objects.get(is_default=True)
    return survey


class SurveyFactory(factory.django.DjangoModelFactory):
    """A survey of our own; ``worded=True`` gives it an intro and a question in three languages."""

    class Meta:
        model = Survey

    class Params:
        worded = factory.Trait(
            languages="en,de,fr",
            intro_text="Thank you for working with us.",
            csat_question="How satisfied are you with our collaboration overall?",
            translations=factory.LazyFunction(
                lambda: {
                    "de": {
                        "intro_text": "Vielen Dank für die Zusammenarbeit.",
                        "csat_question": "Wie zufrieden sind Sie insgesamt mit unserer Zusammenarbeit?",
                    }
                }
            ),
        )

    name = factory.Sequence(lambda n: f"Survey {n}")
    languages = "en,de"


class CampaignFactory(factory.django.DjangoModelFactory):
    """An open campaign on the default survey."""

    class Meta:
        model = SurveyCampaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    survey = factory.LazyFunction(default_survey)
    close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    status = CampaignStatus.OPEN
    created_by = factory.SubFactory(UserFactory)


class SendingCampaignFactory(CampaignFactory):
    """A campaign being sent, on a worded survey of its own (the delivery tests)."""

    survey = factory.SubFactory(SurveyFactory, worded=True)
    status = CampaignStatus.SENDING


class DraftCampaignFactory(CampaignFactory):
    """A manager's campaign not yet sent, on a survey of its own (the campaign pages' tests)."""

    survey = factory.SubFactory(SurveyFactory)
    send_at = factory.LazyFunction(timezone.now)
    status = CampaignStatus.DRAFT
    created_by = factory.SubFactory(UserFactory, role="manager")


class SurveyConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyConsent

    person = factory.SubFactory(PersonFactory)
    source = "Signed form at the oncology symposium"
    wording = CONSENT_WORDING


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation that was delivered; pass ``status`` and ``sent_at=None`` for other states."""

    class Meta:
        model = SurveyInvitation

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)
    account = factory.SubFactory(AccountFactory)
    language = "en"
    status = InvitationStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class QueuedInvitationFactory(InvitationFactory):
    """An invitation waiting to be sent, to someone who consented, as the audience would have
    chosen them (``consent=False`` for someone without): the delivery tests."""

    class Meta:
        skip_postgeneration_save = True

    campaign = factory.SubFactory(SendingCampaignFactory)
    account = factory.SubFactory(AccountFactory, is_key_account=True)
    language = factory.LazyAttribute(lambda i: i.person.preferred_language)
    status = InvitationStatus.QUEUED
    sent_at = None

    @factory.post_generation
    def consent(self, create, extracted, **kwargs):
        if create and extracted is not False and not self.person.consents.exists():
            SurveyConsentFactory(person=self.person)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    invitation = factory.SubFactory(InvitationFactory, status=InvitationStatus.ANSWERED)
    csat_score = 4
    submitted_at = factory.LazyFunction(timezone.now)


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


def answer(invitation: SurveyInvitation, **fields) -> SurveyResponse:
    """The invitee's answer, recorded as ``responses.record_response`` does: the invitation is marked
    answered with it."""
    SurveyInvitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ANSWERED)
    invitation.status = InvitationStatus.ANSWERED
    return ResponseFactory(invitation=invitation, **fields)


def consenting_person(account: Account, **person_fields) -> Person:
    """A person at the account, with consent to survey e-mails: someone a campaign reaches."""
    person = PersonFactory(**person_fields)
    AffiliationFactory(person=person, account=account)
    SurveyConsentFactory(person=person)
    return person


def bulk_invitees(count: int, *, accounts: int = 10, owner: User | None = None, prefix: str = "p") -> list[Account]:
    """``count`` consenting people spread over new active key accounts; returns the accounts."""
    owner = owner or UserFactory()
    created = Account.objects.bulk_create(
        Account(
            name=f"Bulk clinic {prefix}{i}",
            account_type=AccountType.HOSPITAL,
            country="DE",
            city="Berlin",
            currency="EUR",
            owner=owner,
            tier="A",
            is_key_account=True,
        )
        for i in range(accounts)
    )
    people = Person.objects.bulk_create(
        Person(first_name="Test", last_name=f"Invitee {prefix}{i}", email=f"{prefix}{i}@invitee.example")
        for i in range(count)
    )
    Affiliation.objects.bulk_create(
        Affiliation(person=p, account=created[i % accounts], function=Function.PHYSICIAN) for i, p in enumerate(people)
    )
    SurveyConsent.objects.bulk_create(SurveyConsent(person=p, source="bulk", wording=CONSENT_WORDING) for p in people)
    return created


def bulk_invitations(campaign: SurveyCampaign, count: int, *, prefix: str = "p") -> list[int]:
    """``count`` queued invitations (and their people, at one account) without going through the
    audience; returns their ids in order."""
    account = AccountFactory(name=f"Bulk account {prefix}", is_key_account=True)
    people = Person.objects.bulk_create(
        Person(first_name="Test", last_name=f"Invitee {prefix}{i}", email=f"{prefix}{i}@invitee.example")
        for i in range(count)
    )
    expires = timezone.localdate() + timedelta(days=30)
    SurveyInvitation.objects.bulk_create(
        (SurveyInvitation(campaign=campaign, person=p, account=account, expires_on=expires) for p in people),
        batch_size=2000,
    )
    return list(campaign.invitations.order_by("pk").values_list("pk", flat=True))
