"""Workflow transitions as a matrix: role × status × action."""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans.exports.data import INTERNAL, plan_export_data
from plans.models import AccountPlan, Objective, PlanReview, PlanStatus
from plans.services import (
    plan_approve,
    plan_create,
    plan_periodic_review,
    plan_request_changes,
    plan_revise,
    plan_start_next_period,
    plan_submit,
    plans_archive_ended,
)
from tests.stakeholder_factories import AffiliationFactory


def _to(plan, status):
    AccountPlan.objects.filter(pk=plan.pk).update(status=status)
    plan.refresh_from_db()
    return plan


def test_it_keeps_the_reporting_lines_in_the_submitted_dmu_for_the_org_chart(cast, plan):
    chief = AffiliationFactory(account=plan.account)
    pharmacist = AffiliationFactory(account=plan.account, reports_to=chief)
    plan_submit(plan=plan, by=cast.kam_a)
    plan.refresh_from_db()
    taken = {s["affiliation"]: s["reports_to"] for s in plan.xray_snapshot["stakeholders"]}
    assert taken == {chief.pk: None, pharmacist.pk: chief.pk}
    pharmacist.reports_to = None
    pharmacist.save(update_fields=["reports_to"])
    # The internal export draws the org chart from the snapshot, not from today's lines.
    data = plan_export_data(plan, variant=INTERNAL, user=cast.kam_a)
    (chart,) = [b for s in data["sections"] for b in s["blocks"] if b and b.get("kind") == "orgchart"]
    assert {n["id"]: n["parent"] for n in chart["nodes"]} == {chief.pk: None, pharmacist.pk: chief.pk}


