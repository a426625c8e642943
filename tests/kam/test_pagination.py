"""CountingPaginator gives the pages Django's paginator gives, with one query fewer."""

import pytest
from django.core.paginator import Paginator

from accounts.models import Account
from kam.lib import CountingPaginator
from tests.factories import AccountFactory, UserFactory


def _rows(ids):
    return Account.objects.filter(pk__in=ids).select_related("owner")


@pytest.mark.parametrize("accounts", [0, 7, 10])
@pytest.mark.parametrize("number", [1, 2, 3, "3", 0, -1, 99, "abc", None, 2.0, 2.5, "2.0", "9" * 30])
def test_it_gives_the_page_django_gives(db, accounts, number):
    owner = UserFactory()
    for i in range(accounts):
        AccountFactory(owner=owner, name=f"Account {i % 4}")  # names repeat: the id breaks ties
    ordered = Account.objects.order_by("name", "pk")
    expected = Paginator(ordered, 5).get_page(number)
    page = CountingPaginator(ordered, 5, rows=_rows).get_page(number)
    assert page.number == expected.number
    assert page.paginator.count == expected.paginator.count == accounts
    assert page.paginator.num_pages == expected.paginator.num_pages
    assert [a.pk for a in page] == [a.pk for a in expected]
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


def test_a_page_costs_two_queries_and_one_past_the_end_a_count_more(db, django_assert_num_queries):
    owner = UserFactory()
    for _ in range(12):
        AccountFactory(owner=owner)
    ordered = Account.objects.order_by("name", "pk")
    with django_assert_num_queries(2):  # the ids with the count, the rows
        page = CountingPaginator(ordered, 5, rows=_rows).get_page(2)
        assert [a.owner.pk for a in page] == [owner.pk] * 5
    with django_assert_num_queries(4):  # nothing at page 9, the count, the last page's ids and rows
        assert CountingPaginator(ordered, 5, rows=_rows).get_page(9).number == 3
