"""Reads about accounts. Every query that returns accounts starts from ``accounts_visible_to``."""

from __future__ import annotations

import functools
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
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import Account, AccountFinancials, AccountTeamMember, ExchangeRate
from kam.models import Role, User, subordinate_ids


def accounts_visible_to(user: User) -> QuerySet[Account]:
    """The accounts ``user`` may see: owned, on the account team, owned by someone below them
    in the management hierarchy, or everything for administrators."""
    qs = Account.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_administrator:
        return qs
    owners = [user.pk]
    if user.is_manager:
        # The people below are read first and given as a list: inside the query, PostgreSQL
        # guesses the size of a recursive query (thousands of people for a team of ten).
        owners += User.objects.filter(pk__in=subordinate_ids(user)).values_list("pk", flat=True)
    # Owned accounts and account-team seats as one UNION of ids rather than an OR with EXISTS:
    # PostgreSQL can estimate a union's size, not an OR's, and with the OR it planned every
    # query over a manager's few hundred accounts as if they were half of all accounts, with
    # full scans of the biggest tables. One query more for managers, the same at any depth.
    owned = Account.objects.filter(owner_id__in=owners).order_by().values("pk")
    seats = AccountTeamMember.objects.filter(user=user).order_by().values("account_id")
    return qs.filter(pk__in=owned.union(seats))


def account_owners_visible_to(user: User) -> QuerySet[User]:
    """The owners of the accounts ``user`` may see: exactly
    ``User.objects.filter(pk__in=accounts_visible_to(user).values("owner_id"))``, asked the
    other way round (tests/accounts/test_scoping.py holds the two to the same answer).

    That question reads every visible account, or all 10,000 for an administrator, to list a
    few hundred people: this one asks per person in scope whether they own any account (an
    index lookup each), plus the owners of the accounts ``user`` has a team seat on."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    owns_one = Exists(Account.objects.filter(owner_id=OuterRef("pk")))
    if user.is_administrator:
        return User.objects.filter(owns_one)
    # Themselves and everyone below them (the owners accounts_visible_to reads first), and the
    # owners of the accounts with a seat for them, who own one by definition: the EXISTS stays
    # outside the OR, where PostgreSQL can look each person up instead of reading all accounts.
    in_scope = User.objects.visible_to(user).values("pk")
    seats = AccountTeamMember.objects.filter(user=user).values("account__owner_id")
    return User.objects.filter(Q(pk__in=in_scope) | Q(pk__in=seats), owns_one)


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
    """The active users within ``user``'s reach, whom a form may name as an account's owner: forms
    offer only the assignable among them and refuse the others with a reason (``kam.owner_choices``);
    the API and the import take ``.assignable()`` of it."""
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


CENT = Decimal("0.01")


def at_rate(amount: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """``amount`` converted at ``rate``, rounded to cents; None when either is unknown."""
    return None if amount is None or rate is None else (amount * rate).quantize(CENT)


def convert(amount: Decimal | None, currency: str, year: int) -> Decimal | None:
    """``amount`` in ``currency`` expressed in the reporting currency, rounded to cents."""
    if amount is None:
        return None
    return at_rate(amount, rate_for(currency, year))


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


def rates_for(year: int) -> dict[str, Decimal]:
    """Each currency's rate for ``year``, or its latest earlier one (the rule of ``rate_for``)."""
    rates: dict[str, Decimal] = {}
    for currency, rate in (
        ExchangeRate.objects.filter(year__lte=year).order_by("currency", "-year").values_list("currency", "rate")
    ):
        rates.setdefault(currency, rate)
    return rates


def financial_totals(accounts: QuerySet[Account], year: int) -> ConvertedTotals:
    """Sum one year's financials over ``accounts`` in the reporting currency, in SQL.

    The year's rates are read first (a handful of rows) and go into the sum as constants: a
    rate looked up per financials row was most of the cost at 10,000 accounts. Amounts in a
    currency without a rate are summed unconverted and reported as ``missing_rates``.
    """
    reporting = settings.REPORTING_CURRENCY
    rates = rates_for(year)
    fx = Case(
        *[When(account__currency=currency, then=Value(rate, output_field=RATE)) for currency, rate in rates.items()],
        default=Value(Decimal(1), output_field=RATE),
        output_field=RATE,
    )
    zero = Value(Decimal(0), output_field=MONEY)
    sums = AccountFinancials.objects.filter(account__in=accounts.values("pk"), year=year).aggregate(
        **{name: Coalesce(Sum(F(name) * fx, output_field=MONEY), zero) for name in _TOTALLED},
        accounts=Count("pk"),
        missing=Count("pk", filter=~Q(account__currency__in=[reporting, *rates])),
    )
    return _totals(year, sums, sums["accounts"], sums["missing"] > 0)


