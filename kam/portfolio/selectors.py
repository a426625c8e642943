"""Reads of the portfolio floor that a view would otherwise do itself: the account page's data."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import services
from accounts.models import (
    Account,
    AccountFinancials,
    AccountTeamMember,
    Contract,
    HandoverNote,
    Tender,
    handovers_shown_since,
)
from accounts.selectors import account_access, accounts_visible_to, at_rate, fx_to_reporting, group_rollup
from accounts.tender_selectors import TenderSection, tender_section
from kam import firewall
from kam.models import User
from kam.portfolio.health.explain import explain
from plans.models import AccountPlan, PlanStatus
from stakeholders.models import Affiliation
from stakeholders.surveys.results import csat_for_account
from stakeholders.surveys.written_answers import AccountWords, account_words


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of ``queryset`` as an annotation (0 when nothing matches)."""
    # COUNT as a plain function: one row, with no GROUP BY for Django to add.
    counted = queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _user_name_fields(relation: str) -> tuple[str, ...]:
    """What ``str(user)`` reads (full name, else username), through ``relation``."""
    return tuple(f"{relation}__{name}" for name in ("first_name", "last_name", "username"))


# The page's account with its small figures and whether the sections that are mostly empty have
# anything to read, built once: resolving these subqueries was ~1.8 ms of every page (large demo).
# Nothing in it depends on the user or the time; ``account_for_page`` scopes a copy to the user.
_ACCOUNT_FOR_PAGE = Account.objects.select_related("owner", "parent", "health").annotate(
    owner_key_accounts=_count(Account.objects.active().key_accounts().filter(owner_id=OuterRef("owner_id"))),
    stakeholder_count=_count(Affiliation.objects.active().filter(account_id=OuterRef("pk"))),
    has_children=Exists(Account.objects.filter(parent_id=OuterRef("pk"))),
    # Whether one is recent is decided with the page's clock (``handovers_shown_since``).
    last_handover_at=Subquery(
        HandoverNote.objects.filter(account_id=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    ),
    has_tenders=Exists(Tender.objects.filter(account_id=OuterRef("pk"))),
    has_contracts=Exists(Contract.objects.filter(account_id=OuterRef("pk"))),
)


# The page's lists, each built once with what it reads (filters, joins, columns, order) and given
# its account per request: building them was ~1 ms of every page (large demo).
# Each year's rate read with its row (as ``convert`` finds it): a query per year was three for an
# account in francs or pounds. (The reporting currency is read here once, as every setting is once
# per process.)
_FINANCIALS = AccountFinancials.objects.annotate(rate=fx_to_reporting("account__currency", "year"))
# Team: only the columns shown (names, function).
_TEAM = (
    AccountTeamMember.objects.select_related("user")
    .only("user_id", "function", "therapeutic_area", *_user_name_fields("user"))
    .order_by("user__last_name")
)
_PLANS = (
    AccountPlan.objects.select_related("period")
    .exclude(status=PlanStatus.SUPERSEDED)
    .order_by("-period__start", "-revision")
)
# History: only the columns shown (when, who, what); ~0.6 ms of the page.
_HISTORY = (
    Account.history.select_related("history_user")
    .only("history_date", "history_type", "history_change_reason", *_user_name_fields("history_user"))
    .order_by("-history_date")
)


def account_for_page(user: User) -> QuerySet[Account]:
    """The accounts ``user`` may open (``accounts_visible_to``), each with the page's small figures
    and whether the sections that are mostly empty have anything to read: one query instead of one
    per figure."""
    return _ACCOUNT_FOR_PAGE & accounts_visible_to(user)


def account_page_data(user: User, pk: int) -> dict[str, Any]:
    """What the account page shows of account ``pk``: the account, its health and figures, DMU,
    tenders and plans (its Surveys tab comes in a request of its own: ``account_surveys_data``).
    Raises ``Account.DoesNotExist`` when ``user`` may not see it. Sections that are lists stay
    querysets where the template reads them once."""
    account = account_for_page(user).get(pk=pk)
    # A parent the user cannot see is not named on the page (nor linked). Asked only of an account
    # that has one: as an annotation, its subquery cost every page ~1 ms to build (large seed).
    account.parent_visible = bool(account.parent_id) and accounts_visible_to(user).filter(pk=account.parent_id).exists()
    financials = list(_FINANCIALS.filter(account=account))
    for row in financials:
        row.revenue_actual_reporting = at_rate(row.revenue_actual, row.rate)
    children, rollup = [], None
    if account.has_children:
        # The members directly below come with the group's figures: one query.
        rollup = group_rollup(account, user, timezone.localdate().year - 1)
        children = list(rollup.children)
    health = getattr(account, "health", None)  # no row until the first refresh
    # Tenders and contracts: two queries, only for an account that has any.
    now = timezone.now()
    today = timezone.localdate(now)
    tenders = tender_section(account, today) if account.has_tenders or account.has_contracts else TenderSection()
    access = account_access(user, account)
    listings = list(services.listings_with_portfolio(account))
    # Whether the user holds a seat is read from the team rather than asked in the account's query
    # (each subquery there cost ~0.3 ms to build).
    team = list(_TEAM.filter(account=account))
    return {
        "account": account,
        "tenders": tenders,
        "tenders_editable": access.edit and firewall.allows(user, "tender.edit"),
        "access": access,
        # The listing share from the listings shown: one query fewer.
        "scores": services.account_scores(account, listings=listings),
        "health": health,
        "health_parts": explain(health) if health else [],
        "health_band": health.band if health else "",
        "financials": financials,
        "listings": listings,
        "team": team,
        "children": children,
        "rollup": rollup,
        "history": _HISTORY.filter(id=account.pk)[:15],
        "owner_key_accounts": account.owner_key_accounts,
        "stakeholder_count": account.stakeholder_count,
        "plans": list(_PLANS.filter(account=account)),
        "on_team": any(member.user_id == user.pk for member in team),
        "owner_over_cap": account.owner_key_accounts > account.owner.effective_key_account_cap,
        # Handovers of the last HANDOVER_NOTE_DAYS days, with their notes and packs: one query, when
        # there are any.
        "handover_notes": list(
            HandoverNote.objects.recent(now).filter(account=account).select_related("from_user", "to_user", "by")
        )
        if account.last_handover_at is not None and account.last_handover_at >= handovers_shown_since(now)
        else [],
    }


def account_surveys_data(user: User, pk: int) -> dict[str, Any]:
    """What the account page's Surveys tab shows, read when the tab is opened: CSAT per campaign,
    what the DMU wrote in named surveys and the open low-score follow-ups. Raises
    ``Account.DoesNotExist`` when ``user`` may not see account ``pk``."""
    account = accounts_visible_to(user).select_related("owner").get(pk=pk)
    # CSAT per campaign (one query, one more for anonymous campaigns).
    csat_history = csat_for_account(account, user)
    # What the DMU wrote in named surveys and the open low-score follow-ups: one query for both and
    # one for their questions, once someone has answered a named survey (which alone opens one).
    if any(h["csat"] and h["csat"].answers and not h["campaign"]["campaign__anonymous"] for h in csat_history):
        words = account_words(account)
    else:
        words = AccountWords(latest=[], follow_ups=[])
    return {
        "account": account,
        "access": account_access(user, account),
        "csat_history": csat_history,
        "customer_words": words.latest,
        "follow_ups": words.follow_ups,
    }
