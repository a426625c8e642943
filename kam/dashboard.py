"""The portfolio dashboard's figures: every number is an SQL aggregate over the accounts the user
may see, so the page costs the same number of queries at 100 or 10,000 accounts: 14 in all,
session and filter choices included (15 for a period other than the current one).

Per-account figures that would otherwise be recounted from many rows on every view (health, this
year's revenue and target in the reporting currency, stakeholders past their contact cadence, and
the current period's objectives by status and actions) are read from the accounts'
``AccountHealth`` rows, which ``accounts.health.refresh_health`` keeps current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Avg,
    CharField,
    Count,
    DecimalField,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncQuarter, TruncYear
from django.urls import reverse
from django.utils import timezone

from accounts.health import PART_LABELS, WEIGHTS, band
from accounts.models import Account, AccountStatus, Listing
from accounts.selectors import accounts_visible_to
from kam.models import User
from plans.models import AccountPlan, ActionStatus, Objective, ObjectiveStatus, PlanningPeriod, PlanStatus
from stakeholders.models import SurveyInvitation
from stakeholders.surveys import DELIVERED, RELIABLE_ANSWERS

AT_RISK = 10
MATRIX_LIMIT = 400


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

    def current_period(self, today: date) -> PlanningPeriod | None:
        """The period covering ``today``, as ``PlanningPeriod.current`` picks it."""
        if self.periods is None:
            return PlanningPeriod.current(today)
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
    stale_stakeholders: int = 0
    health: dict = field(default_factory=dict)
    at_risk: list = field(default_factory=list)
    unqualified: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    matrix: list = field(default_factory=list)


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


def weakest_part(health) -> tuple[str, int] | None:
    """The part that pulls a stored score down most (its label and value): the lowest judged one."""
    judged = [(str(PART_LABELS[name]), getattr(health, f"{name}_part")) for name in WEIGHTS]
    judged = [(label, value) for label, value in judged if value is not None]
    return min(judged, key=lambda item: item[1]) if judged else None


def quarter_label(moment: date) -> str:
    return f"{moment.year} Q{(moment.month - 1) // 3 + 1}"


def build(user: User, filters: DashboardFilters, *, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    accounts = scoped_accounts(user, filters)
    ids = accounts.values("pk")
    d = Dashboard()
    key = Q(is_key_account=True)
    money = DecimalField(max_digits=20, decimal_places=2)
    zero = Value(Decimal(0), output_field=money)
    figures = accounts.aggregate(
        total=Count("pk"),
        key=Count("pk", filter=key),
        hospitals=Count("pk", filter=key & Q(account_type="hospital")),
        pharmacies=Count("pk", filter=key & Q(account_type="pharmacy")),
        wholesalers=Count("pk", filter=key & Q(account_type="wholesaler")),
        tier_a=Count("pk", filter=key & Q(tier="A")),
        tier_b=Count("pk", filter=key & Q(tier="B")),
        tier_c=Count("pk", filter=key & Q(tier="C")),
        # From the stored health rows (see the module docstring).
        health_avg=Avg("health__score", filter=key),
        health_green=Count("pk", filter=key & Q(health__score__gte=70)),
        health_amber=Count("pk", filter=key & Q(health__score__gte=40, health__score__lt=70)),
        health_red=Count("pk", filter=key & Q(health__score__lt=40)),
        health_oldest=Min("health__computed_at"),
        stale=Coalesce(Sum("health__key_stale"), 0),
        revenue_actual=Coalesce(Sum("health__revenue_actual"), zero),
        revenue_target=Coalesce(Sum("health__revenue_target"), zero),
        missing_rates=Count("pk", filter=Q(health__revenue_rate_missing=True)),
        # The current period's objectives and actions, as the health refresh counted them.
        objectives_on_track=Coalesce(Sum("health__objectives_on_track"), 0),
        objectives_at_risk=Coalesce(Sum("health__objectives_at_risk"), 0),
        objectives_achieved=Coalesce(Sum("health__objectives_achieved"), 0),
        actions_total=Coalesce(Sum("health__actions_total"), 0),
        actions_done=Coalesce(Sum("health__actions_done"), 0),
        actions_overdue=Coalesce(Sum("health__actions_overdue"), 0),
    )
    d.accounts = {k: figures[k] for k in ("total", "key", "hospitals", "pharmacies", "wholesalers")}
    d.accounts |= {k: figures[k] for k in ("tier_a", "tier_b", "tier_c")}
    d.health = {
        "avg": round(figures["health_avg"]) if figures["health_avg"] is not None else None,
        "green": figures["health_green"],
        "amber": figures["health_amber"],
        "red": figures["health_red"],
        "oldest": figures["health_oldest"],
    }
    d.stale_stakeholders = figures["stale"]
    cent = Decimal("0.01")
    d.revenue = RevenueTotals(
        year=today.year,
        currency=settings.REPORTING_CURRENCY,
        revenue_actual=Decimal(figures["revenue_actual"]).quantize(cent),
        revenue_target=Decimal(figures["revenue_target"]).quantize(cent),
        missing_rates=bool(figures["missing_rates"]),
    )

    current = filters.current_period(today)
    period = filters.period or current
    # For the current period the health rows hold the objectives and actions per account; another
    # period (or none defined) is counted from the plans themselves.
    stored = current is not None and period == current
    plans = AccountPlan.objects.filter(account__in=ids).exclude(status=PlanStatus.SUPERSEDED)
    if period:
        plans = plans.filter(period=period)
    open_actions = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED]
    actions = {}
    if not stored:
        # Plans and their actions in one query: plan counts are distinct, so the join cannot inflate them.
        actions = {
            "actions_total": Count("actions"),
            "actions_done": Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
            "actions_overdue": Count(
                "actions", filter=Q(actions__due_date__lt=today, actions__status__in=open_actions)
            ),
        }
    counts = plans.aggregate(
        draft=Count("pk", filter=Q(status=PlanStatus.DRAFT), distinct=True),
        submitted=Count("pk", filter=Q(status=PlanStatus.SUBMITTED), distinct=True),
        changes_requested=Count("pk", filter=Q(status=PlanStatus.CHANGES_REQUESTED), distinct=True),
        approved=Count("pk", filter=Q(status=PlanStatus.APPROVED), distinct=True),
        reviews_overdue=Count("pk", filter=Q(status=PlanStatus.APPROVED, next_review_date__lt=today), distinct=True),
        reviews_due=Count(
            "pk",
            filter=Q(
                status=PlanStatus.APPROVED,
                next_review_date__gte=today,
                next_review_date__lte=today + timedelta(days=30),
            ),
            distinct=True,
        ),
        covered_key_accounts=Count(
            "account", filter=Q(status=PlanStatus.APPROVED, account__is_key_account=True), distinct=True
        ),
        **actions,
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
        d.objectives = objective_counts_sql(
            Objective.objects.filter(plan__in=plans, target__isnull=False, due_date__isnull=False), today
        )

    # CSAT: reliable per year, KAM and country; a trend by quarter; answers and response rate.
    # Named campaigns only: a KAM, country or quarter of an anonymous campaign can hold fewer than five
    # answers, or be worked out by subtraction; anonymous results live on their campaign pages, with
    # the suppression rules there.
    invitations = SurveyInvitation.objects.filter(account__in=ids, campaign__anonymous=False).filter(DELIVERED)
    csat_fields = {
        "invited": Count("pk"),
        "answers": Count("response"),
        "satisfied": Count("response", filter=Q(response__csat_score__gte=4)),
    }
    d.csat_by_year = _csat_rows(
        invitations.annotate(year=TruncYear("campaign__send_at"))
        .values("year")
        .annotate(**csat_fields)
        .order_by("year")
    )
    d.csat_by_quarter = _csat_rows(
        invitations.annotate(quarter=TruncQuarter("campaign__send_at"))
        .values("quarter")
        .annotate(**csat_fields)
        .order_by("quarter")
    )
    for row in d.csat_by_quarter:
        row["label"] = quarter_label(row["quarter"]) if row["quarter"] else "—"
    d.csat_by_owner = _csat_rows(
        invitations.values(
            "account__owner_id", "account__owner__first_name", "account__owner__last_name", "account__country"
        )
        .annotate(**csat_fields)
        .order_by("account__owner__last_name")
    )

    d.revenue_by_owner = [
        {
            "owner_id": row["owner_id"],
            "owner": f"{row['owner__first_name']} {row['owner__last_name']}".strip() or row["owner__username"],
            "actual": row["actual"],
            "target": row["target"],
            "attainment": round(float(100 * row["actual"] / row["target"]), 1) if row["target"] else None,
        }
        for row in accounts.filter(Q(health__revenue_actual__isnull=False) | Q(health__revenue_target__isnull=False))
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(
            actual=Coalesce(Sum("health__revenue_actual"), zero),
            target=Coalesce(Sum("health__revenue_target"), zero),
        )
        .order_by("owner__last_name", "owner__first_name", "owner_id")
    ]

    d.at_risk = [
        {"account": a, "health": a.health, "band": band(a.health.score), "weakest": weakest_part(a.health)}
        for a in accounts.filter(key, health__score__isnull=False)
        .select_related("owner", "health")
        .order_by("health__score", "name", "pk")[:AT_RISK]
    ]
    d.unqualified = list(
        accounts.filter(is_key_account=True, qualifies=False, qualification_override__isnull=True)
        .select_related("owner")
        .order_by("qualification_score")[:10]
    )

    # Plan reviews and formulary committees of the next 90 days, in one query.
    horizon = today + timedelta(days=90)
    reviews = (
        plans.filter(status=PlanStatus.APPROVED, next_review_date__gte=today, next_review_date__lte=horizon)
        .order_by()
        .annotate(
            when=F("next_review_date"),
            what=Value("review", output_field=CharField()),
            item=F("pk"),
            account_name=F("account__name"),
            brand=Value("", output_field=CharField()),
        )
        .values_list("when", "what", "item", "account_id", "account_name", "brand")
    )
    committees = (
        Listing.objects.filter(account__in=ids, next_committee_date__gte=today, next_committee_date__lte=horizon)
        .order_by()
        .annotate(
            when=F("next_committee_date"),
            what=Value("committee", output_field=CharField()),
            item=F("pk"),
            account_name=F("account__name"),
            brand=F("product__brand"),
        )
        .values_list("when", "what", "item", "account_id", "account_name", "brand")
    )
    d.upcoming = [
        {
            "date": when,
            "what": what,
            "url": reverse("plans:detail", args=[item])
            if what == "review"
            else reverse("accounts:detail", args=[account_id]),
            "brand": brand,
            "account_name": account_name,
            "account_url": reverse("accounts:detail", args=[account_id]),
        }
        for when, what, item, account_id, account_name, brand in reviews.union(committees, all=True).order_by(
            "when", "what", "item"
        )[:20]
    ]

    last_revenue = Subquery(
        Account.objects.filter(pk=OuterRef("pk")).values("financials__revenue_actual").order_by("-financials__year")[:1]
    )
    d.matrix = list(
        accounts.filter(is_key_account=True, attractiveness__isnull=False, position__isnull=False)
        .annotate(revenue=last_revenue)
        .values("pk", "name", "attractiveness", "position", "revenue", "qualification_score", "health__score")
        .order_by("-attractiveness", "pk")[:MATRIX_LIMIT]
    )
    for row in d.matrix:
        row["health"] = row.pop("health__score")
        row["band"] = band(row["health"])
        row["url"] = reverse("accounts:detail", args=[row["pk"]])
    return d
