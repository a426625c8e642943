"""The DMU snapshot taken at submission reads in each reader's language: it keeps the gaps' codes and
facts and the roles' codes, not the submitter's sentences."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from plans.services import plan_submit
from stakeholders.models import DmuRole
from stakeholders.privacy import person_erase
from stakeholders.selectors import snapshot_gap_texts, snapshot_role
from tests.stakeholder_factories import AffiliationFactory


def _submit_in_english(cast, plan):
    AffiliationFactory(
        account=cast.account_a,
        person__first_name="Greta",
        person__last_name="Zweifel",
        dmu_role=DmuRole.DECISION_MAKER,
        influence=5,
        stance=-2,
    )
    with translation.override("en"):
        plan_submit(plan=plan, by=cast.kam_a)
    plan.refresh_from_db()
    return plan.xray_snapshot


def test_the_snapshot_keeps_codes_and_facts_not_sentences(cast, plan):
    snapshot = _submit_in_english(cast, plan)
    codes = {g["code"] for g in snapshot["gaps"]}
    assert {"uncovered_decision_maker", "high_influence_sceptic"} <= codes
    assert not any(isinstance(g, str) for g in snapshot["gaps"])
    assert snapshot["stakeholders"][0]["dmu_role"] == DmuRole.DECISION_MAKER


def test_a_german_reader_reads_an_english_submitters_gaps_in_german(cast, plan, login):
    snapshot = _submit_in_english(cast, plan)
    with translation.override("de"):
        texts = snapshot_gap_texts(snapshot["gaps"])
        role = snapshot_role(snapshot["stakeholders"][0])
    assert any("Greta Zweifel" in t and "stark ablehnend" in t.lower() for t in texts), texts
    assert not any("has high influence" in t for t in texts)
    assert role == "Entscheider"
    cast.manager_a.language = "de"
    cast.manager_a.save(update_fields=["language"])
    page = login(cast.manager_a).get(reverse("plans:step", args=[plan.pk, 3])).content.decode()
    assert "Greta Zweifel" in page and "has no owner on our side" not in page
    assert "Entscheider" in page


def test_a_snapshot_from_before_codes_keeps_its_sentences():
    assert snapshot_gap_texts(["Decision maker X has no owner on our side."]) == [
        "Decision maker X has no owner on our side."
    ]
    assert snapshot_role({"role": "Decision maker"}) == "Decision maker"


def test_erasing_a_person_scrubs_them_from_coded_gaps(cast, plan):
    snapshot = _submit_in_english(cast, plan)
    person = next(iter(cast.account_a.affiliations.all())).person
    person_erase(person=person, by=cast.admin)
    plan.refresh_from_db()
    assert "Zweifel" not in str(plan.xray_snapshot)
    assert len(plan.xray_snapshot["gaps"]) == len(snapshot["gaps"])
