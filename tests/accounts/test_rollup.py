"""A group account's roll-up counts only the member accounts the user may see, and says how many
it leaves out without their figures; a parent the user cannot see is not named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import group_rollup
from tests.factories import AccountFactory, FinancialsFactory

YEAR = timezone.localdate().year - 1  # the year the account page totals


@pytest.fixture
def group(cast):
    """A group of KAM A's with one member of KAM A's and one of KAM C's (another team)."""
    parent = AccountFactory(name="Klinikverbund Süd", owner=cast.kam_a)
    own = AccountFactory(name="Klinikum Ost", owner=cast.kam_a, parent=parent)
    hidden = AccountFactory(name="Klinikum Geheim", owner=cast.kam_c, parent=parent)
    FinancialsFactory(account=parent, revenue_actual=Decimal("1000"), revenue_target=Decimal("2000"), year=YEAR)
    FinancialsFactory(account=own, revenue_actual=Decimal("30000"), revenue_target=Decimal("40000"), year=YEAR)
    FinancialsFactory(account=hidden, revenue_actual=Decimal("777777"), revenue_target=Decimal("888888"), year=YEAR)
    return parent, own, hidden


def test_it_sums_only_the_members_the_user_sees(cast, group):
    parent, _own, _hidden = group
    rollup = group_rollup(parent, cast.kam_a, YEAR)
    assert rollup.totals.revenue_actual == Decimal("31000.00")
    assert rollup.totals.revenue_target == Decimal("42000.00")
    assert rollup.hidden_members == 1


@pytest.mark.parametrize("role", ["head", "admin"])
def test_someone_who_sees_every_member_gets_the_whole_group(role, cast, group):
    rollup = group_rollup(group[0], getattr(cast, role), YEAR)
    assert rollup.totals.revenue_actual == Decimal("808777.00")
    assert rollup.hidden_members == 0


def test_the_page_does_not_leak_a_hidden_members_figures(cast, login, group):
    parent, _own, hidden = group
    content = login(cast.kam_a).get(reverse("accounts:detail", args=[parent.pk])).content.decode()
    assert "31,000" in content and "42,000" in content
    assert "1 member account is not shown to you" in content
    for leak in ("808,777", "777,777", "930,888", "888,888", hidden.name):
        assert leak not in content


def test_the_page_of_a_member_does_not_name_a_parent_the_user_cannot_see(cast, login):
    parent = AccountFactory(name="Verbund Geheim", owner=cast.kam_c)
    child = AccountFactory(name="Klinikum Offen", owner=cast.kam_a, parent=parent)
    content = login(cast.kam_a).get(reverse("accounts:detail", args=[child.pk])).content.decode()
    assert "Verbund Geheim" not in content
    assert reverse("accounts:detail", args=[parent.pk]) not in content
    assert "a parent account you cannot see" in content
