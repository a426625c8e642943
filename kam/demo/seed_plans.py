"""The small demo's account plans: one for every demo key account, in a believable mix of states."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Account, Product
from kam.demo.texts import SHARED_ACTIONS, SHARED_OBJECTIVES, plan_language, texts
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
    products = {p.brand: p for p in Product.objects.all()}
    accounts = Account.objects.filter(crm_id__startswith="DEMO-", is_key_account=True).select_related("owner__manager")
    for i, account in enumerate(accounts.order_by("pk")):
        if AccountPlan.objects.filter(account=account, period=current).exists():
            continue
        owner = account.owner
        plan = plan_create(account=account, period=current, by=owner)
        words = texts(account.account_type, account.country)
        shared_objectives = SHARED_OBJECTIVES[account.account_type]
        shared_actions = SHARED_ACTIONS[account.account_type]
        contents = {
            1: {
                "commentary": rng.choice(words["commentary"]),
                "investment_decision": rng.choice(["invest", "invest", "maintain"]),
            },
            5: {"notes": ""},
            7: {"notes": ""},
        } | words["steps"]
        for number, content in contents.items():
            PlanStep.objects.filter(plan=plan, number=number).update(content=content, version=1)
        for cell in plan.whitespace.filter(status="opportunity")[:5]:
            cell.estimated_value = Decimal(rng.choice([15000, 40000, 85000, 120000]))
            cell.save(update_fields=["estimated_value"])
        for kind, text in words["swot"]:
            SwotItem.objects.create(plan=plan, kind=kind, text=text)
        objectives = [
            Objective.objects.create(
                plan=plan,
                owner=owner,
                share_with_customer=spec[1] in shared_objectives,
                **_objective(spec, current, products, rng),
            )
            for spec in words["objectives"][: rng.randint(2, 4)]
        ]
        shared_objective = next((o for o in objectives if o.share_with_customer), None)
        # The most influential stakeholder of each function (the last one kept).
        contacts = {a.function: a for a in Affiliation.objects.active().filter(account=account).order_by("influence")}
        for j, (title, days, status) in enumerate(words["actions"][: rng.randint(3, 6)]):
            shared = title in shared_actions
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
                customer_owner=contacts.get(shared_actions.get(title)),
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
            german = plan_language(account.country) == "de"
            plan_request_changes(
                plan=plan,
                by=manager,
                comment="Ziel 2 braucht eine klarere Kennzahl." if german else "Objective 2 needs a clearer KPI.",
                step_comments={4: "Kennzahl schärfen." if german else "Sharpen the KPI."},
            )
            continue
        plan_approve(
            plan=plan, by=manager, comment="Guter Plan." if plan_language(account.country) == "de" else "Good plan."
        )
        if state == 4:  # approved long ago: review overdue
            AccountPlan.objects.filter(pk=plan.pk).update(next_review_date=today - timedelta(days=rng.randint(5, 40)))


def _objective(spec: tuple, period: PlanningPeriod, products: dict[str, Product], rng: random.Random) -> dict:
    """An objective's fields from its demo spec (``kam.demo.texts``), with progress made:
    a number between 55 % and 110 % of the way, a milestone done one time in three; a listing's
    progress is the account's listing, seeded with the accounts."""
    kind, title, aim, months = spec
    fields: dict = {
        "title": title,
        "kind": kind,
        "due_date": min(period.end, period.start + timedelta(days=30 * months)),
    }
    if kind == "numeric":
        kpi, unit, baseline, target, pacing = aim
        base, goal = Decimal(baseline), Decimal(target)
        current = (base + (goal - base) * Decimal(rng.randint(55, 110)) / 100).quantize(Decimal("0.1"))
        fields |= {"kpi": kpi, "unit": unit, "baseline": base, "target": goal, "current_value": current}
        fields["pacing"] = pacing
    elif kind == "milestone":
        fields["done"] = rng.random() < 1 / 3
    else:
        brand, status = aim
        fields |= {"product": products[brand], "target_listing_status": status}
    return fields
