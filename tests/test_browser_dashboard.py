"""In a real browser: a manager opens the portfolio dashboard, filters it to one KAM, clicks a bubble
of the portfolio matrix and lands on that account's page, which explains its health.

Drives the system Chromium through Playwright and saves screenshots under
test-artifacts/screenshots/dashboard-NN-*.png (and the printed dashboard as a PDF page).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.models import Role
from kam.portfolio.health.refresh import refresh_health
from plans.models import Objective, PlanningPeriod
from plans.services import plan_create
from tests.browser_support import SCREENSHOTS, shot
from tests.factories import AccountFactory, FinancialsFactory, UserFactory
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, TouchpointFactory
from tests.survey_factories import CampaignFactory, InvitationFactory, ResponseFactory

PASSWORD = "pw-for-tests-1"


def _shot(page, name: str) -> None:
    shot(page, f"dashboard-{name}")


def _portfolio():
    """A manager with two KAMs, key accounts across the matrix with plans, stakeholders, answers
    and revenue, and one account of another team."""
    today = timezone.localdate()
    period = PlanningPeriod.objects.create(
        name=f"FY {today.year}", start=date(today.year, 1, 1), end=date(today.year, 12, 31)
    )
    manager = UserFactory(username="mgr.browser", first_name="Maren", last_name="Vogt", role=Role.MANAGER)
    anna = UserFactory(username="kam.anna.b", first_name="Anna", last_name="Keller", manager=manager)
    ben = UserFactory(username="kam.ben.b", first_name="Ben", last_name="Fischer", manager=manager)
    other = UserFactory(username="kam.other.b", first_name="Olga", last_name="Other")
    accounts = {}
    rows = [
        (anna, "Universitätsklinikum Isartal", 88, 72, 4_800_000, 5_000_000, True),
        (anna, "Klinikum Donauried", 64, 35, 1_200_000, 2_000_000, False),
        (anna, "Stern-Apotheke Rosenheim", 42, 58, 600_000, 550_000, True),
        (ben, "Evangelisches Krankenhaus Alsterdorf", 76, 28, 2_500_000, 4_000_000, False),
        (ben, "Medi-Großhandel Nord", 30, 80, 9_000_000, 8_500_000, True),
        (other, "Hôpital du Léman", 70, 60, 3_000_000, 3_000_000, True),
    ]
    for n, (owner, name, attractiveness, position, actual, target, cared_for) in enumerate(rows):
        account = AccountFactory(
            owner=owner,
            name=name,
            is_key_account=True,
            attractiveness=attractiveness,
            position=position,
            account_type="pharmacy" if "Apotheke" in name else "wholesaler" if "handel" in name else "hospital",
        )
        accounts[name] = account
        FinancialsFactory(
            account=account, year=today.year, revenue_actual=Decimal(actual), revenue_target=Decimal(target)
        )
        key = AffiliationFactory(account=account, influence=5)
        if cared_for:
            CoverageFactory(affiliation=key, user=owner)
            TouchpointFactory(
                account=account, date=today - timedelta(days=5), stakeholders=[key.person], logged_by=owner
            )
            plan = plan_create(account=account, period=period, by=owner)
            Objective.objects.create(
                plan=plan, title="Formulary listing", baseline=0, target=10, current_value=9, due_date=period.end
            )
        for quarter in range(4):
            sent = timezone.now() - timedelta(days=90 * quarter + 10)
            campaign = CampaignFactory(send_at=sent, close_date=today + timedelta(days=30))
            for score in (5, 4, 2) if (n + quarter) % 2 else (5, 3):
                invitation = InvitationFactory(campaign=campaign, account=account, status="answered", sent_at=sent)
                ResponseFactory(invitation=invitation, csat_score=score, submitted_at=sent)
    refresh_health()
    return manager, anna, accounts


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_filters_by_kam_and_clicks_through_the_matrix(live_server, page):
    from playwright.sync_api import expect

    manager, anna, accounts = _portfolio()
    url = live_server.url

    page.goto(f"{url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.fill("#id_username", manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{url}/")
    expect(page.locator("h1")).to_contain_text("Portfolio dashboard")
    # The manager's two KAMs, not the other team's account.
    at_risk = page.locator("#at-risk li")
    expect(at_risk).to_have_count(5)
    expect(page.locator("#at-risk")).not_to_contain_text("Hôpital du Léman")
    expect(page.locator("#matrix-legend")).to_contain_text("at risk")
    page.wait_for_function("() => Chart.getChart(document.getElementById('matrix-chart')) !== undefined")
    _shot(page, "01-manager")

    # Filter to Anna: the URL carries the filter, the figures and the matrix follow it.
    page.select_option("#id_owner", str(anna.pk))
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(rf"/\?(.*&)?owner={anna.pk}(&|$)"))
    expect(page.locator("#id_owner")).to_have_value(str(anna.pk))
    expect(at_risk).to_have_count(3)
    expect(page.locator("#at-risk")).not_to_contain_text("Alsterdorf")
    csv_link = page.get_by_role("link", name="CSV")
    expect(csv_link).to_have_attribute("href", re.compile(rf"owner={anna.pk}"))
    names = page.evaluate(
        "() => Chart.getChart(document.getElementById('matrix-chart')).data.datasets[0].data.map(p => p.name)"
    )
    assert sorted(names) == ["Klinikum Donauried", "Stern-Apotheke Rosenheim", "Universitätsklinikum Isartal"]
    # The bubbles are coloured by health band.
    colours = page.evaluate(
        "() => Chart.getChart(document.getElementById('matrix-chart')).data.datasets[0].borderColor"
    )
    assert set(colours) <= {"#1e7e34", "#e08e0b", "#b02a37"}
    _shot(page, "02-filtered-to-anna")

    # Click the first bubble: where Chart.js drew it, on the page.
    page.locator("#matrix-chart").scroll_into_view_if_needed()
    target = page.evaluate(
        """() => {
            const canvas = document.getElementById('matrix-chart');
            const chart = Chart.getChart(canvas);
            const point = chart.getDatasetMeta(0).data[0];
            const box = canvas.getBoundingClientRect();
            return {x: box.left + point.x, y: box.top + point.y, url: chart.data.datasets[0].data[0].url,
                    name: chart.data.datasets[0].data[0].name};
        }"""
    )
    assert target["name"] == "Universitätsklinikum Isartal"  # the most attractive comes first
    page.mouse.move(target["x"], target["y"])
    expect(page.locator("#matrix-chart")).to_have_css("cursor", "pointer")
    page.mouse.click(target["x"], target["y"])
    account = accounts["Universitätsklinikum Isartal"]
    expect(page).to_have_url(f"{url}{account.get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text("Universitätsklinikum Isartal")
    health = page.locator("#health")
    expect(health).to_contain_text("Account health")
    expect(health).to_contain_text(re.compile(r"computed (now|.* ago)"))
    expect(health.locator("tr[data-part]")).to_have_count(5)
    expect(health.locator("tr[data-part='revenue']")).to_contain_text("Close the gap")
    _shot(page, "03-account-health")

    # The dashboard printed: charts redrawn at paper size, tables opened.
    page.goto(f"{url}/?owner={anna.pk}")
    page.wait_for_function("() => Chart.getChart(document.getElementById('revenue-chart')) !== undefined")
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("details.chart-table[open]")).to_have_count(3)
    # Every chart fits the printed card.
    assert page.evaluate(
        """() => Object.values(Chart.instances).every(
            c => c.width <= c.canvas.closest('.card').clientWidth && c.height <= 360)"""
    )
    _shot(page, "04-print")
    page.pdf(path=str(SCREENSHOTS / "dashboard-05-print.pdf"), format="A4", print_background=True)
