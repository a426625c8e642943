"""The handover pack: what a successor needs to take over one account, as a PDF.

Built for the person who downloads it, through the same firewall as every page
(``kam.firewall``): the DMU with stances and coverage as they may see them, open actions and
commitments, the current plan's summary (the internal executive summary, or for a medical
colleague the joint plan's objectives), the last touchpoints (a medical one's content only for
those who may read it), the open tenders and the contracts in force (their price and rebate for
the commercial side only), and the handover note. Which account anyone may download a pack of is
the one selector's (``accounts_visible_to``, a 404 in the view). It lives on the plans floor: it
reads plans and stakeholders, which the accounts floor, where the handover is recorded, may not.

Sections are the plan exports' blocks (``plans.exports.blocks``), printed by the plan PDF's
template (``plans.exports.pdf.render_pdf``), so user text is escaped and cleaned the same way.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Account, AccountFinancials, HandoverNote
from accounts.tender_selectors import tender_section
from kam import firewall
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
)
from plans.exports.data import INTERNAL, JOINT, plan_export_data
from plans.exports.deck import clean_text
from plans.models import AccountPlan, Action, ActionStatus, PlanStatus
from stakeholders.firewalled import participants_shown
from stakeholders.models import STANCE_SHORT, Touchpoint
from stakeholders.selectors import can_read_touchpoint, coverage_for, dmu_for_account, is_stale

# The pack lists this many of the latest touchpoints and open follow-ups.
PACK_TOUCHPOINTS = 10
PACK_ACTIONS = 30
PACK_PARTS = 6


def _section(number: int, title: str, blocks: list[dict | None]) -> dict:
    kicker = _("Part %(n)d of %(total)d") % {"n": number, "total": PACK_PARTS}
    return {"number": number, "kicker": kicker, "title": title, "blocks": [b for b in blocks if b]}


def _colleague(user: User) -> str:
    """A colleague's name, marked when they have left: a leaver's coverage and open actions stay
    theirs until someone takes them over, and the successor should see whose they were."""
    return str(user) if user.is_active else _("%(name)s (has left)") % {"name": user}


def _handover_section(note: HandoverNote) -> list[dict | None]:
    return [
        facts_block(
            _("Who and when"),
            [
                (_("Handed over by"), str(note.from_user)),
                (_("Successor"), str(note.to_user)),
                (_("Decided by"), str(note.by)),
                (_("Handed over on"), format_date(timezone.localtime(note.created_at).date())),
            ],
        ),
        text_block(_("Handover note"), note.note, placeholder=_("No note was written.")),
    ]


def _account_facts(account: Account, viewer: User) -> dict:
    rows = [
        (_("Type"), account.get_account_type_display()),
        (_("Tier"), account.tier),
        (_("Location"), ", ".join(p for p in (account.city, account.region, str(account.get_country_display())) if p)),
    ]
    if not firewall.hides(viewer, "account.potential") and account.quadrant:
        rows.append((_("Portfolio matrix"), str(account.quadrant.label)))
    show_revenue = not firewall.hides(viewer, "account.revenue")
    show_target = not firewall.hides(viewer, "account.target")
    if show_revenue or show_target:
        last = AccountFinancials.objects.filter(account=account).order_by("-year").first()
        if last is not None:
            if show_revenue:
                rows.append(
                    (_("Revenue %(year)s") % {"year": last.year}, format_money(last.revenue_actual, account.currency))
                )
            if show_target:
                rows.append(
                    (_("Target %(year)s") % {"year": last.year}, format_money(last.revenue_target, account.currency))
                )
    return facts_block(_("The account"), rows)


def _dmu_block(account: Account, viewer: User, today: date) -> dict:
    """Who decides, as ``viewer`` may see them: stances only where the firewall shows them,
    medical colleagues' coverage only to those who may know it."""
    show_stance = not firewall.hides(viewer, "affiliation.stance")
    columns = [_("Name"), _("Position"), _("DMU role"), _("Influence")]
    if show_stance:
        columns.append(_("Stance"))
    columns += [_("Covered by"), _("Last contact")]
    rows = []
    for a in dmu_for_account(account):
        cov = coverage_for(a, viewer)
        covering = [_colleague(c.user) for c in cov.commercial + cov.medical]
        if cov.medical_contact_exists and not cov.medical:
            # As the DMU pages say it: that a medical contact exists, never who (kam.firewall).
            covering.append(_("medical contact exists"))
        last = format_date(a.last_touchpoint)
        if is_stale(a, today):
            last = _("%(date)s (contact overdue)") % {"date": last}
        row = [str(a.person), a.position_title or a.get_function_display(), a.get_dmu_role_display(), str(a.influence)]
        if show_stance:
            row.append(str(STANCE_SHORT[a.stance]))
        row += [", ".join(covering) or _("nobody"), last]
        rows.append(row)
    widths = [2.2, 2.5, 1.8, 1.2] + ([2] if show_stance else []) + [2.3, 2]
    # Printed with position and DMU role in one cell: long German titles need the width.
    rest = list(range(3, len(columns)))
    return table_block(
        _("Decision-making unit"),
        columns,
        rows,
        widths=widths,
        numeric=[3],
        empty=_("No stakeholders recorded yet."),
        print_columns=[([0], 2.2), ([1, 2], 3.8), *[([i], widths[i]) for i in rest]],
    )


