"""The import's background run: chunked, with its progress stored as it goes and polled by the page;
the dry run's counts hold across chunk boundaries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stakeholders.imports import services
from stakeholders.imports.models import DataImport, ImportStatus
from stakeholders.models import Affiliation, Person
from tests.factories import AccountFactory
from tests.stakeholders.import_files import csv_bytes, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.IMPORT_FILES_ROOT = tmp_path


def test_it_counts_the_same_in_the_dry_run_and_the_apply_across_chunks(
    cast, login, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "CHUNK", 2)
    for crm_id in ("K1", "K2", "K3"):
        AccountFactory(crm_id=crm_id, owner=cast.kam_a)
    rows = [["Contact ID", "First Name", "Last Name", "Account ID"]]
    # The same people in several chunks, at the same and at other accounts.
    for account in ("K1", "K2", "K1", "K3"):
        rows += [["P1", "Pia", "Eins", account], ["P2", "Paul", "Zwei", account]]
    seen: list[int] = []
    update = DataImport.objects.filter

    def spy(*args, **kwargs):
        query = update(*args, **kwargs)
        original = query.update

        def record(**values):
            if "rows_done" in values and "status" not in values:
                seen.append(values["rows_done"])
            return original(**values)

        query.update = record
        return query

    monkeypatch.setattr(DataImport.objects, "filter", spy)
    data_import = run_import(
        login(cast.kam_a), django_capture_on_commit_callbacks, "stakeholders", "p.csv", csv_bytes(rows)
    )
    expected = {"created": 6, "updated": 0, "unchanged": 2, "rejected": 0}
    assert data_import.dry_run_counts == expected and data_import.counts == expected
    assert seen == [2, 4, 6, 8, 8] * 2  # after each chunk, in the dry run and in the apply
    assert Person.objects.filter(external_id__in=["P1", "P2"]).count() == 2
    assert Affiliation.objects.filter(person__external_id="P1").count() == 3


def test_it_polls_the_progress_while_running_and_stops_when_done(cast, login):
    data_import = DataImport.objects.create(
        user=cast.kam_a,
        kind="accounts",
        file_name="a.csv",
        stored_name="a.csv",
        file_format="csv",
        headers=["ID"],
        status=ImportStatus.APPLYING,
        rows_total=200,
        rows_done=50,
    )
    client = login(cast.kam_a)
    url = reverse("stakeholders:import-progress", args=[data_import.pk])
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'aria-valuenow="25"' in page and "50 of about 200 rows" in page
    DataImport.objects.filter(pk=data_import.pk).update(
        status=ImportStatus.APPLIED, counts={"created": 200, "updated": 0, "unchanged": 0, "rejected": 0}
    )
    page = client.get(url).content.decode()
    assert "hx-get" not in page and "Applied: 200 created" in page
