"""Bad input gets a clear message and a 4xx, and the form keeps what was typed."""

import pytest
from django.urls import reverse

from accounts.models import Account

VALID = {
    "name": "Klinikum Testhausen",
    "account_type": "hospital",
    "tier": "A",
    "country": "DE",
    "region": "Bayern",
    "city": "Testhausen",
    "currency": "EUR",
    "beds": "420",
    "ownership": "public",
    "management_model": "professional",
    "has_formal_dmu": "true",
}


def _post(client, data, url=None):
    return client.post(url or reverse("accounts:create"), data)


def test_a_kam_creates_a_hospital_they_own(cast, login):
    client = login(cast.kam_a)
    response = _post(client, {**VALID, "owner": cast.kam_a.pk})
    assert response.status_code == 302
    account = Account.objects.get(name="Klinikum Testhausen")
    assert account.owner == cast.kam_a
    assert account.beds == 420
    assert account.team_members.filter(user=cast.kam_a).exists()
    assert account.history.first().history_user == cast.kam_a


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"beds": "-5"}, "beds", "greater than or equal to 0"),
        ({"name": ""}, "name", "required"),
        ({"name": "   "}, "name", "required"),
        ({"account_type": "spaceship"}, "account_type", "not one of the available choices"),
        ({"account_type": "pharmacy", "gross_margin_pct": "130"}, "gross_margin_pct", "less than or equal to 100"),
        ({"account_type": "pharmacy", "market_share_pct": "abc"}, "market_share_pct", "Enter a number"),
        ({"parent": "999999"}, "parent", "Select a valid choice"),
        ({"owner": "999999"}, "owner", "Select a valid choice"),
    ],
)
def test_it_rejects_bad_input_and_keeps_what_was_typed(cast, login, change, field, message):
    client = login(cast.kam_a)
    data = {**VALID, "owner": cast.kam_a.pk, "city": "Kept City", **change}
    response = _post(client, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert 'value="Kept City"' in response.content.decode()
    assert not Account.objects.filter(city="Kept City").exists()


def test_it_rejects_a_duplicate_crm_id(cast, login):
    cast.account_c.crm_id = "VEEVA-1"
    cast.account_c.save()
    response = _post(login(cast.kam_a), {**VALID, "owner": cast.kam_a.pk, "crm_id": "VEEVA-1"})
    assert response.status_code == 400
    assert "Another account already has this CRM id." in response.content.decode()


def test_it_rejects_a_parent_that_is_the_account_itself_or_below_it(cast, login):
    child = Account.objects.create(
        name="Child", account_type="hospital", country="DE", owner=cast.kam_a, parent=cast.account_a
    )
    client = login(cast.kam_a)
    url = reverse("accounts:edit", args=[cast.account_a.pk])
    base = {**VALID, "name": "Account A"}
    assert _post(client, {**base, "parent": cast.account_a.pk}, url).status_code == 400
    response = _post(client, {**base, "parent": child.pk}, url)
    assert response.status_code == 400
    assert "cycle" in response.content.decode()


def test_it_rejects_a_parent_the_user_cannot_see(cast, login):
    response = _post(login(cast.kam_a), {**VALID, "owner": cast.kam_a.pk, "parent": cast.account_c.pk})
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors


def test_an_unknown_type_in_the_url_is_a_404(cast, login):
    client = login(cast.kam_a)
    assert client.get(reverse("accounts:create") + "?type=spaceship").status_code == 404
    page = client.get(reverse("accounts:create") + "?type=pharmacy")
    assert page.status_code == 200
    assert page.context["form"]["account_type"].value() == "pharmacy"


def test_a_kam_cannot_make_someone_else_owner(cast, login):
    response = _post(login(cast.kam_a), {**VALID, "owner": cast.kam_b.pk})
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors


def test_a_manager_can_create_for_a_kam_below_them(cast, login):
    response = _post(login(cast.manager_a), {**VALID, "owner": cast.kam_b.pk})
    assert response.status_code == 302
    assert Account.objects.get(name=VALID["name"]).owner == cast.kam_b


def test_listings_formset_reports_duplicates_as_errors(cast, login):
    from tests.factories import ProductFactory

    product = ProductFactory()
    client = login(cast.kam_a)
    data = {
        "listings-TOTAL_FORMS": "2",
        "listings-INITIAL_FORMS": "0",
        "listings-MIN_NUM_FORMS": "0",
        "listings-MAX_NUM_FORMS": "1000",
        "listings-0-product": product.pk,
        "listings-0-status": "listed",
        "listings-1-product": product.pk,
        "listings-1-status": "restricted",
    }
    response = client.post(reverse("accounts:listings", args=[cast.account_a.pk]), data)
    assert response.status_code == 400
    assert "duplicate data for product" in response.content.decode()
    data["listings-TOTAL_FORMS"] = "1"
    assert client.post(reverse("accounts:listings", args=[cast.account_a.pk]), data).status_code == 302
    assert cast.account_a.listings.get().status == "listed"


def test_a_row_added_on_a_stale_page_is_refused_not_a_500(cast, login):
    """The page was opened before another tab (or a colleague) listed the product: the checks of
    the posted rows pass and only the database's unique constraint refuses the new row."""
    from tests.factories import ListingFactory, ProductFactory

    product = ProductFactory()
    client = login(cast.kam_a)
    url = reverse("accounts:listings", args=[cast.account_a.pk])
    stale = {
        "listings-TOTAL_FORMS": "1",
        "listings-INITIAL_FORMS": "0",
        "listings-MIN_NUM_FORMS": "0",
        "listings-MAX_NUM_FORMS": "200",
        "listings-0-product": product.pk,
        "listings-0-status": "restricted",
    }
    ListingFactory(account=cast.account_a, product=product, status="listed")
    response = client.post(url, stale)
    assert response.status_code == 400
    assert "a new row repeats one the account has already" in response.content.decode()
    assert cast.account_a.listings.get().status == "listed"


def test_financials_reject_negative_revenue(cast, login):
    client = login(cast.kam_a)
    data = {
        "financials-TOTAL_FORMS": "1",
        "financials-INITIAL_FORMS": "0",
        "financials-MIN_NUM_FORMS": "0",
        "financials-MAX_NUM_FORMS": "1000",
        "financials-0-year": "2026",
        "financials-0-revenue_actual": "-1",
    }
    response = client.post(reverse("accounts:financials", args=[cast.account_a.pk]), data)
    assert response.status_code == 400
    assert 'value="-1"' in response.content.decode()


def test_financials_of_several_years_save_and_a_year_twice_is_reported(cast, login):
    client = login(cast.kam_a)
    data = {
        "financials-TOTAL_FORMS": "2",
        "financials-INITIAL_FORMS": "0",
        "financials-MIN_NUM_FORMS": "0",
        "financials-MAX_NUM_FORMS": "1000",
        "financials-0-year": "2025",
        "financials-0-revenue_actual": "1000",
        "financials-1-year": "2025",
        "financials-1-revenue_actual": "2000",
    }
    url = reverse("accounts:financials", args=[cast.account_a.pk])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "duplicate data for year" in response.content.decode()
    data["financials-1-year"] = "2026"
    assert client.post(url, data).status_code == 302
    assert sorted(cast.account_a.financials.values_list("year", flat=True)) == [2025, 2026]
