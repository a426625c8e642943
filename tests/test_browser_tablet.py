"""In a real browser at tablet (1024×768) and phone (390×844) size: plan steps 4 and 5, the DMU,
the X-ray and My work never scroll sideways, no table is wider than its box, a step-5 row shows
all its fields on a tablet, and a step still saves there.

Screenshots under test-artifacts/screenshots/tablet-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from plans.models import Action
from tests.browser_support import shot
from tests.factories import AccountFactory, ProductFactory, UserFactory
from tests.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory

PASSWORD = "pw-for-tests-1"
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}

# Every box that may scroll its table sideways is as wide as its table.
OVERFLOWING_BOXES = """() => [...document.querySelectorAll('.table-responsive')]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => (el.querySelector('table') || el).id || el.className + ' ' + el.scrollWidth + '>' + el.clientWidth)"""


def _misfits(page, size: dict, name: str) -> list[str]:
    """What does not fit on this page at this size (after its screenshot is taken)."""
    shot(page, f"tablet-{name}-{size['width']}")
    found = []
    if (width := page.evaluate("() => document.documentElement.scrollWidth")) > size["width"]:
        found.append(f"{name}@{size['width']}: page {width} wide")
    found += [f"{name}@{size['width']}: {box}" for box in page.evaluate(OVERFLOWING_BOXES)]
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kam_works_the_plan_dmu_xray_and_work_list_on_a_tablet_and_a_phone(live_server, page):
    from playwright.sync_api import expect

    today = timezone.localdate()
    kam = UserFactory(username="kam.tablet", first_name="Anna", last_name="Alt")
    colleague = UserFactory(username="kam.colleague", first_name="Ben", last_name="Brand")
    account = AccountFactory(name="Universitätsklinikum Nord-Ost", owner=kam)
    people = [
        AffiliationFactory(
            account=account,
            person__first_name=first,
            person__last_name=last,
            position_title="Chefarzt der Klinik für Hämatologie und internistische Onkologie",
        )
        for first, last in [("Dieter", "Hoffmann-Schwarzenberg"), ("Maria", "Brandt"), ("Jens", "Krüger")]
    ]
    for aff in people[:2]:
        CoverageFactory(affiliation=aff, user=kam)
        CoverageFactory(affiliation=aff, user=colleague, strength=2)
    plan = PlanFactory(account=account)
    product = ProductFactory(brand="Oncoril")
    objective = ObjectiveFactory(plan=plan, title="Formulary listing of Oncoril by Q3", product=product)
    for n in range(3):
        action = ActionFactory(
            plan=plan,
            objective=objective,
            title=f"Present the budget impact model to the pharmacy committee ({n + 1})",
            due_date=today + timedelta(days=10 * (n - 1)),
            customer_owner=people[0],
        )
        action.stakeholders.set([people[1].person])
    url = live_server.url
    pages = {
        "step4": f"/plans/{plan.pk}/step/4/",
        "step5": f"/plans/{plan.pk}/step/5/",
        "dmu": f"/stakeholders/accounts/{account.pk}/",
        "xray": f"/stakeholders/accounts/{account.pk}/xray/",
        "work": "/work/",
    }

    page.set_viewport_size(TABLET)
    page.goto(f"{url}/login/")
    page.fill("#id_username", kam.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page).not_to_have_url(re.compile("/login/"))

    misfits = []
    for size in (TABLET, PHONE):
        page.set_viewport_size(size)
        for name, path in pages.items():
            page.goto(f"{url}{path}")
            expect(page.locator("main")).to_be_visible()
            misfits += _misfits(page, size, name)
    assert misfits == [], "\n".join(misfits)

    # On a tablet a step-5 row shows every field: none is cut off on the right or hidden.
    page.set_viewport_size(TABLET)
    page.goto(f"{url}{pages['step5']}")
    outside = page.evaluate(
        """() => [...document.querySelectorAll('[data-prefix=act] tbody tr:first-child td')]
          .filter(td => td.offsetParent !== null)
          .filter(td => { const r = td.getBoundingClientRect(); return r.right > window.innerWidth || r.width < 20; })
          .map(td => td.textContent || td.innerHTML.slice(0, 60))"""
    )
    assert outside == []
    for field in ("title", "owner", "due_date", "status", "stakeholders", "customer_owner", "share_with_customer"):
        box = page.locator(f"#id_act-0-{field}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= TABLET["width"], field

    # The form still works: a new row added and a title changed are saved.
    page.click("[data-prefix=act] .add-row")
    page.fill("#id_act-3-title", "Invite the pharmacist to the advisory board")
    page.select_option("#id_act-3-owner", str(kam.pk))
    page.fill("#id_act-0-title", "Present the budget impact model (revised)")
    page.get_by_role("button", name="Save step", exact=True).click()
    expect(page.locator(".alert-success")).to_be_visible()
    titles = set(Action.objects.filter(plan=plan).values_list("title", flat=True))
    assert {"Invite the pharmacist to the advisory board", "Present the budget impact model (revised)"} <= titles
    assert _misfits(page, TABLET, "step5-saved") == []