def test_the_happy_path_submit_request_changes_resubmit_approve(cast, plan):
    plan_submit(plan=plan, by=cast.kam_a)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.xray_snapshot is not None
    plan_request_changes(plan=plan, by=cast.manager_a, comment="Sharpen objective 1", step_comments={4: "KPI?"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CHANGES_REQUESTED
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.head)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == cast.head
    assert plan.next_review_date is not None
    assert [r.outcome for r in PlanReview.objects.filter(plan=plan).order_by("reviewed_at")] == [
        "changes_requested",
        "approved",
    ]
    assert PlanReview.objects.filter(plan=plan, outcome="changes_requested").get().step_comments == {"4": "KPI?"}


@pytest.mark.parametrize(
    "role,can_approve",
    [
        ("kam_a", False),
        ("kam_b", False),
        ("manager_a", True),
        ("head", True),
        ("manager_b", False),
        ("access", False),
        ("medical", False),
        ("admin", True),
    ],
)
def test_only_managers_above_the_owner_approve(role, can_approve, cast, plan):
    plan_submit(plan=plan, by=cast.kam_a)
    user = getattr(cast, role)
    if can_approve:
        plan_approve(plan=plan, by=user)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            plan_approve(plan=plan, by=user)


def test_nobody_approves_their_own_plan(cast, plan):
    # A manager who owns an account cannot approve its plan, even as an administrator.
    cast.account_a.owner = cast.admin
    cast.account_a.save()
    plan.refresh_from_db()
    plan_submit(plan=plan, by=cast.admin)
    with pytest.raises(PermissionDenied):
        plan_approve(plan=plan, by=cast.admin)


@pytest.mark.parametrize(
    "status", [PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED, PlanStatus.APPROVED, PlanStatus.ARCHIVED]
)
def test_only_submitted_plans_are_approved(status, cast, plan):
    _to(plan, status)
    with pytest.raises(PermissionDenied):
        plan_approve(plan=plan, by=cast.manager_a)


@pytest.mark.parametrize(
    "status", [PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.ARCHIVED, PlanStatus.SUPERSEDED]
)
def test_only_drafts_and_returned_plans_are_submitted(status, cast, plan):
    _to(plan, status)
    with pytest.raises(PermissionDenied):
        plan_submit(plan=plan, by=cast.kam_a)


@pytest.mark.parametrize(
    "role,allowed", [("kam_a", True), ("access", True), ("manager_a", True), ("kam_b", False), ("medical", False)]
)
def test_who_may_submit(role, allowed, cast, plan):
    user = getattr(cast, role)
    if allowed:
        plan_submit(plan=plan, by=user)
    else:
        with pytest.raises(PermissionDenied):
            plan_submit(plan=plan, by=user)


def test_an_unmeasurable_objective_blocks_submission(cast, plan):
    Objective.objects.create(plan=plan, title="Be more visible", owner=cast.kam_a)
    with pytest.raises(ValidationError) as err:
        plan_submit(plan=plan, by=cast.kam_a)
    assert "Be more visible" in str(err.value)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_requesting_changes_needs_a_comment(cast, plan):
    plan_submit(plan=plan, by=cast.kam_a)
    with pytest.raises(ValidationError):
        plan_request_changes(plan=plan, by=cast.manager_a, comment=" ")


def test_a_periodic_review_moves_the_next_review_date_and_keeps_the_plan_approved(cast, plan):
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    AccountPlan.objects.filter(pk=plan.pk).update(next_review_date=date(2000, 1, 1))
    review = plan_periodic_review(plan=plan, by=cast.head, comment="On track", step_comments={5: "Two late"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.next_review_date > date.today()
    assert (review.outcome, review.reviewer, review.comment) == ("periodic", cast.head, "On track")
    assert review.step_comments == {"5": "Two late"} and review.snapshot["objectives"]


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.CHANGES_REQUESTED])
def test_only_approved_plans_get_a_periodic_review(status, cast, plan):
    _to(plan, status)
    with pytest.raises(PermissionDenied):
        plan_periodic_review(plan=plan, by=cast.manager_a)
    assert not PlanReview.objects.filter(plan=plan).exists()


def test_a_refused_review_leaves_the_plan_as_it_was(cast, plan):
    plan_submit(plan=plan, by=cast.kam_a)
    with pytest.raises(PermissionDenied):
        plan_request_changes(plan=plan, by=cast.kam_b, comment="Not mine to say")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and not PlanReview.objects.filter(plan=plan).exists()


def test_a_revision_keeps_the_approved_plan_read_only_until_it_is_approved(cast, plan):
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    revision = plan_revise(plan=plan, by=cast.kam_a)
    assert revision.revision == 2 and revision.status == PlanStatus.DRAFT and revision.previous == plan
    assert list(revision.objectives.values_list("title", flat=True)) == ["List Oncoril"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    with pytest.raises(ValidationError):
        plan_revise(plan=plan, by=cast.kam_a)
    plan_submit(plan=revision, by=cast.kam_a)
    plan_approve(plan=revision, by=cast.manager_a)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED


def test_next_period_carries_objectives_and_actions_marked_for_review(cast, plan, next_period):
    from plans.models import Action

    Action.objects.create(plan=plan, title="Workshop", owner=cast.kam_a, status="done")
    new = plan_start_next_period(plan=plan, period=next_period, by=cast.kam_a)
    assert new.period == next_period and new.status == PlanStatus.DRAFT
    assert new.objectives.get().needs_review is True
    action = new.actions.get()
    assert action.needs_review is True and action.status == "planned"
    assert new.steps.count() == 7


def test_plans_are_archived_when_their_period_ends(cast, plan):
    assert plans_archive_ended(today=date(2026, 12, 31)) == 0
    assert plans_archive_ended(today=date(2027, 1, 1)) == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ARCHIVED
    assert plans_archive_ended(today=date(2027, 1, 2)) == 0


def test_the_archive_job_is_scheduled(db):
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="plans.archive_ended", enabled=True).exists()


# The same rules through the pages: forbidden transitions are a 403 with a message.


def test_approving_ones_own_plan_through_the_page_is_a_403(cast, plan, login):
    plan_submit(plan=plan, by=cast.kam_a)
    response = login(cast.kam_a).post(reverse("plans:review", args=[plan.pk]), {"decision": "approve"})
    assert response.status_code == 403
    assert b"nobody reviews their own" in response.content


def test_editing_a_submitted_plan_is_a_403(cast, plan, login):
    plan_submit(plan=plan, by=cast.kam_a)
    step = plan.steps.get(number=1)
    response = login(cast.kam_a).post(
        reverse("plans:step", args=[plan.pk, 1]), {"version": step.version, "commentary": "late change"}
    )
    assert response.status_code == 403
    assert b"not open for editing" in response.content


def test_approving_a_draft_through_the_page_is_refused(cast, plan, login):
    response = login(cast.manager_a).post(reverse("plans:review", args=[plan.pk]), {"decision": "approve"})
    assert response.status_code == 403


def test_the_review_page_approves(cast, plan, login):
    plan_submit(plan=plan, by=cast.kam_a)
    response = login(cast.manager_a).post(
        reverse("plans:review", args=[plan.pk]), {"decision": "approve", "comment": "Well done", "step_4": "Clear"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


@pytest.fixture
def submitted_plan(cast, plan):
    plan_submit(plan=plan, by=cast.kam_a)
    return plan


def test_the_review_form_preselects_no_decision(cast, submitted_plan, login):
    html = login(cast.manager_a).get(reverse("plans:review", args=[submitted_plan.pk])).content.decode()
    radios = re.findall(r"<input[^>]*name=\"decision\"[^>]*>", html)
    assert len(radios) == 3 and all('type="radio"' in r and "checked" not in r for r in radios)
    response = login(cast.manager_a).post(reverse("plans:review", args=[submitted_plan.pk]), {"comment": "Fine"})
    assert response.status_code == 400 and "Choose a decision." in response.content.decode()
    submitted_plan.refresh_from_db()
    assert submitted_plan.status == PlanStatus.SUBMITTED


def test_requesting_changes_needs_a_comment_and_keeps_what_was_typed(cast, submitted_plan, login):
    client = login(cast.manager_a)
    response = client.post(reverse("plans:review", args=[submitted_plan.pk]), {"decision": "changes", "step_3": " "})
    assert response.status_code == 400 and "Say what should change" in response.content.decode()
    submitted_plan.refresh_from_db()
    assert submitted_plan.status == PlanStatus.SUBMITTED
    kept = client.post(
        reverse("plans:review", args=[submitted_plan.pk]), {"decision": "changes", "comment": "", "step_5": "<i>x</i>"}
    )
    assert kept.status_code == 302
    submitted_plan.refresh_from_db()
    assert submitted_plan.status == PlanStatus.CHANGES_REQUESTED


def test_it_writes_a_new_plans_communication_rows_in_the_owners_language(cast, period):
    from django.utils import translation

    cast.kam_a.language = "de"
    cast.kam_a.save(update_fields=["language"])
    # Made by an English-speaking manager: the rows are the German owner's to keep.
    with translation.override("en"):
        plan = plan_create(account=cast.account_a, period=period, therapeutic_area="Onkologie", by=cast.manager_a)
    rows = {c.audience: c.frequency for c in plan.communications.all()}
    assert rows["Mitglieder des Buying Centers"] == "Zweimal im Jahr"
    assert "DMU members" not in rows
    cast.kam_a.language = ""
    cast.kam_a.save(update_fields=["language"])
    with translation.override("en"):
        plan = plan_create(account=cast.account_a, period=period, therapeutic_area="Cardiology", by=cast.kam_a)
    assert "DMU members" in {c.audience for c in plan.communications.all()}
