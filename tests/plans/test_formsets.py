"""Row formsets take only the rows their step shows: no objects from an inflated TOTAL_FORMS,
no rows of other plans through the hidden id fields, and a hard cap on the number of rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from plans.models import Action, Objective, SwotItem
from plans.row_base import MAX_ROWS
from tests.factories import AccountFactory
from tests.plan_factories import PlanFactory


def _mgmt(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _step6(plan, **extra) -> dict:
    objective = plan.objectives.get()
    return {
        "version": 0,
        "budget": "",
        **_mgmt("res", 0),
        **_mgmt("prog", 1, 1),
        "prog-0-id": objective.pk,
        "prog-0-current_value": "0.5",
        **extra,
    }


def test_an_inflated_progress_formset_creates_no_objectives(cast, plan, login):
    data = _step6(plan, **_mgmt("prog", 4, 1))
    for i in (1, 2, 3):
        data[f"prog-{i}-current_value"] = "7"
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 6]), data)
    assert response.status_code == 400
    assert "Step 6 records progress on the objectives of step 4" in response.content.decode()
    assert list(plan.objectives.values_list("title", flat=True)) == ["List Oncoril"]
    assert not Objective.objects.filter(title="").exists()


def test_inflated_initial_forms_create_no_objectives_either(cast, plan, login):
    data = _step6(plan, **_mgmt("prog", 3, 3))
    data["prog-1-current_value"] = "7"
    data["prog-2-id"] = ""
    data["prog-2-current_value"] = "8"
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 6]), data)
    assert response.status_code == 400
    assert plan.objectives.count() == 1


def test_progress_on_another_plans_objective_is_refused(cast, plan, login):
    other = PlanFactory(account=AccountFactory(owner=cast.kam_c), period=plan.period)
    theirs = Objective.objects.create(plan=other, title="Their secret goal", current_value=Decimal("1"))
    data = _step6(plan, **_mgmt("prog", 2, 2), **{"prog-1-id": theirs.pk, "prog-1-current_value": "99"})
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 6]), data)
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.current_value == Decimal("1") and theirs.plan == other
    assert plan.objectives.count() == 1


def test_progress_on_the_plans_own_objectives_still_saves(cast, plan, login):
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 6]), _step6(plan))
    assert response.status_code == 302
    assert plan.objectives.get().current_value == Decimal("0.5")


def test_rows_of_another_plan_in_hidden_ids_are_not_touched(cast, plan, login):
    other = PlanFactory(account=AccountFactory(owner=cast.kam_c), period=plan.period)
    theirs = Action.objects.create(plan=other, title="Their action", owner=cast.kam_c)
    data = {
        "version": 0,
        "notes": "",
        **_mgmt("act", 1, 1),
        "act-0-id": theirs.pk,
        "act-0-title": "Hijacked",
        "act-0-owner": cast.kam_a.pk,
        "act-0-status": "planned",
    }
    login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 5]), data)
    theirs.refresh_from_db()
    assert (theirs.title, theirs.plan_id, theirs.owner_id) == ("Their action", other.pk, cast.kam_c.pk)
    assert not Action.objects.filter(title="Hijacked").exclude(plan=plan).exists()


def test_untitled_rows_are_refused_not_created(cast, plan, login):
    data = {"version": 0, "value_proposition": "", **_mgmt("obj", 2, 1)}
    objective = plan.objectives.get()
    data.update({"obj-0-id": objective.pk, "obj-0-title": objective.title, "obj-0-target": "1"})
    data.update({"obj-1-kpi": "Share", "obj-1-target": "5"})
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 4]), data)
    assert response.status_code == 400
    assert plan.objectives.count() == 1


def test_more_rows_than_the_cap_are_refused(cast, plan, login):
    total = MAX_ROWS + 1
    data = {"version": 0, "strategy": "", "needs": "", "drivers": "", **_mgmt("swot", total), **_mgmt("ws", 0)}
    for i in range(total):
        data[f"swot-{i}-kind"] = "S"
        data[f"swot-{i}-text"] = f"Strength {i}"
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 2]), data)
    assert response.status_code == 400
    assert f"at most {MAX_ROWS}" in response.content.decode()
    assert not SwotItem.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("total", [5000])
def test_a_huge_total_forms_builds_no_more_than_the_cap(cast, plan, login, total):
    data = {"version": 0, "strategy": "", "needs": "", "drivers": "", **_mgmt("swot", total), **_mgmt("ws", 0)}
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 2]), data)
    assert response.status_code == 400
    formset = dict((fs.prefix, fs) for _t, fs in response.context["formsets"])["swot"]
    assert len(formset.forms) <= MAX_ROWS
