"""In a real browser: a KAM uploads a Veeva account export, checks the proposed mapping, runs the dry
run and applies it while the progress card updates by itself, imports the contacts export the same
way and finds the accounts and people. Screenshots under test-artifacts/screenshots/import-NN-*.png.

The worker is played by the test: the enqueue is stubbed, so the page shows the run under way until
the test runs ``import_run`` itself, and the htmx polling (no inline script) picks up the result."""

from __future__ import annotations

import re

import pytest

from stakeholders.imports import services
from stakeholders.imports.models import DataImport
from stakeholders.models import Person
from tests.browser_support import shot
from tests.factories import UserFactory
from tests.stakeholders.import_files import CONTACTS, VEEVA_ACCOUNTS, csv_bytes


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.IMPORT_FILES_ROOT = tmp_path


def _import(page, url: str, kind: str, name: str, content: bytes, shots: str) -> DataImport:
    from playwright.sync_api import expect

    page.goto(f"{url}/stakeholders/imports/")
    page.select_option("#id_kind", kind)
    page.set_input_files("#id_file", {"name": name, "mimeType": "text/csv", "buffer": content})
    page.click("#upload-form button")
    expect(page.locator("#mapping-form")).to_be_visible()
    data_import = DataImport.objects.order_by("-pk").first()
    shot(page, f"import-{shots}1-mapping")
    page.click("#dry-run")
    expect(page.locator("#import-progress [role=progressbar]")).to_be_visible()
    shot(page, f"import-{shots}2-dry-run-under-way")
    services.import_run(import_id=data_import.pk, apply=False)
    expect(page.locator("#dry-run-counts")).to_be_visible()
    shot(page, f"import-{shots}3-dry-run")
    page.click("#apply")
    expect(page.locator("#import-progress [role=progressbar]")).to_be_visible()
    services.import_run(import_id=data_import.pk, apply=True)
    expect(page.locator("#applied-counts")).to_be_visible()
    shot(page, f"import-{shots}4-applied")
    return data_import


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kam_imports_accounts_and_people_from_the_crm(live_server, page, monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setattr(services, "_enqueue", lambda *args, **kwargs: None)
    kam = UserFactory(username="kam.import")
    url = live_server.url
    page.goto(f"{url}/stakeholders/imports/")
    page.fill("#id_username", kam.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{url}/stakeholders/imports/")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    _import(page, url, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS), "0")
    expect(page.locator("#applied-counts")).to_contain_text("4 created")
    expect(page.locator("#rejections")).to_contain_text("Spaceship")

    _import(page, url, "stakeholders", "contacts.csv", csv_bytes(CONTACTS, delimiter=";", encoding="cp1252"), "1")
    expect(page.locator("#applied-counts")).to_contain_text("3 created")

    page.goto(f"{url}/accounts/")
    expect(page.locator("body")).to_contain_text("Klinikum Nord")
    expect(page.locator("body")).to_contain_text("Stern-Apotheke")
    anna = Person.objects.get(external_id="C-1")
    page.goto(f"{url}{anna.get_absolute_url()}")
    expect(page.locator("body")).to_contain_text("Brenner")
    expect(page.locator("body")).to_contain_text("Klinikum Nord")
    page.goto(f"{url}{Person.objects.get(external_id='C-2').get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text(re.compile("Weiß"))
    shot(page, "import-20-person")
    assert not [e for e in errors if "Content Security Policy" in e], errors
