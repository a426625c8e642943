from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse

from plans.models import Action, Objective, PlanStep
from plans.services import plan_approve, plan_revise, plan_submit
from tests.stakeholder_factories import AffiliationFactory


def test_since_last_review_shows_what_moved(cast, plan, login):
    boss = AffiliationFactory(account=cast.account_a, stance=0)
    leaver = AffiliationFactory(account=cast.account_a)
    action = Action.objects.create(
        plan=plan, title="Workshop", owner=cast.kam_a, due_date=date.today() + timedelta(days=10)
    )
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    # After the review: progress, a stance change, a newcomer, a leaver, a slipped action.
    Objective.objects.filter(plan=plan).update(current_value=Decimal("0.5"))
    boss.stance = 2
    boss.save()
    leaver.end_date = date.today()
    leaver.save()
    newcomer = AffiliationFactory(account=cast.account_a, person__last_name="Neuzugang")
    Action.objects.filter(pk=action.pk).update(due_date=date.today() + timedelta(days=40))

    page = login(cast.kam_a).get(reverse("plans:since-review", args=[plan.pk]))
    assert page.status_code == 200
    ctx = page.context
    assert [o["now"]["current"] for o in ctx["objectives"]] == ["0.50"]
    assert ctx["stance_changes"] == [{"name": str(boss.person), "before": 0, "now": 2}]
    assert ctx["new_people"] == [str(newcomer.person)]
    assert ctx["departed"] == [str(leaver.person)]
    assert [s["now"]["title"] for s in ctx["slipped"]] == ["Workshop"]


def test_two_revisions_compare_side_by_side(cast, plan, login):
    PlanStep.objects.filter(plan=plan, number=4).update(content={"value_proposition": "Fewer readmissions"})
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    revision = plan_revise(plan=plan, by=cast.kam_a)
    PlanStep.objects.filter(plan=revision, number=4).update(content={"value_proposition": "A predictable budget"})
    page = login(cast.manager_a).get(reverse("plans:compare", args=[revision.pk]) + "?a=1&b=2")
    assert page.status_code == 200
    changed = [r for r in page.context["rows"] if r["changed"]]
    assert changed == [
        {
            "step": 4,
            "field": "value_proposition",
            "a": "Fewer readmissions",
            "b": "A predictable budget",
            "changed": True,
        }
    ]
    # A revision number that does not exist falls back instead of failing.
    assert login(cast.manager_a).get(reverse("plans:compare", args=[revision.pk]) + "?a=99&b=x").status_code == 200


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
