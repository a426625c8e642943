"""The DMU table and the touchpoint lists as CSV and XLSX: scoped, behind the firewall, filtered as
on the page, safe to open in a spreadsheet program."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kam.models import Role
from kam.spreadsheet import csv_text
from stakeholders.models import DmuRole, Person, TouchpointKind
from tests.export_helpers import (
    PAYLOADS,
    assert_xlsx_neutralised,
    csv_body,
    csv_header,
    csv_rows,
    xlsx_rows,
)
from tests.factories import TeamMemberFactory, UserFactory
from tests.stakeholder_factories import (
    AffiliationFactory,
    CoverageFactory,
    PersonFactory,
    TouchpointFactory,
    TransferOfValueFactory,
)
from tests.test_formula_injection import assert_no_formula_cell


def _dmu(client, account, fmt="csv", **query):
    return client.get(reverse("stakeholders:dmu-export", args=[account.pk, fmt]), query)


def _touchpoints(client, account, fmt="csv", **query):
    return client.get(reverse("stakeholders:touchpoints-export", args=[account.pk, fmt]), query)


def _person_touchpoints(client, person, fmt="csv", **query):
    return client.get(reverse("stakeholders:person-touchpoints-export", args=[person.pk, fmt]), query)


@pytest.fixture
def medical(cast):
    """A medical colleague with a seat on account A."""
    TeamMemberFactory(account=cast.account_a, user=cast.medical)
    return cast.medical


# --- The DMU table -------------------------------------------------------------------------------


def test_it_exports_the_dmu_as_the_page_lists_it(cast, login):
    chief = AffiliationFactory(
        account=cast.account_a,
        person=PersonFactory(first_name="Eva", last_name="Brenner"),
        dmu_role=DmuRole.DECISION_MAKER,
        influence=5,
        stance=2,
    )
    AffiliationFactory(account=cast.account_a, person=PersonFactory(last_name="Adler"), influence=2)
    CoverageFactory(affiliation=chief, user=cast.kam_a, strength=5)
    rows = csv_rows(_dmu(login(cast.kam_a), cast.account_a))
    assert [r["Name"] for r in rows] == ["Dr. Eva Brenner", rows[1]["Name"]]  # by influence, as the page
    assert "Adler" in rows[1]["Name"]
    first = rows[0]
    assert (first["DMU role"], first["Influence"], first["Stance"], first["Covered by"]) == (
        "Decision maker",
        "5",
        "Strongly favourable towards our proposals",
        f"{cast.kam_a} (5)",
    )
    xlsx = xlsx_rows(_dmu(login(cast.kam_a), cast.account_a, "xlsx"))
    assert [r["Name"] for r in xlsx] == [r["Name"] for r in rows]
    assert xlsx[0]["Influence"] == 5


def test_it_answers_404_for_another_teams_account(cast, login):
    AffiliationFactory(account=cast.account_c)
    assert _dmu(login(cast.kam_a), cast.account_c).status_code == 404
    assert _dmu(login(cast.kam_a), cast.account_c, "xlsx").status_code == 404
    assert _touchpoints(login(cast.kam_a), cast.account_c).status_code == 404
    assert _dmu(login(cast.kam_c), cast.account_c).status_code == 200


def test_it_honours_the_pages_filters_and_sort(cast, login):
    AffiliationFactory(account=cast.account_a, person=PersonFactory(last_name="Zander"), dmu_role=DmuRole.BUYER)
    AffiliationFactory(account=cast.account_a, person=PersonFactory(last_name="Berg"), dmu_role=DmuRole.USER)
    AffiliationFactory(account=cast.account_a, person=PersonFactory(last_name="Auer"), dmu_role=DmuRole.BUYER)
    client = login(cast.kam_a)
    rows = csv_rows(_dmu(client, cast.account_a, role="buyer", sort="name"))
    assert [r["Name"].split()[-1] for r in rows] == ["Auer", "Zander"]
    rows = xlsx_rows(_dmu(client, cast.account_a, "xlsx", role="user"))
    assert [r["Name"].split()[-1] for r in rows] == ["Berg"]


def test_it_leaves_people_who_left_out_unless_asked(cast, login):
    AffiliationFactory(account=cast.account_a, person=PersonFactory(last_name="Gone"), end_date=date(2025, 1, 1))
    client = login(cast.kam_a)
    assert csv_rows(_dmu(client, cast.account_a)) == []
    assert [r["Left on"] for r in csv_rows(_dmu(client, cast.account_a, ended="on"))] == ["2025-01-01"]


@pytest.mark.parametrize("query", [{"role": "<script>alert(1)</script>"}, {"sort": "=1+1"}, {"stance": "x"}])
def test_a_filter_it_does_not_understand_is_a_plain_text_400(cast, login, query):
    response = _dmu(login(cast.kam_a), cast.account_a, **query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "These filters were not understood" in response.content.decode()


def test_medical_colleagues_get_no_stance_and_cannot_filter_by_it(cast, login, medical):
    AffiliationFactory(account=cast.account_a, stance=2, person=PersonFactory(last_name="Fan"))
    AffiliationFactory(account=cast.account_a, stance=-2, person=PersonFactory(last_name="Foe"))
    commercial = csv_header(_dmu(login(cast.kam_a), cast.account_a))
    assert "Stance" in commercial
    response = _dmu(login(medical), cast.account_a, stance="2")
    assert "Stance" not in csv_header(response)
    body = csv_body(_dmu(login(medical), cast.account_a, stance="2"))
    assert "favourable" not in body
    # Filtering by stance would tell the stance: the filter is ignored, as on the page.
    assert sorted(r["Name"].split()[-1] for r in csv_rows(_dmu(login(medical), cast.account_a, stance="2"))) == [
        "Fan",
        "Foe",
    ]
    assert "Stance" not in xlsx_rows(_dmu(login(medical), cast.account_a, "xlsx"))[0]


def test_which_medical_colleague_covers_someone_is_for_the_medical_side(cast, login, medical):
    a = AffiliationFactory(account=cast.account_a)
    CoverageFactory(affiliation=a, user=medical, strength=3)
    kam = csv_rows(_dmu(login(cast.kam_a), cast.account_a))[0]
    assert kam["Medical contact exists"] == "yes"
    assert "Medical contacts" not in kam
    assert str(medical) not in csv_body(_dmu(login(cast.kam_a), cast.account_a))
    assert csv_rows(_dmu(login(medical), cast.account_a))[0]["Medical contacts"] == f"{medical} (3)"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_neutralised_in_the_dmu_csv_and_xlsx(cast, login, payload):
    AffiliationFactory(
        account=cast.account_a, person=PersonFactory(first_name="A", last_name=payload), department=payload
    )
    client = login(cast.kam_a)
    body = csv_body(_dmu(client, cast.account_a))
    assert_no_formula_cell(body)
    rows = csv_rows(_dmu(client, cast.account_a))
    assert rows[0]["Department"] == csv_text(payload)
    assert_xlsx_neutralised(_dmu(client, cast.account_a, "xlsx"), payload)


def test_a_stored_non_character_does_not_break_the_export(cast, login):
    person = PersonFactory(first_name="Eva", last_name="Bren\uffffner")
    Person.objects.filter(pk=person.pk).update(last_name="Bren\uffffner\x0b")  # as stored, past any form
    AffiliationFactory(account=cast.account_a, person=person)
    client = login(cast.kam_a)
    assert csv_rows(_dmu(client, cast.account_a))[0]["Name"] == "Dr. Eva Brenner"
    assert xlsx_rows(_dmu(client, cast.account_a, "xlsx"))[0]["Name"] == "Dr. Eva Brenner"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_dmu_export_costs_a_fixed_number_of_queries(cast, login, fmt, django_assert_max_num_queries):
    for n in range(30):
        a = AffiliationFactory(account=cast.account_a, person=PersonFactory(last_name=f"P{n:02d}"))
        CoverageFactory(affiliation=a, user=cast.kam_a)
        TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, stakeholders=[a.person])
    client = login(cast.kam_a)
    # Session, user, account; affiliations with people, their coverage, their overrides.
    with django_assert_max_num_queries(6):
        response = _dmu(client, cast.account_a, fmt)
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert len(rows) == 30


def test_an_unknown_format_is_a_404(cast, login):
    assert _dmu(login(cast.kam_a), cast.account_a, "pdf").status_code == 404


# --- Touchpoints --------------------------------------------------------------------------------


@pytest.fixture
def msl_touchpoint(cast, medical):
    person = PersonFactory(last_name="Kern")
    AffiliationFactory(account=cast.account_a, person=person)
    touchpoint = TouchpointFactory(
        account=cast.account_a,
        logged_by=medical,
        date=date(2026, 3, 2),
        kind=TouchpointKind.ADVISORY_BOARD,
        summary="Medical: trial design",
        next_step="Medical: send the protocol",
        stakeholders=[person],
    )
    TransferOfValueFactory(touchpoint=touchpoint, recipient_person=person, expense_record_id="EXP-MED")
    return touchpoint


def test_commercial_colleagues_see_that_a_medical_touchpoint_happened_not_what_or_who(cast, login, msl_touchpoint):
    TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, date=date(2026, 3, 1), summary="Price talk")
    client = login(cast.kam_a)
    rows = csv_rows(_touchpoints(client, cast.account_a))
    medical_row, commercial_row = rows
    assert (medical_row["Date"], medical_row["Medical"], medical_row["Kind"]) == ("2026-03-02", "yes", "Advisory board")
    for column in ("Stakeholders met", "Our participants", "Logged by", "Summary", "Next step", "Transfers of value"):
        assert medical_row[column] == "", column
    assert commercial_row["Summary"] == "Price talk"
    body = csv_body(_touchpoints(client, cast.account_a))
    assert "Medical:" not in body and "EXP-MED" not in body and str(cast.medical) not in body
    xlsx = xlsx_rows(_touchpoints(client, cast.account_a, "xlsx"))
    assert xlsx[0]["Summary"] is None and xlsx[0]["Logged by"] is None


def test_medical_colleagues_and_administrators_read_medical_touchpoints(cast, login, medical, msl_touchpoint):
    for user in (medical, cast.admin):
        row = csv_rows(_touchpoints(login(user), cast.account_a))[0]
        assert row["Summary"] == "Medical: trial design"
        assert row["Logged by"] == str(medical)
        assert "Kern" in row["Stakeholders met"]
        assert "EXP-MED" in row["Transfers of value"]


def test_a_persons_export_leaves_out_medical_touchpoints_for_commercial_colleagues(
    cast, login, medical, msl_touchpoint
):
    person = msl_touchpoint.stakeholders.get()
    TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, stakeholders=[person], summary="Visit")
    # Listed under the person, the medical touchpoint would say whom medical met.
    assert [r["Summary"] for r in csv_rows(_person_touchpoints(login(cast.kam_a), person))] == ["Visit"]
    assert len(csv_rows(_person_touchpoints(login(medical), person))) == 2


def test_a_persons_export_holds_only_touchpoints_at_accounts_the_user_sees(cast, login):
    person = PersonFactory()
    AffiliationFactory(account=cast.account_a, person=person)
    AffiliationFactory(account=cast.account_c, person=person)
    TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, stakeholders=[person], summary="Ours")
    TouchpointFactory(account=cast.account_c, logged_by=cast.kam_c, stakeholders=[person], summary="Theirs")
    assert [r["Summary"] for r in csv_rows(_person_touchpoints(login(cast.kam_a), person))] == ["Ours"]
    assert [r["Summary"] for r in xlsx_rows(_person_touchpoints(login(cast.kam_c), person, "xlsx"))] == ["Theirs"]
    outsider = PersonFactory()
    AffiliationFactory(account=cast.account_c, person=outsider)
    assert _person_touchpoints(login(cast.kam_a), outsider).status_code == 404


def test_touchpoints_are_filtered_by_date_and_kind(cast, login):
    for day, kind in [(date(2026, 1, 5), "visit"), (date(2026, 2, 5), "call"), (date(2026, 3, 5), "visit")]:
        TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, date=day, kind=kind)
    client = login(cast.kam_a)
    rows = csv_rows(_touchpoints(client, cast.account_a, date_from="2026-02-01", kind="visit"))
    assert [r["Date"] for r in rows] == ["2026-03-05"]
    rows = xlsx_rows(_touchpoints(client, cast.account_a, "xlsx", date_to="2026-02-28"))
    assert [r["Date"].date() for r in rows] == [date(2026, 2, 5), date(2026, 1, 5)]


@pytest.mark.parametrize(
    "query",
    [{"date_from": "yesterday"}, {"kind": "=1+1"}, {"date_from": "2026-03-01", "date_to": "2026-01-01"}],
)
def test_a_bad_touchpoint_filter_is_a_plain_text_400(cast, login, query):
    response = _touchpoints(login(cast.kam_a), cast.account_a, **query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_neutralised_in_the_touchpoint_csv_and_xlsx(cast, login, payload):
    person = PersonFactory(first_name="A", last_name=payload)
    AffiliationFactory(account=cast.account_a, person=person)
    TouchpointFactory(
        account=cast.account_a, logged_by=cast.kam_a, stakeholders=[person], summary=payload, next_step=payload
    )
    client = login(cast.kam_a)
    assert_no_formula_cell(csv_body(_touchpoints(client, cast.account_a)))
    row = csv_rows(_person_touchpoints(client, person))[0]
    assert (row["Summary"], row["Next step"]) == (csv_text(payload), csv_text(payload))
    assert_xlsx_neutralised(_touchpoints(client, cast.account_a, "xlsx"), payload)


def test_a_stored_non_character_in_a_touchpoint_still_exports(cast, login):
    TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, summary="Vis\uffffit\x0b")
    client = login(cast.kam_a)
    assert csv_rows(_touchpoints(client, cast.account_a))[0]["Summary"] == "Visit"
    assert xlsx_rows(_touchpoints(client, cast.account_a, "xlsx"))[0]["Summary"] == "Visit"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_touchpoint_export_costs_a_fixed_number_of_queries(cast, login, fmt, django_assert_max_num_queries):
    colleague = UserFactory(role=Role.KAM)
    for _n in range(30):
        person = PersonFactory()
        AffiliationFactory(account=cast.account_a, person=person)
        t = TouchpointFactory(
            account=cast.account_a, logged_by=cast.kam_a, participants=[cast.kam_a, colleague], stakeholders=[person]
        )
        TransferOfValueFactory(touchpoint=t, recipient_person=person)
    client = login(cast.kam_a)
    # Session, user, account; touchpoints, their participants, people met, transfers.
    with django_assert_max_num_queries(7):
        response = _touchpoints(client, cast.account_a, fmt)
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert len(rows) == 30
