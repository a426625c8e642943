"""Fixtures shared by the survey tests."""

from __future__ import annotations

from unittest import mock

import pytest

from accounts.models import Account
from stakeholders.models import CampaignStatus
from stakeholders.surveys.tasks import send_invitations
from tests.survey_factories import DraftCampaignFactory, InvitationFactory, consenting_person


@pytest.fixture
def enqueued():
    """What would go to the broker: the id lists handed to send_invitations.delay."""
    calls: list[list[int]] = []
    with mock.patch.object(send_invitations, "delay", side_effect=lambda ids: calls.append(list(ids))):
        yield calls


@pytest.fixture
def invitation(cast):
    """A sent invitation of KAM A's account."""
    return InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)


@pytest.fixture
def key(cast):
    """Accounts A (KAM A, under manager A) and C (KAM C, under manager B) as key accounts."""
    Account.objects.filter(pk__in=[cast.account_a.pk, cast.account_c.pk]).update(is_key_account=True)
    return cast


@pytest.fixture
def sent_campaign(key):
    """Manager A's campaign, sent to one person at account A."""
    campaign = DraftCampaignFactory(
        created_by=key.manager_a, audience={"accounts": [key.account_a.pk]}, status=CampaignStatus.OPEN
    )
    InvitationFactory(campaign=campaign, account=key.account_a, person=consenting_person(key.account_a))
    return campaign
