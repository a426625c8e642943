"""The rows behind each dashboard tile, so that a tile opens the list it counts.

Each list is taken from the same scope as the tile (``dashboard.scoped_accounts`` with the
dashboard's filters and period) and by the same rule: for the current period the tiles read the
figures the health refresh stored (kam.portfolio.health.refresh), so the lists follow that
refresh's rules (plans superseded or archived left out); for another period the dashboard counts
from the plans (superseded ones left out) and so do the lists. A list equals its tile as long as
the health rows are current, which the refresh after every plan save keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from kam.models import User
from kam.portfolio.dashboard import DashboardFilters, scoped_accounts
from kam.portfolio.health import KEY_INFLUENCE, met_within_cadence
from kam.portfolio.summary import REVIEWS_DUE_DAYS
from plans.models import AccountPlan, Action, ActionStatus, Objective, ObjectiveStatus, PlanStatus
from stakeholders.models import Affiliation

# Rows a list shows; its heading gives the full count.
LIST_LIMIT = 500

ACCOUNTS = "accounts"
PLANS = "plans"
ACTIONS = "actions"
OBJECTIVES = "objectives"
CONTACTS = "contacts"

_NOT_CURRENT = (PlanStatus.SUPERSEDED, PlanStatus.ARCHIVED)


@dataclass(frozen=True)
class Tile:
    slug: str
    title: object  # a lazy translation
    kind: str


TILES = {
    t.slug: t
    for t in (
        Tile("coverage", _("Key accounts with an approved plan"), ACCOUNTS),
        Tile("reviews-overdue", _("Approved plans overdue for review"), PLANS),
        Tile("reviews-due", _("Approved plans due for review soon"), PLANS),
        Tile("actions-overdue", _("Overdue actions"), ACTIONS),
        Tile("objectives-on-track", _("Objectives on track"), OBJECTIVES),
        Tile("objectives-at-risk", _("Objectives at risk"), OBJECTIVES),
        Tile("objectives-achieved", _("Objectives achieved"), OBJECTIVES),
        Tile("stale-contacts", _("Stale key contacts"), CONTACTS),
        *(Tile(f"plans-{s}", s.label, PLANS) for s in PlanStatus if s not in _NOT_CURRENT),
    )
}


def _period_plans(accounts: QuerySet, filters: DashboardFilters, today: date) -> tuple[QuerySet, bool]:
    """The plans the dashboard counts, and whether its figures come from the stored health rows."""
    current = filters.current_period(today)
    period = filters.period or current
    plans = AccountPlan.objects.filter(account__in=accounts.values("pk")).exclude(status=PlanStatus.SUPERSEDED)
    if period:
        plans = plans.filter(period=period)
    return plans, current is not None and period == current


def rows(user: User, slug: str, filters: DashboardFilters, today: date) -> QuerySet:
    """The queryset behind tile ``slug`` (a KeyError for an unknown one)."""
    tile = TILES[slug]
    accounts = scoped_accounts(user, filters)
    plans, stored = _period_plans(accounts, filters, today)
    if slug == "coverage":
        approved = plans.filter(status=PlanStatus.APPROVED, account=OuterRef("pk"))
        return accounts.filter(Exists(approved), is_key_account=True).select_related("owner").order_by("name", "pk")
    if slug == "reviews-overdue":
        return _plans(plans.filter(status=PlanStatus.APPROVED, next_review_date__lt=today))
    if slug == "reviews-due":
        return _plans(
            plans.filter(
                status=PlanStatus.APPROVED,
                next_review_date__gte=today,
                next_review_date__lte=today + timedelta(days=REVIEWS_DUE_DAYS),
            )
        )
    if tile.kind == PLANS:
        return _plans(plans.filter(status=slug.removeprefix("plans-")))
    current_plans = plans.exclude(status__in=_NOT_CURRENT) if stored else plans
    if slug == "actions-overdue":
        return (
            Action.objects.filter(plan__in=current_plans, due_date__lt=today)
            .exclude(status=ActionStatus.DONE)
            .select_related("plan__account", "plan__period", "owner")
            .order_by("due_date", "pk")
        )
    if tile.kind == OBJECTIVES:
        status = {
            "objectives-on-track": ObjectiveStatus.ON_TRACK,
            "objectives-at-risk": ObjectiveStatus.AT_RISK,
            "objectives-achieved": ObjectiveStatus.ACHIEVED,
        }[slug]
        return (
            Objective.objects.filter(plan__in=current_plans, target__isnull=False, due_date__isnull=False)
            .with_status(today)
            .filter(sql_status=status)
            .select_related("plan__account", "plan__period", "owner")
            .order_by("due_date", "pk")
        )
    # Stale key contacts: as the health refresh counts them (refresh.py, key_stale).
    return (
        Affiliation.objects.filter(
            end_date__isnull=True, influence__gte=KEY_INFLUENCE, account__in=accounts.values("pk")
        )
        .exclude(met_within_cadence(today))
        .select_related("person", "account")
        .order_by("account__name", "-influence", "pk")
    )


def _plans(plans: QuerySet) -> QuerySet:
    return plans.select_related("account__owner", "period").order_by("next_review_date", "account__name", "pk")
