"""In a real browser, the review round of issue 14: a KAM edits a step and submits; the manager
finds the plan in My work, reads it (no form on the read view), requests changes (first without
saying what: refused, nothing lost); the KAM reads the notification, fixes a step, sees the change
in words and resubmits; the manager approves and the KAM sees it.

Screenshots of My work, the read view, the review page, the change list and the joint preview, at
desktop and tablet sizes, under test-artifacts/screenshots/review-*-{desktop,tablet}.png.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.models import Role
from plans.models import PlanStatus
from tests.browser_support import shot
from tests.factories import AccountFactory, UserFactory
from tests.plan_factories import ActionFactory, ObjectiveFactory, PeriodFactory, PlanFactory, set_step

PASSWORD = "pw-for-tests-1"
SIZES = {"desktop": {"width": 1440, "height": 900}, "tablet": {"width": 1024, "height": 768}}
# What a reader must never see on these pages: the stored codes behind the labels.
RAW_CODES = ("at_risk", "on_track", "current_value", "judged_status", "changes_requested", "investment_decision")


def _shots(page, name: str) -> None:
    """The page at both sizes, then back to desktop."""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        shot(page, f"review-{name}-{size}")
    page.set_viewport_size(SIZES["desktop"])


def _log_in(page, url: str, user, next_path: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}{next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{url}{next_path}")


def _status(page):
    return page.locator("h1 + div .badge[class*='status-']")


def _no_raw_codes(page) -> None:
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert not [code for code in RAW_CODES if code in text], text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_takes_a_plan_through_review_from_my_work_to_approval(live_server, browser):
    from playwright.sync_api import expect

    year = timezone.localdate().year
    period = PeriodFactory(name=f"FY {year}", start=date(year, 1, 1), end=date(year, 12, 31))
    manager = UserFactory(username="manager.rf", first_name="Martin", last_name="Manager", role=Role.MANAGER)
    kam = UserFactory(username="kam.rf", first_name="Paula", last_name="Wright", manager=manager)
    account = AccountFactory(name="Klinikum Nord", owner=kam, city="Hamburg")
    plan = PlanFactory(account=account, period=period)
    set_step(plan, 1, commentary="Top-5 oncology centre in the north.", investment_decision="invest")
    # Paced linearly from 10 to 30 over the year and still at 10: at risk (the fix reaches the target).
    patients = ObjectiveFactory(
        plan=plan,
        title="Grow Oncoril patients",
        kpi="Patients on therapy",
        unit="patients",
        baseline=Decimal(10),
        target=Decimal(30),
        current_value=Decimal(10),
        due_date=period.end,
        share_with_customer=True,
    )
    ObjectiveFactory(plan=plan, title="Internal margin objective", due_date=period.end)
    ActionFactory(plan=plan, objective=patients, title="Day-clinic workshop", due_date=period.end)
    url = live_server.url

    def new_page():
        context = browser.new_context(viewport=SIZES["desktop"], locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    # 1. The KAM edits step 1 and submits the plan.
    page = new_page()
    _log_in(page, url, kam, f"/plans/{plan.pk}/step/1/")
    page.fill("#id_commentary", "Top-5 oncology centre in the north; a new day-clinic opens in spring.")
    page.get_by_role("button", name="Save step", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Step 1 saved.")
    page.goto(f"{url}/plans/{plan.pk}/")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".alert-success")).to_contain_text("Plan submitted for review.")
    expect(_status(page)).to_have_text("Submitted")

    # 2. The manager finds it in My work and opens it from there.
    boss = new_page()
    _log_in(boss, url, manager, "/work/")
    reviews = boss.locator("#reviews")
    expect(reviews.locator("[data-total='reviews']")).to_have_text("1")
    expect(reviews).to_contain_text("submitted by Paula Wright")
    _shots(boss, "01-my-work")
    reviews.get_by_role("link", name=re.compile("Klinikum Nord")).click()
    expect(boss).to_have_url(f"{url}/plans/{plan.pk}/review/")

    # 3. The manager reads the whole plan: a document, no form field in it.
    boss.goto(f"{url}/plans/{plan.pk}/read/")
    document = boss.locator(".plan-document")
    expect(document).to_contain_text("a new day-clinic opens in spring")
    expect(document).to_contain_text("Grow Oncoril patients")
    expect(document.locator("input, textarea, select")).to_have_count(0)
    _no_raw_codes(boss)
    _shots(boss, "02-read")

    # 4. Request changes without saying what: refused, the choice kept; then with a comment.
    boss.goto(f"{url}/plans/{plan.pk}/review/")
    boss.get_by_label("Request changes").check()
    boss.get_by_role("button", name="Record review").click()
    expect(boss.locator(".alert-danger")).to_contain_text("Nothing you typed is lost")
    expect(boss.locator("#decision")).to_contain_text("Say what should change")
    expect(boss.get_by_label("Request changes")).to_be_checked()
    boss.fill("#id_comment", "Good plan; report the patient numbers.")
    boss.fill("#id_step_6", "Patients still at the baseline: report this month's number.")
    expect(boss.locator("#id_comment")).to_have_value("Good plan; report the patient numbers.")
    _shots(boss, "03-review")
    boss.get_by_role("button", name="Record review").click()
    expect(boss).to_have_url(f"{url}/plans/{plan.pk}/")
    expect(_status(boss)).to_have_text("Changes requested")

    # 5. The KAM reads the notification, opens the plan, reports the number on step 6.
    page.goto(f"{url}/plans/notifications/")
    note = page.locator("#notifications li", has_text="requested changes to")
    expect(note).to_contain_text("Martin Manager")
    note.get_by_role("button", name="Open").click()
    expect(page).to_have_url(f"{url}/plans/{plan.pk}/")
    expect(page.locator(".card", has_text="Reviews")).to_contain_text("report this month's number")
    page.goto(f"{url}/plans/{plan.pk}/step/6/")
    page.fill("#id_prog-0-current_value", "30")
    page.get_by_role("button", name="Save step", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Step 6 saved.")

    # 6. The change list says it in words: labels, not field keys or status codes.
    page.goto(f"{url}/plans/{plan.pk}/since-review/")
    objectives = page.locator("#changes-objectives")
    expect(objectives).to_contain_text("Grow Oncoril patients")
    expect(objectives).to_contain_text(re.compile(r"[Cc]urrent value: 10(\.00)? → 30"))
    expect(objectives).to_contain_text("Achieved")
    _no_raw_codes(page)
    _shots(page, "04-changes")

    # 7. The joint preview holds the shared objective only.
    page.goto(f"{url}/plans/{plan.pk}/joint/")
    expect(page.locator("main")).to_contain_text("Grow Oncoril patients")
    expect(page.locator("main")).not_to_contain_text("Internal margin objective")
    _shots(page, "05-joint")

    # 8. Resubmit; the manager approves; the KAM sees it.
    page.goto(f"{url}/plans/{plan.pk}/")
    page.get_by_role("button", name="Submit for review").click()
    expect(_status(page)).to_have_text("Submitted")
    boss.goto(f"{url}/plans/{plan.pk}/review/")
    boss.get_by_label("Approve").check()
    boss.get_by_role("button", name="Record review").click()
    expect(boss.locator(".alert-success")).to_contain_text("Plan approved.")
    page.goto(f"{url}/plans/notifications/")
    expect(page.locator("#notifications")).to_contain_text("approved")
    page.goto(f"{url}/plans/{plan.pk}/")
    expect(_status(page)).to_have_text("Approved")

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert list(plan.reviews.order_by("reviewed_at").values_list("outcome", flat=True)) == [
        "changes_requested",
        "approved",
    ]
