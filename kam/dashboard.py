"""The portfolio dashboard's figures: every number is an aggregate in SQL over the accounts the
user may see, so the page costs the same number of queries at 100 or 10,000 accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncYear
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from accounts.models import Account, AccountStatus, Listing
from accounts.selectors import accounts_visible_to, financial_totals
from kam.models import User
from plans.models import AccountPlan, Action, ActionStatus, Objective, PlanningPeriod, PlanStatus
from stakeholders.models import Affiliation, SurveyInvitation, Touchpoint
from stakeholders.surveys import DELIVERED

STALE_INFLUENCE = 4


@dataclass
class DashboardFilters:
    owner: int | None = None
    team_lead: int | None = None
    country: str = ""
    region: str = ""
    account_type: str = ""
    tier: str = ""
    period: PlanningPeriod | None = None


def scoped_accounts(user: User, filters: DashboardFilters) -> QuerySet[Account]:
    from kam.models import subordinate_ids

    qs = accounts_visible_to(user).filter(status=AccountStatus.ACTIVE)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team_lead:
        lead = User.objects.filter(pk=filters.team_lead).first()
        qs = qs.filter(Q(owner_id=filters.team_lead) | Q(owner_id__in=subordinate_ids(lead))) if lead else qs.none()
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.account_type:
        qs = qs.filter(account_type=filters.account_type)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    return qs


@dataclass
class Dashboard:
    accounts: dict = field(default_factory=dict)
    plans: dict = field(default_factory=dict)
    objectives: dict = field(default_factory=dict)
    actions: dict = field(default_factory=dict)
    csat_by_year: list = field(default_factory=list)
    csat_by_owner: list = field(default_factory=list)
    revenue: object = None
    revenue_by_owner: list = field(default_factory=list)
    stale_stakeholders: int = 0
    unqualified: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    matrix: list = field(default_factory=list)


class DayNumber(Func):
    """Days since an epoch, so date differences are plain numbers on PostgreSQL and SQLite alike."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="julianday(%(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s) - DATE '2000-01-01')::float", **extra)


def objective_counts_sql(objectives: QuerySet[Objective], today: date) -> dict[str, int]:
    """On track means progress at least the share of the objective's time elapsed; computed in
    one aggregate query."""
    baseline = Coalesce(F("baseline"), Value(Decimal(0)))
    span = Case(When(target=baseline, then=Value(Decimal(1))), default=F("target") - baseline)
    progress = Cast(Coalesce(F("current_value"), baseline) - baseline, FloatField()) / Cast(span, FloatField())
    start, due = DayNumber("plan__period__start"), DayNumber("due_date")
    now = DayNumber(Value(today, output_field=DateField()))
    elapsed = Case(
        When(GreaterThan(Value(1.0), (due - start)), then=Value(1.0)),
        default=(now - start) / (due - start),
        output_field=FloatField(),
    )
    rows = objectives.annotate(progress=ExpressionWrapper(progress, output_field=FloatField()), elapsed=elapsed)
    return rows.aggregate(
        achieved=Count("pk", filter=Q(progress__gte=1)),
        on_track=Count("pk", filter=Q(progress__lt=1, progress__gte=F("elapsed"))),
        at_risk=Count("pk", filter=Q(progress__lt=1) & Q(progress__lt=F("elapsed"))),
    )


