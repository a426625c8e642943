"""Factories for the CSAT survey delivery tests and the survey benchmark.

Small rows through factory_boy; hundreds or thousands of invitees through ``bulk_invitees`` and
``bulk_invitations``, which write with bulk_create (a few queries, no history rows).
"""

from __future__ import annotations

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
    Person,
    Survey,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
)
from tests.factories import AccountFactory, UserFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory

CONSENT_WORDING = "I agree to receive occasional feedback requests by e-mail. I can withdraw at any time."


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"CSAT {n}")
    languages = "en,de,fr"
    intro_text = "Thank you for working with us."
    csat_question = "How satisfied are you with our collaboration overall?"
    translations = factory.LazyFunction(
        lambda: {
            "de": {
                "intro_text": "Vielen Dank für die Zusammenarbeit.",
                "csat_question": "Wie zufrieden sind Sie insgesamt mit unserer Zusammenarbeit?",
            }
        }
    )


class SurveyCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCampaign

    name = factory.Sequence(lambda n: f"CSAT wave {n}")
    survey = factory.SubFactory(SurveyFactory)
    close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    status = CampaignStatus.SENDING
    created_by = factory.SubFactory(UserFactory)


class SurveyConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyConsent

    person = factory.SubFactory(PersonFactory)
    source = "Signed form at the oncology symposium"
    wording = CONSENT_WORDING


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    """An invitation to someone who consented, as the audience would have chosen them
    (``consent=False`` for someone without)."""

    class Meta:
        model = SurveyInvitation
        skip_postgeneration_save = True

    campaign = factory.SubFactory(SurveyCampaignFactory)
    person = factory.SubFactory(PersonFactory)
    account = factory.SubFactory(AccountFactory, is_key_account=True)
    language = factory.LazyAttribute(lambda i: i.person.preferred_language)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    status = InvitationStatus.QUEUED

    @factory.post_generation
    def consent(self, create, extracted, **kwargs):
        if create and extracted is not False and not self.person.consents.exists():
            SurveyConsentFactory(person=self.person)


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
