"""In a real browser: a KAM opens the key-date calendar from the navigation, narrows it to one
kind of date and to months, makes a calendar link on the settings page and subscribes to it.

Screenshots under test-artifacts/screenshots/calendar-NN-*.png, at desktop and phone width.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from plans.models import PlanStatus
from tests.browser_support import shot
from tests.factories import AccountFactory, ListingFactory, UserFactory
from tests.plan_factories import ActionFactory, PlanFactory
from tests.stakeholder_factories import TouchpointFactory

PASSWORD = "pw-for-tests-1"
PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kam_reads_the_key_dates_and_subscribes_to_them(live_server, page):
    from playwright.sync_api import expect

    today = timezone.localdate()
    anna = UserFactory(username="kam.browser", first_name="Anna", last_name="Alt")
    account = AccountFactory(name="Klinikum Nord", owner=anna)
    ListingFactory(account=account, product__brand="Oncoril", next_committee_date=today + timedelta(days=9))
    plan = PlanFactory(account=account, status=PlanStatus.APPROVED, next_review_date=today + timedelta(days=20))
    ActionFactory(plan=plan, title="Send the budget impact model", due_date=today + timedelta(days=40))
    TouchpointFactory(
        account=account, logged_by=anna, next_step="Send the dossier", follow_up_date=today + timedelta(days=3)
    )
    url = live_server.url

    page.goto(f"{url}/login/")
    page.fill("#id_username", anna.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.get_by_role("link", name="Calendar", exact=True).click()  # not "Tender calendar"
    expect(page).to_have_url(f"{url}/calendar/")
    entries = page.locator("li.list-group-item")
    expect(entries).to_have_count(4)
    expect(page.get_by_role("main")).to_contain_text("Send the dossier")
    shot(page, "calendar-01-agenda")

    page.get_by_label("Formulary committee").check()
    page.select_option("#id_group", "month")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"kind=committee"))
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Oncoril")
    shot(page, "calendar-02-committees-by-month")

    page.get_by_role("link", name="Subscribe in Outlook or Google Calendar").click()
    page.get_by_role("button", name="Make a calendar link").click()
    feed_url = page.locator("input[readonly]").input_value()
    assert re.search(r"/calendar/feed/[\w-]+\.ics$", feed_url)
    shot(page, "calendar-03-link")
    # The calendar client: no session, the secret path only.
    feed = page.context.request.get(url + feed_url[feed_url.index("/calendar/") :], headers={"Cookie": ""})
    assert feed.status == 200
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(feed.body()).walk("VEVENT")}
    assert "Formulary committee: Oncoril – Klinikum Nord" in summaries and len(summaries) == 4

    page.set_viewport_size(PHONE)
    page.goto(f"{url}/calendar/")
    expect(entries).to_have_count(4)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "calendar-04-phone")
