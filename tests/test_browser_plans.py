"""In a real browser: a KAM writes a seven-step account plan through the forms and submits it; the
manager requests changes, the KAM fixes step 4 and resubmits, the manager approves.

Drives the system Chromium through Playwright and saves a full-page screenshot of every step and of
the plan overview under test-artifacts/screenshots/plans-NN-*.png.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import ListingStatus
from kam.models import Role
from plans.models import (
    AccountPlan,
    Action,
    Objective,
    PlanningPeriod,
    PlanReview,
    PlanStatus,
    RelationshipObjective,
    Resource,
    SwotItem,
)
from tests.browser_support import shot
from tests.factories import AccountFactory, FinancialsFactory, ListingFactory, ProductFactory, UserFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory

VIEWPORT = {"width": 1280, "height": 900}
PASSWORD = "pw-for-tests-1"


def _shot(page, name: str) -> None:
    shot(page, f"plans-{name}")


def _log_in(page, url: str, user, next_path: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}{next_path}")
    expect(page).to_have_url(re.compile(rf"/login/\?next={re.escape(next_path)}$"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{url}{next_path}")


def _status(page):
    """The plan's status badge in the page header."""
    return page.locator("h1 + div .badge[class*='status-']")


def _add_rows(page, prefix: str, wanted: int) -> None:
    """Click the formset's "Add row" until it holds ``wanted`` rows."""
    from playwright.sync_api import expect

    box = page.locator(f".formset[data-prefix='{prefix}']")
    rows = box.locator("tbody tr")
    while rows.count() < wanted:
        before = rows.count()
        box.get_by_role("button", name="Add row").click()
        expect(rows).to_have_count(before + 1)
    expect(page.locator(f"#id_{prefix}-TOTAL_FORMS")).to_have_value(str(rows.count()))


