"""In a real browser: the main pages under the Content-Security-Policy refuse nothing they use.

Chromium reports every refused script, style or image both as a console error and as a
``securitypolicyviolation`` event; the test collects both and fails on any. It also adds an inline
row on a plan step (the row adding moved from an inline script to static/kam/formset.js) and saves it.
Screenshots under test-artifacts/screenshots/security-*.png.
"""

from __future__ import annotations

import re

import pytest

from plans.models import SwotItem
from tests.browser_support import shot
from tests.factories import AccountFactory, UserFactory
from tests.plan_factories import PlanFactory
from tests.stakeholder_factories import AffiliationFactory

# Runs before the page's own scripts; turns each violation event into a console error we can see.
REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});
"""


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)

    def on_console(message) -> None:
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text:
            problems.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_run_under_the_policy_and_rows_can_still_be_added(live_server, page):
    from playwright.sync_api import expect

    kam = UserFactory(username="kam.csp")
    account = AccountFactory(name="Klinikum Nord", owner=kam)
    affiliation = AffiliationFactory(account=account)
    plan = PlanFactory(account=account)
    url = live_server.url
    problems = _watch(page)

    page.goto(f"{url}/")
    page.fill("#id_username", kam.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{url}/")
    page.wait_for_load_state("networkidle")
    shot(page, "security-01-dashboard")

    # The account page, opened on its surveys tab by the link's hash (app.js, no inline script).
    page.goto(f"{url}{account.get_absolute_url()}#surveys")
    expect(page.locator("#surveys")).to_be_visible()
    shot(page, "security-02-account")

    page.goto(f"{url}/stakeholders/accounts/{account.pk}/")
    expect(page.locator("body")).to_contain_text(affiliation.person.last_name)
    shot(page, "security-03-dmu")

    page.goto(f"{url}/plans/{plan.pk}/step/2/")
    box = page.locator(".formset[data-prefix='swot']")
    rows = box.locator("tbody tr")
    before = rows.count()
    box.get_by_role("button", name="Add row").click()
    expect(rows).to_have_count(before + 1)
    expect(page.locator("#id_swot-TOTAL_FORMS")).to_have_value(str(before + 1))
    page.select_option(f"#id_swot-{before}-kind", "S")
    page.fill(f"#id_swot-{before}-text", "Strong formulary position")
    shot(page, "security-04-plan-step-row")
    page.get_by_role("button", name="Save step", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Step 2 saved.")
    assert SwotItem.objects.filter(plan=plan, text="Strong formulary position").exists()

    # A confirm() asked for by data-confirm (was an inline onsubmit): dismissing it keeps the account.
    page.goto(f"{url}{account.get_absolute_url()}")
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name=re.compile("Archive")).click()
    expect(page).to_have_url(f"{url}{account.get_absolute_url()}")
    assert dialogs and "Archive this account?" in dialogs[0]

    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_administration_runs_under_the_policy(live_server, page):
    from playwright.sync_api import expect

    admin = UserFactory(username="admin.csp", is_staff=True, is_superuser=True)
    account = AccountFactory(name="Apotheke am Markt")
    url = live_server.url
    problems = _watch(page)

    page.goto(f"{url}/login/?next=/admin/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{url}/admin/")
    page.goto(f"{url}/admin/accounts/account/")
    expect(page.locator("#result_list")).to_contain_text("Apotheke am Markt")
    page.goto(f"{url}/admin/accounts/account/{account.pk}/change/")
    expect(page.locator("#content h1, #content h2").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    shot(page, "security-05-admin")

    assert problems == []
