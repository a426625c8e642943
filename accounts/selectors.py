"""Reads about accounts. Every query that returns accounts starts from ``accounts_visible_to``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Account, AccountFinancials, AccountTeamMember, ExchangeRate
from kam.models import User, subordinate_ids


def accounts_visible_to(user: User) -> QuerySet[Account]:
    """The accounts ``user`` may see: owned, on the account team, owned by someone below them
    in the management hierarchy, or everything for administrators."""
    qs = Account.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_administrator:
        return qs
    on_team = AccountTeamMember.objects.filter(account=OuterRef("pk"), user=user)
    scope = Q(owner=user) | Q(Exists(on_team))
    if user.is_manager:
        scope |= Q(owner_id__in=subordinate_ids(user))
    return qs.filter(scope)


@dataclass(frozen=True)
class AccountAccess:
    view: bool
    edit: bool
    archive: bool
    reassign: bool


NO_ACCESS = AccountAccess(view=False, edit=False, archive=False, reassign=False)


def account_access(user: User, account: Account) -> AccountAccess:
    """What ``user`` may do with an account they can already see.

    Owner: view, edit, archive. Account team: view. Managers above the owner and administrators:
    everything, including reassigning the owner.
    """
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    if user.is_administrator or (user.is_manager and user.is_above(account.owner)):
        return AccountAccess(view=True, edit=True, archive=True, reassign=True)
    if account.owner_id == user.pk:
        return AccountAccess(view=True, edit=True, archive=True, reassign=False)
    return AccountAccess(view=True, edit=False, archive=False, reassign=False)


def users_assignable_by(user: User) -> QuerySet[User]:
    """Active users who may be made owner of an account by ``user``."""
    active = User.objects.filter(is_active=True)
    if user.is_administrator:
        return active
    if user.is_manager:
        return active.filter(Q(pk=user.pk) | Q(pk__in=subordinate_ids(user)))
    return active.filter(pk=user.pk)


class MissingExchangeRate(Exception):
    """No rate is known for a currency in or before a year."""


def rate_for(currency: str, year: int) -> Decimal:
    """The rate of ``currency`` for ``year``, falling back to the latest earlier year."""
    if currency == settings.REPORTING_CURRENCY:
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(currency=currency, year__lte=year)
        .order_by("-year")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingExchangeRate(f"No exchange rate for {currency} in or before {year}.")
    return rate


def convert(amount: Decimal | None, currency: str, year: int) -> Decimal | None:
    """``amount`` in ``currency`` expressed in the reporting currency, rounded to cents."""
    if amount is None:
        return None
    return (amount * rate_for(currency, year)).quantize(Decimal("0.01"))


RATE = DecimalField(max_digits=14, decimal_places=6)
MONEY = DecimalField(max_digits=20, decimal_places=2)


def fx_to_reporting(currency: str, year: str) -> Expression:
    """The rate from the currency in field ``currency`` to the reporting currency for the year in
    field ``year`` (or the latest earlier year), as an SQL expression; NULL when no rate is known.
    Both names are resolved against the query the expression is used in."""
    latest = (
        ExchangeRate.objects.filter(currency=OuterRef(currency), year__lte=OuterRef(year))
        .order_by("-year")
        .values("rate")[:1]
    )
    return Case(
        When(**{currency: settings.REPORTING_CURRENCY}, then=Value(Decimal(1), output_field=RATE)),
        default=Subquery(latest, output_field=RATE),
        output_field=RATE,
    )


@dataclass(frozen=True)
class ConvertedTotals:
    year: int
    currency: str
    revenue_actual: Decimal
    revenue_target: Decimal
    gross_profit: Decimal
    estimated_potential: Decimal
    accounts: int
    missing_rates: bool


_TOTALLED = ("revenue_actual", "revenue_target", "gross_profit", "estimated_potential")


def financial_totals(accounts: QuerySet[Account], year: int) -> ConvertedTotals:
    """Sum one year's financials over ``accounts`` in the reporting currency: one SQL aggregate.
    A missing exchange rate counts as 1 in the sums, and ``missing_rates`` says so."""
    rows = (
        AccountFinancials.objects.filter(account__in=accounts.values("pk"), year=year)
        .annotate(fx_or_null=fx_to_reporting("account__currency", "year"))
        .annotate(fx=Coalesce(F("fx_or_null"), Value(Decimal(1), output_field=RATE)))
    )
    zero = Value(Decimal(0), output_field=MONEY)
    sums = rows.aggregate(
        **{name: Coalesce(Sum(F(name) * F("fx"), output_field=MONEY), zero) for name in _TOTALLED},
        accounts=Count("pk"),
        missing=Count("pk", filter=Q(fx_or_null__isnull=True)),
    )
    cent = Decimal("0.01")
    return ConvertedTotals(
        year=year,
        currency=settings.REPORTING_CURRENCY,
        **{name: Decimal(sums[name]).quantize(cent) for name in _TOTALLED},
        accounts=sums["accounts"],
        missing_rates=bool(sums["missing"]),
    )


def descendants_of(account: Account) -> QuerySet[Account]:
    """Accounts below ``account`` at any depth (group members, branches)."""
    ids: list[int] = []
    frontier = [account.pk]
    # Account groups are shallow (group → hospital, head office → branch); one query per level.
    while frontier:
        frontier = list(Account.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids and pk != account.pk]
        ids.extend(frontier)
    return Account.objects.filter(pk__in=ids)
