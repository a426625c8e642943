from django.urls import reverse

from plans.models import PlanStep
from plans.services import plan_approve, plan_submit
from tests.stakeholder_factories import AffiliationFactory


def test_every_step_save_is_in_the_history(cast, plan, login):
    client = login(cast.kam_a)
    client.post(reverse("plans:step", args=[plan.pk, 1]), {"version": 0, "commentary": "v1"})
    client.post(reverse("plans:step", args=[plan.pk, 1]), {"version": 1, "commentary": "v2"})
    step = PlanStep.objects.get(plan=plan, number=1)
    users = {h.history_user for h in step.history.all() if h.history_user}
    assert users == {cast.kam_a}
    assert [h.content.get("commentary") for h in step.history.order_by("history_id")] == ["v1", "v2"]


def test_erasing_a_person_scrubs_plan_snapshots(cast, plan):
    from plans.models import AccountPlan, PlanReview
    from stakeholders.privacy import person_erase

    person = AffiliationFactory(account=cast.account_a, person__first_name="Gudrun", person__last_name="Eraseme").person
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    assert "Eraseme" in str(AccountPlan.objects.get(pk=plan.pk).xray_snapshot)
    assert "Eraseme" in str(PlanReview.objects.get(plan=plan).snapshot)
    person_erase(person=person, by=cast.admin)
    assert "Eraseme" not in str(AccountPlan.objects.get(pk=plan.pk).xray_snapshot)
    assert "Eraseme" not in str(PlanReview.objects.get(plan=plan).snapshot)
    assert "[erased]" in str(AccountPlan.objects.get(pk=plan.pk).xray_snapshot)
