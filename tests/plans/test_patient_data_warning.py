"""Free text that looks like patient data on a plan step: the step's own texts and its rows
(actions, SWOT) are warned about, what was typed stays, and one reason on the page confirms
every flagged field of that submit; a confirmation is recorded per saved object."""

from __future__ import annotations

from django.urls import reverse

from kam.models import FreeTextConfirmation
from plans.models import Action, PlanReview, PlanStep, SwotItem
from plans.services import plan_submit

CONFIRM = {"patient_data_confirm": "on", "patient_data_reason": "Names of the hospital's staff, not patients"}


def _mgmt(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _actions(cast, *titles: str, notes: str = "") -> dict:
    data = {"version": 0, "notes": notes, **_mgmt("act", len(titles))}
    for i, title in enumerate(titles):
        data.update({f"act-{i}-title": title, f"act-{i}-owner": cast.kam_a.pk, f"act-{i}-status": "planned"})
    return data


def test_a_step_text_with_patient_data_is_warned_about_and_kept(cast, plan, login):
    url = reverse("plans:step", args=[plan.pk, 1])
    response = login(cast.kam_a).post(url, {"version": 0, "commentary": "Frau Dr. X, C50.9, bleibt stationär"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "a diagnosis next to a person" in content
    assert "Frau Dr. X, C50.9, bleibt stationär</textarea>" in content
    assert 'name="patient_data_reason"' in content
    assert PlanStep.objects.get(plan=plan, number=1).content.get("commentary", "") == ""


def test_a_confirmed_step_text_is_saved_with_one_confirmation(cast, plan, login):
    url = reverse("plans:step", args=[plan.pk, 1])
    data = {"version": 0, "commentary": "Frau Dr. X, C50.9", **CONFIRM}
    assert login(cast.kam_a).post(url, data).status_code == 302
    step = PlanStep.objects.get(plan=plan, number=1)
    assert step.content["commentary"] == "Frau Dr. X, C50.9"
    confirmation = FreeTextConfirmation.objects.get()
    assert (confirmation.content_type.model_class(), confirmation.object_id) == (PlanStep, step.pk)
    assert confirmation.field_names == ["commentary"]
    assert confirmation.url == url


def test_a_step_without_a_reason_is_not_saved(cast, plan, login):
    url = reverse("plans:step", args=[plan.pk, 1])
    data = {"version": 0, "commentary": "Frau Dr. X, C50.9", "patient_data_confirm": "on"}
    response = login(cast.kam_a).post(url, data)
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert not FreeTextConfirmation.objects.exists()


def test_action_rows_with_patient_data_are_warned_about_in_their_cells(cast, plan, login):
    url = reverse("plans:step", args=[plan.pk, 5])
    data = _actions(cast, "Call Herr Meier about tender", "Send leaflet to Pat. Nr. 445566")
    response = login(cast.kam_a).post(url, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "a patient or case number" in content
    assert 'value="Send leaflet to Pat. Nr. 445566"' in content
    assert 'value="Call Herr Meier about tender"' in content
    assert not Action.objects.filter(plan=plan).exists()


def test_one_reason_confirms_every_flagged_row_and_text_of_the_step(cast, plan, login):
    url = reverse("plans:step", args=[plan.pk, 5])
    data = _actions(
        cast,
        "Send leaflet to Pat. Nr. 445566",
        "Plain action",
        "Herr Kohl, geb. 01.02.1950",
        notes="MRN 00123456",
    )
    assert login(cast.kam_a).post(url, {**data, **CONFIRM}).status_code == 302
    assert Action.objects.filter(plan=plan).count() == 3
    confirmations = FreeTextConfirmation.objects.order_by("pk")
    flagged = Action.objects.filter(plan=plan).exclude(title="Plain action")
    assert sorted(c.object_id for c in confirmations if c.content_type.model_class() is Action) == sorted(
        a.pk for a in flagged
    )
    assert len(confirmations) == 3  # two rows and the step's own notes
    assert {c.reason for c in confirmations} == {CONFIRM["patient_data_reason"]}


def test_a_swot_row_left_unchanged_is_not_warned_about_again(cast, plan, login):
    stored = SwotItem.objects.create(plan=plan, kind="W", text="Fall-Nr. 4711 stored before the check")
    url = reverse("plans:step", args=[plan.pk, 2])
    data = {"version": 0, "strategy": "", "needs": "", "drivers": "", **_mgmt("swot", 1, 1), **_mgmt("ws", 0)}
    data.update({"swot-0-id": stored.pk, "swot-0-kind": "W", "swot-0-text": stored.text})
    assert login(cast.kam_a).post(url, data).status_code == 302
    assert not FreeTextConfirmation.objects.exists()
    response = login(cast.kam_a).post(url, {**data, "version": 1, "swot-0-text": "Fall-Nr. 4712"})
    assert response.status_code == 400


def test_a_deleted_row_is_not_warned_about(cast, plan, login):
    action = Action.objects.create(plan=plan, title="Old", owner=cast.kam_a)
    url = reverse("plans:step", args=[plan.pk, 5])
    data = {"version": 0, "notes": "", **_mgmt("act", 1, 1)}
    data.update(
        {
            "act-0-id": action.pk,
            "act-0-title": "Pat. Nr. 445566",
            "act-0-owner": cast.kam_a.pk,
            "act-0-status": "planned",
            "act-0-DELETE": "on",
        }
    )
    assert login(cast.kam_a).post(url, data).status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()


def test_the_warning_in_a_row_escapes_what_was_typed(cast, plan, login):
    url = reverse("plans:step", args=[plan.pk, 5])
    hostile = 'Pat. Nr. 445566 "><script>alert(1)</script>'
    response = login(cast.kam_a).post(url, _actions(cast, hostile, notes='Herr <b>Kohl</b> geb. 01.02.1950 "><svg>'))
    assert response.status_code == 400
    content = response.content.decode()
    assert "a patient or case number" in content and "a date of birth" in content
    assert "<script>alert(1)" not in content and "<svg>" not in content and "<b>Kohl" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_a_reviewers_comment_with_patient_data_is_warned_about_then_confirmed(cast, plan, login):
    plan_submit(plan=plan, by=cast.kam_a)
    client = login(cast.manager_a)
    url = reverse("plans:review", args=[plan.pk])
    data = {"decision": "changes", "comment": "Too vague", "step_4": "Herr Kohl hat Diabetes: not our topic"}
    response = client.post(url, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "a diagnosis next to a person" in content
    assert "Herr Kohl hat Diabetes: not our topic</textarea>" in content
    assert not PlanReview.objects.filter(plan=plan).exists()
    assert client.post(url, {**data, **CONFIRM}).status_code == 302
    review = PlanReview.objects.get(plan=plan)
    confirmation = FreeTextConfirmation.objects.get()
    assert (confirmation.content_type.model_class(), confirmation.object_id) == (PlanReview, review.pk)
    assert confirmation.field_names == ["step_4"]
    assert confirmation.user == cast.manager_a
