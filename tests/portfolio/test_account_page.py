"""The account page's reads live in a selector; the view only renders them."""

import pytest

from accounts.models import Account
from kam.portfolio.selectors import account_page_data


def test_it_reads_the_page_of_an_account_in_scope(cast):
    data = account_page_data(cast.kam_a, cast.account_a.pk)
    assert data["account"] == cast.account_a
    assert data["health"] is None and data["health_parts"] == [] and data["health_band"] == ""
    assert data["stakeholder_count"] == 0 and data["children"] == [] and data["rollup"] is None
    assert data["on_team"] is False


def test_a_team_member_is_told_they_are_on_the_team(cast):
    assert account_page_data(cast.access, cast.account_a.pk)["on_team"] is True


def test_it_refuses_an_account_out_of_scope(cast, login):
    with pytest.raises(Account.DoesNotExist):
        account_page_data(cast.kam_c, cast.account_a.pk)
    assert login(cast.kam_c).get(cast.account_a.get_absolute_url()).status_code == 404
    assert login(cast.kam_a).get(cast.account_a.get_absolute_url()).status_code == 200
