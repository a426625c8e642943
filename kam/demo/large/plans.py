"""The large demo's account plans: one per key account for the current period, with steps,
white space, SWOT, objectives, actions and reviews, as the plan services would leave them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import LISTED_STATUSES, AccountType, ListingStatus
from kam.demo.large.state import Load, apportion
from kam.demo.texts import SHARED_ACTIONS, SHARED_OBJECTIVES, plan_language, texts
from plans.models import (
    AccountPlan,
    Action,
    CommunicationItem,
    Objective,
    PlanningPeriod,
    PlanReview,
    PlanStatus,
    PlanStep,
    RelationshipObjective,
    Resource,
    ReviewOutcome,
    SupplyingFunction,
    SwotItem,
    WhitespaceCell,
    WhitespaceStatus,
)
from plans.services import DEFAULT_COMMUNICATIONS

SUPPLIERS = list(SupplyingFunction)
# The manager's words per language (German or not): approved, changes requested, the step's comment.
REVIEW_COMMENTS = {
    True: {True: "Guter Plan.", False: "Ziel 2 braucht eine klarere Kennzahl.", None: "Kennzahl schärfen."},
    False: {True: "Good plan.", False: "Objective 2 needs a clearer KPI.", None: "Sharpen the KPI."},
}


def plans(load: Load) -> None:
    """One plan per key account for the current period: 30 % drafts, 20 % submitted, 10 %
    with changes requested, 40 % approved (a tenth of those overdue for review)."""

    s, rng, w = load.shape, load.rng, load.writer
    year = load.today.year
    period, _ = PlanningPeriod.objects.get_or_create(
        name=f"FY {year}", defaults={"start": date(year, 1, 1), "end": date(year, 12, 31)}
    )
    key = [a for a in load.accounts if a.key]
    plan_ids = w.ids(AccountPlan, len(key))
    sizes = apportion(s.plan_rows, [rng.uniform(0.5, 1.5) for _ in key])
    n_objectives = [max(1, round(n * rng.uniform(0.2, 0.4))) if n > 1 else n for n in sizes]
    objective_ids = iter(w.ids(Objective, sum(n_objectives)))
    action_ids = iter(w.ids(Action, s.plan_rows - sum(n_objectives)))
    plans, steps, comms, cells, swot, objectives, actions = [], [], [], [], [], [], []
    resources, action_people, relationship, reviews = [], [], [], []
    elapsed = (load.today - period.start).days
    brands = {p.brand: p.pk for p in load.products}
    for i, (a, pk, size, n_obj) in enumerate(zip(key, plan_ids, sizes, n_objectives, strict=True)):
        state = i % 10
        status = (
            PlanStatus.DRAFT
            if state < 3
            else PlanStatus.SUBMITTED
            if state < 5
            else PlanStatus.CHANGES_REQUESTED
            if state == 5
            else PlanStatus.APPROVED
        )
        words = texts(a.kind, a.country)
        german = plan_language(a.country) == "de"
        specs, first_actions, more_actions = words["objectives"], words["actions"], words["more_actions"]
        # Nothing that has happened is dated after now, early in the year as late in it.
        created = min(load.now, load.when(period.start + timedelta(days=rng.randint(0, max(1, min(60, elapsed))))))
        submitted = approved = next_review = snapshot = None
        if status != PlanStatus.DRAFT:
            submitted = min(load.now, created + timedelta(days=rng.randint(10, 60)))
        if status == PlanStatus.APPROVED:
            approved = min(load.now, submitted + timedelta(days=rng.randint(1, 14)))
            next_review = approved.date() + timedelta(days=91)
            if state == 9 and next_review >= load.today:  # approved long ago: review overdue
                next_review = load.today - timedelta(days=rng.randint(5, 40))
        dmu = {
            str(m.id): {"name": m.name, "stance": m.stance, "influence": m.influence} for m in a.people
        }  # as plans.snapshots.plan_snapshot keeps it
        if submitted:
            snapshot = {
                "taken_at": submitted.isoformat(),
                "stakeholders": [
                    {"affiliation": m.id, "person": m.person, "name": m.name, "position": m.department}
                    | {"role": m.role, "influence": m.influence, "stance": m.stance}
                    | {"covered": True, "stale": False}
                    for m in a.people
                ],
                "gaps": [],
            }
        plans.append(
            (
                pk,
                a.id,
                period.pk,
                status,
                Decimal(rng.choice([10000, 15000, 25000, 40000])),
                a.currency,
                next_review,
                snapshot,
                submitted,
                a.owner if submitted else None,
                approved,
                a.manager if approved else None,
                a.owner,
                created,
                approved or submitted or created,
            )
        )
        contents = {
            1: {
                "commentary": rng.choice(words["commentary"]),
                "investment_decision": rng.choice(["invest", "maintain"]),
            },
            5: {"notes": ""},
            7: {"notes": ""},
        } | words["steps"]
        steps.extend((pk, n, content, 1, a.owner, created) for n, content in contents.items())
        comms.extend(
            (pk, kind, str(aud), str(msg), str(ch), str(fr), a.owner)
            for kind, aud, msg, ch, fr in DEFAULT_COMMUNICATIONS
        )
        # The white space as plan_create fills it: DMU departments × our products, from the listings.
        centres = sorted({m.department for m in a.people if m.department})[:4] or ["Whole account"]
        for product in load.products:
            if product.hospital_only and a.kind == AccountType.PHARMACY:
                continue  # as plan_create fills it: a pharmacy carries no hospital-only product
            listed = a.listings.get(product.pk)
            if listed is None or listed[0] == ListingStatus.UNDER_REVIEW:
                cell = WhitespaceStatus.OPPORTUNITY
            elif listed[0] in LISTED_STATUSES:
                cell = WhitespaceStatus.OURS
            else:
                cell = WhitespaceStatus.COMPETITOR if listed[1] else WhitespaceStatus.OPPORTUNITY
            for centre in centres:
                value = None
                if cell == WhitespaceStatus.OPPORTUNITY and rng.random() < 0.3:
                    value = Decimal(rng.choice([15_000, 40_000, 85_000, 120_000]))
                cells.append((pk, centre, product.pk, cell, value))
        swot.extend((pk, kind, text) for kind, text in words["swot"])
        snap_objectives, snap_actions, mine = {}, {}, []
        for n in range(n_obj):
            kind, title, aim, months = specs[n % len(specs)]
            oid = next(objective_ids)
            due = min(period.end, period.start + timedelta(days=30 * (months + n % 3)))
            shared = n < len(specs) and title in SHARED_OBJECTIVES[a.kind]
            if n >= len(specs):
                title = f"{title} ({n // len(specs) + 1})"
            kpi = unit = listing = ""
            base = goal = current = product = None
            pacing, done = "linear", False
            if kind == "numeric":
                kpi, unit, baseline, target, pacing = aim
                base, goal = Decimal(baseline), Decimal(target)
                current = (base + (goal - base) * Decimal(rng.randint(20, 110)) / 100).quantize(Decimal("0.1"))
            elif kind == "milestone":
                done = rng.random() < 1 / 3
            else:
                product, listing = brands[aim[0]], aim[1]
            objectives.append(
                (
                    oid,
                    pk,
                    title,
                    kind,
                    kpi,
                    unit,
                    base,
                    goal,
                    current,
                    pacing,
                    done,
                    product,
                    listing,
                    due,
                    a.owner,
                    shared,
                )
            )
            snap_objectives[str(oid)] = {
                "title": title,
                "current": None if current is None else str(current),
                "target": None if goal is None else str(goal),
            }
            snap_objectives[str(oid)]["status"] = "on_track"
            mine.append(oid)
        for n in range(size - n_obj):
            aid = next(action_ids)
            if n < len(first_actions):
                title, _days, status_ = first_actions[n]
            else:
                title, status_ = more_actions[(n - len(first_actions)) % len(more_actions)]
            due = min(period.end, max(period.start, load.today + timedelta(days=rng.randint(-120, 150))))
            shared = title in SHARED_ACTIONS[a.kind]
            actions.append((aid, pk, mine[n % len(mine)] if mine else None, title, a.owner, due, status_, shared))
            snap_actions[str(aid)] = {"title": title, "status": status_, "due": due.isoformat()}
            if rng.random() < 0.5:
                days, budget = Decimal(rng.randint(1, 8)), Decimal(rng.choice([0, 500, 1500, 4000]))
                resources.append((aid, days, budget, a.currency, rng.choice(SUPPLIERS)))
            if a.people and rng.random() < 0.3:
                action_people.append((aid, rng.choice(a.people).person))
        for m in sorted(a.people, key=lambda m: -m.influence)[:2]:
            relationship.append((pk, m.id, m.stance, min(2, m.stance + 1), period.end, a.owner))
        if status in (PlanStatus.APPROVED, PlanStatus.CHANGES_REQUESTED):
            snap = {"objectives": snap_objectives, "actions": snap_actions, "dmu": dmu}
            outcome = ReviewOutcome.APPROVED if approved else ReviewOutcome.CHANGES_REQUESTED
            comment = REVIEW_COMMENTS[german][bool(approved)]
            step_comments = {} if approved else {"4": REVIEW_COMMENTS[german][None]}
            reviewed = approved or min(load.now, submitted + timedelta(days=3))
            reviews.append((pk, a.manager, reviewed, outcome, comment, step_comments, snap))
    w.table(
        AccountPlan,
        [
            "id",
            "account",
            "period",
            "status",
            "budget",
            "budget_currency",
            "next_review_date",
            "xray_snapshot",
            "submitted_at",
            "submitted_by",
            "approved_at",
            "approved_by",
            "created_by",
            "created_at",
            "updated_at",
        ],
    ).insert(plans)
    w.table(PlanStep, ["plan", "number", "content", "version", "updated_by", "updated_at"]).insert(steps)
    w.table(
        CommunicationItem, ["plan", "audience_kind", "audience", "message", "channel", "frequency", "owner"]
    ).insert(comms)
    w.table(WhitespaceCell, ["plan", "buying_centre", "product", "status", "estimated_value"]).insert(cells)
    w.table(SwotItem, ["plan", "kind", "text"]).insert(swot)
    w.table(
        Objective,
        [
            "id",
            "plan",
            "title",
            "kind",
            "kpi",
            "unit",
            "baseline",
            "target",
            "current_value",
            "pacing",
            "done",
            "product",
            "target_listing_status",
            "due_date",
            "owner",
            "share_with_customer",
        ],
    ).insert(objectives)
    w.table(Action, ["id", "plan", "objective", "title", "owner", "due_date", "status", "share_with_customer"]).insert(
        actions
    )
    w.table(Resource, ["action", "people_days", "budget", "currency", "function"]).insert(resources)
    w.table(Action.stakeholders.through, ["action", "person"]).insert(action_people)
    w.table(RelationshipObjective, ["plan", "affiliation", "from_stance", "to_stance", "due_date", "owner"]).insert(
        relationship
    )
    w.table(PlanReview, ["plan", "reviewer", "reviewed_at", "outcome", "comment", "step_comments", "snapshot"]).insert(
        reviews
    )
