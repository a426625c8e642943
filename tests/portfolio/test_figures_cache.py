"""The dashboard's figures come from the cache until the next health refresh, per user and scope."""

from datetime import date
from unittest import mock

from django.db import transaction
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.services import account_reassign
from kam.portfolio.dashboard import DashboardFilters, build
from kam.portfolio.health.refresh import refresh_health
from kam.portfolio.models import FiguresVersion
from tests.factories import AccountFactory

TODAY = date(2026, 7, 2)


def test_it_serves_the_cached_figures_until_a_refresh(cast, django_assert_max_num_queries):
    refresh_health(today=TODAY)
    first = build(cast.kam_a, DashboardFilters(), today=TODAY)
    with django_assert_max_num_queries(2):  # the scope's ids and the refresh count
        again = build(cast.kam_a, DashboardFilters(), today=TODAY)
    assert again.accounts == first.accounts
    AccountFactory(owner=cast.kam_a, is_key_account=True)
    refresh_health(today=TODAY)
    assert build(cast.kam_a, DashboardFilters(), today=TODAY).accounts["total"] == first.accounts["total"] + 1


def test_every_refresh_counts_up_in_its_own_transaction(cast):
    before = FiguresVersion.current()
    refresh_health(today=TODAY)
    assert FiguresVersion.current() == before + 1
    with transaction.atomic():
        refresh_health(today=TODAY)
        transaction.set_rollback(True)
    assert FiguresVersion.current() == before + 1


def test_users_and_scopes_never_share_figures(cast):
    AccountFactory(owner=cast.kam_c)
    AccountFactory(owner=cast.kam_c)
    refresh_health(today=TODAY)
    counted = {user: user.owned_accounts.count() for user in (cast.kam_a, cast.kam_c, cast.manager_b)}
    assert len(set(counted.values())) == 3
    for _ in range(2):  # computed, then from the cache
        for user, total in counted.items():
            assert build(user, DashboardFilters(), today=TODAY).accounts["total"] >= total
        assert build(cast.kam_a, DashboardFilters(), today=TODAY).accounts["total"] == counted[cast.kam_a]
        assert build(cast.kam_c, DashboardFilters(), today=TODAY).accounts["total"] == counted[cast.kam_c]
    # A change of scope is a different entry at once, without waiting for a refresh.
    account = AccountFactory(owner=cast.kam_c, is_key_account=True)
    refresh_health(today=TODAY)
    before = build(cast.kam_a, DashboardFilters(), today=TODAY).accounts["total"]
    with mock.patch("accounts.services.schedule_health_refresh"):
        account_reassign(account=account, new_owner=cast.kam_a, by=cast.admin)
    assert build(cast.kam_a, DashboardFilters(), today=TODAY).accounts["total"] == before + 1


def test_with_the_cache_down_the_figures_are_computed(cast, caplog):
    refresh_health(today=TODAY)
    expected = build(cast.kam_a, DashboardFilters(), today=TODAY)
    with mock.patch("kam.lib.cache.get", side_effect=RedisConnectionError("down")):
        assert build(cast.kam_a, DashboardFilters(), today=TODAY).accounts == expected.accounts
    assert "Cache unavailable" in caplog.text
