import pytest
from django.urls import reverse

from accounts.models import Account
from tests.factories import AccountFactory

# The most queries a page may take, at any size (bench/bench_pages.py's target is 15).
LIST_QUERIES = 7
DETAIL_QUERIES = 14


def test_it_searches_by_name_city_and_crm_id(cast, login):
    AccountFactory(owner=cast.kam_a, name="Universitätsklinikum Elbtal", city="Dresden", crm_id="V-77")
    AccountFactory(owner=cast.kam_a, name="Stern-Apotheke", city="Rosenheim", account_type="pharmacy")
    client = login(cast.kam_a)

    def names(query):
        response = client.get(reverse("accounts:list"), query)
        assert response.status_code == 200
        return {a.name for a in response.context["page"]}

    assert names({"q": "Elbtal"}) == {"Universitätsklinikum Elbtal"}
    assert names({"q": "rosenheim"}) == {"Stern-Apotheke"}
    assert names({"q": "V-77"}) == {"Universitätsklinikum Elbtal"}
    assert names({"account_type": "pharmacy"}) == {"Stern-Apotheke"}
    assert names({"q": "Account C"}) == set()  # not visible to KAM A


def test_search_words_begin_words_of_name_city_or_region_in_any_order(cast, login):
    AccountFactory(owner=cast.kam_a, name="Klinikum München-Nord", city="München", region="Schwaben")
    AccountFactory(owner=cast.kam_a, name="Stern-Apotheke", city="Rosenheim", region="Schwaben")
    AccountFactory(owner=cast.kam_a, name="Universitätsklinikum Elbtal", city="Dresden", region="Sachsen")
    client = login(cast.kam_a)

    def names(q):
        return {a.name for a in client.get(reverse("accounts:list"), {"q": q}).context["page"]}

    assert names("klin nord") == {"Klinikum München-Nord"}
    assert names("nord KLINIKUM") == {"Klinikum München-Nord"}
    assert names("apotheke") == {"Stern-Apotheke"}  # after a hyphen
    assert names("schwaben") == {"Klinikum München-Nord", "Stern-Apotheke"}
    assert names("klinikum") == {"Klinikum München-Nord"}  # not inside "Universitätsklinikum"
    assert names("elbtal sachsen") == {"Universitätsklinikum Elbtal"}
    assert names("100%") == set()  # LIKE wildcards are plain characters


def test_the_drawn_filters_kept_in_the_cache_name_a_renamed_owner_by_the_new_name(cast, login):
    AccountFactory(owner=cast.kam_b, name="Key B")
    client = login(cast.manager_a)
    cast.kam_b.first_name, cast.kam_b.last_name = "Berta", "Altname"
    cast.kam_b.save()
    assert ">Berta Altname</option>" in client.get(reverse("accounts:list")).content.decode()
    cast.kam_b.last_name = "Neuname"
    cast.kam_b.save()
    html = client.get(reverse("accounts:list")).content.decode()
    assert ">Berta Neuname</option>" in html and "Altname" not in html
    chosen = client.get(reverse("accounts:list"), {"owner": cast.kam_b.pk}).content.decode()
    assert f'<option value="{cast.kam_b.pk}" selected>Berta Neuname</option>' in chosen


def test_it_filters_by_key_status_and_owner(cast, login):
    AccountFactory(owner=cast.kam_b, name="Key B", is_key_account=True)
    client = login(cast.manager_a)
    response = client.get(reverse("accounts:list"), {"key": "yes"})
    assert {a.name for a in response.context["page"]} == {"Key B"}
    response = client.get(reverse("accounts:list"), {"owner": cast.kam_a.pk})
    assert {a.name for a in response.context["page"]} == {"Account A"}


def test_an_unknown_filter_value_is_reported_not_a_500(cast, login):
    response = login(cast.kam_a).get(reverse("accounts:list"), {"account_type": "spaceship", "page": "abc"})
    assert response.status_code == 200
    assert "were not understood" in response.content.decode()


def test_it_sorts_and_paginates(cast, login):
    for i in range(30):
        AccountFactory(owner=cast.kam_a, name=f"Z{i:02d}")
    client = login(cast.kam_a)
    first = client.get(reverse("accounts:list"), {"sort": "-name"})
    assert [a.name for a in first.context["page"]][:2] == ["Z29", "Z28"]
    second = client.get(reverse("accounts:list"), {"sort": "-name", "page": 2})
    assert second.context["page"].number == 2
    assert len(second.context["page"]) == 31 - 25


@pytest.mark.parametrize("sort", ["score", "-health", "owner"])
def test_pages_sorted_by_a_value_many_accounts_share_hold_every_account_once(cast, login, sort):
    for i in range(30):
        AccountFactory(owner=[cast.kam_a, cast.kam_b][i % 2], name=f"Same {i:02d}", qualification_score=50)
    client = login(cast.manager_a)
    pages = [client.get(reverse("accounts:list"), {"sort": sort, "page": n}).context["page"] for n in (1, 2)]
    shown = [a.pk for page in pages for a in page]
    assert sorted(shown) == sorted(Account.objects.filter(owner__manager=cast.manager_a).values_list("pk", flat=True))


