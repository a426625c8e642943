"""In a real browser: a KAM builds a hospital's DMU through the forms, logs a touchpoint from the DMU
table and reads the relationship X-ray; a hostile name stays text. A second test sets a role and
stance per therapeutic area on the affiliation page.

Drives the system Chromium through Playwright and saves a full-page screenshot of every main step
under test-artifacts/screenshots/stakeholders-NN-*.png.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from stakeholders.models import Affiliation, AffiliationOverride, Touchpoint
from tests.browser_support import SCREENSHOTS, shot
from tests.factories import AccountFactory, UserFactory
from tests.stakeholder_factories import AffiliationFactory

EVIL = "<script>alert(1)</script>"


def _shot(page, name: str) -> None:
    shot(page, f"stakeholders-{name}")


def _log_in(page, url: str, user, next_path: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}{next_path}")
    expect(page).to_have_url(re.compile(rf"/login/\?next={re.escape(next_path)}$"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{url}{next_path}")


def _add_stakeholder(page, *, first, last, position, function, role, influence, stance, reports_to=None):
    page.fill("#id_person-first_name", first)
    page.fill("#id_person-last_name", last)
    page.fill("#id_aff-position_title", position)
    page.select_option("#id_aff-function", label=function)
    page.select_option("#id_aff-dmu_role", label=role)
    page.fill("#id_aff-influence", str(influence))
    page.select_option("#id_aff-stance", label=stance)
    if reports_to:
        page.select_option("#id_aff-reports_to", label=reports_to)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kam_builds_a_dmu_logs_a_touchpoint_and_reads_the_xray(live_server, page):
    from playwright.sync_api import expect

    kam = UserFactory(username="kam.dmu", first_name="Paula", last_name="Wright")
    account = AccountFactory(name="Klinikum Süd", owner=kam, city="München")
    url = live_server.url
    dmu_path = f"/stakeholders/accounts/{account.pk}/"
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    # Log in through the real form; it sends the KAM on to the account's DMU page.
    page.goto(f"{url}{dmu_path}")
    expect(page).to_have_url(re.compile(rf"/login/\?next={re.escape(dmu_path)}$"))
    page.fill("#id_username", kam.username)
    page.fill("#id_password", "pw-for-tests-1")
    _shot(page, "01-login")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{url}{dmu_path}")
    expect(page.locator("h1")).to_contain_text("Klinikum Süd")
    expect(page.locator("#dmu-table tbody")).to_contain_text("No stakeholders match.")
    _shot(page, "02-dmu-empty")

    # 1. The managing director.
    page.get_by_role("link", name="Add stakeholder").click()
    expect(page).to_have_url(f"{url}/stakeholders/accounts/{account.pk}/add/")
    _add_stakeholder(
        page,
        first="Dieter",
        last="Hoffmann",
        position="Managing director",
        function="Hospital management / administration",
        role="Decision maker",
        influence=5,
        stance="Neutral towards our proposals",
    )
    _shot(page, "03-add-director")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(f"{url}{dmu_path}")
    expect(page.locator(".alert-success")).to_contain_text("Dieter Hoffmann added to the DMU.")

    # 2. The chief pharmacist, reporting to the director.
    page.get_by_role("link", name="Add stakeholder").click()
    _add_stakeholder(
        page,
        first="Maria",
        last="Brandt",
        position="Chief pharmacist",
        function="Hospital pharmacist",
        role="Gatekeeper",
        influence=4,
        stance="Favourable towards our proposals",
        reports_to="Dieter Hoffmann (Managing director)",
    )
    _shot(page, "04-add-pharmacist")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Maria Brandt added to the DMU.")

    # 3. Someone whose name is markup, reporting to the pharmacist.
    page.get_by_role("link", name="Add stakeholder").click()
    _add_stakeholder(
        page,
        first="Eve",
        last=EVIL,
        position="Ward pharmacist",
        function="Hospital pharmacist",
        role="User",
        influence=2,
        stance="Neutral towards our proposals",
        reports_to="Maria Brandt (Chief pharmacist)",
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(f"Eve {EVIL} added to the DMU.")

    director, pharmacist, third = (
        Affiliation.objects.select_related("person", "reports_to").get(account=account, person__last_name=n)
        for n in ("Hoffmann", "Brandt", EVIL)
    )
    assert (director.function, director.dmu_role, director.influence, director.stance) == (
        "management",
        "decision_maker",
        5,
        0,
    )
    assert director.category == "managerial" and director.reports_to is None
    assert (pharmacist.function, pharmacist.dmu_role, pharmacist.influence, pharmacist.stance) == (
        "hospital_pharmacist",
        "gatekeeper",
        4,
        1,
    )
    assert pharmacist.reports_to == director and third.reports_to == pharmacist
    assert third.person.last_name == EVIL

    rows = page.locator("#dmu-table tbody tr")

    def row(name: str):
        return rows.filter(has=page.get_by_role("link", name=name, exact=True))

    expect(rows).to_have_count(3)
    expect(row("Maria Brandt")).to_contain_text("reports to Dieter Hoffmann")
    expect(row(f"Eve {EVIL}")).to_contain_text("reports to Maria Brandt")
    _shot(page, "05-dmu-three-stakeholders")

    # Log a touchpoint from the pharmacist's row: she is preselected, nobody else is.
    row("Maria Brandt").locator("a[title='Log touchpoint']").click()
    expect(page).to_have_url(re.compile(rf"/stakeholders/accounts/{account.pk}/touchpoints/new/\?person="))
    expect(page.locator(f"input[name=stakeholders][value='{pharmacist.person_id}']")).to_be_checked()
    expect(page.locator(f"input[name=stakeholders][value='{director.person_id}']")).not_to_be_checked()
    expect(page.locator(f"input[name=stakeholders][value='{third.person_id}']")).not_to_be_checked()
    expect(page.locator("#id_date")).to_have_value(date.today().isoformat())
    page.select_option("#id_kind", "visit")
    page.fill("#id_summary", "Walked through the formulary application with the chief pharmacist.")
    page.fill("#id_next_step", "Send the budget-impact model.")
    _shot(page, "06-log-touchpoint")
    page.click("form button[type=submit]:has-text('Log touchpoint')")

    expect(page).to_have_url(f"{url}{dmu_path}")
    expect(page.locator(".alert-success")).to_contain_text("Touchpoint logged.")
    touchpoint = Touchpoint.objects.get(account=account)
    assert list(touchpoint.stakeholders.all()) == [pharmacist.person]
    assert list(touchpoint.participants.all()) == [kam]
    assert touchpoint.summary.startswith("Walked through the formulary application")
    # The pharmacist's last contact is today; the others are still stale.
    expect(row("Maria Brandt").locator("td").nth(7)).to_contain_text(str(date.today().year))
    expect(row("Maria Brandt").locator(".badge.text-bg-warning")).to_have_count(0)
    expect(row("Dieter Hoffmann").locator(".badge.text-bg-warning")).to_have_text("stale")
    _shot(page, "07-dmu-after-touchpoint")

    # The relationship X-ray.
    page.get_by_role("link", name="Relationship X-ray").click()
    expect(page).to_have_url(f"{url}/stakeholders/accounts/{account.pk}/xray/")

    # The org chart nests director > pharmacist > third person.
    level1 = page.locator(".org-chart > ul > li")
    expect(level1).to_have_count(1)
    expect(level1.locator(":scope > .org-node")).to_contain_text("Dieter Hoffmann")
    level2 = level1.locator(":scope > ul > li")
    expect(level2).to_have_count(1)
    expect(level2.locator(":scope > .org-node")).to_contain_text("Maria Brandt")
    level3 = level2.locator(":scope > ul > li")
    expect(level3).to_have_count(1)
    expect(level3.locator(":scope > .org-node")).to_contain_text(f"Eve {EVIL}")
    expect(level3.locator(":scope > ul")).to_have_count(0)

    # The gaps, in words a KAM can act on.
    gaps = page.locator("#gaps")
    expect(gaps).to_contain_text("Decision maker Dieter Hoffmann has no owner on our side.")
    expect(gaps).to_contain_text("No procurement or formulary-committee contact.")
    expect(gaps).to_contain_text("No contact with Dieter Hoffmann within the cadence (last: never).")
    expect(gaps).not_to_contain_text("No hospital pharmacist")
    expect(gaps).not_to_contain_text("no managerial member")

    # The hostile name is shown as text, everywhere, and never runs.
    expect(page.locator(".org-chart")).to_contain_text(EVIL)
    expect(page.locator(".coverage-matrix")).to_contain_text(EVIL)
    expect(page.locator("script", has_text="alert(1)")).to_have_count(0)
    _shot(page, "08-xray")
    page.locator(".org-chart").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "stakeholders-09-xray-org-chart.png"))

    # And on the DMU page too.
    page.goto(f"{url}{dmu_path}")
    expect(page.locator("#dmu-table")).to_contain_text(EVIL)
    expect(page.locator("script", has_text="alert(1)")).to_have_count(0)
    assert dialogs == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kam_sets_a_role_and_stance_per_therapeutic_area(live_server, page):
    from playwright.sync_api import expect

    kam = UserFactory(username="kam.areas", first_name="Paula", last_name="Wright")
    account = AccountFactory(name="Klinikum West", owner=kam, city="Köln")
    pharmacist = AffiliationFactory(
        account=account,
        person__title="",
        person__first_name="Maria",
        person__last_name="Brandt",
        position_title="Chief pharmacist",
        function="hospital_pharmacist",
        dmu_role="gatekeeper",
        influence=4,
        stance=0,
    )
    url = live_server.url
    dmu_path = f"/stakeholders/accounts/{account.pk}/"
    _log_in(page, url, kam, dmu_path)

    page.locator("#dmu-table tbody tr").filter(has_text="Maria Brandt").locator("a[title='Edit']").click()
    expect(page).to_have_url(f"{url}/stakeholders/affiliations/{pharmacist.pk}/edit/")
    table = page.locator("#overrides-table")
    expect(page.locator("#overrides legend")).to_have_text("Role or stance per therapeutic area (optional)")
    expect(table.locator("tbody tr.kam-override-row")).to_have_count(1)

    # An area with neither a role nor a stance is refused; what was typed stays.
    page.fill("#id_ovr-0-therapeutic_area", "Oncology")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".alert-danger").first).to_contain_text("Please correct the highlighted fields")
    expect(table).to_contain_text("Set a role or a stance, or remove the row.")
    expect(page.locator("#id_ovr-0-therapeutic_area")).to_have_value("Oncology")
    assert not AffiliationOverride.objects.exists()
    _shot(page, "10-override-error")

    # Fixed, and a second area added through "Save and add another area".
    page.select_option("#id_ovr-0-dmu_role", label="Influencer")
    page.select_option("#id_ovr-0-stance", label="Favourable towards our proposals")
    page.get_by_role("button", name="Save and add another area").click()
    expect(page).to_have_url(f"{url}/stakeholders/affiliations/{pharmacist.pk}/edit/#overrides")
    expect(table.locator("tbody tr.kam-override-row")).to_have_count(2)
    page.fill("#id_ovr-1-therapeutic_area", "Haematology")
    page.select_option("#id_ovr-1-stance", label="Unfavourable towards our proposals")
    _shot(page, "11-override-rows")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(f"{url}{dmu_path}")
    role_cell = page.locator("#dmu-table tbody tr").filter(has_text="Maria Brandt").locator("td").nth(3)
    expect(role_cell).to_contain_text("Gatekeeper")
    expect(role_cell.locator(".kam-dmu-override")).to_have_text(
        ["Haematology: unfavourable", "Oncology: influencer · favourable"]
    )
    assert set(pharmacist.overrides.values_list("therapeutic_area", "dmu_role", "stance")) == {
        ("Oncology", "influencer", 1),
        ("Haematology", "", -1),
    }
    _shot(page, "12-dmu-with-overrides")