def _totals(year: int, sums: dict, accounts: int, missing_rates: bool) -> ConvertedTotals:
    return ConvertedTotals(
        year=year,
        currency=settings.REPORTING_CURRENCY,
        **{name: Decimal(sums[name]).quantize(CENT) for name in _TOTALLED},
        accounts=accounts,
        missing_rates=missing_rates,
    )


# One account and the accounts below it at any depth (a recursive query, which the ORM cannot say);
# UNION (not UNION ALL) stops at a cycle in bad data.
_GROUP_SQL = """
    WITH RECURSIVE below(id) AS (
        SELECT id FROM accounts_account WHERE id = %s
        UNION
        SELECT a.id FROM accounts_account a JOIN below b ON a.parent_id = b.id
    )
    SELECT id FROM below
"""


@dataclass(frozen=True)
class GroupRollup:
    """A group account's figures over itself and the members ``user`` may see, and how many
    members were left out (their number only: their figures would be the difference); and the
    members directly below it that ``user`` may see, by name."""

    totals: ConvertedTotals
    hidden_members: int
    children: tuple[Account, ...] = ()


@functools.cache
def _year_rows(year: int) -> QuerySet[Account]:
    """Accounts, each with its figures of ``year`` and their rate, by name: built once per year and
    process (resolving its joins and the rate's subquery was ~1 ms of a group's page)."""
    return (
        Account.objects.annotate(year_figures=FilteredRelation("financials", condition=Q(financials__year=year)))
        .annotate(
            figures_id=F("year_figures__pk"),
            figures_year=F("year_figures__year"),
            **{f"figures_{name}": F(f"year_figures__{name}") for name in _TOTALLED},
        )
        .annotate(figures_rate=fx_to_reporting("currency", "figures_year"))
        .order_by("name", "pk")
    )


def group_rollup(account: Account, user: User, year: int) -> GroupRollup:
    """Sum ``year``'s financials over ``account`` and its members at any depth that ``user``
    may see. A member the user cannot see is counted in ``hidden_members`` and nowhere else:
    a total over everything, less the visible members, would give away its revenue and target.

    One query: the account and its members, each with whether ``user`` sees it and its year's
    figures with their rate (``fx_to_reporting``), summed here as ``financial_totals`` sums them
    (a group has a handful of members; its children, its hidden count, the rates and the sums
    were four queries)."""
    shown = Value(True) if user.is_administrator else Exists(accounts_visible_to(user).filter(pk=OuterRef("pk")))
    # The account with its members in one IN: with an OR between them, PostgreSQL expected half of
    # all accounts and read every account and financials row (~8 ms, large demo).
    rows = _year_rows(year).filter(pk__in=RawSQL(_GROUP_SQL, (account.pk,))).annotate(shown=shown)
    sums = dict.fromkeys(_TOTALLED, Decimal(0))
    counted, missing, hidden, children = 0, False, 0, []
    for row in rows:
        if row.pk != account.pk and not row.shown:
            hidden += 1
            continue
        if row.parent_id == account.pk:
            children.append(row)
        if row.figures_id is None:
            continue
        counted += 1
        rate = row.figures_rate
        if rate is None:  # summed unconverted, as financial_totals does
            missing, rate = True, Decimal(1)
        for name in _TOTALLED:
            amount = getattr(row, f"figures_{name}")
            if amount is not None:
                sums[name] += amount * rate
    return GroupRollup(totals=_totals(year, sums, counted, missing), hidden_members=hidden, children=tuple(children))


# The managers above one user at any depth; UNION stops at a cycle in bad data.
_ABOVE_SQL = """
    WITH RECURSIVE above(id) AS (
        SELECT manager_id FROM kam_user WHERE id = %s AND manager_id IS NOT NULL
        UNION
        SELECT u.manager_id FROM kam_user u JOIN above a ON u.id = a.id WHERE u.manager_id IS NOT NULL
    )
    SELECT id FROM above
"""


def account_viewers(account: Account) -> QuerySet[User]:
    """Active users who see ``account`` where they sit, by the rules of ``accounts_visible_to``:
    its owner, the holders of a seat on its team, and the managers above the owner at any depth.
    Administrators, who see every account by their role rather than by a seat, are not listed.
    One query, usable as a subquery."""
    seats = AccountTeamMember.objects.filter(account_id=account.pk).values("user_id")
    above = User.objects.filter(pk__in=RawSQL(_ABOVE_SQL, (account.owner_id,)), role=Role.MANAGER).values("pk")
    return User.objects.filter(Q(pk=account.owner_id) | Q(pk__in=seats) | Q(pk__in=above), is_active=True)
