from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Listing
from kam.lib import Ids
from tests.factories import AccountFactory, ListingFactory


def test_in_ids_selects_what_in_selects(db):
    accounts = AccountFactory.create_batch(5)
    listings = [ListingFactory(account=a) for a in accounts]
    chosen = [accounts[0].pk, accounts[3].pk, accounts[4].pk]
    assert set(Account.objects.filter(pk__in_ids=Ids(chosen))) == set(Account.objects.filter(pk__in=chosen))
    # Through a relation, and from a plain list too.
    assert set(Listing.objects.filter(account__in_ids=chosen)) == {listings[0], listings[3], listings[4]}
    assert not Account.objects.filter(pk__in_ids=Ids([])).exists()


def test_in_ids_sends_one_parameter_on_postgresql_and_one_per_id_elsewhere(db):
    ids = Ids(range(1, 2001))
    with CaptureQueriesContext(connection) as ctx:
        list(Account.objects.filter(pk__in_ids=ids))
    sql = ctx.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY('{1,2,3," in sql and sql.count(",") < 2100
    else:
        assert " IN (1, 2, 3," in sql
