"""Reads of tenders and contracts: an account's section (its page, its plans' steps 1 and 4), and
the key dates the work list and the digest report. Callers pass accounts already scoped by
``accounts_visible_to``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet

from accounts.models import KEY_DATE_DAYS, Account, Contract, Tender, TenderLot


@dataclass
class TenderSection:
    """An account's tenders, open ones first (the nearest deadline first), then the decided ones,
    latest first; and its contracts not yet ended, the nearest notice date first."""

    open_tenders: list[Tender] = field(default_factory=list)
    past_tenders: list[Tender] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    # Open tenders only (the plan steps' context).
    only_open: bool = False

    def __bool__(self) -> bool:
        return bool(self.open_tenders or self.past_tenders or self.contracts)


# Decided tenders the section lists (the latest).
PAST_TENDERS = 10


def _lots() -> Prefetch:
    return Prefetch(
        "lots", TenderLot.objects.prefetch_related("products", "competitor_products").order_by("number", "pk")
    )


def tender_section(account: Account, today: date, *, only_open: bool = False) -> TenderSection:
    """The section's rows: four queries for the tenders (tenders, lots, their products and
    competitors), two for the contracts, whatever their number."""
    tenders = Tender.objects.filter(account=account)
    if only_open:  # the decided ones are not read, nor their lots
        tenders = tenders.open()
    tenders = list(tenders.prefetch_related(_lots()).order_by("submission_deadline", "pk"))
    section = TenderSection(only_open=only_open)
    section.open_tenders = [t for t in tenders if t.is_open]
    if not only_open:
        section.past_tenders = [t for t in reversed(tenders) if not t.is_open][:PAST_TENDERS]
    section.contracts = list(
        Contract.objects.current(today)
        .filter(account=account)
        .select_related("tender")
        .prefetch_related("products")
        .order_by("notice_date", "end_date", "pk")
    )
    for contract in section.contracts:
        contract.notice_passed = contract.notice_date < today
    return section


def tender_deadlines(accounts: QuerySet[Account], *, today: date, days: int = KEY_DATE_DAYS) -> QuerySet[Tender]:
    """Open tenders of ``accounts`` whose submission deadline is within ``days`` from ``today``."""
    return Tender.objects.open().filter(
        account__in=accounts.values("pk"), submission_deadline__range=(today, today + timedelta(days=days))
    )


def contract_notices(accounts: QuerySet[Account], *, today: date, days: int = KEY_DATE_DAYS) -> QuerySet[Contract]:
    """Contracts of ``accounts`` whose renewal notice date is within ``days`` from ``today``."""
    return Contract.objects.filter(
        account__in=accounts.values("pk"), notice_date__range=(today, today + timedelta(days=days))
    )
