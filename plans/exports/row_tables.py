"""The row tables a plan export shows on both sides: objectives, actions, progress, communication
and SWOT, as ``plans.exports.blocks`` blocks (``plans.exports.sections`` places them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from plans.exports.blocks import format_date, format_number, table_block
from plans.exports.deck import clean_text
from plans.models import ActionStatus, ObjectiveKind, ObjectiveStatus, SwotKind


def _range(start: Decimal | None, end: Decimal | None, unit: str) -> str:
    """ "40 → 60 %": one cell instead of three keeps the tables short enough to read and to print fast.
    No-break spaces keep the range on one line where a cell wraps."""
    text = f"{format_number(start)}\u00a0→\u00a0{format_number(end)}"
    return f"{text}\u00a0{unit}" if unit and end is not None else text


def _goal(o) -> str:
    """What an objective aims at, as its kind says: "120 → 180 patients", "Milestone",
    "Cardiovex: Listed"."""
    if o.kind == ObjectiveKind.MILESTONE:
        return _("Milestone")
    if o.kind == ObjectiveKind.LISTING:
        return f"{o.product.brand if o.product_id else '—'}: {o.get_target_listing_status_display() or '—'}"
    return _range(o.baseline, o.target, o.unit)


def _standing(o) -> str:
    """Where an objective stands now, as its kind says: "150 → 180 patients", "done", "Restricted → Listed"."""
    if o.kind == ObjectiveKind.MILESTONE:
        return _("done") if o.done else _("not done yet")
    if o.kind == ObjectiveKind.LISTING:
        return f"{o.listing_status_label}\u00a0→\u00a0{o.get_target_listing_status_display() or '—'}"
    return _range(o.current_value, o.target, o.unit)


def _objective_rows(objectives: list, today: date) -> list[list[str]]:
    return [
        [
            o.title,
            o.kpi,
            _goal(o),
            format_date(o.due_date),
            ObjectiveStatus(o.status(today)).label,
            str(o.owner) if o.owner else "—",
        ]
        for o in objectives
    ]


def objectives_table(objectives: list, today: date, title: str) -> dict:
    return table_block(
        title,
        [_("Objective"), _("KPI"), _("Baseline → target"), _("Due"), _("Status"), _("Owner")],
        _objective_rows(objectives, today),
        widths=[3.6, 2.1, 1.9, 1.4, 1.2, 1.5],
        numeric=[2],
        nowrap=[3],
        empty=_("No objectives yet."),
        print_columns=[([0], 3.8), ([1, 2], 3.2), ([5, 3, 4], 3.0)],
    )


def actions_table(actions: list, objectives: list, title: str, today: date, *, joint: bool = False) -> dict:
    """Actions under the objective each serves, in the objectives' order; loose ones last."""
    order = {o.pk: n for n, o in enumerate(objectives)}
    actions = sorted(actions, key=lambda a: order.get(a.objective_id, len(order)))
    loose = _("Not tied to an objective")
    overdue = [bool(a.due_date and a.status != ActionStatus.DONE and a.due_date < today) for a in actions]

    def status(a, late: bool) -> str:
        return f"{a.get_status_display()} · {_('overdue')}" if late else a.get_status_display()

    return table_block(
        title,
        [_("Action"), _("Owner"), _("Due"), _("Status")],
        [
            [a.title, a.owner_label(joint=joint), format_date(a.due_date), status(a, late)]
            for a, late in zip(actions, overdue, strict=True)
        ],
        widths=[5.4, 1.8, 1.3, 1.9],
        nowrap=[2],
        print_columns=[([0], 5.7), ([1, 2, 3], 4.3)],
        flagged=overdue,
        groups=[_("Objective: %(title)s") % {"title": a.objective.title} if a.objective else loose for a in actions],
        # The customer's version holds only shared actions: an empty one says so in their terms.
        empty=_("No joint actions yet.") if joint else _("No actions yet."),
    )


def progress_table(objectives: list, today: date, title: str) -> dict:
    def progress(o) -> str:
        share = o.progress()
        return "—" if share is None else f"{round(100 * share)} %"

    return table_block(
        title,
        [_("Objective"), _("Current → target"), _("Progress"), _("Status")],
        [[o.title, _standing(o), progress(o), ObjectiveStatus(o.status(today)).label] for o in objectives],
        widths=[5.4, 1.9, 1.1, 1.4],
        numeric=[1, 2],
        empty=_("No objectives yet."),
        print_columns=[([0], 6.0), ([1, 2, 3], 4.0)],
    )


def communications_table(items: list, title: str, *, grouped: bool) -> dict:
    return table_block(
        title,
        [_("Audience"), _("Message"), _("Channel"), _("Frequency"), _("Owner"), _("Next")],
        [
            [c.audience, c.message, c.channel, c.frequency, str(c.owner) if c.owner else "—", format_date(c.next_date)]
            for c in items
        ],
        widths=[1.8, 3.6, 1.6, 1.3, 1.5, 1.4],
        nowrap=[5],
        print_columns=[([0], 2.0), ([1], 3.6), ([2, 3, 4, 5], 4.4)],
        groups=[c.get_audience_kind_display() for c in items] if grouped else None,
        empty=_("No communication planned yet."),
    )


def swot_block(items: list, kinds: Sequence[str], title: str) -> dict:
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
