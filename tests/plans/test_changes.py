"""Change lists (plans.changes): every part of a plan added, changed and removed, as labelled lines
in the pages' words, checked against hand-written expectations; then the snapshot a review stores,
old snapshots, and the two pages that show the lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from plans.changes import empty_snapshot, normalised, plan_changes
from plans.models import Action, ActionStatus, PlanReview, SwotItem
from plans.services import plan_approve, plan_revise, plan_submit
from plans.snapshots import plan_snapshot
from tests.plan_factories import (
    ActionFactory,
    CommunicationFactory,
    RelationshipObjectiveFactory,
    ResourceFactory,
    SwotFactory,
    set_step,
)
from tests.stakeholder_factories import AffiliationFactory

WHEN = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def objective(**changes) -> dict:
    row = {
        "title": "List Oncoril",
        "kpi": "Formulary status",
        "unit": "%",
        "baseline": "10.00",
        "target": "30.00",
        "current_value": None,
        "due_date": "2026-09-30",
        "owner": "Anna Kam",
        "needs_review": False,
        "judged_status": "no_data",
    }
    return {**row, **changes}


def action(**changes) -> dict:
    row = {
        "objective": "List Oncoril",
        "title": "Workshop",
        "owner": "Anna Kam",
        "due_date": "2026-06-01",
        "status": "planned",
        "needs_review": False,
        "stakeholders": [],
    }
    return {**row, **changes}


def state(**parts) -> dict:
    return {**empty_snapshot(), "currency": "CHF", "budget_currency": "EUR", **parts}


def changes(before: dict, after: dict, part: str, stamps=None) -> list[tuple[str, str, list[str]]]:
    with translation.override("en"):
        found = {p.key: p for p in plan_changes(before, after, stamps=stamps)}[part]
        return [(c.kind_label, c.subject, c.lines) for c in found.changes]


def test_it_lists_an_added_objective_with_its_labelled_fields():
    after = state(objectives={"1": objective()})
    assert changes(state(), after, "objectives") == [
        (
            "added",
            "List Oncoril",
            [
                "KPI: Formulary status",
                "Unit: %",
                "Baseline: 10",
                "Target: 30",
                "Due: 30 Sep 2026",
                "Owner: Anna Kam",
                "Carried over: review it: no",
                "Status: No data yet",
            ],
        )
    ]


def test_it_says_what_changed_in_an_objective_in_words_not_codes():
    before = state(objectives={"1": objective(current_value="12.00", judged_status="at_risk")})
    after = state(objectives={"1": objective(current_value="31.50", judged_status="achieved", target="1000")})
    assert changes(before, after, "objectives") == [
        (
            "changed",
            "List Oncoril",
            ["Target: 30 → 1,000", "Current value: 12 → 31.5", "Status: At risk → Achieved"],
        )
    ]


def test_it_lists_a_removed_objective_and_names_who_and_when():
    before = state(objectives={"1": objective()})
    with translation.override("en"):
        part = plan_changes(before, state(), stamps={("objectives", "1"): ("Anna Kam", WHEN)})[1]
    assert [(c.kind, c.subject, c.lines, c.who, c.when) for c in part.changes] == [
        ("removed", "List Oncoril", [], "Anna Kam", WHEN)
    ]


def test_it_lists_actions_added_changed_closed_and_removed():
    before = state(
        actions={
            "1": action(title="Workshop"),
            "2": action(title="Tender dossier", status="in_progress"),
            "3": action(title="Dropped visit"),
        }
    )
    after = state(
        actions={
            "1": action(title="Workshop", due_date="2026-07-15", owner="Ben Berg", stakeholders=["Dr. Ada Lind"]),
            "2": action(title="Tender dossier", status="done"),
            "4": action(title="Pharmacy visit", objective=None, due_date=None),
        }
    )
    assert changes(before, after, "actions") == [
        (
            "changed",
            "Workshop",
            ["Owner: Anna Kam → Ben Berg", "Due: 1 Jun 2026 → 15 Jul 2026", "Stakeholders involved: — → Dr. Ada Lind"],
        ),
        ("closed", "Tender dossier", ["Status: In progress → Done"]),
        ("added", "Pharmacy visit", ["Owner: Anna Kam", "Status: Planned", "Carried over: review it: no"]),
        ("removed", "Dropped visit", []),
    ]


def test_it_lists_swot_items_by_their_quadrant():
    before = state(swot={"1": {"kind": "W", "text": "Slow committee"}, "2": {"kind": "S", "text": "Good data"}})
    after = state(swot={"1": {"kind": "W", "text": "Slow formulary committee"}, "3": {"kind": "O", "text": "Tender"}})
    assert changes(before, after, "swot") == [
        ("changed", "Weaknesses · Slow formulary committee", ["Item: Slow committee → Slow formulary committee"]),
        ("added", "Opportunities · Tender", []),
        ("removed", "Strengths · Good data", []),
    ]


def test_it_lists_whitespace_cells_with_money_in_the_account_currency():
    cell = {"buying_centre": "Oncology", "product": "Oncoril", "status": "competitor", "estimated_value": "120000.00"}
    before = state(whitespace={"1": cell})
    after = state(
        whitespace={
            "1": {**cell, "status": "opportunity", "estimated_value": "150000.00"},
            "2": {"buying_centre": "Cardiology", "product": "Cardiovex", "status": "ours", "estimated_value": None},
        }
    )
    assert changes(before, after, "whitespace") == [
        (
            "changed",
            "Oncology · Oncoril",
            ["Status: Using a competitor → Open opportunity", "Estimated value: 120,000 CHF → 150,000 CHF"],
        ),
        ("added", "Cardiology · Cardiovex", ["Status: Using ours"]),
    ]


def test_it_lists_relationship_objectives_with_stances_in_words():
    row = {
        "affiliation": "Dr. Ada Lind",
        "from_stance": -1,
        "to_stance": 1,
        "due_date": "2026-11-30",
        "owner": "Anna Kam",
    }
    before = state(relationship_objectives={"1": row})
    after = state(relationship_objectives={"1": {**row, "to_stance": 2}})
    assert changes(before, after, "relationship_objectives") == [
        ("changed", "Dr. Ada Lind", ["To: favourable → strongly favourable"])
    ]
    assert changes(after, state(), "relationship_objectives") == [("removed", "Dr. Ada Lind", [])]


def test_it_lists_resources_with_money_in_their_own_currency():
    row = {"action": "Workshop", "people_days": "2.0", "budget": "500.00", "currency": "EUR", "function": "kam"}
    before = state(resources={"1": row})
    after = state(
        resources={
            "1": {**row, "people_days": "3.5", "budget": "1500.00"},
            "2": {**row, "function": "medical", "budget": "0.00"},
        }
    )
    assert changes(before, after, "resources") == [
        ("changed", "Workshop · Key account management", ["People-days: 2 → 3.5", "Budget: 500 EUR → 1,500 EUR"]),
        ("added", "Workshop · Medical", ["People-days: 2", "Budget: 0 EUR"]),
    ]


def test_it_lists_communication_items():
    row = {
        "audience_kind": "external",
        "audience": "Pharmacy director",
        "message": "Progress",
        "channel": "Meeting",
        "frequency": "Quarterly",
        "owner": "Anna Kam",
        "next_date": "2026-10-01",
    }
    before = state(communications={"1": row})
    after = state(communications={"1": {**row, "frequency": "Monthly", "next_date": None}})
    assert changes(before, after, "communications") == [
        (
            "changed",
            "External · Pharmacy director",
            ["Frequency: Quarterly → Monthly", "Next: 1 Oct 2026 → —"],
        )
    ]


def test_it_lists_the_steps_texts_by_the_labels_of_the_step_pages():
    before = state(steps={"1": {"investment_decision": "maintain"}, "4": {"value_proposition": "Fewer days"}})
    after = state(
        steps={
            "1": {"investment_decision": "invest", "commentary": ""},
            "4": {"value_proposition": "A predictable budget"},
            "6": {"audit_notes": "", "budget": "20000.00"},
        }
    )
    assert changes(before, after, "steps") == [
        ("changed", "Step 1 · Portfolio vis-à-vis profits", ["Investment decision: Maintain → Invest"]),
        (
            "changed",
            "Step 4 · Plan blueprint",
            ["Value proposition in the customer's terms (solutions, not products): Fewer days → A predictable budget"],
        ),
        ("changed", "Step 6 · Resource planning and audit", ["Plan budget: — → 20,000 EUR"]),
    ]


def test_it_lists_people_added_or_gone_and_stance_and_influence_changes():
    before = state(
        dmu={
            "1": {"name": "Dr. Ada Lind", "dmu_role": "decision_maker", "influence": 3, "stance": 0},
            "2": {"name": "Bo Gone", "dmu_role": "influencer", "influence": 2, "stance": 1},
        }
    )
    after = state(
        dmu={
            "1": {"name": "Dr. Ada Lind", "dmu_role": "decision_maker", "influence": 5, "stance": 2},
            "3": {"name": "Cy New", "dmu_role": "influencer", "influence": 4, "stance": -1},
        }
    )
    assert changes(before, after, "dmu") == [
        ("changed", "Dr. Ada Lind", ["Influence (1–5): 3 → 5", "Stance: neutral → strongly favourable"]),
        ("added", "Cy New", ["DMU role: Influencer", "Influence (1–5): 4", "Stance: unfavourable"]),
        ("removed", "Bo Gone", []),
    ]


def test_it_matches_copied_rows_of_another_revision_by_what_names_them():
    before = state(objectives={"1": objective()}, swot={"5": {"kind": "S", "text": "Good data"}})
    after = state(objectives={"9": objective(target="40.00")}, swot={"12": {"kind": "S", "text": "Good data"}})
    assert changes(before, after, "objectives") == [("changed", "List Oncoril", ["Target: 30 → 40"])]
    assert changes(before, after, "swot") == []


def test_an_old_snapshot_still_compares_and_says_which_parts_it_did_not_keep():
    old = {
        "objectives": {"1": {"title": "List Oncoril", "current": "12.00", "target": "30.00", "status": "at_risk"}},
        "actions": {"2": {"title": "Workshop", "status": "planned", "due": "2026-06-01"}},
        "dmu": {"3": {"name": "Dr. Ada Lind", "stance": 0, "influence": 3}},
    }
    now = state(
        objectives={"1": objective(current_value="31.50", judged_status="achieved")},
        actions={"2": action(due_date="2026-07-01")},
        dmu={"3": {"name": "Dr. Ada Lind", "dmu_role": "influencer", "influence": 3, "stance": 1}},
        swot={"4": {"kind": "S", "text": "Good data"}},
    )
    assert normalised(old)["actions"]["2"]["due_date"] == "2026-06-01"
    assert changes(old, now, "objectives") == [
        ("changed", "List Oncoril", ["Current value: 12 → 31.5", "Status: At risk → Achieved"])
    ]
    assert changes(old, now, "actions") == [("changed", "Workshop", ["Due: 1 Jun 2026 → 1 Jul 2026"])]
    assert changes(old, now, "dmu") == [("changed", "Dr. Ada Lind", ["Stance: neutral → favourable"])]
    parts = {p.key: p for p in plan_changes(old, now)}
    assert parts["swot"].recorded is False and parts["swot"].changes == []


def test_it_writes_the_lines_in_the_readers_language():
    before = state(objectives={"1": objective(judged_status="at_risk")})
    after = state(objectives={"1": objective(judged_status="achieved", due_date="2026-10-31")})
    with translation.override("de"):
        lines = plan_changes(before, after)[1].changes[0].lines
    assert lines == ["Fällig: 30. September 2026 → 31. Oktober 2026", "Status: Gefährdet → Erreicht"]


# -- The snapshot a review stores, and the pages ---------------------------------------------------


def test_the_review_snapshot_keeps_every_part(cast, plan):
    set_step(plan, 2, strategy="Regional cancer centre")
    sceptic = AffiliationFactory(account=cast.account_a, stance=-1, influence=4)
    RelationshipObjectiveFactory(plan=plan, affiliation=sceptic)
    act = ActionFactory(plan=plan, title="Workshop")
    act.stakeholders.add(sceptic.person)
    ResourceFactory(action=act)
    SwotFactory(plan=plan, text="Good data")
    CommunicationFactory(plan=plan, audience="Finance")
    snapshot = plan_snapshot(plan)
    assert snapshot["version"] == 2
    assert snapshot["steps"]["2"] == {"strategy": "Regional cancer centre"}
    assert [a["stakeholders"] for a in snapshot["actions"].values()] == [[str(sceptic.person)]]
    assert [r["affiliation"] for r in snapshot["relationship_objectives"].values()] == [str(sceptic.person)]
    assert [r["action"] for r in snapshot["resources"].values()] == ["Workshop"]
    assert [s["text"] for s in snapshot["swot"].values()] == ["Good data"]
    assert "Finance" in [c["audience"] for c in snapshot["communications"].values()]
    assert snapshot["whitespace"] is not None and snapshot["dmu"][str(sceptic.pk)]["stance"] == -1


def test_since_last_review_lists_every_part_with_who_and_when(cast, plan, login):
    boss = AffiliationFactory(account=cast.account_a, stance=0)
    leaver = AffiliationFactory(account=cast.account_a)
    workshop = ActionFactory(plan=plan, title="Workshop", due_date=date.today() + timedelta(days=10))
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    # After the review: a stance change, a newcomer, a leaver, a closed action, a SWOT item.
    boss.stance = 2
    boss.save()
    leaver.end_date = date.today()
    leaver.save()
    newcomer = AffiliationFactory(
        account=cast.account_a, person__last_name="Neuzugang", dmu_role="influencer", influence=3, stance=0
    )
    workshop.status = ActionStatus.DONE
    workshop._history_user = cast.kam_a
    workshop.save()
    SwotItem.objects.create(plan=plan, kind="T", text="A new competitor")

    page = login(cast.kam_a).get(reverse("plans:since-review", args=[plan.pk]))
    assert page.status_code == 200
    parts = {p.key: p for p in page.context["parts"]}
    assert [(c.kind, c.subject, c.lines) for c in parts["actions"].changes] == [
        ("closed", "Workshop", ["Status: Planned → Done"])
    ]
    assert parts["actions"].changes[0].who == str(cast.kam_a)
    assert [(c.kind, c.subject) for c in parts["swot"].changes] == [("added", "Threats · A new competitor")]
    assert [(c.kind, c.subject, c.lines) for c in parts["dmu"].changes] == [
        ("changed", str(boss.person), ["Stance: neutral → strongly favourable"]),
        ("added", str(newcomer.person), ["DMU role: Influencer", "Influence (1–5): 3", "Stance: neutral"]),
        ("removed", str(leaver.person), []),
    ]
    assert "Neuzugang" in page.content.decode()


def test_since_last_review_reads_a_review_stored_in_the_old_form(cast, plan, login):
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    review = PlanReview.objects.get(plan=plan)
    review.snapshot = {"objectives": {}, "actions": {}, "dmu": {}}
    review.save()
    page = login(cast.manager_a).get(reverse("plans:since-review", args=[plan.pk]))
    assert page.status_code == 200
    parts = {p.key: p for p in page.context["parts"]}
    assert [c.subject for c in parts["objectives"].changes] == ["List Oncoril"]
    assert parts["swot"].recorded is False
    assert "Not recorded in the earlier version" in page.content.decode()


def test_two_revisions_compare_as_a_change_list(cast, plan, login):
    set_step(plan, 4, value_proposition="Fewer readmissions")
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    revision = plan_revise(plan=plan, by=cast.kam_a)
    set_step(revision, 4, value_proposition="A predictable budget")
    revision.objectives.update(target=Decimal(2))
    Action.objects.create(plan=revision, title="Second workshop", owner=cast.kam_a)
    with translation.override("en"):
        page = login(cast.manager_a).get(reverse("plans:compare", args=[revision.pk]) + "?a=1&b=2")
    assert page.status_code == 200
    parts = {p.key: p for p in page.context["parts"]}
    assert [c.lines for c in parts["steps"].changes] == [
        [
            "Value proposition in the customer's terms (solutions, not products): Fewer readmissions → A predictable budget"
        ]
    ]
    assert [(c.kind, c.subject, c.lines) for c in parts["objectives"].changes] == [
        ("changed", "List Oncoril", ["Target: 1 → 2"])
    ]
    assert [(c.kind, c.subject) for c in parts["actions"].changes] == [("added", "Second workshop")]
    assert parts["swot"].changes == [] and parts["dmu"].changes == []
    # A revision number that does not exist falls back instead of failing.
    assert login(cast.manager_a).get(reverse("plans:compare", args=[revision.pk]) + "?a=99&b=x").status_code == 200


@pytest.mark.parametrize("url", ["plans:since-review", "plans:compare"])
def test_the_change_pages_show_no_codes_or_field_keys(cast, plan, login, url):
    set_step(plan, 1, investment_decision="invest")
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    revision = plan_revise(plan=plan, by=cast.kam_a)
    set_step(revision, 1, investment_decision="harvest")
    revision.objectives.update(current_value=Decimal(1))
    body = login(cast.kam_a).get(reverse(url, args=[revision.pk]) + "?a=1&b=2").content.decode()
    for code in ("investment_decision", "current_value", "judged_status", "no_data", "achieved", "at_risk"):
        assert code not in body


def test_since_last_review_reads_in_a_fixed_number_of_queries(cast, plan, login, django_assert_num_queries):
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    client = login(cast.kam_a)
    client.get(reverse("plans:since-review", args=[plan.pk]))
    for i in range(5):
        ResourceFactory(action=ActionFactory(plan=plan, title=f"More {i}"))
        SwotFactory(plan=plan, text=f"Item {i}")
        AffiliationFactory(account=cast.account_a)
    # Session, user, plan, review; the snapshot (11); who changed what (9 parts of history, the users).
    with django_assert_num_queries(24):
        assert client.get(reverse("plans:since-review", args=[plan.pk])).status_code == 200


def test_erasing_a_person_scrubs_their_name_from_every_part_of_a_review_snapshot(cast, plan):
    from stakeholders.privacy import person_erase

    affiliation = AffiliationFactory(account=cast.account_a, person__last_name="Eraseme")
    RelationshipObjectiveFactory(plan=plan, affiliation=affiliation)
    ActionFactory(plan=plan, title="Visit").stakeholders.add(affiliation.person)
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    assert str(PlanReview.objects.get(plan=plan).snapshot).count("Eraseme") == 3
    person_erase(person=affiliation.person, by=cast.admin)
    snapshot = PlanReview.objects.get(plan=plan).snapshot
    assert "Eraseme" not in str(snapshot)
    assert [r["affiliation"] for r in snapshot["relationship_objectives"].values()] == ["[erased]"]