def current_plan(account: Account, viewer: User) -> AccountPlan | None:
    """The plan a successor works on: the latest one of the latest period that is neither
    superseded nor archived."""
    return (
        AccountPlan.objects.filter(account=account)
        .exclude(status__in=[PlanStatus.SUPERSEDED, PlanStatus.ARCHIVED])
        .select_related("period")
        .order_by("-period__start", "-revision")
        .first()
    )


def _actions_block(plan: AccountPlan | None, viewer: User, today: date) -> dict | None:
    if plan is None or not firewall.allows(viewer, "plan.read_internal"):
        return None
    actions = list(
        Action.objects.filter(plan=plan)
        .exclude(status=ActionStatus.DONE)
        .select_related("owner")
        .order_by("due_date", "pk")[:PACK_ACTIONS]
    )
    return table_block(
        _("Open actions of the plan"),
        [_("Action"), _("Owner"), _("Due"), _("Status")],
        [[a.title, _colleague(a.owner), format_date(a.due_date), a.get_status_display()] for a in actions],
        widths=[5, 2.5, 1.5, 1.5],
        nowrap=[2],
        flagged=[bool(a.due_date and a.due_date < today) for a in actions],
        empty=_("No open actions."),
    )


def _commitments_block(account: Account, viewer: User) -> dict:
    """Follow-ups promised at touchpoints and not done yet: the commitments to the customer."""
    open_follow_ups = (
        Touchpoint.objects.filter(account=account, follow_up_done=False)
        .exclude(next_step="", follow_up_date__isnull=True)
        .order_by("follow_up_date", "-date")[:PACK_TOUCHPOINTS]
    )
    rows = [
        [format_date(t.follow_up_date), t.next_step or "—", format_date(t.date)]
        for t in open_follow_ups
        if can_read_touchpoint(viewer, t)
    ]
    return table_block(
        _("Commitments: open follow-ups"),
        [_("Follow up by"), _("Agreed next step"), _("Agreed on")],
        rows,
        widths=[1.5, 5, 1.5],
        nowrap=[0, 2],
        empty=_("No open follow-ups."),
    )


def _plan_blocks(plan: AccountPlan | None, viewer: User) -> list[dict | None]:
    """The current plan's summary as ``viewer`` may read it: the internal executive summary, else
    the joint plan's objectives (medical colleagues read only the joint plan)."""
    if plan is None:
        return [bullets_block(_("Current plan"), [], empty=_("The account has no current plan."))]
    title = _("%(period)s, %(status)s") % {"period": plan.period, "status": plan.get_status_display()}
    heading = facts_block(_("Current plan"), [(_("Plan"), title)])
    if firewall.allows(viewer, "plan.export_internal"):
        summary = plan_export_data(plan, variant=INTERNAL, user=viewer)["sections"][0]
        return [heading, *summary["blocks"]]
    if firewall.allows(viewer, "plan.export_joint"):
        sections = plan_export_data(plan, variant=JOINT, user=viewer)["sections"]
        wanted = {str(_("Joint objectives"))}
        return [heading, *[b for s in sections for b in s["blocks"] if str(b.get("title")) in wanted]]
    return [heading]


