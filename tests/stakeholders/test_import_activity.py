"""Importing touchpoints (calls) and survey consent: matched on their keys, idempotent, on the
importer's side of the firewall, and only where the importer may record them."""

from __future__ import annotations

import pytest

from accounts.models import Account
from stakeholders.models import ConsentMethod, SurveyConsent, Touchpoint
from tests.stakeholder_factories import AffiliationFactory, PersonFactory, TouchpointFactory
from tests.stakeholders.import_files import csv_bytes, run_import, upload

pytestmark = pytest.mark.django_db

CALLS = [
    ["Call ID", "Account ID", "Call Date", "Call Type", "Notes", "Attendees"],
    ["CALL-1", "V-A", "31.12.2026", "Anruf", "Formulary timing", "C-1"],
    ["CALL-2", "V-A", "2026-11-30", "Visit", "=cmd", "c1@a.example"],
    ["CALL-3", "V-C", "2026-11-30", "Visit", "", ""],
    ["CALL-4", "V-A", "gestern", "Visit", "", ""],
]


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.IMPORT_FILES_ROOT = tmp_path


@pytest.fixture
def accounts(cast):
    Account.objects.filter(pk=cast.account_a.pk).update(crm_id="V-A")
    Account.objects.filter(pk=cast.account_c.pk).update(crm_id="V-C")
    return AffiliationFactory(account=cast.account_a, person=PersonFactory(external_id="C-1", email="c1@a.example"))


def test_it_imports_calls_at_visible_accounts_idempotently(cast, login, accounts, django_capture_on_commit_callbacks):
    client = login(cast.kam_a)
    data_import = run_import(client, django_capture_on_commit_callbacks, "touchpoints", "calls.csv", csv_bytes(CALLS))
    assert data_import.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    call = Touchpoint.objects.get(external_id="CALL-1")
    assert call.kind == "call" and call.date.isoformat() == "2026-12-31" and call.logged_by == cast.kam_a
    assert list(call.stakeholders.all()) == [accounts.person] and not call.is_medical
    assert Touchpoint.objects.get(external_id="CALL-2").summary == "=cmd"
    assert call.history.first().history_change_reason == f"Import #{data_import.pk} (calls.csv)"
    again = run_import(client, django_capture_on_commit_callbacks, "touchpoints", "calls.csv", csv_bytes(CALLS))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 2}


def test_it_puts_a_medical_colleagues_calls_behind_the_firewall(
    cast, login, accounts, django_capture_on_commit_callbacks
):
    from accounts.models import AccountTeamMember, TeamFunction

    AccountTeamMember.objects.create(account=cast.account_a, user=cast.medical, function=TeamFunction.MSL)
    run_import(
        login(cast.medical), django_capture_on_commit_callbacks, "touchpoints", "calls.csv", csv_bytes(CALLS[:2])
    )
    assert Touchpoint.objects.get(external_id="CALL-1").is_medical


def test_it_leaves_a_colleagues_call_alone(cast, login, accounts, django_capture_on_commit_callbacks):
    TouchpointFactory(account=cast.account_a, logged_by=cast.kam_b, external_id="CALL-1", summary="Theirs")
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "touchpoints", "calls.csv", csv_bytes(CALLS[:2])
    )
    assert data_import.counts["rejected"] == 1
    assert Touchpoint.objects.get(external_id="CALL-1").summary == "Theirs"


CONSENTS = [
    ["Contact ID", "E-Mail", "Erteilt am", "Quelle", "Wortlaut", "Widerrufen"],
    ["C-1", "", "15.10.2026", "Signed form at the visit", "I agree to short surveys.", ""],
    ["", "c1@a.example", "2026-09-01", "Congress booth", "Ja zu Umfragen.", "01.11.2026"],
    ["C-404", "", "15.10.2026", "Form", "I agree.", ""],
]


def test_it_imports_consent_and_withdrawals_idempotently(cast, login, accounts, django_capture_on_commit_callbacks):
    client = login(cast.kam_a)
    data_import = run_import(client, django_capture_on_commit_callbacks, "consent", "consent.csv", csv_bytes(CONSENTS))
    assert data_import.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    open_one = SurveyConsent.objects.get(source="Signed form at the visit")
    assert open_one.method == ConsentMethod.IMPORTED and open_one.withdrawn_at is None
    assert open_one.given_at.date().isoformat() == "2026-10-15"
    assert SurveyConsent.objects.get(source="Congress booth").withdrawn_at.date().isoformat() == "2026-11-01"
    assert open_one.history.first().history_change_reason == f"Import #{data_import.pk} (consent.csv)"
    again = run_import(client, django_capture_on_commit_callbacks, "consent", "consent.csv", csv_bytes(CONSENTS))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 1}
    assert SurveyConsent.objects.count() == 2


def test_it_records_consent_only_where_the_importer_may(cast, login, accounts, django_capture_on_commit_callbacks):
    data_import = run_import(
        login(cast.kam_c), django_capture_on_commit_callbacks, "consent", "consent.csv", csv_bytes(CONSENTS)
    )
    assert data_import.counts["created"] == 0 and data_import.counts["rejected"] == 3
    assert not SurveyConsent.objects.exists()
    assert upload(login(cast.medical), "consent", "consent.csv", csv_bytes(CONSENTS)).status_code == 400
