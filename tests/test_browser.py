"""In a real browser: a KAM logs in, creates a hospital, and finds it again through the search.

Drives the system Chromium through Playwright and saves a full-page screenshot of every main step
under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from accounts.models import Account, AccountType
from tests.browser_support import shot
from tests.factories import AccountFactory, UserFactory


def _shot(page, name: str) -> None:
    shot(page, f"accounts-{name}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kam_creates_a_hospital_and_finds_it_again(live_server, page):
    from playwright.sync_api import expect

    kam = UserFactory(username="kam.playwright", first_name="Paula", last_name="Wright")
    AccountFactory(name="Klinikum Nord", owner=kam, city="Hamburg")
    AccountFactory(name="Stadt-Apotheke", owner=kam, account_type=AccountType.PHARMACY, city="Köln")
    url = live_server.url

    # Log in through the real form.
    page.goto(f"{url}/accounts/new/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/accounts/new/$"))
    # The static files are served: Bootstrap styles the button, app.css the navigation bar.
    expect(page.locator("button[type=submit]")).to_have_css("background-color", "rgb(13, 110, 253)")
    expect(page.locator("nav.kam-navbar")).to_have_css("background-color", "rgb(18, 60, 90)")
    page.fill("#id_username", kam.username)
    page.fill("#id_password", "pw-for-tests-1")
    _shot(page, "01-login")
    page.click("button:has-text('Log in')")

    # The login sends the KAM on to the new-account form, owned by the KAM by default.
    expect(page).to_have_url(f"{url}/accounts/new/")
    expect(page.locator("h1")).to_have_text("New account")
    expect(page.locator("#id_owner")).to_have_value(str(kam.pk))
    hospital_fields = page.locator('.type-fields[data-types="hospital"]')
    pharmacy_fields = page.locator('.type-fields[data-types="pharmacy wholesaler"]')

    # Choosing a pharmacy hides the hospital numbers and shows the pharmacy numbers (static/kam/app.js).
    page.select_option("#id_account_type", "pharmacy")
    expect(hospital_fields).to_be_hidden()
    expect(page.locator("#id_beds")).to_be_hidden()
    expect(pharmacy_fields).to_be_visible()
    expect(page.locator("#id_annual_turnover")).to_be_visible()
    _shot(page, "02-new-account-pharmacy-fields")

    page.select_option("#id_account_type", "hospital")
    expect(hospital_fields).to_be_visible()
    expect(pharmacy_fields).to_be_hidden()
    page.fill("#id_name", "Klinikum Playwright")
    page.select_option("#id_tier", "A")
    page.select_option("#id_country", "DE")
    page.fill("#id_region", "Berlin")
    page.fill("#id_city", "Berlin")
    page.fill("#id_address", "Charitéplatz 1")
    page.fill("#id_beds", "850")
    page.select_option("#id_ownership", "university")
    page.select_option("#id_management_model", "professional")
    _shot(page, "03-new-account-hospital-filled")
    page.click("form button[type=submit]:has-text('Save')")

    # Saved: the detail page of the new account.
    account = Account.objects.get(name="Klinikum Playwright")
    expect(page).to_have_url(f"{url}/accounts/{account.pk}/")
    expect(page.locator("h1")).to_contain_text("Klinikum Playwright")
    expect(page.locator(".alert-success")).to_contain_text("Account “Klinikum Playwright” created.")
    assert account.owner == kam
    assert account.account_type == AccountType.HOSPITAL
    assert (account.city, account.beds, account.ownership) == ("Berlin", 850, "university")
    _shot(page, "04-account-created")

    # The list shows all three accounts; the search narrows it to the new one.
    page.locator("nav.kam-navbar").get_by_role("link", name="Accounts", exact=True).click()
    expect(page).to_have_url(f"{url}/accounts/")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    _shot(page, "05-account-list")
    page.fill("#id_q", "Playwright")
    page.press("#id_q", "Enter")
    expect(page).to_have_url(re.compile(r"/accounts/\?(.*&)?q=Playwright"))
    expect(rows).to_have_count(1)
    expect(rows.first.locator("a")).to_have_text("Klinikum Playwright")
    expect(page.locator("#id_q")).to_have_value("Playwright")
    _shot(page, "06-account-search")

    rows.first.get_by_role("link", name="Klinikum Playwright").click()
    expect(page).to_have_url(f"{url}/accounts/{account.pk}/")
    expect(page.locator("h1")).to_contain_text("Klinikum Playwright")
    _shot(page, "07-account-detail")
