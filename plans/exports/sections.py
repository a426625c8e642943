"""The sections of a plan export: the seven steps for our side, an allow-listed few parts for the
customer's joint plan. They lay out rows already read by ``plans.exports.data``; the only reads here
are the live DMU's, when a plan has no snapshot yet."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import QUADRANT_ADVICE, AccountType
from kam.models import User
from plans.exports.blocks import (
    bullets_block,
    facts_block,
    format_date,
    format_money,
    format_number,
    format_pct,
    table_block,
    text_block,
    yes_no,
)
from plans.exports.deck import clean_text
from plans.exports.row_tables import (
    actions_table,
    communications_table,
    objectives_table,
    progress_table,
    swot_block,
)
from plans.exports.summary import executive_summary, org_chart_block, portfolio_chart, xray_chart
from plans.models import (
    STEPS,
    AccountPlan,
    InvestmentDecision,
    SupplyingFunction,
    SwotKind,
)
from stakeholders.models import STANCE_SHORT
from stakeholders.selectors import (
    coverage_for,
    dmu_for_account,
    dmu_gaps,
    is_stale,
    snapshot_gap_texts,
    snapshot_role,
    xray_quadrant,
)


def _xray_rows(plan: AccountPlan, user: User, today: date) -> tuple[list[list[str]], list[str], str, list[dict]]:
    """The DMU as taken at submission if there is a snapshot, else as it stands today: the table's
    rows, the gaps, a note saying which, and the people for the charts (id, parent, name, position,
    influence, stance)."""
    snapshot = plan.xray_snapshot
    people: list[dict] = []
    if snapshot:
        rows = []
        for s in snapshot.get("stakeholders", []):
            stance = s.get("stance", 0)
            influence = s.get("influence", 3)
            people.append(
                {
                    "id": s.get("affiliation"),
                    "parent": s.get("reports_to"),
                    "name": clean_text(s.get("name", "")),
                    "position": clean_text(s.get("position", "")),
                    "influence": influence,
                    "stance": stance,
                }
            )
            rows.append(
                [
                    s.get("name", ""),
                    s.get("position", ""),
                    snapshot_role(s),
                    str(influence),
                    STANCE_SHORT.get(stance, ""),
                    xray_quadrant(influence, stance),
                    _("%(covered)s (contact overdue)") % {"covered": yes_no(s.get("covered", False))}
                    if s.get("stale")
                    else yes_no(s.get("covered", False)),
                ]
            )
        taken = snapshot.get("taken_at", "")
        try:
            taken_on = format_date(timezone.localtime(datetime.fromisoformat(taken)).date())
        except (TypeError, ValueError):
            taken_on = taken
        note = _("Snapshot taken when the plan was submitted (%(date)s).") % {"date": taken_on}
        return rows, snapshot_gap_texts(snapshot.get("gaps", [])), note, people
    affiliations = list(dmu_for_account(plan.account))
    area = plan.therapeutic_area.strip().lower()
    rows = []
    for a in affiliations:
        role, stance = a.get_dmu_role_display(), a.stance
        # Where the person's role or stance differs for this plan's therapeutic area, that counts.
        for override in a.overrides.all():
            if area and override.therapeutic_area.strip().lower() == area:
                if override.dmu_role:
                    role = override.get_dmu_role_display()
                if override.stance is not None:
                    stance = override.stance
        people.append(
            {
                "id": a.pk,
                "parent": a.reports_to_id,
                "name": clean_text(str(a.person)),
                "position": clean_text(a.position_title or a.get_function_display()),
                "influence": a.influence,
                "stance": stance,
            }
        )
        covered = yes_no(coverage_for(a, user).covered)
        if is_stale(a, today):
            covered = _("%(covered)s (contact overdue)") % {"covered": covered}
        rows.append(
            [
                str(a.person),
                a.position_title or a.get_function_display(),
                role,
                str(a.influence),
                STANCE_SHORT[stance],
                xray_quadrant(a.influence, stance),
                covered,
            ]
        )
    gaps = [g.text for g in dmu_gaps(plan.account, affiliations, user, today)]
    note = _("The DMU as it stands on %(date)s (no snapshot yet: taken at submission).") % {"date": format_date(today)}
    return rows, gaps, note, people


def _step_title(number: int) -> str:
    return _("Step %(n)d of 7 · %(title)s") % {"n": number, "title": STEPS[number]}


def internal_sections(plan: AccountPlan, steps: dict, user: User, today: date, rows: dict) -> list[dict]:
    """The seven steps as our side sees them: stances, margins, resources and notes included."""
    account = plan.account
    currency = account.currency
    objectives, actions = rows["objectives"], rows["actions"]
    none_yet = _("Not filled in yet.")

    # Step 1: where the account stands and what it earns.
    c1 = steps.get(1, {})
    financials = table_block(
        _("Numbers by year"),
        [
            _("Year"),
            _("Revenue actual"),
            _("Revenue target"),
            _("Attainment"),
            _("Gross profit"),
            _("Estimated potential"),
        ],
        [
            [
                str(f.year),
                format_money(f.revenue_actual, currency),
                format_money(f.revenue_target, currency),
                format_pct(f.target_attainment_pct),
                format_money(f.gross_profit, currency),
                format_money(f.estimated_potential, currency),
            ]
            for f in rows["financials"]
        ],
        widths=[0.8, 1.6, 1.6, 1.3, 1.6, 1.8],
        numeric=[1, 2, 3, 4, 5],
        empty=_("No financials recorded for these years."),
    )
    quadrant = account.quadrant
    decision = c1.get("investment_decision") or ""
    facts = [
        (_("Account type"), account.get_account_type_display()),
        (_("Tier"), account.tier),
        (_("Key account"), yes_no(account.is_key_account)),
        (
            _("Portfolio quadrant"),
            f"{quadrant.label}: {QUADRANT_ADVICE[quadrant]}" if quadrant else _("Not placed yet"),
        ),
        (
            _("Attractiveness / our position"),
            f"{format_number(account.attractiveness)} / {format_number(account.position)}",
        ),
        (
            _("Investment decision"),
            InvestmentDecision(decision).label if decision in InvestmentDecision.values else _("Not decided yet"),
        ),
    ]
    if account.account_type == AccountType.HOSPITAL:
        facts += [
            (_("Beds"), format_number(account.beds)),
            (_("Management model"), account.get_management_model_display() or "—"),
        ]
    else:
        facts += [
            (_("Annual turnover"), format_money(account.annual_turnover, currency)),
            (_("Turnover goal"), format_money(account.turnover_goal, currency)),
            (_("Gross margin"), format_pct(account.gross_margin_pct)),
            (_("Average discount"), format_pct(account.average_discount_pct)),
            (_("Basket penetration"), format_pct(account.basket_penetration_pct)),
            (_("Market share"), format_pct(account.market_share_pct)),
        ]
    step1 = [
        portfolio_chart(account),
        facts_block(_("Position in our portfolio"), facts),
        text_block(_("Commentary"), c1.get("commentary"), placeholder=none_yet),
        financials,
    ]

    # Step 2: the customer.
    c2 = steps.get(2, {})
    step2 = [
        text_block(_("The customer's strategy and goals"), c2.get("strategy"), placeholder=none_yet),
        text_block(_("Needs and pain points"), c2.get("needs"), placeholder=none_yet),
        text_block(_("Business drivers"), c2.get("drivers"), placeholder=none_yet),
        _whitespace_table(rows["whitespace"], currency),
        swot_block(rows["swot"], SwotKind.values, _("SWOT")),
    ]

    # Step 3: the relationship X-ray.
    xray, gaps, note, people = _xray_rows(plan, user, today)
    step3 = [
        xray_chart(people),
        bullets_block(_("Gaps"), gaps, empty=_("No gaps found.")),
        text_block(_("Relationship strategy"), steps.get(3, {}).get("notes"), placeholder=none_yet),
        table_block(
            _("Decision-making unit"),
            [_("Name"), _("Position"), _("DMU role"), _("Influence"), _("Stance"), _("X-ray"), _("Covered")],
            xray,
            widths=[2.2, 2.0, 1.4, 0.9, 1.5, 2.4, 1.6],
            numeric=[3],
            print_columns=[([0, 1], 3.4), ([2, 3, 4], 3.0), ([5, 6], 3.6)],
            empty=_("No stakeholders recorded yet."),
            note=note,
        ),
        table_block(
            _("Relationship objectives"),
            [_("Stakeholder"), _("From"), _("To"), _("By"), _("Owner")],
            [
                [
                    str(r.affiliation.person),
                    STANCE_SHORT[r.from_stance],
                    STANCE_SHORT[r.to_stance],
                    format_date(r.due_date),
                    str(r.owner),
                ]
                for r in rows["relationship_objectives"]
            ],
            widths=[2.6, 1.8, 1.8, 1.3, 1.6],
            nowrap=[3],
            empty=_("No relationship objectives yet."),
        ),
        org_chart_block(people),
    ]

    # Step 4: value proposition and objectives.
    step4 = [
        text_block(_("Value proposition"), steps.get(4, {}).get("value_proposition"), placeholder=none_yet),
        objectives_table(objectives, today, _("Objectives")),
    ]

    # Step 5: actions.
    step5 = [
        actions_table(actions, objectives, _("Actions"), today),
        text_block(_("Notes on the action plan"), steps.get(5, {}).get("notes"), placeholder=None),
    ]

    # Step 6: resources and audit.
    step6 = [*_resource_blocks(plan, actions), progress_table(objectives, today, _("Audit: progress per objective"))]
    step6.append(text_block(_("Audit notes"), steps.get(6, {}).get("audit_notes"), placeholder=None))

    # Step 7: communication.
    step7 = [
        communications_table(rows["communications"], _("Communication plan"), grouped=True),
        text_block(_("Notes"), steps.get(7, {}).get("notes"), placeholder=None),
    ]

    blocks = [step1, step2, step3, step4, step5, step6, step7]
    summary = executive_summary(plan, c1, rows, people, gaps, today)
    return [summary] + [
        {"number": n, "kicker": _step_title(n), "title": str(STEPS[n]), "blocks": [b for b in bl if b]}
        for n, bl in enumerate(blocks, start=1)
    ]


def _whitespace_table(cells: list, currency: str) -> dict:
    """One grid: a row per department or buying centre, a column per product, the status (and the
    estimated value) where they cross."""
    centres = list(dict.fromkeys(c.buying_centre for c in cells))
    products = sorted({c.product.brand for c in cells})
    at = {(c.buying_centre, c.product.brand): c for c in cells}

    def cell(centre: str, product: str) -> str:
        c = at.get((centre, product))
        if c is None:
            return ""
        if c.estimated_value is None:
            return c.get_status_display()
        return f"{c.get_status_display()}\n{format_money(c.estimated_value, currency)}"

    return table_block(
        _("Whitespace: departments × our products"),
        [_("Department / buying centre"), *products],
        [[centre, *(cell(centre, p) for p in products)] for centre in centres],
        widths=[2.2, *([1.6] * len(products))],
        empty=_("No whitespace mapped yet."),
    )


def _resource_blocks(plan: AccountPlan, actions: list) -> list[dict]:
    resources = [r for a in actions for r in a.resources.all()]
    currency = plan.budget_currency
    days = sum((r.people_days for r in resources), Decimal(0))
    spent = sum((r.budget for r in resources if r.currency == currency), Decimal(0))
    foreign: dict[str, Decimal] = {}
    for r in resources:
        if r.currency != currency:
            foreign[r.currency] = foreign.get(r.currency, Decimal(0)) + r.budget
    facts = [
        (_("People-days planned"), format_number(days, 1)),
        (_("Budget of the actions"), format_money(spent, currency)),
        (_("Plan budget"), format_money(plan.budget, currency)),
    ]
    if plan.budget is not None:
        left = plan.budget - spent
        label = _("Left in the plan budget") if left >= 0 else _("Over the plan budget")
        facts.append((label, format_money(abs(left), currency)))
    if foreign:
        facts.append(
            (
                _("In other currencies (not added)"),
                ", ".join(format_money(v, k) for k, v in sorted(foreign.items())),
            )
        )
    done = sum(a.status == "done" for a in actions)
    facts.append((_("Actions done"), f"{round(100 * done / len(actions))} %" if actions else "—"))
    by_function: dict[str, list[Decimal]] = {}
    for r in resources:
        row = by_function.setdefault(r.function, [Decimal(0), Decimal(0)])
        row[0] += r.people_days
        if r.currency == currency:
            row[1] += r.budget
    return [
        facts_block(_("Resources against the plan budget"), facts),
        table_block(
            _("People-days and budget by supplying function"),
            [_("Supplied by"), _("People-days"), _("Budget (%(currency)s)") % {"currency": currency}],
            [
                [SupplyingFunction(f).label, format_number(v[0], 1), format_number(v[1], 0)]
                for f, v in sorted(by_function.items(), key=lambda kv: -kv[1][0])
            ],
            widths=[3, 1.5, 1.5],
            numeric=[1, 2],
            empty=_("No resources planned yet."),
        ),
    ]


def joint_sections(plan: AccountPlan, steps: dict, today: date, rows: dict) -> list[dict]:
    """Only what may be shown to the customer: their goals, strengths and opportunities, the people
    on both sides, our proposal, objectives, actions, progress and how we stay in touch."""
    c2 = steps.get(2, {})
    goals = [
        text_block(_("Your strategy and goals"), c2.get("strategy"), placeholder=None),
        text_block(_("Your needs and priorities"), c2.get("needs"), placeholder=None),
    ]
    if any(i.kind in (SwotKind.STRENGTH, SwotKind.OPPORTUNITY) for i in rows["swot"]):
        goals.append(
            swot_block(rows["swot"], [SwotKind.STRENGTH, SwotKind.OPPORTUNITY], _("Strengths and opportunities"))
        )
    people = [
        table_block(
            _("Your team"),
            [_("Name"), _("Position"), _("Department")],
            [[str(a.person), a.position_title or a.get_function_display(), a.department] for a in rows["contacts"]],
            widths=[2.5, 3, 2.5],
            empty=_("No contacts recorded yet."),
            print_columns=[([0], 4.0), ([1, 2], 6.0)],
        ),
        table_block(
            _("Our team"),
            [_("Name"), _("Function")],
            rows["our_team"],
            widths=[3, 3],
        ),
    ]
    offer = [
        text_block(_("Our value proposition"), steps.get(4, {}).get("value_proposition"), placeholder=None),
        objectives_table(rows["objectives"], today, _("Joint objectives")),
    ]
    sections = [
        (_("Your goals and needs"), goals),
        (_("Who works together"), people),
        (_("What we propose"), offer),
        (
            _("Joint actions"),
            [actions_table(rows["actions"], rows["objectives"], _("Joint actions"), today, joint=True)],
        ),
        (_("Progress"), [progress_table(rows["objectives"], today, _("Progress against the joint objectives"))]),
        (
            _("How we stay in touch"),
            [communications_table(rows["communications"], _("How we stay in touch"), grouped=False)],
        ),
    ]
    kept = [(title, [b for b in blocks if b]) for title, blocks in sections]
    kept = [(title, blocks) for title, blocks in kept if blocks]
    return [
        {
            "number": n,
            "kicker": _("Part %(n)d of %(total)d") % {"n": n, "total": len(kept)},
            "title": title,
            "blocks": blocks,
        }
        for n, (title, blocks) in enumerate(kept, start=1)
    ]
