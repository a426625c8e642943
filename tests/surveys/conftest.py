"""Fixtures shared by the survey delivery tests."""

from __future__ import annotations

from unittest import mock

import pytest

from stakeholders.surveys.tasks import send_invitations


@pytest.fixture
def enqueued():
    """What would go to the broker: the id lists handed to send_invitations.delay."""
    calls: list[list[int]] = []
    with mock.patch.object(send_invitations, "delay", side_effect=lambda ids: calls.append(list(ids))):
        yield calls
