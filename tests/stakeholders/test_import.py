"""The CRM import of accounts and stakeholders: dry run counts and rejections with their lines,
apply, an idempotent second run, the mapping remembered per layout, history naming the import,
and scoping to what the importer may edit or see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account, AccountType
from stakeholders.imports.models import DataImport, ImportMapping, ImportStatus
from stakeholders.imports.services import import_run
from stakeholders.models import Affiliation, Function, Person
from tests.factories import AccountFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory
from tests.stakeholders.import_files import CONTACTS, VEEVA_ACCOUNTS, csv_bytes, run_import, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.IMPORT_FILES_ROOT = tmp_path


def _rejected(data_import: DataImport) -> dict[int, str]:
    return dict(data_import.rejections.values_list("line", "reason"))


def test_it_dry_runs_a_veeva_account_export_without_writing(cast, login, django_capture_on_commit_callbacks):
    before = Account.objects.count()
    data_import = run_import(
        login(cast.kam_a),
        django_capture_on_commit_callbacks,
        "accounts",
        "veeva.csv",
        csv_bytes(VEEVA_ACCOUNTS),
        apply=False,
    )
    assert data_import.status == ImportStatus.CHECKED
    assert data_import.dry_run_counts == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 3}
    rejected = _rejected(data_import)
    assert set(rejected) == {6, 7, 8}
    assert "Spaceship" in rejected[6]
    assert "external id" in rejected[7]
    assert "zwölf" in rejected[8]
    assert Account.objects.count() == before


def test_it_applies_accounts_with_parents_types_and_owner(cast, login, django_capture_on_commit_callbacks):
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS)
    )
    assert data_import.status == ImportStatus.APPLIED
    assert data_import.counts == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 3}
    nord = Account.objects.get(crm_id="V-HOS-1")
    assert nord.parent.crm_id == "V-GRP-1"
    assert nord.owner == cast.kam_a and nord.beds == 820 and nord.address == "22417"
    assert Account.objects.get(crm_id="V-PHA-1").account_type == AccountType.PHARMACY
    assert Account.objects.get(crm_id="V-WHO-1").account_type == AccountType.WHOLESALER
    assert Account.objects.get(crm_id="V-PHA-1").city == "München"


def test_it_resolves_a_parent_further_down_the_file(cast, login, django_capture_on_commit_callbacks):
    rows = [VEEVA_ACCOUNTS[0], VEEVA_ACCOUNTS[2], VEEVA_ACCOUNTS[1]]  # the child before its parent
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "accounts", "a.csv", csv_bytes(rows)
    )
    assert data_import.counts["created"] == 2
    assert Account.objects.get(crm_id="V-HOS-1").parent.crm_id == "V-GRP-1"


def test_it_changes_nothing_on_a_second_import_of_the_same_file(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.kam_a)
    run_import(client, django_capture_on_commit_callbacks, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS))
    run_import(client, django_capture_on_commit_callbacks, "stakeholders", "contacts.csv", csv_bytes(CONTACTS))
    history = (Account.history.count(), Person.history.count(), Affiliation.history.count())
    again = run_import(client, django_capture_on_commit_callbacks, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 3}
    again = run_import(client, django_capture_on_commit_callbacks, "stakeholders", "c.csv", csv_bytes(CONTACTS))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 3}
    assert (Account.history.count(), Person.history.count(), Affiliation.history.count()) == history


def test_it_imports_several_affiliations_per_person(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.kam_a)
    run_import(client, django_capture_on_commit_callbacks, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS))
    data_import = run_import(
        client, django_capture_on_commit_callbacks, "stakeholders", "contacts.csv", csv_bytes(CONTACTS)
    )
    assert data_import.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 3}
    rejected = _rejected(data_import)
    assert "e-mail" in rejected[5] and "V-NOPE" in rejected[6] and "32.13.2025" in rejected[7]
    anna = Person.objects.get(external_id="C-1")
    assert anna.affiliations.count() == 2
    at_nord = anna.affiliations.get(account__crm_id="V-HOS-1")
    assert at_nord.function == Function.HEAD_OF_DEPARTMENT and at_nord.start_date.isoformat() == "2024-12-31"
    assert at_nord.position_title == "Chefärztin" and at_nord.category == "medical"
    assert Person.objects.get(external_id="C-2").last_name == "Weiß"
    # No language column: a new person speaks their account's country's language (the accounts are German).
    assert {p.preferred_language for p in Person.objects.filter(external_id__in=["C-1", "C-2"])} == {"de"}


def test_it_matches_a_person_by_email_and_updates_them(cast, login, django_capture_on_commit_callbacks):
    AccountFactory(crm_id="V-HOS-1", owner=cast.kam_a)
    known = AffiliationFactory(
        account=Account.objects.get(crm_id="V-HOS-1"),
        person=PersonFactory(email="a.brenner@nord.example", last_name="Old"),
    ).person
    rows = [["E-Mail", "Vorname", "Nachname", "Account ID"], ["a.brenner@nord.example", "Anna", "Brenner", "V-HOS-1"]]
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "stakeholders", "p.csv", csv_bytes(rows)
    )
    assert data_import.counts == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    known.refresh_from_db()
    assert known.last_name == "Brenner" and Person.objects.count() == Person.objects.filter(pk=known.pk).count() + (
        Person.objects.exclude(pk=known.pk).count()
    )
    assert Person.objects.filter(email="a.brenner@nord.example").count() == 1


def test_it_names_the_import_in_the_history(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.kam_a)
    accounts = run_import(
        client, django_capture_on_commit_callbacks, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS)
    )
    people = run_import(client, django_capture_on_commit_callbacks, "stakeholders", "contacts.csv", csv_bytes(CONTACTS))
    record = Account.objects.get(crm_id="V-HOS-1").history.first()
    assert record.history_change_reason == f"Import #{accounts.pk} (veeva.csv)"
    assert record.history_user == cast.kam_a
    anna = Person.objects.get(external_id="C-1")
    assert anna.history.first().history_change_reason == f"Import #{people.pk} (contacts.csv)"
    assert anna.affiliations.first().history.first().history_change_reason == f"Import #{people.pk} (contacts.csv)"


def test_it_proposes_a_mapping_and_remembers_the_layout(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.kam_a)
    upload(client, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS))
    proposed = DataImport.objects.get().mapping
    assert proposed == {
        "0": "crm_id",
        "1": "name",
        "2": "account_type",
        "3": "parent",
        "4": "city",
        "5": "postcode",
        "6": "country",
        "7": "beds",
    }
    # The user maps the city column away; the same layout, columns in another order, maps so next time.
    run_import(client, django_capture_on_commit_callbacks, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS), City="")
    assert ImportMapping.objects.count() == 1
    reordered = [[row[1], row[0], *row[2:]] for row in VEEVA_ACCOUNTS]
    upload(client, "accounts", "veeva-2.csv", csv_bytes(reordered))
    latest = DataImport.objects.order_by("-pk").first()
    assert latest.mapping == {
        "0": "name",
        "1": "crm_id",
        "2": "account_type",
        "3": "parent",
        "5": "postcode",
        "6": "country",
        "7": "beds",
    }


def test_it_refuses_a_mapping_without_the_required_fields(cast, login):
    client = login(cast.kam_a)
    upload(client, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS))
    data_import = DataImport.objects.get()
    response = client.post(data_import.get_absolute_url(), {"col_0": "", "col_1": "name"})
    assert response.status_code == 400
    assert "External id" in response.content.decode()
    assert DataImport.objects.get().status == ImportStatus.UPLOADED


def test_it_runs_an_applied_import_again_without_changing_anything(cast, login, django_capture_on_commit_callbacks):
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS)
    )
    count, history = Account.objects.count(), Account.history.count()
    assert import_run(import_id=data_import.pk, apply=True) is None
    assert (Account.objects.count(), Account.history.count()) == (count, history)
    data_import.refresh_from_db()
    assert data_import.counts["created"] == 4


def test_it_writes_only_accounts_the_importer_may_edit(cast, login, django_capture_on_commit_callbacks):
    AccountFactory(crm_id="V-HOS-1", owner=cast.kam_c, name="Kept as it was")
    rows = [VEEVA_ACCOUNTS[0], VEEVA_ACCOUNTS[2]]
    data_import = run_import(
        login(cast.kam_a),
        django_capture_on_commit_callbacks,
        "accounts",
        "a.csv",
        csv_bytes([[c for i, c in enumerate(r) if i != 3] for r in rows]),
    )
    assert data_import.counts["rejected"] == 1
    assert "may not edit" in _rejected(data_import)[2]
    assert Account.objects.get(crm_id="V-HOS-1").name == "Kept as it was"


def test_it_assigns_only_owners_the_importer_may_assign(cast, login, django_capture_on_commit_callbacks):
    rows = [
        ["ID", "Name", "Type", "Owner"],
        ["X-1", "Klinik Eins", "hospital", cast.kam_b.username],
        ["X-2", "Klinik Zwei", "hospital", cast.kam_c.username],
    ]
    data_import = run_import(
        login(cast.manager_a), django_capture_on_commit_callbacks, "accounts", "o.csv", csv_bytes(rows)
    )
    assert Account.objects.get(crm_id="X-1").owner == cast.kam_b
    assert not Account.objects.filter(crm_id="X-2").exists()
    assert "owner" in _rejected(data_import)[3]


def test_it_makes_affiliations_only_at_accounts_the_importer_can_see(cast, login, django_capture_on_commit_callbacks):
    Account.objects.filter(pk=cast.account_c.pk).update(crm_id="V-C")
    rows = [["Contact ID", "First Name", "Last Name", "Account ID"], ["C-9", "Ola", "Nord", "V-C"]]
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "stakeholders", "c.csv", csv_bytes(rows)
    )
    assert data_import.counts["rejected"] == 1
    assert not Person.objects.filter(external_id="C-9").exists()


def test_it_does_not_take_over_a_person_known_only_to_another_team(cast, login, django_capture_on_commit_callbacks):
    Account.objects.filter(pk=cast.account_a.pk).update(crm_id="V-A")
    other = AffiliationFactory(account=cast.account_c, person=PersonFactory(email="x@c.example", last_name="C")).person
    rows = [["E-Mail", "First Name", "Last Name", "Account ID"], ["x@c.example", "X", "Changed", "V-A"]]
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "stakeholders", "c.csv", csv_bytes(rows)
    )
    assert data_import.counts["rejected"] == 1
    other.refresh_from_db()
    assert other.last_name == "C" and other.affiliations.count() == 1


def test_it_keeps_medical_colleagues_from_importing_accounts_or_stance(cast, login):
    client = login(cast.medical)
    response = upload(client, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS))
    assert response.status_code == 400 and not DataImport.objects.exists()
    rows = [["Contact ID", "First Name", "Last Name", "Account ID", "Stance", "Influence"]]
    assert upload(client, "stakeholders", "c.csv", csv_bytes(rows)).status_code == 302
    data_import = DataImport.objects.get()
    assert set(data_import.mapping.values()) == {"person_external_id", "first_name", "last_name", "account"}
    response = client.post(
        data_import.get_absolute_url(),
        {
            "col_0": "person_external_id",
            "col_1": "first_name",
            "col_2": "last_name",
            "col_3": "account",
            "col_4": "stance",
        },
    )
    assert response.status_code == 400


def test_it_shows_each_import_to_its_uploader_only(cast, login):
    upload(login(cast.kam_a), "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS))
    data_import = DataImport.objects.get()
    client = login(cast.manager_a)
    assert client.get(data_import.get_absolute_url()).status_code == 404
    assert client.get(reverse("stakeholders:import-progress", args=[data_import.pk])).status_code == 404
    assert client.post(reverse("stakeholders:import-apply", args=[data_import.pk])).status_code == 404


def test_it_lists_rejected_rows_for_download(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.kam_a)
    data_import = run_import(
        client, django_capture_on_commit_callbacks, "accounts", "veeva.csv", csv_bytes(VEEVA_ACCOUNTS), apply=False
    )
    response = client.get(reverse("stakeholders:import-rejections", args=[data_import.pk]))
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith('"Account ID","Account Name"') and lines[0].endswith('"line","reason"')
    assert len(lines) == 4 and '"Klinikum Süd"' in lines[1] and '"6"' in lines[1]


def test_it_does_not_bring_back_a_person_erased_on_request(cast, login, django_capture_on_commit_callbacks):
    from stakeholders.privacy import person_erase

    Account.objects.filter(pk=cast.account_a.pk).update(crm_id="V-A")
    person = AffiliationFactory(account=cast.account_a, person=PersonFactory(external_id="C-1")).person
    person_erase(person=person, by=cast.admin)
    rows = [["Contact ID", "First Name", "Last Name", "Account ID"], ["C-1", "Back", "Again", "V-A"]]
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "stakeholders", "c.csv", csv_bytes(rows)
    )
    assert data_import.status == ImportStatus.APPLIED
    assert "erased" in _rejected(data_import)[2]
    assert not Person.objects.filter(last_name="Again").exists()
