"""The portfolio dashboard's figures: every number comes from SQL aggregates over the accounts the
user may see (the page's totals are sums of a few hundred per-KAM groups), so the page costs the
same number of queries at 100 or 10,000 accounts (pinned in tests/portfolio/test_dashboard.py and
test_portfolio_summary.py).

Per-account figures that would otherwise be recounted from many rows on every view (health, this
year's revenue and target in the reporting currency, stakeholders past their contact cadence, and
the current period's objectives by status and actions) are read from the accounts'
``AccountHealth`` rows, which ``kam.portfolio.health.refresh.refresh_health`` keeps current. The
whole portfolio's aggregates (an administrator's unfiltered view) are summed by that refresh too
(``kam.portfolio.summary``): one query fewer, and none over every account.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, AccountStatus, health_band
from accounts.selectors import CENT, accounts_visible_to
from kam.lib import Ids, digest
from kam.models import User
from kam.portfolio import figures, summary
from kam.portfolio.health import PART_LABELS, WEIGHTS
from kam.portfolio.models import FiguresVersion
from kam.portfolio.summary import FIGURES
from kam.portfolio.tender_figures import won_lost
from kam.portfolio.upcoming import upcoming
from plans.models import Objective, ObjectiveStatus, PlanningPeriod
from stakeholders.surveys.results import RELIABLE_ANSWERS

AT_RISK = 10
# Key accounts whose qualification no longer supports the status, lowest score first.
UNQUALIFIED = 10
MATRIX_LIMIT = 400
# Per-KAM tables and charts beyond this many KAMs (a national head's or an administrator's scope)
# show the KAMs furthest behind, lowest first: four hundred bars are read by nobody.
BY_KAM_LIMIT = 20


@dataclass
class DashboardFilters:
    owner: int | None = None
    team_lead: int | None = None
    country: str = ""
    region: str = ""
    account_type: str = ""
    tier: str = ""
    period: PlanningPeriod | None = None
    # Every planning period, when the caller has read them (the filter form has), so that the
    # current one costs no query.
    periods: list[PlanningPeriod] | None = None

    def shown(self) -> tuple:
        """The filters that narrow the accounts (the period narrows the plans only)."""
        return (self.owner, self.team_lead, self.country, self.region, self.account_type, self.tier)

    def current_period(self, today: date) -> PlanningPeriod | None:
        """The period covering ``today``, as ``PlanningPeriod.current`` picks it; the periods are
        read once, when first needed."""
        if self.periods is None:
            self.periods = list(PlanningPeriod.objects.all())
        return next(
            (p for p in sorted(self.periods, key=lambda p: p.start, reverse=True) if p.start <= today <= p.end), None
        )


def scoped_accounts(user: User, filters: DashboardFilters) -> QuerySet[Account]:
    qs = accounts_visible_to(user).filter(status=AccountStatus.ACTIVE)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team_lead:
        qs = qs.in_team_of(filters.team_lead)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.region:
        qs = qs.filter(region__iexact=filters.region)
    if filters.account_type:
        qs = qs.filter(account_type=filters.account_type)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    return qs


@dataclass(frozen=True)
class RevenueTotals:
    """This year's revenue and target over the accounts, in the reporting currency."""

    year: int
    currency: str
    revenue_actual: Decimal
    revenue_target: Decimal
    missing_rates: bool

    @property
    def attainment_pct(self) -> float | None:
        return round(float(100 * self.revenue_actual / self.revenue_target), 1) if self.revenue_target else None


