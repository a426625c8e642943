"""The plan list with objectives and actions as CSV (one row per objective and action) and XLSX
(sheets plans, objectives, actions): scoped, filtered as the page, behind the firewall."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Account
from kam.spreadsheet import csv_text
from plans.models import PlanStatus
from stakeholders.models import SupportRequest, SupportStatus
from tests.export_helpers import PAYLOADS, assert_xlsx_neutralised, csv_body, csv_rows, workbook, xlsx_rows
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from tests.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory
from tests.test_formula_injection import assert_no_formula_cell


def _export(client, fmt="csv", **query):
    return client.get(reverse("plans:list-export", args=[fmt]), query)


@pytest.fixture
def plans(cast):
    plan_a = PlanFactory(account=cast.account_a, budget=Decimal("5000.00"))
    objective = ObjectiveFactory(plan=plan_a, title="List Oncoril")
    ActionFactory(plan=plan_a, objective=objective, title="Send the dossier")
    plan_c = PlanFactory(account=cast.account_c)
    ObjectiveFactory(plan=plan_c, title="Their objective")
    ActionFactory(plan=plan_c, title="Their action")
    return plan_a, plan_c


def test_the_xlsx_has_sheets_for_plans_objectives_and_actions(cast, login, plans):
    response = _export(login(cast.kam_a), "xlsx")
    assert workbook(response).sheetnames == ["Plans", "Objectives", "Actions"]
    (plan,) = xlsx_rows(response, "Plans")
    assert (plan["Account"], plan["Objectives"], plan["Actions"], plan["Plan budget"]) == ("Account A", 1, 1, 5000)
    (objective,) = xlsx_rows(response, "Objectives")
    assert (objective["Objective"], objective["Target"], objective["Due"].date()) == (
        "List Oncoril",
        30,
        date(2026, 12, 31),
    )
    (action,) = xlsx_rows(response, "Actions")
    assert (action["Action"], action["Objective served"], action["Owner"]) == (
        "Send the dossier",
        "List Oncoril",
        str(cast.kam_a),
    )


def test_the_csv_has_a_row_per_objective_and_action(cast, login, plans):
    PlanFactory(account=cast.account_a, therapeutic_area="Oncology")  # nothing in it: a row of its own
    rows = csv_rows(_export(login(cast.kam_a)))
    assert sorted((r["Row"], r["Title"], r["Objective served"]) for r in rows) == [
        ("Action", "Send the dossier", "List Oncoril"),
        ("Objective", "List Oncoril", ""),
        ("Plan", "", ""),
    ]
    action = next(r for r in rows if r["Row"] == "Action")
    assert (action["Target"], action["Due"], action["Status"], action["Owner"]) == (
        "",
        "2026-09-30",
        "Planned",
        str(cast.kam_a),
    )
    objective = next(r for r in rows if r["Row"] == "Objective")
    assert (objective["Baseline"], objective["Target"], objective["Current value"]) == ("10.00", "30.00", "15.00")


def test_another_teams_plans_are_absent(cast, login, plans):
    body = csv_body(_export(login(cast.kam_a)))
    assert "Their" not in body and "Account C" not in body
    assert "Their objective" in csv_body(_export(login(cast.kam_c)))
    titles = [r["Action"] for r in xlsx_rows(_export(login(cast.head), "xlsx"), "Actions")]
    assert sorted(titles) == ["Send the dossier", "Their action"]


def test_the_status_filter_is_honoured(cast, login, plans):
    plan_a, _plan_c = plans
    plan_a.status = PlanStatus.APPROVED
    plan_a.save(update_fields=["status"])
    assert [r["Account"] for r in xlsx_rows(_export(login(cast.head), "xlsx", status="approved"), "Plans")] == [
        "Account A"
    ]
    assert {r["Account"] for r in csv_rows(_export(login(cast.head), status="draft"))} == {"Account C"}


@pytest.mark.parametrize("status", ["<b>x</b>", "=1+1", "nope"])
def test_a_bad_filter_is_a_plain_text_400(cast, login, status):
    response = _export(login(cast.kam_a), status=status)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_medical_colleagues_get_the_joint_plan_no_budget_and_no_medical_work(cast, login, plans):
    plan_a, _plan_c = plans
    TeamMemberFactory(account=cast.account_a, user=cast.medical)
    ActionFactory(plan=plan_a, owner=cast.medical, title="MSL visit")
    support = SupportRequest.objects.create(
        account=cast.account_a, topic="Data", requested_by=cast.kam_a, status=SupportStatus.ACCEPTED
    )
    ActionFactory(plan=plan_a, title="Medical support", support_request=support)
    medical = xlsx_rows(_export(login(cast.medical), "xlsx"), "Actions")
    assert [r["Action"] for r in medical] == ["Send the dossier"]
    assert "Plan budget" not in xlsx_rows(_export(login(cast.medical), "xlsx"), "Plans")[0]
    assert "MSL visit" not in csv_body(_export(login(cast.medical)))
    # The internal plan, for the commercial side, holds them all.
    kam = sorted(r["Action"] for r in xlsx_rows(_export(login(cast.kam_a), "xlsx"), "Actions"))
    assert kam == ["MSL visit", "Medical support", "Send the dossier"]


def test_medical_colleagues_without_a_seat_get_no_plans(cast, login, plans):
    assert csv_rows(_export(login(cast.medical))) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_neutralised(cast, login, payload):
    plan = PlanFactory(account=cast.account_a)
    objective = ObjectiveFactory(plan=plan, title=payload, kpi=payload)
    ActionFactory(plan=plan, objective=objective, title=payload)
    client = login(cast.kam_a)
    assert_no_formula_cell(csv_body(_export(client)))
    assert {r["Title"] for r in csv_rows(_export(client)) if r["Row"] == "Objective"} == {csv_text(payload)}
    assert_xlsx_neutralised(_export(client, "xlsx"), payload)


def test_a_stored_non_character_still_exports(cast, login):
    Account.objects.filter(pk=cast.account_a.pk).update(name="Klinik\uffffum\x0b")
    ObjectiveFactory(plan=PlanFactory(account=cast.account_a), title="Obj\uffffective")
    client = login(cast.kam_a)
    assert csv_rows(_export(client))[0]["Account"] == "Klinikum"
    assert xlsx_rows(_export(client, "xlsx"), "Objectives")[0]["Objective"] == "Objective"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_plan_export_costs_a_fixed_number_of_queries(cast, login, fmt, django_assert_max_num_queries):
    colleague = UserFactory()
    TeamMemberFactory(account=cast.account_a, user=colleague)
    for n in range(10):
        plan = PlanFactory(account=AccountFactory(owner=cast.kam_a, name=f"Klinik {n:02d}"))
        objective = ObjectiveFactory(plan=plan)
        ActionFactory(plan=plan, objective=objective)
        ActionFactory(plan=plan, owner=colleague)
    client = login(cast.kam_a)
    # Session, user; plans with account, owner and period; objectives; actions.
    with django_assert_max_num_queries(5):
        response = _export(client, fmt)
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response, "Actions")
    assert len(rows) == (30 if fmt == "csv" else 20)