def _save_step(page, url: str, plan_pk: int, number: int, shot: str) -> None:
    """Save the step and stay on it (so the screenshot shows the saved content)."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Save step", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(f"Step {number} saved.")
    expect(page).to_have_url(f"{url}/plans/{plan_pk}/step/{number}/")
    expect(page.locator(".alert-danger")).to_have_count(0)
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    # Every column of the row tables is on screen, none hidden in a horizontal scroll.
    overflowing = page.eval_on_selector_all(
        ".formset .table-responsive",
        "boxes => boxes.filter(b => b.offsetParent && b.scrollWidth > b.clientWidth + 1)"
        ".map(b => b.closest('.formset').dataset.prefix + ': ' + b.scrollWidth + ' > ' + b.clientWidth)",
    )
    assert not overflowing, overflowing
    _shot(page, shot)


def _continue(page, url: str, plan_pk: int, number: int) -> None:
    """Click "Save and continue →": it saves once more (from the reloaded version) and opens the next step."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Save and continue →").click()
    expect(page).to_have_url(f"{url}/plans/{plan_pk}/step/{number + 1}/")
    expect(page.locator(".alert-success")).to_contain_text(f"Step {number} saved.")
    expect(page.locator("h2.h4")).to_contain_text(f"{number + 1}.")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kam_writes_a_plan_and_the_manager_approves_it_after_changes(live_server, page):
    from playwright.sync_api import expect

    today = timezone.localdate()
    period = PlanningPeriod.objects.create(
        name=f"FY {today.year}", start=date(today.year, 1, 1), end=date(today.year, 12, 31)
    )

    def due(days: int) -> str:
        return min(today + timedelta(days=days), period.end).isoformat()

    head = UserFactory(username="head.pw", first_name="Helga", last_name="Head", role=Role.MANAGER)
    manager = UserFactory(
        username="manager.pw", first_name="Martin", last_name="Manager", role=Role.MANAGER, manager=head
    )
    kam = UserFactory(username="kam.pw", first_name="Paula", last_name="Wright", manager=manager)
    account = AccountFactory(name="Klinikum Nord", owner=kam, city="Hamburg")
    FinancialsFactory(account=account, year=today.year)
    listed, unlisted = ProductFactory(brand="Oncoril"), ProductFactory(brand="Cardiomab")
    ListingFactory(account=account, product=listed, status=ListingStatus.LISTED)
    chief = AffiliationFactory(
        account=account,
        person=PersonFactory(first_name="Eva", last_name="Berger"),
        department="Oncology",
        dmu_role="decision_maker",
        stance=-1,
    )
    AffiliationFactory(
        account=account,
        person=PersonFactory(first_name="Jonas", last_name="Klein"),
        position_title="Head pharmacist",
        department="Pharmacy",
        function="hospital_pharmacist",
        stance=0,
        influence=3,
    )
    assert unlisted.active
    url = live_server.url

    # 1. The KAM opens the account, the Plans tab, and starts a plan for the current period.
    _log_in(page, url, kam, f"/accounts/{account.pk}/")
    page.get_by_role("tab", name=re.compile(r"^Plans")).click()
    new_plan = page.locator("#plans").get_by_role("link", name="New plan")
    expect(new_plan).to_be_visible()
    expect(page.locator("#plans")).to_contain_text("No plan yet.")
    new_plan.click()
    expect(page).to_have_url(f"{url}/plans/new/{account.pk}/")
    page.select_option("#id_period", label=period.name)
    page.get_by_role("button", name="Start the plan").click()
    plan = AccountPlan.objects.get(account=account, period=period)
    expect(page).to_have_url(f"{url}/plans/{plan.pk}/step/1/")
    expect(_status(page)).to_have_text("Draft")

    # Step 1: portfolio commentary and the investment decision.
    page.fill("#id_commentary", "Top-5 oncology centre in the north; revenue grew 12 % with a healthy gross margin.")
    page.select_option("#id_investment_decision", "invest")
    _save_step(page, url, plan.pk, 1, "01-step1")
    expect(page.locator("#id_commentary")).to_have_value(re.compile("Top-5 oncology centre"))
    _continue(page, url, plan.pk, 1)

    # Step 2: the customer's strategy, needs and drivers, and a SWOT with one item of each kind.
    page.fill("#id_strategy", "Become the certified comprehensive cancer centre of the region by 2028.")
    page.fill("#id_needs", "Shorter infusion-chair times; predictable drug budget.")
    page.fill("#id_drivers", "Budget cap of the pharmacy committee; formulary revision in Q3; annual tender.")
    _add_rows(page, "swot", 4)
    swot = {
        "S": "Long-standing trust with the chief physician",
        "W": "No contact in the purchasing department",
        "O": "New day-clinic opens in spring",
        "T": "Biosimilar tender expected",
    }
    for i, (kind, text) in enumerate(swot.items()):
        page.select_option(f"#id_swot-{i}-kind", kind)
        page.fill(f"#id_swot-{i}-text", text)
    _save_step(page, url, plan.pk, 2, "02-step2")
    # Saved rows come back in SWOT order (S, W, O, T), then two empty rows.
    for i, kind in enumerate(sorted(swot, key="SWOT".index)):
        expect(page.locator(f"#id_swot-{i}-kind")).to_have_value(kind)
        expect(page.locator(f"#id_swot-{i}-text")).to_have_value(swot[kind])
    _continue(page, url, plan.pk, 2)

    # Step 3: one relationship objective: move the sceptical decision maker to favourable.
    expect(page.locator(".card", has_text="The DMU today")).to_contain_text("Eva Berger")
    page.fill("#id_notes", "Win over the head of oncology through the day-clinic project.")
    page.select_option("#id_rel-0-affiliation", str(chief.pk))
    page.select_option("#id_rel-0-from_stance", "-1")
    page.select_option("#id_rel-0-to_stance", "1")
    page.fill("#id_rel-0-due_date", due(20))
    page.select_option("#id_rel-0-owner", str(kam.pk))
    _save_step(page, url, plan.pk, 3, "03-step3")
    _continue(page, url, plan.pk, 3)

    # Step 4: the value proposition and two measurable objectives.
    page.fill("#id_value_proposition", "Fewer chair hours per patient and a predictable oncology budget.")
    _add_rows(page, "obj", 2)
    objectives = [
        ("List Oncoril on the formulary", "Formulary status", "", "0", "1", due(25)),
        ("Grow Oncoril patients", "Patients on therapy", "patients", "10", "40", due(30)),
    ]
    for i, (title, kpi, unit, baseline, target, due_date) in enumerate(objectives):
        page.fill(f"#id_obj-{i}-title", title)
        page.fill(f"#id_obj-{i}-kpi", kpi)
        page.fill(f"#id_obj-{i}-unit", unit)
        page.fill(f"#id_obj-{i}-baseline", baseline)
        page.fill(f"#id_obj-{i}-target", target)
        page.fill(f"#id_obj-{i}-due_date", due_date)
        page.select_option(f"#id_obj-{i}-owner", str(kam.pk))
    _save_step(page, url, plan.pk, 4, "04-step4")
    expect(page.locator(".alert-warning")).to_have_count(0)  # both are measurable
    _continue(page, url, plan.pk, 4)

    # Step 5: two actions, each serving an objective, with owner and due date.
    formulary, patients = Objective.objects.filter(plan=plan).order_by("pk")
    _add_rows(page, "act", 2)
    actions = [
        ("Submit the formulary dossier", formulary, due(15)),
        ("Day-clinic workshop for nurses", patients, due(28)),
    ]
    for i, (title, objective, due_date) in enumerate(actions):
        page.fill(f"#id_act-{i}-title", title)
        page.select_option(f"#id_act-{i}-objective", str(objective.pk))
        page.select_option(f"#id_act-{i}-owner", str(kam.pk))
        page.fill(f"#id_act-{i}-due_date", due_date)
    _save_step(page, url, plan.pk, 5, "05-step5")
    _continue(page, url, plan.pk, 5)

    # Step 6: the plan budget, one resource row and the objectives' current values.
    dossier = Action.objects.get(plan=plan, title="Submit the formulary dossier")
    page.fill("#id_budget", "25000")
    page.fill("#id_audit_notes", "Dossier on schedule; patient numbers behind plan.")
    page.select_option("#id_res-0-action", str(dossier.pk))
    page.fill("#id_res-0-people_days", "4.5")
    page.fill("#id_res-0-budget", "3000")
    page.select_option("#id_res-0-function", "market_access")
    page.fill("#id_prog-0-current_value", "0")
    page.fill("#id_prog-1-current_value", "18")
    _save_step(page, url, plan.pk, 6, "06-step6")
    expect(page.locator("#id_budget")).to_have_value(re.compile(r"^25000(\.00)?$"))
    _continue(page, url, plan.pk, 6)

    # Step 7: the prefilled communication plan is kept as it is.
    # Prefilled rows: internal audiences first, then the external DMU.
    audiences = ["Management", "Medical", "Market access", "Supply chain", "DMU members", ""]
    for i, audience in enumerate(audiences):
        expect(page.locator(f"#id_com-{i}-audience")).to_have_value(audience)
    expect(page.locator(".formset[data-prefix='com'] tbody tr")).to_have_count(6)  # 5 prefilled + 1 empty
    _save_step(page, url, plan.pk, 7, "07-step7")
    expect(page.get_by_role("button", name="Save and continue →")).to_have_count(0)

    # Every step is complete; the overview lists both objectives.
    page.get_by_role("link", name="Back to plan").click()
    expect(page).to_have_url(f"{url}/plans/{plan.pk}/")
    expect(page.locator(".step-pill .pct")).to_have_text(["100%"] * 7)
    expect(page.locator(".alert-warning")).to_have_count(0)
    expect(page.locator("table", has_text="Baseline")).to_contain_text("Grow Oncoril patients")
    _shot(page, "08-overview-draft")

    # 2. Submit for review.
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".alert-success")).to_contain_text("Plan submitted for review.")
    expect(_status(page)).to_have_text("Submitted")
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)

    # 3. The manager (own browser context) requests changes with a comment on step 4.
    manager_context = page.context.browser.new_context(viewport=VIEWPORT, locale="en-GB")
    boss = manager_context.new_page()
    boss.set_default_timeout(15_000)
    _log_in(boss, url, manager, f"/plans/{plan.pk}/")
    expect(_status(boss)).to_have_text("Submitted")
    # The icon's glyph is part of the accessible name, hence no exact match ("Since last review" is another link).
    boss.get_by_role("link", name=re.compile(r"\bReview$")).click()
    expect(boss).to_have_url(f"{url}/plans/{plan.pk}/review/")
    boss.get_by_label("Request changes").check()
    boss.fill("#id_comment", "Good plan; sharpen the patient objective.")
    boss.fill("#id_step_4", "Target 40 patients is too low for a centre of this size.")
    _shot(boss, "09-review-changes")
    boss.get_by_role("button", name="Record review").click()
    expect(boss).to_have_url(f"{url}/plans/{plan.pk}/")
    expect(boss.locator(".alert-success")).to_contain_text("Changes requested")
    expect(_status(boss)).to_have_text("Changes requested")
    expect(boss.locator(".card", has_text="Reviews")).to_contain_text("Step 4: Target 40 patients is too low")

    # 4. The KAM sees the request, raises the target in step 4 and submits again.
    page.reload()
    expect(_status(page)).to_have_text("Changes requested")
    expect(page.locator(".card", has_text="Reviews")).to_contain_text("sharpen the patient objective")
    page.locator(".step-nav").get_by_role("link", name=re.compile("Plan blueprint")).click()
    expect(page).to_have_url(f"{url}/plans/{plan.pk}/step/4/")
    expect(page.locator("#id_obj-1-title")).to_have_value("Grow Oncoril patients")
    page.fill("#id_obj-1-target", "60")
    _save_step(page, url, plan.pk, 4, "10-step4-revised")
    page.get_by_role("link", name="Back to plan").click()
    expect(page.locator("table", has_text="Baseline")).to_contain_text("10.00 → 60.00 patients")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".alert-success")).to_contain_text("Plan submitted for review.")
    expect(_status(page)).to_have_text("Submitted")

    # 5. The manager approves.
    boss.goto(f"{url}/plans/{plan.pk}/review/")
    boss.get_by_label("Approve").check()
    boss.fill("#id_comment", "Approved. Thank you.")
    boss.get_by_role("button", name="Record review").click()
    expect(boss).to_have_url(f"{url}/plans/{plan.pk}/")
    expect(boss.locator(".alert-success")).to_contain_text("Plan approved.")
    expect(_status(boss)).to_have_text("Approved")
    _shot(boss, "11-overview-approved")
    page.reload()
    expect(_status(page)).to_have_text("Approved")
    expect(page.get_by_role("button", name="Revise")).to_be_visible()
    manager_context.close()

    # The database agrees with the pages.
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert (plan.submitted_by, plan.approved_by) == (kam, manager)
    assert plan.budget == Decimal("25000.00")
    assert list(plan.reviews.order_by("reviewed_at").values_list("outcome", flat=True)) == [
        "changes_requested",
        "approved",
    ]
    changes = PlanReview.objects.get(plan=plan, outcome="changes_requested")
    assert changes.step_comments == {"4": "Target 40 patients is too low for a centre of this size."}
    assert plan.steps.get(number=1).content == {
        "commentary": "Top-5 oncology centre in the north; revenue grew 12 % with a healthy gross margin.",
        "investment_decision": "invest",
    }
    assert sorted(SwotItem.objects.filter(plan=plan).values_list("kind", "text")) == sorted(swot.items())
    rel = RelationshipObjective.objects.get(plan=plan)
    assert (rel.affiliation, rel.from_stance, rel.to_stance, rel.owner) == (chief, -1, 1, kam)
    assert [(o.title, o.target, o.current_value) for o in plan.objectives.order_by("pk")] == [
        ("List Oncoril on the formulary", Decimal(1), Decimal(0)),
        ("Grow Oncoril patients", Decimal(60), Decimal(18)),
    ]
    assert sorted(plan.actions.values_list("title", "objective__title")) == [
        ("Day-clinic workshop for nurses", "Grow Oncoril patients"),
        ("Submit the formulary dossier", "List Oncoril on the formulary"),
    ]
    resource = Resource.objects.get(action__plan=plan)
    assert (resource.action, resource.people_days, resource.budget, resource.function) == (
        dossier,
        Decimal("4.5"),
        Decimal(3000),
        "market_access",
    )
    assert plan.communications.count() == 5
