"""The transfer-of-value disclosure meets the list exports' bar: CSV and XLSX, no shared cache,
formula payloads neutralised, medical transfers for the medical side only, a fixed query count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from stakeholders.models import Person
from tests.export_helpers import PAYLOADS, assert_xlsx_neutralised, csv_body, xlsx_rows
from tests.factories import AccountFactory, TeamMemberFactory
from tests.stakeholder_factories import PersonFactory, TouchpointFactory, TransferOfValueFactory


def _export(client, fmt, **query):
    return client.get(reverse("stakeholders:tov-export-as", args=[fmt]), {"year": "2025", **query})


def test_the_csv_is_kept_by_no_shared_cache(cast, login):
    response = login(cast.kam_a).get(reverse("stakeholders:tov-export"), {"year": "2025"})
    assert response["Cache-Control"] == "private, no-store"
    csv_body(response)


def test_the_xlsx_holds_the_disclosure_rows_with_amounts_as_numbers(cast, login):
    person = PersonFactory(first_name="Eva", last_name="Brenner")
    touchpoint = TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, date=date(2025, 3, 1))
    TransferOfValueFactory(touchpoint=touchpoint, recipient_person=person, amount=Decimal("100.25"))
    TransferOfValueFactory(touchpoint=touchpoint, recipient_person=person, amount=Decimal("30.00"))
    (row,) = xlsx_rows(_export(login(cast.kam_a), "xlsx"))
    assert (row["Recipient"], row["Total amount"], row["Transfers"], row["Disclosure consent"]) == (
        "Dr. Eva Brenner",
        130.25,
        2,
        True,
    )


def test_the_xlsx_is_scoped_and_keeps_medical_transfers_on_the_medical_side(cast, login):
    TeamMemberFactory(account=cast.account_a, user=cast.medical)
    ours = TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, date=date(2025, 3, 1))
    medical = TouchpointFactory(account=cast.account_a, logged_by=cast.medical, date=date(2025, 3, 2))
    theirs = TouchpointFactory(account=cast.account_c, logged_by=cast.kam_c, date=date(2025, 3, 3))
    TransferOfValueFactory(touchpoint=ours, expense_record_id="OURS")
    TransferOfValueFactory(touchpoint=medical, expense_record_id="MEDICAL")
    TransferOfValueFactory(touchpoint=theirs, expense_record_id="THEIRS")
    ids = lambda user: sorted(r["Expense record ids"] for r in xlsx_rows(_export(login(user), "xlsx")))  # noqa: E731
    assert ids(cast.kam_a) == ["OURS"]
    assert ids(cast.medical) == ["MEDICAL", "OURS"]
    assert ids(cast.admin) == ["MEDICAL", "OURS", "THEIRS"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_neutralised_in_the_xlsx(cast, login, payload):
    account = AccountFactory(owner=cast.kam_a, name=payload)
    touchpoint = TouchpointFactory(account=account, logged_by=cast.kam_a, date=date(2025, 3, 1))
    TransferOfValueFactory(
        touchpoint=touchpoint, recipient_person=None, recipient_organisation=account, expense_record_id=payload
    )
    assert_xlsx_neutralised(_export(login(cast.kam_a), "xlsx"), payload)


def test_a_stored_non_character_in_a_recipient_still_exports(cast, login):
    person = PersonFactory(first_name="Eva", last_name="Brenner")
    Person.objects.filter(pk=person.pk).update(last_name="Bren\uffffner\x0b")
    touchpoint = TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, date=date(2025, 3, 1))
    TransferOfValueFactory(touchpoint=touchpoint, recipient_person=person)
    assert xlsx_rows(_export(login(cast.kam_a), "xlsx"))[0]["Recipient"] == "Dr. Eva Brenner"
    assert "Dr. Eva Brenner" in csv_body(login(cast.kam_a).get(reverse("stakeholders:tov-export"), {"year": "2025"}))


def test_a_bad_year_or_format_is_refused(cast, login):
    response = _export(login(cast.kam_a), "xlsx", year="<b>20x5</b>")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert _export(login(cast.kam_a), "pdf").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_disclosure_costs_a_fixed_number_of_queries(cast, login, fmt, django_assert_max_num_queries):
    for _n in range(30):
        touchpoint = TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, date=date(2025, 3, 1))
        TransferOfValueFactory(touchpoint=touchpoint)
    client = login(cast.kam_a)
    # Session, user; the transfers with their recipients.
    with django_assert_max_num_queries(3):
        response = _export(client, fmt)
    if fmt == "xlsx":
        assert len(xlsx_rows(response)) == 30
    else:
        assert csv_body(response).count("\n") == 31
