"""Fixtures shared by the survey tests."""

from __future__ import annotations

from unittest import mock

import pytest

from stakeholders.surveys.tasks import send_invitations
from tests.survey_factories import InvitationFactory


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