def _touchpoints_block(account: Account, viewer: User) -> dict:
    latest = (
        Touchpoint.objects.filter(account=account)
        .prefetch_related("stakeholders", "participants")
        .order_by("-date", "-pk")[:PACK_TOUCHPOINTS]
    )
    rows = []
    for t in latest:
        if not can_read_touchpoint(viewer, t):
            rows.append([format_date(t.date), _("Medical touchpoint"), "—", "—"])
            continue
        met = ", ".join(str(p) for p in t.stakeholders.all())
        ours = ", ".join(str(u) for u in t.participants.all()) if participants_shown(viewer, t) else ""
        who = " · ".join(p for p in (met, ours) if p) or "—"
        rows.append([format_date(t.date), t.get_kind_display(), who, t.summary or "—"])
    return table_block(
        _("Last touchpoints"),
        [_("Date"), _("Kind"), _("Who met"), _("Summary")],
        rows,
        widths=[1.5, 1.5, 3, 5],
        nowrap=[0],
        empty=_("No touchpoints recorded yet."),
    )


def tenders_section_blocks(account: Account, viewer: User, today: date) -> list[dict | None]:
    """The account's open tenders (deadlines, lots with what we bid and against whom) and the
    contracts in force (the notice date first); price and rebate only for whom the firewall shows
    contract terms (``contract.terms``)."""
    section = tender_section(account, today, only_open=True)
    tenders = table_block(
        _("Open tenders"),
        [_("Tender"), _("Submission deadline"), _("Decision"), _("Lots: our products / competitors bid"), _("Status")],
        [
            [
                str(t),
                format_date(t.submission_deadline),
                format_date(t.decision_date) if t.decision_date else "—",
                "; ".join(
                    f"{lot.number}: {', '.join(lot.brands) or '—'} / {', '.join(lot.rivals) or '—'}"
                    for lot in t.lots_shown
                ),
                t.get_status_display(),
            ]
            for t in section.open_tenders
        ],
        widths=[3, 1.5, 1.5, 4, 1.5],
        nowrap=[1, 2],
        flagged=[t.submission_deadline < today for t in section.open_tenders],
        empty=_("No open tenders."),
    )
    terms = not firewall.hides(viewer, "contract.terms")
    columns = [_("Contract"), _("Products"), _("End"), _("Notice date"), _("Volume")]
    if terms:
        columns += [_("Price"), _("Rebate")]
    rows = []
    for c in section.contracts:
        row = [
            str(c),
            ", ".join(c.brands),
            format_date(c.end_date),
            format_date(c.notice_date),
            f"{format_number(c.volume, 0)} {c.volume_unit}".strip() if c.volume is not None else "—",
        ]
        if terms:
            row += [format_money(c.price, account.currency), format_pct(c.rebate_pct)]
        rows.append(row)
    contracts = table_block(
        _("Contracts in force"),
        columns,
        rows,
        widths=[3, 2.5, 1.3, 1.3, 1.5, *([1.5, 1] if terms else [])],
        nowrap=[2, 3],
        flagged=[c.notice_passed for c in section.contracts],
        empty=_("No contracts in force."),
    )
    return [tenders, contracts]


def handover_pack_data(note: HandoverNote, viewer: User, today: date | None = None) -> dict:
    """Everything the pack shows, for ``viewer`` (who must be able to see the account)."""
    today = today or timezone.localdate()
    account = note.account
    plan = current_plan(account, viewer)
    shows_stances = not firewall.hides(viewer, "affiliation.stance")
    sections = [
        _section(1, _("The handover"), [*_handover_section(note), _account_facts(account, viewer)]),
        _section(2, _("Who decides, and who covers them"), [_dmu_block(account, viewer, today)]),
        _section(
            3,
            _("Open actions and commitments"),
            [_actions_block(plan, viewer, today), _commitments_block(account, viewer)],
        ),
        _section(4, _("The current plan"), _plan_blocks(plan, viewer)),
        _section(5, _("Recent contact"), [_touchpoints_block(account, viewer)]),
        _section(6, _("Open tenders and contracts"), tenders_section_blocks(account, viewer, today)),
    ]
    title = _("Handover pack")
    return {
        "variant": INTERNAL if shows_stances else "handover",
        "title": title,
        "marking": _("Internal: not for the customer"),
        "account": clean_text(account.name),
        "period": clean_text(
            _("from %(leaver)s to %(successor)s") % {"leaver": note.from_user, "successor": note.to_user}
        ),
        "date": format_date(today),
        "company": settings.COMPANY_NAME,
        "subtitle": [
            clean_text(_("From %(leaver)s to %(successor)s") % {"leaver": note.from_user, "successor": note.to_user}),
            _("Handed over on %(date)s") % {"date": format_date(timezone.localtime(note.created_at).date())},
            _("Prepared for %(viewer)s on %(date)s") % {"viewer": viewer, "date": format_date(today)},
        ],
        "filename": f"handover-{slugify(account.name) or 'account'}-{note.pk}",
        "sections": sections,
    }