@dataclass
class Dashboard:
    accounts: dict = field(default_factory=dict)
    plans: dict = field(default_factory=dict)
    objectives: dict = field(default_factory=dict)
    actions: dict = field(default_factory=dict)
    csat_by_year: list = field(default_factory=list)
    csat_by_quarter: list = field(default_factory=list)
    csat_by_owner: list = field(default_factory=list)
    revenue: RevenueTotals | None = None
    revenue_by_owner: list = field(default_factory=list)
    # How many KAMs the two per-KAM lists were cut from (see BY_KAM_LIMIT).
    csat_owners: int = 0
    revenue_owners: int = 0
    stale_stakeholders: int = 0
    health: dict = field(default_factory=dict)
    at_risk: list = field(default_factory=list)
    unqualified: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    matrix: list = field(default_factory=list)
    # Decided tender lots won and lost, by product and by competitor (kam.portfolio.tender_figures).
    tender_results: dict = field(default_factory=dict)
    # A digest of the matrix rows: the drawn table is kept under it (kam.portfolio.views._draw_figures).
    matrix_digest: str = ""
    # The cache key these figures are kept under (kam.portfolio.figures): what is drawn from them
    # alone can be kept beside them.
    key: str = ""


def objective_counts_sql(objectives: QuerySet[Objective], today: date) -> dict[str, int]:
    """Measurable objectives by status (``Objective.status``), in one aggregate query."""
    rows = objectives.with_status(today)
    return rows.aggregate(
        achieved=Count("pk", filter=Q(sql_status=ObjectiveStatus.ACHIEVED)),
        on_track=Count("pk", filter=Q(sql_status=ObjectiveStatus.ON_TRACK)),
        at_risk=Count("pk", filter=Q(sql_status=ObjectiveStatus.AT_RISK)),
    )


def _csat_rows(rows: QuerySet) -> list[dict]:
    rows = list(rows)
    for row in rows:
        row["pct"] = round(100 * row["satisfied"] / row["answers"], 1) if row["answers"] else None
        row["rate"] = round(100 * row["answers"] / row["invited"], 1) if row["invited"] else None
        row["indicative"] = row["answers"] < RELIABLE_ANSWERS
    return rows


def _sum_groups(groups: list[dict]) -> dict:
    """The figures over all accounts from the per-group ones: sums, and the oldest health row."""
    totals = {name: sum(group[name] for group in groups) for name in FIGURES}
    totals["health_oldest"] = min(
        (group["health_oldest"] for group in groups if group["health_oldest"] is not None), default=None
    )
    return totals


def _lowest(rows: list[dict], key: str) -> list[dict]:
    """The ``BY_KAM_LIMIT`` rows lowest in ``key`` (those without a value last), lowest first."""
    return sorted(rows, key=lambda row: (row[key] is None, row[key] or 0))[:BY_KAM_LIMIT]


def weakest_part(health) -> tuple[str, int] | None:
    """The part that pulls a stored score down most (its label and value): the lowest judged one."""
    judged = [(str(PART_LABELS[name]), getattr(health, f"{name}_part")) for name in WEIGHTS]
    judged = [(label, value) for label, value in judged if value is not None]
    return min(judged, key=lambda item: item[1]) if judged else None


def quarter_label(moment: date) -> str:
    return f"{moment.year} Q{(moment.month - 1) // 3 + 1}"


def build(user: User, filters: DashboardFilters, *, today: date | None = None) -> Dashboard:
    """The dashboard over what ``user`` may see, from the cache while no health refresh has run
    since it was computed for this scope (kam.portfolio.figures)."""
    today = today or timezone.localdate()
    accounts = scoped_accounts(user, filters)
    ids = None
    if not user.is_administrator:
        # A manager's accounts are read once, and every query below is given their ids: otherwise
        # each one works the scope out again (owners below, team seats, their union, the filters).
        # The ids are part of the cache key too: a change of scope is a different entry.
        ids = Ids(accounts.values_list("pk", flat=True))
        accounts = Account.objects.filter(pk__in_ids=ids)
    scope = ids if ids is not None else accounts.values("pk")
    latest = FiguresVersion.latest()
    key = figures.key(user, filters, today, ids, latest.version)
    kept = None
    if ids is None and filters.shown() == DashboardFilters().shown():
        # An administrator's unfiltered view of the current period is the whole portfolio's, which
        # the last refresh summed (kam.portfolio.summary) if it ran today.
        current = filters.current_period(today)
        if (filters.period or current) == current and latest.summed_for(today, current):
            kept = latest
    return figures.cached(key, lambda: replace(_compute(accounts, scope, filters, today, kept=kept), key=key))


