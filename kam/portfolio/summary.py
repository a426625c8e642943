"""The dashboard's aggregates, and the whole portfolio's copy of them that every health refresh keeps.

The dashboard sums, over the accounts in scope: their figures per KAM and country (from the accounts
and their health rows), the period's plans by status and review date, and CSAT by quarter. Over an
administrator's 10,040 accounts those three queries cost about 60 ms on this machine, on every first
view after a refresh (bench/bench_pages.py, the cold dashboard). So the refresh, which is what makes
them change, also sums them for the whole portfolio into ``PortfolioGroup``
(``store``) and the ``FiguresVersion`` row, and the administrator's unfiltered dashboard reads those few hundred rows (``stored``).
Any narrower scope is counted live by the same functions: it is smaller, and it would need its own
copy. The copy is of a day and a period: the day after, or for another period, the dashboard counts
live until the next refresh (within the hour); ``FiguresVersion``, read for the cache key anyway,
says which.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import HEALTH_AMBER, HEALTH_GREEN, Account
from kam.lib import Ids
from kam.portfolio.models import FiguresVersion, PortfolioGroup
from kam.portfolio.upcoming import among
from plans.models import AccountPlan, ActionStatus, PlanningPeriod, PlanStatus
from stakeholders.models import CsatQuarter

# The reviews "due" are those of the next REVIEWS_DUE_DAYS (the upcoming list: kam.portfolio.upcoming).
REVIEWS_DUE_DAYS = 30
# The figures of each group of ``owner_groups``, summed over the groups for the page's totals.
FIGURES = (
    *("total", "key", "hospitals", "pharmacies", "wholesalers", "tier_a", "tier_b", "tier_c", "placed"),
    *("health_sum", "health_scored", "health_green", "health_amber", "health_red", "stale"),
    *("revenue_actual", "revenue_target", "with_revenue", "missing_rates"),
    *("objectives_on_track", "objectives_at_risk", "objectives_achieved"),
    *("actions_total", "actions_done", "actions_overdue", "invited", "answers", "satisfied"),
)
_NAMES = ("owner__first_name", "owner__last_name", "owner__username")


def owner_groups(accounts: QuerySet[Account]) -> list[dict]:
    """Every per-account figure of ``accounts`` in one pass over them and their health rows, grouped
    by KAM and country: ``owner_id``, ``country``, the ``FIGURES``, ``health_oldest`` and the
    owner's names, in no set order."""
    key = Q(is_key_account=True)
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=20, decimal_places=2))
    groups = list(
        accounts.values("owner_id", "country")
        .annotate(
            total=Count("pk"),
            key=Count("pk", filter=key),
            hospitals=Count("pk", filter=key & Q(account_type="hospital")),
            pharmacies=Count("pk", filter=key & Q(account_type="pharmacy")),
            wholesalers=Count("pk", filter=key & Q(account_type="wholesaler")),
            tier_a=Count("pk", filter=key & Q(tier="A")),
            tier_b=Count("pk", filter=key & Q(tier="B")),
            tier_c=Count("pk", filter=key & Q(tier="C")),
            placed=Count("pk", filter=key & Q(attractiveness__isnull=False, position__isnull=False)),
            # From the stored health rows.
            health_sum=Coalesce(Sum("health__score", filter=key), 0),
            health_scored=Count("health__score", filter=key),
            health_green=Count("pk", filter=key & Q(health__score__gte=HEALTH_GREEN)),
            health_amber=Count("pk", filter=key & Q(health__score__gte=HEALTH_AMBER, health__score__lt=HEALTH_GREEN)),
            health_red=Count("pk", filter=key & Q(health__score__lt=HEALTH_AMBER)),
            health_oldest=Min("health__computed_at"),
            stale=Coalesce(Sum("health__key_stale"), 0),
            revenue_actual=Coalesce(Sum("health__revenue_actual"), zero),
            revenue_target=Coalesce(Sum("health__revenue_target"), zero),
            with_revenue=Count(
                "pk", filter=Q(health__revenue_actual__isnull=False) | Q(health__revenue_target__isnull=False)
            ),
            missing_rates=Count("pk", filter=Q(health__revenue_rate_missing=True)),
            # The current period's objectives and actions, as the health refresh counted them.
            objectives_on_track=Coalesce(Sum("health__objectives_on_track"), 0),
            objectives_at_risk=Coalesce(Sum("health__objectives_at_risk"), 0),
            objectives_achieved=Coalesce(Sum("health__objectives_achieved"), 0),
            actions_total=Coalesce(Sum("health__actions_total"), 0),
            actions_done=Coalesce(Sum("health__actions_done"), 0),
            actions_overdue=Coalesce(Sum("health__actions_overdue"), 0),
            # Named campaigns of all time, for CSAT by KAM and country.
            invited=Coalesce(Sum("health__named_invited"), 0),
            answers=Coalesce(Sum("health__named_answers"), 0),
            satisfied=Coalesce(Sum("health__named_satisfied"), 0),
            # The owner's names, one per group: aggregated rather than grouped on (see below).
            owner__first_name=Min("owner__first_name"),
            owner__last_name=Min("owner__last_name"),
            owner__username=Min("owner__username"),
        )
        # Grouped on two short keys, the groups are hashed; with the owners' names as keys too the
        # database sorted all accounts by name first, which cost more than the grouping.
        .order_by()
    )
    return _named(groups)