@pytest.mark.parametrize("page", ["0", "-3", "99", "9" * 30, "1e3", ""])
def test_a_page_number_out_of_range_shows_the_last_page(cast, login, page):
    for i in range(30):
        AccountFactory(owner=cast.kam_a, name=f"Z{i:02d}")
    response = login(cast.kam_a).get(reverse("accounts:list"), {"page": page})
    assert response.status_code == 200
    expected = 1 if page in ("1e3", "") else 2  # not a whole number: the first page, as Django does
    assert response.context["page"].number == expected
    assert response.context["total"] == 31


def _count_queries(client, url, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_and_detail_query_counts_do_not_grow_with_rows(cast, login, django_assert_max_num_queries):
    from tests.factories import FinancialsFactory, ListingFactory

    client = login(cast.manager_a)
    for _i in range(3):
        AccountFactory(owner=cast.kam_a, parent=cast.account_a)
        ListingFactory(account=cast.account_a)
    FinancialsFactory(account=cast.account_a, year=2024)
    list_small = _count_queries(client, reverse("accounts:list"), django_assert_max_num_queries, 15)
    detail_small = _count_queries(client, cast.account_a.get_absolute_url(), django_assert_max_num_queries, 30)
    for _i in range(20):
        AccountFactory(owner=cast.kam_b, parent=cast.account_a)
        ListingFactory(account=cast.account_a)
    FinancialsFactory(account=cast.account_a, year=2025)
    FinancialsFactory(account=cast.account_a, year=2023)
    assert _count_queries(client, reverse("accounts:list"), django_assert_max_num_queries, 15) == list_small
    assert _count_queries(client, cast.account_a.get_absolute_url(), django_assert_max_num_queries, 30) == detail_small


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"account_type": "hospital", "tier": "A", "key": "yes"},
        {"q": "klinikum nord"},
        {"q": "V-77", "sort": "-score"},
    ],
)
def test_the_filtered_and_searched_list_costs_the_same_queries_at_20_and_200_accounts(
    cast, login, query, django_assert_max_num_queries
):
    client = login(cast.manager_a)
    counts = []
    for total in (20, 200):
        while Account.objects.count() < total:
            n = Account.objects.count()
            AccountFactory(
                owner=[cast.kam_a, cast.kam_b][n % 2], name=f"Klinikum Nord {n}", is_key_account=n % 3 == 0, tier="A"
            )
        with django_assert_max_num_queries(LIST_QUERIES) as ctx:
            response = client.get(reverse("accounts:list"), query)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_account_page_costs_the_same_queries_with_a_bigger_team_and_group(
    cast, login, django_assert_max_num_queries
):
    from tests.factories import FinancialsFactory, ListingFactory, TeamMemberFactory

    client = login(cast.kam_a)
    counts = []
    for extra in (2, 20):
        for _ in range(extra):
            AccountFactory(owner=cast.kam_a, parent=cast.account_a)
            ListingFactory(account=cast.account_a)
            TeamMemberFactory(account=cast.account_a)
        FinancialsFactory(account=cast.account_a, year=2000 + extra)
        with django_assert_max_num_queries(DETAIL_QUERIES) as ctx:
            assert client.get(cast.account_a.get_absolute_url()).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_account_page_names_the_team_and_who_changed_what_at_the_same_queries(
    cast, login, django_assert_max_num_queries
):
    """Team and history load only the columns they show: a column shown but not loaded would cost
    a query per row, so the count is held at 2 and at 8 rows of each."""
    from simple_history.utils import update_change_reason

    from tests.factories import TeamMemberFactory, UserFactory

    client = login(cast.kam_a)
    account = cast.account_a
    counts = []
    for extra in (2, 6):
        for n in range(extra):
            TeamMemberFactory(account=account, user=UserFactory(first_name="Hanna", last_name=f"Teamer{extra}{n}"))
            account.city = f"Stadt {extra}{n}"
            account._history_user = cast.manager_a
            account.save()
            update_change_reason(account, f"Umzug {extra}{n}")
        with django_assert_max_num_queries(DETAIL_QUERIES) as ctx:
            content = client.get(account.get_absolute_url()).content.decode()
        counts.append(len(ctx.captured_queries))
        assert f"Hanna Teamer{extra}0 — Market access" in content
        assert f"{cast.manager_a.get_full_name() or cast.manager_a.username}: Changed (Umzug {extra}0)" in content
    assert counts[0] == counts[1], counts


@pytest.mark.postgres
@pytest.mark.parametrize("words", ["hamburg", "klin nord"])
def test_the_search_is_answered_by_the_trigram_and_crm_id_indexes(cast, words):
    """The trigram index holds AccountSearchText's expression as migration 0009 wrote it; should
    the two drift apart, PostgreSQL would quietly read every account again."""
    from django.db import connection

    from accounts.filters import AccountFilter
    from kam.models import User

    AccountFactory(owner=cast.kam_a, name="Klinikum Hamburg-Nord", city="Hamburg")
    filterset = AccountFilter({"q": words}, queryset=Account.objects.all(), owners=User.objects.none())
    queryset = filterset.search(Account.objects.all(), "q", words)
    assert [a.name for a in queryset] == ["Klinikum Hamburg-Nord"]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A few rows in a test: without these the planner rightly reads the table.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on account_search_trgm" in plan
    assert "Bitmap Index Scan on account_crm_id_upper" in plan