def build(user: User, filters: DashboardFilters, *, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    accounts = scoped_accounts(user, filters)
    ids = accounts.values("pk")
    d = Dashboard()
    d.accounts = accounts.aggregate(
        total=Count("pk"),
        key=Count("pk", filter=Q(is_key_account=True)),
        hospitals=Count("pk", filter=Q(is_key_account=True, account_type="hospital")),
        pharmacies=Count("pk", filter=Q(is_key_account=True, account_type="pharmacy")),
        wholesalers=Count("pk", filter=Q(is_key_account=True, account_type="wholesaler")),
        tier_a=Count("pk", filter=Q(is_key_account=True, tier="A")),
        tier_b=Count("pk", filter=Q(is_key_account=True, tier="B")),
        tier_c=Count("pk", filter=Q(is_key_account=True, tier="C")),
    )
    period = filters.period or PlanningPeriod.current(today)
    plans = AccountPlan.objects.filter(account__in=ids).exclude(status=PlanStatus.SUPERSEDED)
    if period:
        plans = plans.filter(period=period)
    d.plans = plans.aggregate(
        draft=Count("pk", filter=Q(status=PlanStatus.DRAFT)),
        submitted=Count("pk", filter=Q(status=PlanStatus.SUBMITTED)),
        changes_requested=Count("pk", filter=Q(status=PlanStatus.CHANGES_REQUESTED)),
        approved=Count("pk", filter=Q(status=PlanStatus.APPROVED)),
        reviews_overdue=Count("pk", filter=Q(status=PlanStatus.APPROVED, next_review_date__lt=today)),
        reviews_due=Count(
            "pk",
            filter=Q(
                status=PlanStatus.APPROVED,
                next_review_date__gte=today,
                next_review_date__lte=today + timedelta(days=30),
            ),
        ),
        covered_key_accounts=Count(
            "account", filter=Q(status=PlanStatus.APPROVED, account__is_key_account=True), distinct=True
        ),
    )
    key = d.accounts["key"] or 0
    d.plans["coverage_pct"] = round(100 * d.plans["covered_key_accounts"] / key) if key else None
    d.plans["period"] = period

    d.objectives = objective_counts_sql(
        Objective.objects.filter(plan__in=plans, target__isnull=False, due_date__isnull=False), today
    )

    d.actions = Action.objects.filter(plan__in=plans).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        overdue=Count("pk", filter=Q(due_date__lt=today) & ~Q(status=ActionStatus.DONE)),
    )

    # CSAT: reliable per year, KAM and country; shown with answers and response rate.
    invitations = SurveyInvitation.objects.filter(account__in=ids).filter(DELIVERED)
    csat_fields = {
        "invited": Count("pk"),
        "answers": Count("response"),
        "satisfied": Count("response", filter=Q(response__csat_score__gte=4)),
    }
    d.csat_by_year = list(
        invitations.annotate(year=TruncYear("campaign__send_at"))
        .values("year")
        .annotate(**csat_fields)
        .order_by("year")
    )
    d.csat_by_owner = list(
        invitations.values(
            "account__owner_id", "account__owner__first_name", "account__owner__last_name", "account__country"
        )
        .annotate(**csat_fields)
        .order_by("account__owner__last_name")
    )
    for row in d.csat_by_year + d.csat_by_owner:
        row["pct"] = round(100 * row["satisfied"] / row["answers"], 1) if row["answers"] else None
        row["rate"] = round(100 * row["answers"] / row["invited"], 1) if row["invited"] else None
        row["indicative"] = row["answers"] < 30

    d.revenue = financial_totals(accounts, today.year)

    # Stale high-influence stakeholders: active, influence ≥ 4, no touchpoint at the account within 45 days.
    recent = Touchpoint.objects.filter(
        account=OuterRef("account_id"), stakeholders=OuterRef("person_id"), date__gte=today - timedelta(days=45)
    )
    d.stale_stakeholders = (
        Affiliation.objects.filter(account__in=ids, end_date__isnull=True, influence__gte=STALE_INFLUENCE)
        .exclude(Exists(recent))
        .count()
    )
    d.unqualified = list(
        accounts.filter(is_key_account=True, qualifies=False, qualification_override__isnull=True)
        .select_related("owner")
        .order_by("qualification_score")[:10]
    )
    horizon = today + timedelta(days=90)
    reviews = list(
        plans.filter(status=PlanStatus.APPROVED, next_review_date__gte=today, next_review_date__lte=horizon)
        .select_related("account")
        .order_by("next_review_date")[:15]
    )
    committees = list(
        Listing.objects.filter(account__in=ids, next_committee_date__gte=today, next_committee_date__lte=horizon)
        .select_related("account", "product")
        .order_by("next_committee_date")[:15]
    )
    d.upcoming = sorted(
        [{"date": p.next_review_date, "what": "review", "account": p.account, "obj": p} for p in reviews]
        + [{"date": c.next_committee_date, "what": "committee", "account": c.account, "obj": c} for c in committees],
        key=lambda item: item["date"],
    )[:20]

    last_revenue = Subquery(
        Account.objects.filter(pk=OuterRef("pk")).values("financials__revenue_actual").order_by("-financials__year")[:1]
    )
    d.matrix = list(
        accounts.filter(is_key_account=True, attractiveness__isnull=False, position__isnull=False)
        .annotate(revenue=last_revenue, latest_touch=Max("touchpoints__date"))
        .values("pk", "name", "attractiveness", "position", "revenue", "qualification_score")
        .order_by("-attractiveness")[:400]
    )
    return d