def _compute(
    accounts: QuerySet[Account],
    ids: Ids | QuerySet,
    filters: DashboardFilters,
    today: date,
    *,
    kept: FiguresVersion | None = None,
) -> Dashboard:
    """The figures over ``accounts`` (``ids``: the same accounts). ``kept``: the last health refresh,
    when they are the whole portfolio in the current period, whose aggregates it summed."""
    d = Dashboard()
    current = filters.current_period(today)
    period = filters.period or current
    # For the current period the health rows hold the objectives and actions per account; another
    # period (or none defined) is counted from the plans themselves.
    stored = current is not None and period == current
    plans = summary.scope_plans(ids, period)
    if kept:
        per_owner, quarters, counts = summary.stored(kept)
    else:
        # Every per-account figure in one pass over the accounts and their health rows, grouped by
        # KAM and country (the CSAT-by-KAM table's rows); the page's totals are the sums of those
        # few hundred groups.
        per_owner = summary.owner_groups(accounts)
        # CSAT: named campaigns only (see below), from the stored summaries (``CsatQuarter`` per
        # account and quarter, its all-time sums on the health rows), which the health refresh rewrites.
        quarters = summary.quarter_totals(ids)
        counts = summary.plan_counts(plans, today, with_actions=not stored)
    per_owner.sort(
        key=lambda g: (
            g["owner__last_name"].casefold(),
            g["owner__first_name"].casefold(),
            g["owner_id"] or 0,
            g["country"],
        )
    )
    figures = _sum_groups(per_owner)
    figures["health_avg"] = (
        Decimal(figures["health_sum"]) / figures["health_scored"] if figures["health_scored"] else None
    )
    d.accounts = {k: figures[k] for k in ("total", "key", "hospitals", "pharmacies", "wholesalers")}
    d.accounts |= {k: figures[k] for k in ("tier_a", "tier_b", "tier_c", "placed")}
    d.health = {
        "avg": round(figures["health_avg"]) if figures["health_avg"] is not None else None,
        "green": figures["health_green"],
        "amber": figures["health_amber"],
        "red": figures["health_red"],
        "oldest": figures["health_oldest"],
    }
    d.stale_stakeholders = figures["stale"]
    d.revenue = RevenueTotals(
        year=today.year,
        currency=settings.REPORTING_CURRENCY,
        revenue_actual=Decimal(figures["revenue_actual"]).quantize(CENT),
        revenue_target=Decimal(figures["revenue_target"]).quantize(CENT),
        missing_rates=bool(figures["missing_rates"]),
    )

    source = figures if stored else counts
    d.actions = {name: source[f"actions_{name}"] for name in ("total", "done", "overdue")}
    d.plans = {k: v for k, v in counts.items() if not k.startswith("actions_")}
    key_count = d.accounts["key"] or 0
    d.plans["coverage_pct"] = round(100 * d.plans["covered_key_accounts"] / key_count) if key_count else None
    d.plans["period"] = period

    if stored:
        d.objectives = {name: figures[f"objectives_{name}"] for name in ("achieved", "on_track", "at_risk")}
    else:
        d.objectives = objective_counts_sql(Objective.objects.filter(plan__in=plans).measurable(), today)

    # CSAT: reliable per year, KAM and country; a trend by quarter; answers and response rate.
    # Named campaigns only: a KAM, country or quarter of an anonymous campaign can hold fewer than five
    # answers, or be worked out by subtraction; anonymous results live on their campaign pages, with
    # the suppression rules there.
    years: dict[int, dict] = {}
    for row in quarters:
        total = years.setdefault(
            row["year"], {"year": date(row["year"], 1, 1), "invited": 0, "answers": 0, "satisfied": 0}
        )
        for name in ("invited", "answers", "satisfied"):
            total[name] += row[name]
        row["quarter"] = date(row["year"], 3 * row["quarter"] - 2, 1)
        row["label"] = quarter_label(row["quarter"])
    d.csat_by_quarter = _csat_rows(quarters)
    d.csat_by_year = _csat_rows(years.values())

    # Revenue by KAM over their countries, CSAT by KAM and country: from the groups above.
    revenue: dict[int | None, dict] = {}
    csat_by_owner = []
    for row in per_owner:
        if row["invited"]:
            csat_by_owner.append(
                {
                    "account__owner_id": row["owner_id"],
                    "account__owner__first_name": row["owner__first_name"],
                    "account__owner__last_name": row["owner__last_name"],
                    "account__country": row["country"],
                    "invited": row["invited"],
                    "answers": row["answers"],
                    "satisfied": row["satisfied"],
                }
            )
        if row["with_revenue"]:
            name = f"{row['owner__first_name'] or ''} {row['owner__last_name'] or ''}".strip()
            total = revenue.setdefault(
                row["owner_id"],
                {"owner_id": row["owner_id"], "owner": name or row["owner__username"], "actual": 0, "target": 0},
            )
            total["actual"] += row["revenue_actual"]
            total["target"] += row["revenue_target"]
    d.csat_by_owner = _csat_rows(csat_by_owner)
    for total in revenue.values():
        total["attainment"] = round(float(100 * total["actual"] / total["target"]), 1) if total["target"] else None
    d.revenue_by_owner = list(revenue.values())
    d.csat_owners, d.revenue_owners = len(d.csat_by_owner), len(d.revenue_by_owner)
    if d.csat_owners > BY_KAM_LIMIT:
        d.csat_by_owner = _lowest(d.csat_by_owner, "pct")
    if d.revenue_owners > BY_KAM_LIMIT:
        d.revenue_by_owner = _lowest(d.revenue_by_owner, "attainment")

    d.at_risk = [
        {"account": a, "health": a.health, "band": a.health.band, "weakest": weakest_part(a.health)}
        for a in accounts.filter(is_key_account=True, health__score__isnull=False)
        .select_related("owner", "health")
        .order_by("health__score", "name", "pk")[:AT_RISK]
    ]
    d.unqualified = list(
        accounts.filter(is_key_account=True, qualifies=False, qualification_override__isnull=True)
        .select_related("owner")
        .order_by("qualification_score")[:UNQUALIFIED]
    )

    # Plan reviews, committees, tender deadlines and contract dates of the next UPCOMING_DAYS, in one query.
    d.upcoming = upcoming(plans, ids, today)
    d.tender_results = won_lost(ids, today)
    account_url = reverse("accounts:detail", args=[0]).replace("/0/", "/{}/")

    d.matrix = list(
        # Accounts with a health row (all, from their first refresh on: the figures are as of the
        # last one), read in the order of the health rows' revenue index, so the database stops at
        # MATRIX_LIMIT instead of sorting every key account (1.5 ms, was 7.5 ms at 10,040 accounts).
        accounts.filter(is_key_account=True, attractiveness__isnull=False, position__isnull=False, health__isnull=False)
        # This year's revenue in the reporting currency, so that bubbles of different currencies compare.
        .values("pk", "name", "attractiveness", "position", "qualification_score", "health__score")
        .annotate(revenue=F("health__revenue_actual"))
        # Beyond MATRIX_LIMIT accounts, the largest: a fair picture of where the revenue sits.
        .order_by(F("health__revenue_actual").desc(nulls_last=True), "pk")[:MATRIX_LIMIT]
    )
    for row in d.matrix:
        row["health"] = row.pop("health__score")
        row["band"] = health_band(row["health"])
        row["url"] = account_url.format(row["pk"])
    d.matrix_digest = digest(d.matrix)
    return d
