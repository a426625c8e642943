"""Shared Playwright fixtures for the browser tests: Debian's Chromium, one browser per test, a
desktop page, and screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in the test thread; the ORM calls stay synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM = os.environ.get("KAM_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright's event loop is set, Django keeps this thread's database connections
            # per context (asgiref treats the thread as async), so the test body opened a connection
            # that Django's own teardown cannot see. Close it here, or dropping the test database fails.
            connections.close_all()


@pytest.fixture
def page(browser):
    page = browser.new_context(viewport=DESKTOP, locale="en-GB").new_page()
    page.set_default_timeout(15_000)
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
