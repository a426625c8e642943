"""The new parts of the internal plan export: the one-slide executive summary, the chart blocks
(the account's place in the portfolio matrix, the DMU by influence and stance) and the org chart's
people. Blocks only: ``plan_deck`` draws them, the PDF prints the summary's facts and lists."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils.translation import gettext as _

from accounts.models import Account
from plans.exports.blocks import bullets_block, facts_block, format_date, format_money, format_pct
from plans.exports.deck import clean_text
from plans.models import AccountPlan, ActionStatus, InvestmentDecision, ObjectiveStatus
from stakeholders.models import STANCE_SHORT, Stance
from stakeholders.selectors import xray_quadrant

# The summary fits one slide: at most this many objectives and actions, each cut to one line.
SUMMARY_ITEMS = 5
SUMMARY_CHARS = 90


def _short(text: str) -> str:
    text = clean_text(text).replace("\n", " ")
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def chart_block(title: str, chart: str, series: list[dict], x: dict, y: dict, *, share: float) -> dict:
    """A chart for the deck: ``chart`` "scatter" or "bubble"; each series a name and points
    (x, y, size for a bubble, label); each axis a title, min, max and unit; ``share`` the part of
    the slide's width it takes (what follows fills the rest)."""
    return {"kind": "chart", "chart": chart, "title": title, "series": series, "x": x, "y": y, "share": share}


def portfolio_chart(account: Account) -> dict | None:
    if account.attractiveness is None or account.position is None:
        return None
    quadrant = account.quadrant
    return chart_block(
        _("Position in the portfolio matrix"),
        "scatter",
        [
            {
                "name": clean_text(account.name),
                "points": [
                    {
                        "x": float(account.position),
                        "y": float(account.attractiveness),
                        "label": clean_text(f"{account.name} ({quadrant.label})" if quadrant else account.name),
                    }
                ],
            }
        ],
        {"title": _("Our position"), "min": 0, "max": 100, "unit": 50},
        {"title": _("Attractiveness"), "min": 0, "max": 100, "unit": 50},
        share=0.42,
    )


def xray_chart(people: list[dict]) -> dict | None:
    """The DMU by stance (right: supportive) and influence (up): one bubble per place, as large as
    the number of people there, named; one series per X-ray quadrant."""
    if not people:
        return None
    places: dict[tuple[int, int], list[str]] = {}
    for p in people:
        places.setdefault((p["stance"], p["influence"]), []).append(p["name"].split(" ")[-1] or p["name"])
    series: dict[str, list[dict]] = {}
    for (stance, influence), names in sorted(places.items()):
        label = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
        series.setdefault(str(xray_quadrant(influence, stance)), []).append(
            {"x": stance, "y": influence, "size": len(names), "label": _short(label)}
        )
    return chart_block(
        _("The DMU by influence and stance"),
        "bubble",
        [{"name": name, "points": points} for name, points in series.items()],
        {"title": _("Stance (opposed → champion)"), "min": -3, "max": 3, "unit": 1},
        {"title": _("Influence"), "min": 0, "max": 6, "unit": 1},
        share=0.5,
    )


def org_chart_block(people: list[dict]) -> dict | None:
    if not people:
        return None
    return {
        "kind": "orgchart",
        "title": _("Org chart: who reports to whom"),
        "nodes": [{k: p[k] for k in ("id", "parent", "name", "position", "stance")} for p in people],
        "legend": [[int(s.value), str(STANCE_SHORT[s.value])] for s in Stance],
    }


def executive_summary(
    plan: AccountPlan, step1: dict, rows: dict, people: list[dict], gaps: list[str], today: date
) -> dict:
    """The plan on one page: where the account stands, what the plan is, how it is going."""
    account = plan.account
    currency = account.currency
    objectives, actions = rows["objectives"], rows["actions"]
    statuses = Counter(o.status(today) for o in objectives)
    decision = step1.get("investment_decision") or ""
    quadrant = account.quadrant
    year = plan.period.start.year
    this_year = next((f for f in rows["financials"] if f.year == year), None)
    overdue = [a for a in actions if a.due_date and a.status != ActionStatus.DONE and a.due_date < today]
    done = sum(a.status == ActionStatus.DONE for a in actions)
    supporters = sum(p["stance"] > 0 for p in people)
    opponents = sum(p["stance"] < 0 for p in people)
    spent = sum((r.budget for a in actions for r in a.resources.all() if r.currency == plan.budget_currency), start=0)
    facts = [
        (
            _("Portfolio"),
            " · ".join(
                filter(
                    None,
                    [
                        str(quadrant.label) if quadrant else _("Not placed yet"),
                        str(InvestmentDecision(decision).label) if decision in InvestmentDecision.values else "",
                    ],
                )
            ),
        ),
        (
            _("Revenue %(year)s") % {"year": year},
            _("%(actual)s of %(target)s (%(pct)s)")
            % {
                "actual": format_money(this_year.revenue_actual, currency),
                "target": format_money(this_year.revenue_target, currency),
                "pct": format_pct(this_year.target_attainment_pct),
            }
            if this_year
            else "—",
        ),
        (
            _("Objectives"),
            ", ".join(f"{n} {ObjectiveStatus(s).label.lower()}" for s, n in statuses.most_common()) or "—",
        ),
        (
            _("Actions"),
            _("%(done)d of %(total)d done, %(overdue)d overdue")
            % {"done": done, "total": len(actions), "overdue": len(overdue)},
        ),
        (
            _("Decision-makers"),
            _("%(n)d people: %(pos)d supportive, %(neg)d opposed; %(gaps)d gaps")
            % {"n": len(people), "pos": supporters, "neg": opponents, "gaps": len(gaps)},
        ),
        (
            _("Budget"),
            _("%(spent)s planned of %(budget)s")
            % {
                "spent": format_money(spent, plan.budget_currency),
                "budget": format_money(plan.budget, plan.budget_currency),
            },
        ),
    ]
    ordered = sorted(objectives, key=lambda o: (o.status(today) != ObjectiveStatus.AT_RISK, o.due_date or date.max))
    items = [f"{_short(o.title)}: {ObjectiveStatus(o.status(today)).label}" for o in ordered[:SUMMARY_ITEMS]]
    if len(objectives) > SUMMARY_ITEMS:
        items.append(_("and %(n)d more") % {"n": len(objectives) - SUMMARY_ITEMS})
    upcoming = sorted((a for a in actions if a.status != ActionStatus.DONE and a.due_date), key=lambda a: a.due_date)[
        : SUMMARY_ITEMS - 1
    ]
    next_items = [f"{format_date(a.due_date)}: {_short(a.title)}" for a in upcoming]
    return {
        "number": 0,
        "kicker": "",
        "title": _("Executive summary"),
        "layout": "summary",
        "blocks": [
            facts_block(_("At a glance"), facts),
            bullets_block(_("Objectives, at risk first"), items, empty=_("No objectives yet.")),
            bullets_block(_("Next actions due"), next_items, empty=_("No open actions with a due date.")),
        ],
    }
