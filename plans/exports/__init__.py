"""Plan exports: the internal deck and PDF for our side, and the joint plan for the customer.

``plan_export_data`` reads everything once (a fixed number of queries, whatever the number of
rows) and decides what a variant may show. The joint variant is built from an allow-list: it never
reads stances, coverage, gaps, margins, gross profit, resources or internal notes, so no renderer
can leak them. The renderers only lay out the sections and blocks they are given.

The ``Deck`` helpers (title, bullets, text, tables split across slides, grids, pictures) are
public so that other decks, such as the portfolio review, look the same.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import logging
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu, Inches, Pt

from accounts.models import QUADRANT_ADVICE, AccountFinancials, AccountType
from kam.lib import CACHE_ERRORS
from kam.models import MEDICAL_ROLES, User
from kam.text import UNUSABLE
from plans.models import (
    STEPS,
    AccountPlan,
    ActionStatus,
    AudienceKind,
    InvestmentDecision,
    ObjectiveStatus,
    SupplyingFunction,
    SwotKind,
)
from stakeholders.models import STANCE_SHORT, Affiliation
from stakeholders.selectors import coverage_for, dmu_for_account, dmu_gaps, is_stale, xray_quadrant

INTERNAL = "internal"
JOINT = "joint"
VARIANTS = (INTERNAL, JOINT)

PPTX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF_CONTENT_TYPE = "application/pdf"

# ---------------------------------------------------------------------------------------------
# Text and number formatting
# ---------------------------------------------------------------------------------------------

# Characters XML cannot hold (python-pptx refuses them) and that mean nothing in a document: the
# one list every writer of the app strips (kam.text), so no stored text can fail an export.
_CONTROL_CHARS = UNUSABLE


logger = logging.getLogger(__name__)


def clean_text(value: Any) -> str:
    """User text made safe for a document: no control characters, Unix line ends, trimmed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text).strip()


def _num(value: Decimal | float | int | None, places: int | None = None) -> str:
    if value is None:
        return "—"
    if places is None:
        exponent = Decimal(value).normalize().as_tuple().exponent
        places = min(2, max(0, -exponent)) if isinstance(exponent, int) else 0
    return number_format(value, decimal_pos=places, force_grouping=True)


def _money(value: Decimal | None, currency: str) -> str:
    return "—" if value is None else f"{_num(value, 0)} {currency}"


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{_num(value)} %"