def _named(groups: list[dict]) -> list[dict]:
    """``groups`` with an empty name, not None, where an account has no owner."""
    for group in groups:
        for name in _NAMES:
            group[name] = group[name] or ""
    return groups


def quarter_totals(ids: Ids | QuerySet) -> list[dict]:
    """Named campaigns' invited, answers and satisfied per ``year`` and ``quarter`` over the
    accounts ``ids``, oldest first, from the stored ``CsatQuarter`` rows."""
    return list(
        CsatQuarter.objects.filter(**among("account", ids))
        .values("year", "quarter")
        .annotate(invited=Sum("invited"), answers=Sum("answers"), satisfied=Sum("satisfied"))
        .order_by("year", "quarter")
    )


def plan_counts(plans: QuerySet[AccountPlan], today: date, *, with_actions: bool = False) -> dict[str, int]:
    """``plans`` by status and review date (``FiguresVersion.PLAN_COUNTS``), in one query; with
    ``with_actions`` their actions too (``actions_total``, ``actions_done``, ``actions_overdue``)."""
    actions = {}
    if with_actions:
        open_actions = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED]
        actions = {
            "actions_total": Count("actions"),
            "actions_done": Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
            "actions_overdue": Count(
                "actions", filter=Q(actions__due_date__lt=today, actions__status__in=open_actions)
            ),
        }
    # Joined to the actions, a plan appears once per action: then only distinct plans count.
    distinct = with_actions
    return plans.aggregate(
        draft=Count("pk", filter=Q(status=PlanStatus.DRAFT), distinct=distinct),
        submitted=Count("pk", filter=Q(status=PlanStatus.SUBMITTED), distinct=distinct),
        changes_requested=Count("pk", filter=Q(status=PlanStatus.CHANGES_REQUESTED), distinct=distinct),
        approved=Count("pk", filter=Q(status=PlanStatus.APPROVED), distinct=distinct),
        reviews_overdue=Count(
            "pk", filter=Q(status=PlanStatus.APPROVED, next_review_date__lt=today), distinct=distinct
        ),
        reviews_due=Count(
            "pk",
            filter=Q(
                status=PlanStatus.APPROVED,
                next_review_date__gte=today,
                next_review_date__lte=today + timedelta(days=REVIEWS_DUE_DAYS),
            ),
            distinct=distinct,
        ),
        # An account can hold several approved plans (one per therapeutic area).
        covered_key_accounts=Count(
            "account", filter=Q(status=PlanStatus.APPROVED, account__is_key_account=True), distinct=True
        ),
        **actions,
    )


def scope_plans(ids: Ids | QuerySet, period: PlanningPeriod | None) -> QuerySet[AccountPlan]:
    """The plans of the accounts ``ids`` that count on the dashboard: of ``period`` (any, when
    ``None``), and not replaced by a revision."""
    plans = AccountPlan.objects.filter(**among("account", ids)).exclude(status=PlanStatus.SUPERSEDED)
    return plans.filter(period=period) if period else plans


def portfolio() -> QuerySet[Account]:
    """The accounts of the whole portfolio's figures: an administrator's unfiltered dashboard."""
    return Account.objects.active()


def store(today: date, period: PlanningPeriod | None) -> None:
    """Sum the whole portfolio's figures for ``today`` and ``period`` into ``PortfolioGroup`` and
    the ``FiguresVersion`` row. Called by the health refresh inside its transaction, after it
    counted up: that UPDATE holds the row until the commit, so two refreshes write the sums one
    after the other, each from what the one before committed. Without a current period there is
    nothing the dashboard would read from them."""
    PortfolioGroup.objects.all().delete()
    sums = {"summed_on": today, "summed_period": period, "csat_quarters": []}
    if period is not None:
        accounts = portfolio()
        PortfolioGroup.objects.bulk_create(
            PortfolioGroup(**{name: value for name, value in group.items() if name not in _NAMES})
            for group in owner_groups(accounts)
        )
        sums["csat_quarters"] = [
            [row["year"], row["quarter"], row["invited"], row["answers"], row["satisfied"]]
            for row in quarter_totals(accounts.values("pk"))
        ]
        sums |= plan_counts(scope_plans(accounts.values("pk"), period), today)
    FiguresVersion.objects.filter(pk=FiguresVersion.ROW).update(**sums)


def stored(latest: FiguresVersion) -> tuple[list[dict], list[dict], dict[str, int]]:
    """The whole portfolio's groups (as ``owner_groups``), quarters (as ``quarter_totals``) and
    plan counts (as ``plan_counts``) as the refresh ``latest`` summed them; whether they are of the
    day and period wanted, the caller asks ``latest.summed_for``."""
    groups = _named(list(PortfolioGroup.objects.values("owner_id", "country", *FIGURES, "health_oldest", *_NAMES)))
    quarters = [
        {"year": year, "quarter": quarter, "invited": invited, "answers": answers, "satisfied": satisfied}
        for year, quarter, invited, answers, satisfied in latest.csat_quarters
    ]
    return groups, quarters, {name: getattr(latest, name) for name in FiguresVersion.PLAN_COUNTS}
