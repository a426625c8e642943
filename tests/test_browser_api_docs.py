"""In a real browser: the API's docs page (Swagger UI from drf-spectacular-sidecar) loads only our
own static files and runs under the site's Content-Security-Policy, unchanged (script-src 'self'),
and creating a token on the API tokens page shows it once. Screenshot under test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser_support import shot
from tests.factories import AccountFactory, UserFactory
from tests.test_browser_security import _watch


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_page_runs_under_the_policy(live_server, page):
    from playwright.sync_api import expect

    kam = UserFactory(username="kam.api")
    AccountFactory(owner=kam)
    url = live_server.url
    problems = _watch(page)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(url) else None)

    page.goto(f"{url}/login/")
    page.fill("#id_username", kam.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button:has-text('Log in')")
    page.goto(f"{url}/api-tokens/")
    page.fill("#id_name", "Browser check")
    page.click("button:has-text('Create token')")
    expect(page.get_by_test_id("new-token")).to_contain_text("kam_")

    page.goto(f"{url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("KAM Planner API", timeout=15_000)
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    shot(page, "api-docs")
    assert not problems, problems
    assert not outside, f"the docs page loaded from elsewhere: {outside}"
