"""The small demo's account plans: one for every demo key account, in a believable mix of states."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Account
from kam.demo.data import ACTIONS, OBJECTIVES, PLAN_COMMENTARY, SHARED_ACTIONS, SHARED_OBJECTIVES, SWOT
from kam.models import User
from plans.models import AccountPlan, Action, Objective, PlanningPeriod, PlanStep, Resource, SwotItem
from plans.services import plan_approve, plan_create, plan_request_changes, plan_submit
from stakeholders.models import Affiliation


def seed_plans(users: dict[str, User], rng: random.Random) -> None:
    """A plan for every demo key account, in a believable mix of states."""
    year = date.today().year
    current, _ = PlanningPeriod.objects.get_or_create(
        name=f"FY {year}", defaults={"start": date(year, 1, 1), "end": date(year, 12, 31)}
    )
    PlanningPeriod.objects.get_or_create(
        name=f"FY {year + 1}", defaults={"start": date(year + 1, 1, 1), "end": date(year + 1, 12, 31)}
    )
    today = date.today()
    accounts = Account.objects.filter(crm_id__startswith="DEMO-", is_key_account=True).select_related("owner__manager")
    for i, account in enumerate(accounts.order_by("pk")):
        if AccountPlan.objects.filter(account=account, period=current).exists():
            continue
        owner = account.owner
        plan = plan_create(account=account, period=current, by=owner)
        contents = {
            1: {
                "commentary": rng.choice(PLAN_COMMENTARY),
                "investment_decision": rng.choice(["invest", "invest", "maintain"]),
            },
            2: {
                "strategy": "Consolidate into a regional centre of excellence; reduce length of stay.",
                "needs": "Predictable budgets, fewer stock-outs, outcome data for the drug committee.",
                "drivers": "Budget pressure after the wage agreement; formulary review twice a year; tender for lot 3 in spring.",
            },
            3: {"notes": "Win over the head of controlling; keep the chief pharmacist close."},
            4: {"value_proposition": "Fewer readmissions and a predictable drug budget through a shared care pathway."},
            5: {"notes": ""},
            6: {"audit_notes": "Quarterly check with the account team."},
            7: {"notes": ""},
        }
        for number, content in contents.items():
            PlanStep.objects.filter(plan=plan, number=number).update(content=content, version=1)
        for cell in plan.whitespace.filter(status="opportunity")[:5]:
            cell.estimated_value = Decimal(rng.choice([15000, 40000, 85000, 120000]))
            cell.save(update_fields=["estimated_value"])
        for kind, text in SWOT:
            SwotItem.objects.create(plan=plan, kind=kind, text=text)
        objectives = []
        for title, kpi, unit, baseline, target, months in OBJECTIVES[: rng.randint(2, 4)]:
            progress = Decimal(rng.randint(55, 110)) / 100
            objectives.append(
                Objective.objects.create(
                    plan=plan,
                    title=title,
                    kpi=kpi,
                    unit=unit,
                    baseline=Decimal(baseline),
                    target=Decimal(target),
                    current_value=(Decimal(baseline) + (Decimal(target) - Decimal(baseline)) * progress).quantize(
                        Decimal("0.1")
                    ),
                    due_date=min(current.end, current.start + timedelta(days=30 * months)),
                    owner=owner,
                    share_with_customer=title in SHARED_OBJECTIVES,
                )
            )
        shared_objective = next((o for o in objectives if o.share_with_customer), None)
        # The most influential stakeholder of each function (the last one kept).
        contacts = {a.function: a for a in Affiliation.objects.active().filter(account=account).order_by("influence")}
        for j, (title, days, status) in enumerate(ACTIONS[: rng.randint(3, 6)]):
            shared = title in SHARED_ACTIONS
            objective = objectives[j % len(objectives)]
            action = Action.objects.create(
                plan=plan,
                # A shared action serves the shared objective where the plan has one.
                objective=shared_objective if shared and shared_objective else objective,
                title=title,
                owner=owner,
                due_date=min(current.end, max(current.start, today + timedelta(days=days))),
                status=status,
                share_with_customer=shared,
                customer_owner=contacts.get(SHARED_ACTIONS.get(title)),
            )
            Resource.objects.create(
                action=action,
                people_days=Decimal(rng.randint(1, 8)),
                budget=Decimal(rng.choice([0, 500, 1500, 4000])),
                currency=account.currency,
            )
        AccountPlan.objects.filter(pk=plan.pk).update(
            budget=Decimal(rng.choice([10000, 15000, 25000])), budget_currency=account.currency
        )
        plan.refresh_from_db()
        manager = owner.manager
        state = i % 5
        if state == 0:
            continue  # a draft in progress
        plan_submit(plan=plan, by=owner)
        if state == 1:
            continue  # waiting for review
        if state == 2:
            plan_request_changes(
                plan=plan,
                by=manager,
                comment="Objective 2 needs a clearer KPI.",
                step_comments={4: "Sharpen the KPI."},
            )
            continue
        plan_approve(plan=plan, by=manager, comment="Good plan.")
        if state == 4:  # approved long ago: review overdue
            AccountPlan.objects.filter(pk=plan.pk).update(next_review_date=today - timedelta(days=rng.randint(5, 40)))