def _date(value: date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


# ---------------------------------------------------------------------------------------------
# Blocks: what a section holds, independent of the output format
# ---------------------------------------------------------------------------------------------


def _text_block(title: str, text: str, *, placeholder: str | None) -> dict | None:
    text = clean_text(text)
    if not text and placeholder is None:
        return None
    return {"kind": "text", "title": title, "text": text, "placeholder": placeholder or ""}


def _bullets_block(title: str, items: Iterable[str], *, empty: str = "") -> dict:
    return {"kind": "bullets", "title": title, "items": [clean_text(i) for i in items if clean_text(i)], "empty": empty}


def _facts_block(title: str, rows: Iterable[tuple[str, str]]) -> dict:
    return {"kind": "facts", "title": title, "rows": [[label, clean_text(value) or "—"] for label, value in rows]}


def _table_block(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[float],
    numeric: Sequence[int] = (),
    nowrap: Sequence[int] = (),
    flagged: Sequence[bool] | None = None,
    groups: Sequence[str] | None = None,
    empty: str = "",
    note: str = "",
    print_columns: Sequence[tuple[Sequence[int], float]] | None = None,
) -> dict:
    """A table for both renderers. ``print_columns`` lays it out with fewer, wider cells in the PDF:
    each entry is (the columns joined into one cell, its relative width)."""
    rows = [["—" if c is None else clean_text(c) for c in row] for row in rows]
    flagged = list(flagged) if flagged is not None else [False] * len(rows)
    groups = [clean_text(g) for g in groups] if groups is not None else None
    total = sum(widths)
    return {
        "kind": "table",
        "title": title,
        "columns": list(columns),
        "rows": rows,
        "widths": [w / total for w in widths],
        "percent_widths": [round(100 * w / total, 1) for w in widths],
        "numeric": list(numeric),
        "nowrap": sorted(set(numeric) | set(nowrap)),
        "flagged": flagged,
        "groups": groups,
        # For the template: each row with the group it opens, if any.
        "lines": [
            {
                "group": groups[i] if groups is not None and (i == 0 or groups[i] != groups[i - 1]) else "",
                "flag": flagged[i],
                "cells": row,
            }
            for i, row in enumerate(rows)
        ],
        "empty": empty,
        "note": note,
        "print_columns": [[list(group), width] for group, width in print_columns] if print_columns else None,
    }


# ---------------------------------------------------------------------------------------------
# Collecting the data
# ---------------------------------------------------------------------------------------------


def _range(start: Decimal | None, end: Decimal | None, unit: str) -> str:
    """ "40 → 60 %": one cell instead of three keeps the tables short enough to read and to print fast.
    No-break spaces keep the range on one line where a cell wraps."""
    text = f"{_num(start)}\u00a0→\u00a0{_num(end)}"
    return f"{text}\u00a0{unit}" if unit and end is not None else text


def _objective_rows(objectives: list, today: date) -> list[list[str]]:
    return [
        [
            o.title,
            o.kpi,
            _range(o.baseline, o.target, o.unit),
            _date(o.due_date),
            ObjectiveStatus(o.status(today)).label,
            str(o.owner) if o.owner else "—",
        ]
        for o in objectives
    ]


def _objectives_table(objectives: list, today: date, title: str) -> dict:
    return _table_block(
        title,
        [_("Objective"), _("KPI"), _("Baseline → target"), _("Due"), _("Status"), _("Owner")],
        _objective_rows(objectives, today),
        widths=[3.6, 2.1, 1.9, 1.4, 1.2, 1.5],
        numeric=[2],
        nowrap=[3],
        empty=_("No objectives yet."),
        print_columns=[([0], 3.8), ([1, 2], 3.2), ([5, 3, 4], 3.0)],
    )


def _actions_table(actions: list, objectives: list, title: str, today: date) -> dict:
    """Actions under the objective each serves, in the objectives' order; loose ones last."""
    order = {o.pk: n for n, o in enumerate(objectives)}
    actions = sorted(actions, key=lambda a: order.get(a.objective_id, len(order)))
    loose = _("Not tied to an objective")
    overdue = [bool(a.due_date and a.status != ActionStatus.DONE and a.due_date < today) for a in actions]

    def status(a, late: bool) -> str:
        return f"{a.get_status_display()} · {_('overdue')}" if late else a.get_status_display()

    return _table_block(
        title,
        [_("Action"), _("Owner"), _("Due"), _("Status")],
        [[a.title, str(a.owner), _date(a.due_date), status(a, late)] for a, late in zip(actions, overdue, strict=True)],
        widths=[5.4, 1.8, 1.3, 1.9],
        nowrap=[2],
        print_columns=[([0], 5.7), ([1, 2, 3], 4.3)],
        flagged=overdue,
        groups=[_("Objective: %(title)s") % {"title": a.objective.title} if a.objective else loose for a in actions],
        empty=_("No actions yet."),
    )


def _progress_table(objectives: list, today: date, title: str) -> dict:
    def progress(o) -> str:
        share = o.progress()
        return "—" if share is None else f"{round(100 * share)} %"

    return _table_block(
        title,
        [_("Objective"), _("Current → target"), _("Progress"), _("Status")],
        [
            [o.title, _range(o.current_value, o.target, o.unit), progress(o), ObjectiveStatus(o.status(today)).label]
            for o in objectives
        ],
        widths=[5.4, 1.9, 1.1, 1.4],
        numeric=[1, 2],
        empty=_("No objectives yet."),
        print_columns=[([0], 6.0), ([1, 2, 3], 4.0)],
    )


def _communications_table(items: list, title: str, *, grouped: bool) -> dict:
    return _table_block(
        title,
        [_("Audience"), _("Message"), _("Channel"), _("Frequency"), _("Owner"), _("Next")],
        [
            [c.audience, c.message, c.channel, c.frequency, str(c.owner) if c.owner else "—", _date(c.next_date)]
            for c in items
        ],
        widths=[1.8, 3.6, 1.6, 1.3, 1.5, 1.4],
        nowrap=[5],
        print_columns=[([0], 2.0), ([1], 3.6), ([2, 3, 4, 5], 4.4)],
        groups=[c.get_audience_kind_display() for c in items] if grouped else None,
        empty=_("No communication planned yet."),
    )


def _swot_block(items: list, kinds: Sequence[str], title: str) -> dict:
    return {
        "kind": "swot",
        "title": title,
        "quadrants": [
            {
                "key": kind,
                "label": str(SwotKind(kind).label),
                "items": [clean_text(i.text) for i in items if i.kind == kind],
            }
            for kind in kinds
        ],
    }


def _xray_rows(plan: AccountPlan, user: User, today: date) -> tuple[list[list[str]], list[str], str]:
    """The DMU as taken at submission if there is a snapshot, else as it stands today."""
    snapshot = plan.xray_snapshot
    if snapshot:
        rows = []
        for s in snapshot.get("stakeholders", []):
            stance = s.get("stance", 0)
            influence = s.get("influence", 3)
            rows.append(
                [
                    s.get("name", ""),
                    s.get("position", ""),
                    s.get("role", ""),
                    str(influence),
                    STANCE_SHORT.get(stance, ""),
                    xray_quadrant(influence, stance),
                    _yes(s.get("covered", False)) + (f" ({_('contact overdue')})" if s.get("stale") else ""),
                ]
            )
        taken = snapshot.get("taken_at", "")
        try:
            taken_on = _date(timezone.localtime(datetime.fromisoformat(taken)).date())
        except (TypeError, ValueError):
            taken_on = taken
        note = _("Snapshot taken when the plan was submitted (%(date)s).") % {"date": taken_on}
        return rows, list(snapshot.get("gaps", [])), note
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
        covered = _yes(coverage_for(a, user).covered)
        if is_stale(a, today):
            covered = f"{covered} ({_('contact overdue')})"
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
    note = _("The DMU as it stands on %(date)s (no snapshot yet: taken at submission).") % {"date": _date(today)}
    return rows, gaps, note


def _step_title(number: int) -> str:
    return _("Step %(n)d of 7 · %(title)s") % {"n": number, "title": STEPS[number]}


def _internal_sections(plan: AccountPlan, steps: dict, user: User, today: date, rows: dict) -> list[dict]:
    account = plan.account
    currency = account.currency
    objectives, actions = rows["objectives"], rows["actions"]
    none_yet = _("Not filled in yet.")

    # Step 1: where the account stands and what it earns.
    c1 = steps.get(1, {})
    financials = _table_block(
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
                _money(f.revenue_actual, currency),
                _money(f.revenue_target, currency),
                _pct(f.target_attainment_pct),
                _money(f.gross_profit, currency),
                _money(f.estimated_potential, currency),
            ]
            for f in rows["financials"]
        ],
        widths=[0.8, 1.6, 1.6, 1.1, 1.6, 1.8],
        numeric=[1, 2, 3, 4, 5],
        empty=_("No financials recorded for these years."),
    )
    quadrant = account.quadrant
    decision = c1.get("investment_decision") or ""
    facts = [
        (_("Account type"), account.get_account_type_display()),
        (_("Tier"), account.tier),
        (_("Key account"), _yes(account.is_key_account)),
        (
            _("Portfolio quadrant"),
            f"{quadrant.label}: {QUADRANT_ADVICE[quadrant]}" if quadrant else _("Not placed yet"),
        ),
        (_("Attractiveness / our position"), f"{_num(account.attractiveness)} / {_num(account.position)}"),
        (
            _("Investment decision"),
            InvestmentDecision(decision).label if decision in InvestmentDecision.values else _("Not decided yet"),
        ),
    ]
    if account.account_type == AccountType.HOSPITAL:
        facts += [
            (_("Beds"), _num(account.beds)),
            (_("Management model"), account.get_management_model_display() or "—"),
        ]
    else:
        facts += [
            (_("Annual turnover"), _money(account.annual_turnover, currency)),
            (_("Turnover goal"), _money(account.turnover_goal, currency)),
            (_("Gross margin"), _pct(account.gross_margin_pct)),
            (_("Average discount"), _pct(account.average_discount_pct)),
            (_("Basket penetration"), _pct(account.basket_penetration_pct)),
            (_("Market share"), _pct(account.market_share_pct)),
        ]
    step1 = [financials, _facts_block(_("Position in our portfolio"), facts)]
    step1.append(_text_block(_("Commentary"), c1.get("commentary"), placeholder=none_yet))

    # Step 2: the customer.
    c2 = steps.get(2, {})
    step2 = [
        _text_block(_("The customer's strategy and goals"), c2.get("strategy"), placeholder=none_yet),
        _text_block(_("Needs and pain points"), c2.get("needs"), placeholder=none_yet),
        _text_block(_("Business drivers"), c2.get("drivers"), placeholder=none_yet),
        _swot_block(rows["swot"], SwotKind.values, _("SWOT")),
        _whitespace_table(rows["whitespace"], currency),
    ]

    # Step 3: the relationship X-ray.
    xray, gaps, note = _xray_rows(plan, user, today)
    step3 = [
        _table_block(
            _("Decision-making unit"),
            [_("Name"), _("Position"), _("DMU role"), _("Influence"), _("Stance"), _("X-ray"), _("Covered")],
            xray,
            widths=[2.2, 2.0, 1.4, 1.2, 1.6, 1.8, 1.6],
            numeric=[3],
            print_columns=[([0, 1], 3.4), ([2, 3, 4], 3.0), ([5, 6], 3.6)],
            empty=_("No stakeholders recorded yet."),
            note=note,
        ),
        _bullets_block(_("Gaps"), gaps, empty=_("No gaps found.")),
        _table_block(
            _("Relationship objectives"),
            [_("Stakeholder"), _("From"), _("To"), _("By"), _("Owner")],
            [
                [
                    str(r.affiliation.person),
                    STANCE_SHORT[r.from_stance],
                    STANCE_SHORT[r.to_stance],
                    _date(r.due_date),
                    str(r.owner),
                ]
                for r in rows["relationship_objectives"]
            ],
            widths=[2.6, 1.8, 1.8, 1.3, 1.6],
            nowrap=[3],
            empty=_("No relationship objectives yet."),
        ),
        _text_block(_("Relationship strategy"), steps.get(3, {}).get("notes"), placeholder=none_yet),
    ]

    # Step 4: value proposition and objectives.
    step4 = [
        _text_block(_("Value proposition"), steps.get(4, {}).get("value_proposition"), placeholder=none_yet),
        _objectives_table(objectives, today, _("Objectives")),
    ]

    # Step 5: actions.
    step5 = [
        _actions_table(actions, objectives, _("Actions"), today),
        _text_block(_("Notes on the action plan"), steps.get(5, {}).get("notes"), placeholder=None),
    ]

    # Step 6: resources and audit.
    step6 = [*_resource_blocks(plan, actions), _progress_table(objectives, today, _("Audit: progress per objective"))]
    step6.append(_text_block(_("Audit notes"), steps.get(6, {}).get("audit_notes"), placeholder=None))

    # Step 7: communication.
    step7 = [
        _communications_table(rows["communications"], _("Communication plan"), grouped=True),
        _text_block(_("Notes"), steps.get(7, {}).get("notes"), placeholder=None),
    ]

    blocks = [step1, step2, step3, step4, step5, step6, step7]
    return [
        {"number": n, "kicker": _step_title(n), "title": str(STEPS[n]), "blocks": [b for b in bl if b]}
        for n, bl in enumerate(blocks, start=1)
    ]


