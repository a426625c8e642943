"""The plans API: plans_visible_to's scope, the firewall (no internal plan, no writes for medical
colleagues), steps saved through plans.services.step_save with the pages' optimistic locking (a
stale version is a 409), objectives and actions under their step's lock."""

from __future__ import annotations

import pytest

from plans.models import Action, Objective, PlanStep
from tests.factories import TeamMemberFactory
from tests.stakeholder_factories import AffiliationFactory

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans/"
JSON = "application/json"


def test_it_scopes_plans_as_the_pages_do(cast, login, plan):
    assert [p["id"] for p in login(cast.kam_a).get(PLANS).json()["results"]] == [plan.pk]
    assert [p["id"] for p in login(cast.manager_a).get(PLANS).json()["results"]] == [plan.pk]
    assert login(cast.kam_c).get(PLANS).json()["results"] == []
    assert login(cast.kam_c).get(f"{PLANS}{plan.pk}/").status_code == 404
    assert login(cast.admin).get(f"{PLANS}{plan.pk}/steps/").status_code == 200


def test_it_keeps_the_internal_plan_from_medical_colleagues(cast, login, plan):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    client = login(cast.medical)
    assert client.get(PLANS).status_code == 403
    assert client.get(f"{PLANS}{plan.pk}/steps/1/").status_code == 403
    response = client.put(f"{PLANS}{plan.pk}/steps/1/", {"version": 0, "content": {"commentary": "x"}}, JSON)
    assert response.status_code == 403
    assert PlanStep.objects.get(plan=plan, number=1).content == {}


def test_it_saves_a_step_and_refuses_a_stale_version_with_409(cast, login, plan):
    url = f"{PLANS}{plan.pk}/steps/1/"
    client = login(cast.kam_a)
    first = client.put(url, {"version": 0, "content": {"commentary": "Grows", "investment_decision": ""}}, JSON)
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 1
    stale = login(cast.manager_a).put(url, {"version": 0, "content": {"commentary": "Overwrites"}}, JSON)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    step = PlanStep.objects.get(plan=plan, number=1)
    assert step.content["commentary"] == "Grows" and step.version == 1 and step.updated_by == cast.kam_a


def test_it_validates_a_step_with_the_pages_form(cast, login, plan):
    url = f"{PLANS}{plan.pk}/steps/1/"
    response = login(cast.kam_a).put(url, {"version": 0, "content": {"investment_decision": "everything"}}, JSON)
    assert response.status_code == 400
    assert "investment_decision" in response.json()


def test_it_lets_only_the_account_team_edit(cast, login, plan):
    url = f"{PLANS}{plan.pk}/steps/1/"
    assert login(cast.kam_b).put(url, {"version": 0, "content": {}}, JSON).status_code == 404
    TeamMemberFactory(account=cast.account_a, user=cast.kam_b, function="kam")
    assert login(cast.kam_b).put(url, {"version": 0, "content": {}}, JSON).status_code == 200


def test_it_writes_an_objective_under_step_4s_lock(cast, login, plan):
    client = login(cast.kam_a)
    body = {"plan": plan.pk, "title": "Tender won", "target": "1", "due_date": "2026-10-31", "step_version": 0}
    response = client.post("/api/v1/objectives/", body, JSON)
    assert response.status_code == 201, response.content
    assert Objective.objects.filter(plan=plan, title="Tender won").exists()
    assert PlanStep.objects.get(plan=plan, number=4).version == 1
    # Someone who read step 4 before gets the page's conflict.
    again = client.post("/api/v1/objectives/", {**body, "title": "Second"}, JSON)
    assert again.status_code == 409
    assert not Objective.objects.filter(title="Second").exists()


def test_it_refuses_an_objective_due_outside_the_period(cast, login, plan):
    body = {"plan": plan.pk, "title": "Late", "target": "1", "due_date": "2030-01-01"}
    response = login(cast.kam_a).post("/api/v1/objectives/", body, JSON)
    assert response.status_code == 400
    assert "due_date" in response.json()


def test_it_refuses_an_action_owner_who_cannot_see_the_account(cast, login, plan):
    body = {"plan": plan.pk, "title": "Visit", "owner": cast.kam_c.pk, "due_date": "2026-05-01"}
    response = login(cast.kam_a).post("/api/v1/actions/", body, JSON)
    assert response.status_code == 400
    assert "owner" in response.json()
    body["owner"] = cast.kam_a.pk
    assert login(cast.kam_a).post("/api/v1/actions/", body, JSON).status_code == 201
    assert Action.objects.get(plan=plan).title == "Visit"


def test_it_hides_other_teams_objectives(cast, login, plan):
    assert login(cast.kam_c).get("/api/v1/objectives/").json()["results"] == []
    objective = plan.objectives.get()
    assert login(cast.kam_c).get(f"/api/v1/objectives/{objective.pk}/").status_code == 404
    assert login(cast.kam_c).delete(f"/api/v1/objectives/{objective.pk}/").status_code == 404
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_it_shares_rows_with_the_customer_as_the_step_pages_do(cast, login, plan):
    ours = AffiliationFactory(account=plan.account)
    theirs = AffiliationFactory()  # another team's account
    client = login(cast.kam_a)
    body = {"plan": plan.pk, "title": "Pathway workshop", "owner": cast.kam_a.pk, "due_date": "2026-05-01"}
    # An affiliation of another account and an id that exists nowhere read alike.
    refused = [
        client.post("/api/v1/actions/", {**body, "customer_owner": pk}, JSON).json()["customer_owner"]
        for pk in (theirs.pk, theirs.pk + ours.pk + 1000)
    ]
    assert refused[0] == refused[1]
    response = client.post("/api/v1/actions/", {**body, "share_with_customer": True, "customer_owner": ours.pk}, JSON)
    assert response.status_code == 201, response.content
    action = Action.objects.get(plan=plan, title="Pathway workshop")
    assert action.share_with_customer and action.customer_owner == ours
    assert response.json()["share_with_customer"] is True
    objective = plan.objectives.get()
    assert not objective.share_with_customer
    patched = client.patch(f"/api/v1/objectives/{objective.pk}/", {"share_with_customer": True}, JSON)
    assert patched.status_code == 200, patched.content
    objective.refresh_from_db()
    assert objective.share_with_customer


def test_it_refuses_text_that_looks_like_patient_data_and_takes_no_confirmation(cast, login, plan):
    client = login(cast.kam_a)
    confirm = {"patient_data_confirm": True, "patient_data_reason": "A reason"}
    content = {"commentary": "Herr Müller, geb. 12.03.1958", **confirm}
    response = client.put(f"{PLANS}{plan.pk}/steps/1/", {"version": 0, "content": content}, JSON)
    assert response.status_code == 400
    assert "looks like patient data" in response.json()["commentary"][0]
    body = {"plan": plan.pk, "title": "Call Pat. Nr. 445566", "owner": cast.kam_a.pk, **confirm}
    response = client.post("/api/v1/actions/", body, JSON)
    assert response.status_code == 400
    assert "looks like patient data" in str(response.json())
    assert not Action.objects.filter(plan=plan).exists()
    assert PlanStep.objects.get(plan=plan, number=1).version == 0
