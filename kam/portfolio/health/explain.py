"""Explaining a stored health score in words: each part's value, weight, what it rests on and what
would raise it (the account page and the portfolio review)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AccountHealth
from kam.portfolio.health import KEY_INFLUENCE, PART_LABELS, WEIGHTS
from plans.models import PlanStatus


@dataclass(frozen=True)
class HealthPart:
    key: str
    label: str
    value: int | None
    weight: int
    share: int | None  # the part's effective weight in this score, in percent; None when not judged
    detail: str
    advice: str


def explain(health: AccountHealth) -> list[HealthPart]:
    """Each part of a stored score with its value, weight, what it rests on and what would raise
    it. No queries: everything needed is on the row."""
    values = {name: getattr(health, f"{name}_part") for name in WEIGHTS}
    judged_weight = sum(w for name, w in WEIGHTS.items() if values[name] is not None)
    texts = {
        "plan": _explain_plan(health),
        "objectives": _explain_objectives(health),
        "csat": _explain_csat(health),
        "relationships": _explain_relationships(health),
        "revenue": _explain_revenue(health),
    }
    return [
        HealthPart(
            key=name,
            label=str(PART_LABELS[name]),
            value=values[name],
            weight=weight,
            share=round(100 * weight / judged_weight) if values[name] is not None and judged_weight else None,
            detail=texts[name][0],
            advice=texts[name][1],
        )
        for name, weight in WEIGHTS.items()
    ]


def _explain_plan(h: AccountHealth) -> tuple[str, str]:
    if not h.period_name:
        return _("No planning period covers today."), _("An administrator adds the current planning period.")
    if not h.plan_status:
        return (
            _("No plan for %(period)s.") % {"period": h.period_name},
            _("Start the plan for %(period)s and work through its seven steps.") % {"period": h.period_name},
        )
    status = PlanStatus(h.plan_status).label
    detail = _("%(period)s: %(status)s, %(done)s %% complete.") % {
        "period": h.period_name,
        "status": status,
        "done": h.plan_completeness if h.plan_completeness is not None else "—",
    }
    advice = []
    if h.plan_status in (PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED):
        advice.append(_("Submit the plan for approval."))
    elif h.plan_status == PlanStatus.SUBMITTED:
        advice.append(_("Have the plan reviewed and approved."))
    if (h.plan_completeness or 0) < 100:
        advice.append(_("Fill in what is still missing: the plan's step navigator shows where."))
    return detail, " ".join(advice)


def _explain_objectives(h: AccountHealth) -> tuple[str, str]:
    if not h.objectives_measurable:
        return (
            _("No measurable objective in this period's plans."),
            _("Give the plan's objectives a target and a due date."),
        )
    detail = ngettext(
        "%(good)d of %(n)d measurable objective on track or achieved, %(risk)d at risk.",
        "%(good)d of %(n)d measurable objectives on track or achieved, %(risk)d at risk.",
        h.objectives_measurable,
    ) % {
        "good": h.objectives_on_track + h.objectives_achieved,
        "n": h.objectives_measurable,
        "risk": h.objectives_at_risk,
    }
    advice = (
        _("Update the current values, and act on the objectives at risk or reset their targets.")
        if h.objectives_at_risk
        else _("Keep the current values up to date.")
    )
    return detail, advice


def _explain_csat(h: AccountHealth) -> tuple[str, str]:
    if not h.csat_answers:
        return (
            _("No survey answer in the last 12 months."),
            _("Include this account's DMU in the next CSAT campaign."),
        )
    detail = ngettext(
        "%(pct)s %% satisfied (4 or 5) in %(n)d answer over 12 months: a signal, not a measurement.",
        "%(pct)s %% satisfied (4 or 5) in %(n)d answers over 12 months: a signal, not a measurement.",
        h.csat_answers,
    ) % {"pct": h.csat_part, "n": h.csat_answers}
    advice = (
        _("Follow up the low scores and ask again in the next campaign.")
        if h.csat_satisfied < h.csat_answers
        else _("Keep asking: every answer was a 4 or a 5.")
    )
    return detail, advice


def _explain_relationships(h: AccountHealth) -> tuple[str, str]:
    if not h.key_people:
        return (
            _("No active stakeholder with influence %(min)d or more is recorded.") % {"min": KEY_INFLUENCE},
            _("Map the DMU: record who decides and how much each person weighs in."),
        )
    detail = ngettext(
        "%(ok)d of %(n)d high-influence stakeholder covered and in touch; %(uncovered)d without an owner on "
        "our side, %(stale)d past their contact cadence.",
        "%(ok)d of %(n)d high-influence stakeholders covered and in touch; %(uncovered)d without an owner on "
        "our side, %(stale)d past their contact cadence.",
        h.key_people,
    ) % {"ok": h.key_in_touch, "n": h.key_people, "uncovered": h.key_uncovered, "stale": h.key_stale}
    advice = []
    if h.key_uncovered:
        advice.append(_("Give every high-influence stakeholder an owner on our side."))
    if h.key_stale:
        advice.append(_("Meet those past their cadence and log the touchpoints."))
    return detail, " ".join(advice) or _("Keep the contact cadence.")


def _money(value: Decimal) -> str:
    return f"{number_format(value, decimal_pos=0, force_grouping=True)} {settings.REPORTING_CURRENCY}"


def _explain_revenue(h: AccountHealth) -> tuple[str, str]:
    year = h.revenue_year or timezone.localdate().year
    if h.revenue_attainment is None:
        return (
            _("No revenue and target recorded for %(year)s.") % {"year": year},
            _("Enter this year's revenue and target under Financials."),
        )
    attainment = number_format(h.revenue_attainment, decimal_pos=1)
    if h.revenue_actual is not None and h.revenue_target is not None:
        detail = _("%(year)s: %(actual)s of %(target)s (%(pct)s %%).") % {
            "year": year,
            "actual": _money(h.revenue_actual),
            "target": _money(h.revenue_target),
            "pct": attainment,
        }
    else:
        detail = _("%(year)s: %(pct)s %% of target (no exchange rate to show the amounts).") % {
            "year": year,
            "pct": attainment,
        }
    if h.revenue_attainment >= 100:
        return detail, _("Target reached.")
    if h.revenue_actual is not None and h.revenue_target is not None:
        return detail, _("Close the gap of %(gap)s to target.") % {"gap": _money(h.revenue_target - h.revenue_actual)}
    return detail, _("Close the gap to target.")