def _whitespace_table(cells: list, currency: str) -> dict:
    return _table_block(
        _("Whitespace: departments × our products"),
        [_("Department / buying centre"), _("Product"), _("Status"), _("Estimated value")],
        [
            [
                c.buying_centre,
                c.product.brand,
                c.get_status_display(),
                _money(c.estimated_value, currency) if c.estimated_value is not None else "",
            ]
            for c in cells
        ],
        widths=[2.6, 2.2, 2.0, 1.6],
        numeric=[3],
        print_columns=[([0], 4.0), ([1, 2, 3], 6.0)],
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
        (_("People-days planned"), _num(days, 1)),
        (_("Budget of the actions"), _money(spent, currency)),
        (_("Plan budget"), _money(plan.budget, currency)),
    ]
    if plan.budget is not None:
        left = plan.budget - spent
        label = _("Left in the plan budget") if left >= 0 else _("Over the plan budget")
        facts.append((label, _money(abs(left), currency)))
    if foreign:
        facts.append(
            (
                _("In other currencies (not added)"),
                ", ".join(_money(v, k) for k, v in sorted(foreign.items())),
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
        _facts_block(_("Resources against the plan budget"), facts),
        _table_block(
            _("People-days and budget by supplying function"),
            [_("Supplied by"), _("People-days"), _("Budget (%(currency)s)") % {"currency": currency}],
            [
                [SupplyingFunction(f).label, _num(v[0], 1), _num(v[1], 0)]
                for f, v in sorted(by_function.items(), key=lambda kv: -kv[1][0])
            ],
            widths=[3, 1.5, 1.5],
            numeric=[1, 2],
            empty=_("No resources planned yet."),
        ),
    ]


def _joint_sections(plan: AccountPlan, steps: dict, today: date, rows: dict) -> list[dict]:
    """Only what may be shown to the customer: their goals, strengths and opportunities, the people
    on both sides, our proposal, objectives, actions, progress and how we stay in touch."""
    c2 = steps.get(2, {})
    goals = [
        _text_block(_("Your strategy and goals"), c2.get("strategy"), placeholder=None),
        _text_block(_("Your needs and priorities"), c2.get("needs"), placeholder=None),
    ]
    if any(i.kind in (SwotKind.STRENGTH, SwotKind.OPPORTUNITY) for i in rows["swot"]):
        goals.append(
            _swot_block(rows["swot"], [SwotKind.STRENGTH, SwotKind.OPPORTUNITY], _("Strengths and opportunities"))
        )
    people = [
        _table_block(
            _("Your team"),
            [_("Name"), _("Position"), _("Department")],
            [[str(a.person), a.position_title or a.get_function_display(), a.department] for a in rows["contacts"]],
            widths=[2.5, 3, 2.5],
            empty=_("No contacts recorded yet."),
            print_columns=[([0], 4.0), ([1, 2], 6.0)],
        ),
        _table_block(
            _("Our team"),
            [_("Name"), _("Function")],
            rows["our_team"],
            widths=[3, 3],
        ),
    ]
    offer = [
        _text_block(_("Our value proposition"), steps.get(4, {}).get("value_proposition"), placeholder=None),
        _objectives_table(rows["objectives"], today, _("Joint objectives")),
    ]
    sections = [
        (_("Your goals and needs"), goals),
        (_("Who works together"), people),
        (_("What we propose"), offer),
        (_("Joint actions"), [_actions_table(rows["actions"], rows["objectives"], _("Joint actions"), today)]),
        (_("Progress"), [_progress_table(rows["objectives"], today, _("Progress against the joint objectives"))]),
        (
            _("How we stay in touch"),
            [_communications_table(rows["communications"], _("How we stay in touch"), grouped=False)],
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


def plan_export_data(plan: AccountPlan, *, variant: str, user: User, today: date | None = None) -> dict:
    """Everything an export shows, collected once and already filtered for ``variant``.

    The internal variant costs 13 queries (10 with a DMU snapshot), the joint one 8, whatever the
    number of objectives, actions, stakeholders or other rows.
    """
    if variant not in VARIANTS:
        raise ValueError(f"Unknown export variant: {variant!r}")
    internal = variant == INTERNAL
    today = today or timezone.localdate()
    plan = AccountPlan.objects.select_related("account__owner", "period").get(pk=plan.pk)
    account = plan.account
    steps = {s.number: s.content or {} for s in plan.steps.all()}
    objectives = list(plan.objectives.select_related("owner"))
    actions = plan.actions.select_related("owner", "objective")
    communications = plan.communications.select_related("owner")
    swot = plan.swot.all()
    if internal:
        actions = actions.prefetch_related("resources")
    else:
        # Medical colleagues' work stays behind the firewall, and internal audiences stay internal.
        actions = actions.filter(support_request__isnull=True).exclude(owner__role__in=MEDICAL_ROLES)
        communications = communications.filter(audience_kind=AudienceKind.EXTERNAL)
        swot = swot.filter(kind__in=[SwotKind.STRENGTH, SwotKind.OPPORTUNITY])
    rows: dict[str, Any] = {
        "objectives": objectives,
        "actions": list(actions),
        "communications": list(communications),
        "swot": list(swot),
    }
    if internal:
        year = plan.period.start.year
        rows["financials"] = list(
            AccountFinancials.objects.filter(account=account, year__in=[year - 1, year, year + 1]).order_by("year")
        )
        rows["whitespace"] = list(plan.whitespace.select_related("product"))
        rows["relationship_objectives"] = list(
            plan.relationship_objectives.select_related("affiliation__person", "owner")
        )
        sections = _internal_sections(plan, steps, user, today, rows)
        title = _("Internal account plan")
        marking = _("Internal: not for the customer")
    else:
        # Ordered by name: the default order (by influence) would itself say who we rate highest.
        rows["contacts"] = list(
            Affiliation.objects.active()
            .filter(account=account, person__erased_at__isnull=True)
            .select_related("person")
            .order_by("person__last_name", "person__first_name")
        )
        team = account.team_members.select_related("user").exclude(user__role__in=MEDICAL_ROLES)
        our_team = [[str(account.owner), _("Key account manager")]]
        our_team += [[str(m.user), m.get_function_display()] for m in team.exclude(user=account.owner)]
        rows["our_team"] = our_team
        sections = _joint_sections(plan, steps, today, rows)
        title = _("Joint account plan")
        marking = _("Joint account plan")
    period = str(plan.period)
    if plan.therapeutic_area:
        period = f"{period} · {plan.therapeutic_area}"
    if plan.revision > 1:
        period = f"{period} · {_('revision %(n)d') % {'n': plan.revision}}"
    owner = str(account.owner)
    if internal:
        subtitle = [
            period,
            _("Status: %(status)s") % {"status": plan.get_status_display()},
            _("Owner: %(owner)s") % {"owner": owner},
            # Not who exported it: the same plan then makes the same file, rendered once for all.
            _("Exported on %(date)s") % {"date": _date(today)},
        ]
    else:
        subtitle = [
            period,
            _("Prepared by %(owner)s, %(company)s") % {"owner": owner, "company": settings.COMPANY_NAME},
            _date(today),
        ]
    return {
        "variant": variant,
        "title": title,
        "marking": marking,
        "account": clean_text(account.name),
        "period": clean_text(period),
        "status": plan.get_status_display(),
        "owner": owner,
        "date": _date(today),
        "company": settings.COMPANY_NAME,
        "subtitle": [clean_text(s) for s in subtitle],
        "filename": export_filename(plan, variant),
        "sections": sections,
    }


def export_filename(plan: AccountPlan, variant: str, extension: str = "") -> str:
    """plan-<account>-<period>[-<area>][-rev<n>]-<variant>[.<ext>]"""
    parts = ["plan", slugify(plan.account.name) or "account", slugify(plan.period.name) or "period"]
    if plan.therapeutic_area:
        parts.append(slugify(plan.therapeutic_area))
    if plan.revision > 1:
        parts.append(f"rev{plan.revision}")
    parts.append(variant)
    name = "-".join(p for p in parts if p)
    return f"{name}.{extension}" if extension else name


# ---------------------------------------------------------------------------------------------
# The deck helpers
# ---------------------------------------------------------------------------------------------

BLUE = RGBColor(0x12, 0x3C, 0x5A)
LIGHT_BLUE = RGBColor(0xA9, 0xC4, 0xDA)
TEXT = RGBColor(0x21, 0x25, 0x29)
MUTED = RGBColor(0x6B, 0x77, 0x85)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
ROW_ALT = RGBColor(0xF3, 0xF6, 0xF9)
ROW_FLAG = RGBColor(0xFB, 0xE4, 0xE1)
FLAG_TEXT = RGBColor(0xB0, 0x3A, 0x2E)
LABEL_FILL = RGBColor(0xE3, 0xEB, 0xF2)
SWOT_COLOURS = {
    "S": RGBColor(0x1E, 0x84, 0x49),
    "W": RGBColor(0xE6, 0x7E, 0x22),
    "O": RGBColor(0x1F, 0x6F, 0xA8),
    "T": RGBColor(0xB0, 0x3A, 0x2E),
}

# The table style python-pptx gives new tables (Medium Style 2, accent 1): thin white rules.
TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"
_XML_ATTR = {'"': "&quot;"}

# Rough text metrics for pagination: an average character is about half the font size wide.
_CHAR_WIDTH_EM = 0.5
_LINE_HEIGHT = 1.2


def _chars_per_line(width_in: float, size_pt: float) -> int:
    return max(8, int(width_in * 72 / (size_pt * _CHAR_WIDTH_EM)))


def _wrap(text: str, width_in: float, size_pt: float) -> list[str]:
    """Approximate lines of ``text`` in a box ``width_in`` wide, keeping explicit line breaks."""
    per_line = _chars_per_line(width_in, size_pt)
    lines: list[str] = []
    for segment in text.split("\n"):
        lines.extend(textwrap.wrap(segment, per_line, break_long_words=True) or [""])
    return lines


class Deck:
    """A 16:9 deck in the house look: a dark blue title bar, one font, tables with a header fill.

    Every method adds slides and returns them; long bullet lists, texts and tables continue on as
    many slides as they need.
    """

    width_in = 13.333
    height_in = 7.5
    margin_in = 0.5
    bar_in = 1.05
    body_top_in = 1.35
    body_bottom_in = 6.85
    max_table_rows = 12

    def __init__(self, *, title: str = "", footer: str = "", font: str = "Calibri", author: str = "") -> None:
        self.prs = Presentation()
        self.prs.slide_width = Inches(self.width_in)
        self.prs.slide_height = Inches(self.height_in)
        self._blank = self.prs.slide_layouts[6]
        self.footer = footer
        self.font = font
        # The default template carries its own author and title; a deck sent out must carry ours.
        props = self.prs.core_properties
        props.title = title
        props.author = author
        props.last_modified_by = author
        props.subject = ""
        props.keywords = ""
        props.comments = ""
        props.category = ""
        props.revision = 1
        props.created = props.modified = timezone.now()

    # -- building blocks ---------------------------------------------------------------------

    @property
    def body_width_in(self) -> float:
        return self.width_in - 2 * self.margin_in

    @property
    def body_height_in(self) -> float:
        return self.body_bottom_in - self.body_top_in

    def _run(self, paragraph, text: str, *, size: float, bold=False, color=TEXT, italic=False):
        run = paragraph.add_run()
        run.text = _CONTROL_CHARS.sub("", str(text))
        font = run.font
        font.name = self.font
        font.size = Pt(size)
        font.bold = bold
        font.italic = italic
        font.color.rgb = color
        return run

    def _box(self, slide, left: float, top: float, width: float, height: float):
        shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = shape.text_frame
        frame.word_wrap = True
        for side in ("left", "right", "top", "bottom"):
            setattr(frame, f"margin_{side}", Inches(0.05))
        return frame

    def _rect(self, slide, left: float, top: float, width: float, height: float, fill: RGBColor):
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height))
        shape.fill.solid()
        shape.fill.fore_color.rgb = fill
        shape.line.fill.background()
        shape.shadow.inherit = False
        return shape

    def _footer(self, slide) -> None:
        number = len(self.prs.slides)
        frame = self._box(slide, self.margin_in, 7.0, self.body_width_in - 1, 0.35)
        self._run(frame.paragraphs[0], self.footer, size=9, color=MUTED)
        frame = self._box(slide, self.width_in - self.margin_in - 1, 7.0, 1, 0.35)
        frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
        self._run(frame.paragraphs[0], str(number), size=9, color=MUTED)

    def slide(self, title: str, *, kicker: str = ""):
        """A blank content slide with the title bar and footer; returns the slide."""
        slide = self.prs.slides.add_slide(self._blank)
        self._rect(slide, 0, 0, self.width_in, self.bar_in, BLUE)
        frame = self._box(slide, self.margin_in, 0.08, self.body_width_in, self.bar_in - 0.12)
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        first = frame.paragraphs[0]
        if kicker:
            self._run(first, kicker, size=11, color=LIGHT_BLUE)
            first = frame.add_paragraph()
        self._run(first, title, size=24 if len(title) < 60 else 18, bold=True, color=WHITE)
        self._footer(slide)
        return slide

    @staticmethod
    def _bullet(paragraph, level: int = 0) -> None:
        p_pr = paragraph._p.get_or_add_pPr()
        p_pr.set("marL", str(Emu(Inches(0.3 + 0.3 * level))))
        p_pr.set("indent", str(-Emu(Inches(0.25))))
        p_pr.append(p_pr.makeelement(qn("a:buFont"), {"typeface": "Arial"}))
        p_pr.append(p_pr.makeelement(qn("a:buChar"), {"char": "•"}))

    # -- slide kinds ---------------------------------------------------------------------------

    def title_slide(self, title: str, lines: Sequence[str] = (), *, kicker: str = "", note: str = ""):
        slide = self.prs.slides.add_slide(self._blank)
        self._rect(slide, 0, 0, self.width_in, 4.3, BLUE)
        frame = self._box(slide, 0.9, 1.0, self.width_in - 1.8, 3.1)
        frame.vertical_anchor = MSO_ANCHOR.BOTTOM
        first = frame.paragraphs[0]
        if kicker:
            self._run(first, kicker, size=16, color=LIGHT_BLUE)
            first = frame.add_paragraph()
        self._run(first, title, size=40 if len(title) < 45 else 30, bold=True, color=WHITE)
        frame = self._box(slide, 0.9, 4.6, self.width_in - 1.8, 2.2)
        for i, line in enumerate(lines):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            p.space_after = Pt(6)
            self._run(p, line, size=20 if i == 0 else 16, bold=i == 0, color=TEXT if i == 0 else MUTED)
        if note:
            p = frame.add_paragraph()
            p.space_before = Pt(12)
            self._run(p, note, size=12, bold=True, color=FLAG_TEXT)
        self._footer(slide)
        return slide

    def text(self, title: str, parts: Sequence[tuple[str, str]], *, kicker: str = "") -> list:
        """Flowing text: ``parts`` are (kind, text) with kind "heading", "para", "bullet" or "muted".
        Continues on further slides when it does not fit."""
        width = self.body_width_in - 0.1
        sizes = {"heading": 16, "para": 14, "bullet": 14, "muted": 13}
        budget = self.body_height_in * 72
        pages: list[list[tuple[str, str]]] = [[]]
        used = 0.0
        # One paragraph per line the user typed, so a chunk never runs two paragraphs together.
        parts = [
            (kind, segment)
            for kind, content in parts
            for segment in (content.split("\n") if kind != "heading" else [content])
            if segment.strip()
        ]
        for kind, content in parts:
            size = sizes[kind]
            lines = _wrap(content, width - (0.3 if kind == "bullet" else 0), size)
            spacing = 10 if kind == "heading" else 6
            while lines:
                room = int((budget - used - spacing) // (size * _LINE_HEIGHT))
                if kind == "heading" and room < 3:
                    room = 0  # never leave a heading alone at the bottom
                if room <= 0 and pages[-1]:
                    pages.append([])
                    used = 0.0
                    continue
                room = max(room, 1)
                chunk, lines = lines[:room], lines[room:]
                pages[-1].append((kind, " ".join(chunk) if kind != "heading" else content))
                used += len(chunk) * size * _LINE_HEIGHT + spacing
        slides = []
        for i, page in enumerate(p for p in pages if p):
            slide = self.slide(title if i == 0 else f"{title} ({_('continued')})", kicker=kicker)
            frame = self._box(slide, self.margin_in, self.body_top_in, self.body_width_in, self.body_height_in)
            for j, (kind, content) in enumerate(page):
                p = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
                if kind == "heading":
                    p.space_before = Pt(0 if j == 0 else 6)
                    p.space_after = Pt(4)
                    self._run(p, content, size=sizes[kind], bold=True, color=BLUE)
                else:
                    p.space_after = Pt(6)
                    if kind == "bullet":
                        self._bullet(p)
                    self._run(
                        p, content, size=sizes[kind], color=MUTED if kind == "muted" else TEXT, italic=kind == "muted"
                    )
            slides.append(slide)
        return slides

    def bullets(self, title: str, items: Sequence[str], *, kicker: str = "", heading: str = "") -> list:
        parts = [("heading", heading)] if heading else []
        return self.text(title, [*parts, *(("bullet", i) for i in items)], kicker=kicker)

    def _row_height_pt(self, cells: Sequence[str], widths_in: Sequence[float], size: float) -> float:
        lines = max(len(_wrap(c, max(w - 0.2, 0.3), size)) for c, w in zip(cells, widths_in, strict=True))
        return lines * size * _LINE_HEIGHT + 8

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        kicker: str = "",
        widths: Sequence[float] | None = None,
        numeric: Iterable[int] = (),
        flagged: Sequence[bool] | None = None,
        groups: Sequence[str] | None = None,
        header: bool = True,
        label_column: bool = False,
        note: str = "",
        empty: str = "",
        size: float = 11,
        max_rows: int | None = None,
    ) -> list:
        """A table with a filled header row, continued on further slides past ``max_rows`` rows or
        when the rows would not fit; the header repeats on every slide.

        ``groups`` gives each row a group label: a full-width row announces each new group (and
        the current one again at the top of a continuation slide). ``flagged`` rows are tinted
        and their last cell is set in red.
        """
        if not rows:
            return self.text(title, [("muted", empty or _("Nothing to show."))], kicker=kicker)
        ncols = len(columns)
        rel = list(widths) if widths else [1.0] * ncols
        widths_in = [self.body_width_in * w / sum(rel) for w in rel]
        numeric = set(numeric)
        flagged = list(flagged) if flagged is not None else [False] * len(rows)
        max_rows = max_rows or self.max_table_rows
        note_in = 0.35 if note else 0
        budget = (self.body_height_in - note_in) * 72
        header_pt = self._row_height_pt(columns, widths_in, size) if header else 0

        def group_pt(label: str) -> float:
            return self._row_height_pt([label], [self.body_width_in], size)

        # Pages of items: ("group", label) or ("row", index).
        chunks: list[list[tuple[str, Any]]] = [[]]
        used = header_pt
        for i, row in enumerate(rows):
            new_group = groups is not None and (i == 0 or groups[i] != groups[i - 1])
            height = self._row_height_pt(row, widths_in, size) + (group_pt(groups[i]) if new_group else 0)
            if chunks[-1] and (len(chunks[-1]) >= max_rows or used + height > budget):
                chunks.append([])
                used = header_pt
                if groups is not None and not new_group:
                    chunks[-1].append(("group", groups[i]))
                    used += group_pt(groups[i])
            if new_group:
                chunks[-1].append(("group", groups[i]))
            chunks[-1].append(("row", i))
            used += height
        slides = []
        for n, chunk in enumerate(chunks):
            label = title if len(chunks) == 1 else f"{title} ({n + 1}/{len(chunks)})"
            slide = self.slide(label, kicker=kicker)
            top = self.body_top_in
            if note:
                frame = self._box(slide, self.margin_in, top, self.body_width_in, note_in)
                self._run(frame.paragraphs[0], note, size=11, italic=True, color=MUTED)
                top += note_in
            nrows = len(chunk) + (1 if header else 0)
            shape = slide.shapes.add_table(
                nrows, ncols, Inches(self.margin_in), Inches(top), Inches(self.body_width_in), Inches(0.3 * nrows)
            )
            trs: list[str] = []
            if header:
                trs.append(
                    self._tr_xml(
                        header_pt,
                        [self._tc_xml(name, size, True, WHITE, BLUE, c in numeric) for c, name in enumerate(columns)],
                    )
                )
            k = 0
            for kind, item in chunk:
                if kind == "group":
                    tcs = [self._tc_xml(item, size, True, BLUE, LABEL_FILL, False, span=ncols)]
                    tcs += ['<a:tc hMerge="1"><a:txBody><a:bodyPr/><a:lstStyle/><a:p/></a:txBody><a:tcPr/></a:tc>'] * (
                        ncols - 1
                    )
                    trs.append(self._tr_xml(group_pt(item), tcs))
                    k = 0
                    continue
                row, flag = rows[item], flagged[item]
                fill = ROW_FLAG if flag else (ROW_ALT if k % 2 else WHITE)
                k += 1
                tcs = []
                for c, value in enumerate(row):
                    is_label = label_column and c == 0
                    last_flag = flag and c == ncols - 1
                    tcs.append(
                        self._tc_xml(
                            value,
                            size,
                            is_label or last_flag,
                            FLAG_TEXT if last_flag else (BLUE if is_label else TEXT),
                            LABEL_FILL if is_label else fill,
                            c in numeric,
                        )
                    )
                trs.append(self._tr_xml(self._row_height_pt(row, widths_in, size), tcs))
            grid = "".join(f'<a:gridCol w="{int(Inches(w))}"/>' for w in widths_in)
            tbl = parse_xml(
                f"<a:tbl {nsdecls('a')}>"
                f'<a:tblPr firstRow="{int(header)}" bandRow="0"><a:tableStyleId>{TABLE_STYLE}</a:tableStyleId></a:tblPr>'
                f"<a:tblGrid>{grid}</a:tblGrid>{''.join(trs)}</a:tbl>"
            )
            old = shape._element.graphic.graphicData.tbl
            old.getparent().replace(old, tbl)
            slides.append(slide)
        return slides

    # Tables are written as XML in one go: cell by cell through python-pptx's object model costs
    # about a millisecond a cell, which a plan with a hundred actions feels.

    @staticmethod
    def _tr_xml(height_pt: float, tcs: list[str]) -> str:
        return f'<a:tr h="{int(height_pt * 12700)}">{"".join(tcs)}</a:tr>'

    def _tc_xml(
        self, value: str, size: float, bold: bool, color: RGBColor, fill: RGBColor, right: bool, span: int = 1
    ) -> str:
        props = (
            f'<a:rPr lang="en-GB" sz="{int(size * 100)}" b="{int(bold)}" dirty="0">'
            f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
            f'<a:latin typeface="{xml_escape(self.font, _XML_ATTR)}"/></a:rPr>'
        )
        align = '<a:pPr algn="r"/>' if right else ""
        paragraphs = "".join(
            f"<a:p>{align}<a:r>{props}<a:t>{xml_escape(line)}</a:t></a:r></a:p>"
            for line in _CONTROL_CHARS.sub("", str(value)).split("\n")
        )
        margin_x, margin_y = int(Inches(0.08)), int(Inches(0.04))
        span_attr = f' gridSpan="{span}"' if span > 1 else ""
        return (
            f'<a:tc{span_attr}><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/>{paragraphs}</a:txBody>'
            f'<a:tcPr marL="{margin_x}" marR="{margin_x}" marT="{margin_y}" marB="{margin_y}" anchor="ctr">'
            f'<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></a:tcPr></a:tc>'
        )

    def key_values(self, title: str, pairs: Sequence[Sequence[str]], *, kicker: str = "") -> list:
        """Label and value in two columns, the labels shaded."""
        return self.table(
            title, ["", ""], [list(p) for p in pairs], kicker=kicker, widths=[1, 2.2], header=False, label_column=True
        )

    def grid(
        self,
        title: str,
        boxes: Sequence[tuple[str, Sequence[str]]],
        *,
        kicker: str = "",
        colours: Sequence[RGBColor] | None = None,
        empty: str = "—",
    ) -> list:
        """Two to four headed lists side by side (a SWOT); falls back to flowing text when a box
        would overflow."""
        cols = 2
        rows_n = math.ceil(len(boxes) / cols)
        gap = 0.25
        box_w = (self.body_width_in - gap * (cols - 1)) / cols
        box_h = (self.body_height_in - gap * (rows_n - 1)) / rows_n
        head_h = 0.45
        size = 13
        capacity = (box_h - head_h - 0.15) * 72
        for _label, items in boxes:
            need = sum(len(_wrap(i, box_w - 0.55, size)) * size * _LINE_HEIGHT + 4 for i in items)
            if need > capacity:
                parts: list[tuple[str, str]] = []
                for label, its in boxes:
                    parts.append(("heading", label))
                    parts.extend([("bullet", i) for i in its] or [("muted", empty)])
                return self.text(title, parts, kicker=kicker)
        slide = self.slide(title, kicker=kicker)
        for n, (label, items) in enumerate(boxes):
            left = self.margin_in + (n % cols) * (box_w + gap)
            top = self.body_top_in + (n // cols) * (box_h + gap)
            colour = colours[n] if colours else BLUE
            self._rect(slide, left, top, box_w, head_h, colour)
            frame = self._box(slide, left + 0.1, top, box_w - 0.2, head_h)
            frame.vertical_anchor = MSO_ANCHOR.MIDDLE
            self._run(frame.paragraphs[0], label, size=15, bold=True, color=WHITE)
            self._rect(slide, left, top + head_h, box_w, box_h - head_h, ROW_ALT)
            frame = self._box(slide, left + 0.1, top + head_h + 0.08, box_w - 0.2, box_h - head_h - 0.1)
            if not items:
                self._run(frame.paragraphs[0], empty, size=size, italic=True, color=MUTED)
            for i, item in enumerate(items):
                p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                p.space_after = Pt(4)
                self._bullet(p)
                self._run(p, item, size=size)
        return [slide]

    def picture(self, title: str, image: bytes | str | Path, *, kicker: str = "", caption: str = ""):
        """An image (PNG, JPEG…) scaled to fit the body, centred, with an optional caption."""
        slide = self.slide(title, kicker=kicker)
        source = io.BytesIO(image) if isinstance(image, bytes) else str(image)
        caption_in = 0.4 if caption else 0
        pic = slide.shapes.add_picture(source, Inches(self.margin_in), Inches(self.body_top_in))
        box_w, box_h = Inches(self.body_width_in), Inches(self.body_height_in - caption_in)
        scale = min(box_w / pic.width, box_h / pic.height)
        pic.width, pic.height = int(pic.width * scale), int(pic.height * scale)
        pic.left = int(Inches(self.margin_in) + (box_w - pic.width) / 2)
        pic.top = int(Inches(self.body_top_in) + (box_h - pic.height) / 2)
        if caption:
            frame = self._box(slide, self.margin_in, self.body_bottom_in - caption_in, self.body_width_in, caption_in)
            frame.paragraphs[0].alignment = PP_ALIGN.CENTER
            self._run(frame.paragraphs[0], caption, size=11, italic=True, color=MUTED)
        return slide

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Renderers
# ---------------------------------------------------------------------------------------------


def render_pptx(data: dict) -> bytes:
    deck = Deck(
        title=f"{data['title']}: {data['account']}",
        footer=f"{data['account']} · {data['period']} · {data['marking']}",
        author=data["company"],
    )
    internal = data["variant"] == INTERNAL
    deck.title_slide(
        data["title"],
        [data["account"], *data["subtitle"]],
        kicker=data["company"],
        note=_("Internal: contains stances and margins. Never share with the customer.") if internal else "",
    )
    for section in data["sections"]:
        kicker = section["kicker"]
        flow: list[tuple[str, str]] = []

        def flush(section=section, kicker=kicker, flow=flow) -> None:
            if not flow:
                return
            headings = [text for kind, text in flow if kind == "heading"]
            if len(headings) == 1:
                # One heading: it becomes the slide's title.
                deck.text(headings[0], [p for p in flow if p[0] != "heading"], kicker=kicker)
            else:
                deck.text(section["title"], list(flow), kicker=kicker)
            flow.clear()

        for block in section["blocks"]:
            kind = block["kind"]
            if kind == "text":
                flow.append(("heading", block["title"]))
                flow.append(("para", block["text"]) if block["text"] else ("muted", block["placeholder"]))
            elif kind == "bullets":
                flow.append(("heading", block["title"]))
                flow.extend(("bullet", i) for i in block["items"])
                if not block["items"]:
                    flow.append(("muted", block["empty"]))
            else:
                flush()
                if kind == "table":
                    deck.table(
                        block["title"],
                        block["columns"],
                        block["rows"],
                        kicker=kicker,
                        widths=block["widths"],
                        numeric=block["numeric"],
                        flagged=block["flagged"],
                        groups=block["groups"],
                        note=block["note"],
                        empty=block["empty"],
                    )
                elif kind == "facts":
                    deck.key_values(block["title"], block["rows"], kicker=kicker)
                elif kind == "swot":
                    deck.grid(
                        block["title"],
                        [(q["label"], q["items"]) for q in block["quadrants"]],
                        kicker=kicker,
                        colours=[SWOT_COLOURS[q["key"]] for q in block["quadrants"]],
                    )
        flush()
    return deck.to_bytes()


@contextmanager
def _no_cyclic_gc():
    """Pause the cyclic garbage collector. WeasyPrint allocates millions of small objects and
    the collector's passes over them cost about a fifth of a render; nothing is lost by
    collecting once afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _css_string(text: str) -> SafeString:
    """A quoted CSS string for the page margins: anything but plain letters, digits and spaces is
    written as a CSS escape, so user text can neither end the string nor the style element."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text))
    return SafeString(f'"{escaped}"')


# A word this long could not wrap in a table cell: give it break opportunities.
_LONG_WORD = re.compile(r"\S{25,}")


def _breakable(text: str) -> str:
    """The text with zero-width spaces inside words too long for a cell. They print as nothing; the
    alternative, ``overflow-wrap: break-word`` on every cell, makes WeasyPrint set up word breaking
    for every line of every cell, though almost no cell needs it."""
    return _LONG_WORD.sub(lambda m: "\u200b".join(textwrap.wrap(m.group(), 16, break_long_words=True)), text)


def _joined(parts: Iterable[str]) -> str:
    return " · ".join(p for p in parts if p and p != "—") or "—"


def _print_table(block: dict) -> dict:
    """The table as the PDF lays it out: where the block says so, several columns joined into one
    cell ("Owner · Due · Status"). WeasyPrint's time grows with the number of cells, not with the
    text in them, and the long tables of a big plan are most of the document."""
    lines = [{**line, "cells": [_breakable(c) for c in line["cells"]]} for line in block["lines"]]
    merge = block.get("print_columns")
    if not merge:
        return {**block, "lines": lines}
    groups = [group for group, _width in merge]
    total = sum(width for _group, width in merge)
    numeric, nowrap = set(block["numeric"]), set(block["nowrap"])
    return {
        **block,
        "columns": [" · ".join(str(block["columns"][i]) for i in group) for group in groups],
        "percent_widths": [round(100 * width / total, 1) for _group, width in merge],
        "numeric": [n for n, group in enumerate(groups) if set(group) <= numeric],
        "nowrap": [n for n, group in enumerate(groups) if set(group) <= nowrap],
        "lines": [{**line, "cells": [_joined(line["cells"][i] for i in group) for group in groups]} for line in lines],
    }


def _print_sections(sections: list[dict]) -> list[dict]:
    return [
        {**section, "blocks": [_print_table(b) if b["kind"] == "table" else b for b in section["blocks"]]}
        for section in sections
    ]


def render_pdf(data: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    data = {**data, "sections": _print_sections(data["sections"])}
    css = {
        "head": _css_string(f"{data['account']} · {data['period']}"),
        "marking": _css_string(data["marking"]),
        "foot": _css_string(f"{data['company']} · {data['title']} · {data['date']}"),
    }
    html = render_to_string("plans/plan_print.html", {"data": data, "css": css})
    # Everything is inline; refuse any fetch so user text can never make the renderer go online.
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"]))
    with _no_cyclic_gc():
        return document.write_pdf()


RENDERERS = {
    "pptx": (render_pptx, PPTX_CONTENT_TYPE),
    "pdf": (render_pdf, PDF_CONTENT_TYPE),
}

# Raise when the templates or renderers change what a given data dict turns into.
RENDER_VERSION = 4  # 4: every non-character stripped (kam.text.UNUSABLE)


def export_key(data: dict, fmt: str) -> str:
    """The cache key of one export: a digest of everything the file is made from, so a change to
    the plan, the account or the viewer's rights makes a new key and nothing needs invalidating."""
    payload = json.dumps([RENDER_VERSION, fmt, get_language(), data], sort_keys=True, default=str, ensure_ascii=False)
    return f"plan-export:{hashlib.sha256(payload.encode()).hexdigest()}"


def render_cached(data: dict, fmt: str) -> bytes:
    """The rendered file, from the export cache when this exact content was rendered before.

    WeasyPrint needs about a second for a 12-page plan; plans.prerender_exports renders each plan
    after every save, so the download is usually a cache hit."""
    return _render_or_get(data, fmt)[0]


def _render_or_get(data: dict, fmt: str) -> tuple[bytes, bool]:
    """The file and whether it had to be rendered now."""
    key = export_key(data, fmt)
    store = caches["exports"]
    try:
        content = store.get(key)
    except CACHE_ERRORS as exc:
        # The cache is a shortcut: when it is down, render now rather than fail the download.
        logger.warning("Export cache unavailable (%s); rendering without it.", type(exc).__name__)
        return RENDERERS[fmt][0](data), True
    if content is not None:
        return content, False
    content = RENDERERS[fmt][0](data)
    try:
        store.set(key, content)
    except CACHE_ERRORS as exc:
        logger.warning("Export cache unavailable (%s); the file was not kept.", type(exc).__name__)
    return content, True


def prerender(plan_id: int) -> int:
    """Render every variant and format of a plan as its owner sees it; returns how many were new.

    Exports by other people of the owner's side of the firewall make the same data, so they hit."""
    from plans.models import AccountPlan

    plan = AccountPlan.objects.select_related("account__owner").filter(pk=plan_id).first()
    if plan is None or plan.account.owner is None:
        return 0
    rendered = 0
    for variant in VARIANTS:
        data = plan_export_data(plan, variant=variant, user=plan.account.owner)
        rendered += sum(_render_or_get(data, fmt)[1] for fmt in RENDERERS)
    return rendered


__all__ = [
    "INTERNAL",
    "JOINT",
    "RENDERERS",
    "VARIANTS",
    "Deck",
    "clean_text",
    "export_filename",
    "plan_export_data",
    "prerender",
    "render_cached",
    "render_pdf",
    "render_pptx",
]
