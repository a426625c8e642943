"""Reads of tenders and contracts: an account's section (its page, its plans' steps 1 and 4), and
the key dates the work list and the digest report. Callers pass accounts already scoped by
``accounts_visible_to``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, QuerySet

from accounts.models import KEY_DATE_DAYS, Account, Contract, LotOutcome, Tender


@dataclass
class TenderSection:
    """An account's tenders, open ones first (the nearest deadline first), then the decided ones,
    latest first, each with ``lots_shown`` (``LotShown``); and its contracts not yet ended, the
    nearest notice date first, each with ``brands`` and ``notice_passed``."""

    open_tenders: list[Tender] = field(default_factory=list)
    past_tenders: list[Tender] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    # Open tenders only (the plan steps' context).
    only_open: bool = False

    def __bool__(self) -> bool:
        return bool(self.open_tenders or self.past_tenders or self.contracts)

    def shown(self) -> tuple:
        """Everything the section's drawing shows (``accounts/_tenders.html``), for the key of a
        kept copy: each tender's and contract's fields read (no other is loaded), its lots, brands
        and whether its notice date has passed."""
        tenders = [
            (
                *(getattr(tender, name) for name in ("pk", *_TENDER_SHOWN)),
                [(lot.number, lot.name, lot.outcome, lot.brands, lot.rivals) for lot in tender.lots_shown],
            )
            for tender in (*self.open_tenders, *self.past_tenders)
        ]
        contracts = [
            (*(getattr(contract, name) for name in ("pk", *_CONTRACT_SHOWN)), contract.brands, contract.notice_passed)
            for contract in self.contracts
        ]
        return (self.only_open, tenders, contracts)


# Decided tenders the section lists (the latest).
PAST_TENDERS = 10
# What the section and the handover pack show of a tender.
_TENDER_SHOWN = (
    "account_id",
    "title",
    "reference",
    "buyer",
    "submission_deadline",
    "decision_date",
    "award_date",
    "status",
    "outcome_reason",
)
# What they show of a contract.
_CONTRACT_SHOWN = (
    "account_id",
    "title",
    "reference",
    "start_date",
    "end_date",
    "notice_date",
    "notice_days",
    "volume",
    "volume_unit",
    "price",
    "rebate_pct",
)


@dataclass
class LotShown:
    """A lot as the section shows it: what is tendered, its outcome, the brands we bid and the
    competitors' products bid against them."""

    number: str
    name: str
    outcome: str
    brands: list[str] = field(default_factory=list)
    rivals: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return " · ".join(part for part in (self.number, self.name) if part)

    def get_outcome_display(self) -> str:
        return str(LotOutcome(self.outcome).label)


# A row per tender, lot, product and competitor bid; a row per contract and product. Built once, given
# the account per request: resolving their joins was ~0.5 ms of an account page with tenders.
_TENDER_ROWS = (
    Tender.objects.only(*_TENDER_SHOWN)
    .annotate(
        lot_id=F("lots__pk"),
        lot_number=F("lots__number"),
        lot_name=F("lots__name"),
        lot_outcome=F("lots__outcome"),
        brand=F("lots__products__brand"),
        rival_id=F("lots__competitor_products__pk"),
        rival=F("lots__competitor_products__name"),
    )
    .order_by("submission_deadline", "pk", "lots__number", "lots__pk", "brand", "rival", "rival_id")
)
_CONTRACT_ROWS = (
    Contract.objects.only(*_CONTRACT_SHOWN)
    .annotate(brand=F("products__brand"))
    .order_by("notice_date", "end_date", "pk", "brand")
)


def _tenders(account: Account, *, only_open: bool) -> list[Tender]:
    """The account's tenders, the nearest deadline first, each with ``lots_shown``: one query,
    a row per tender, lot, product and competitor bid (a lot's few bids multiply, its rows not
    its queries: four queries were one per level)."""
    rows = _TENDER_ROWS.filter(account=account)
    if only_open:  # the decided ones are not read, nor their lots
        rows = rows.open()
    shown: dict[int, Tender] = {}
    lots: dict[int, LotShown] = {}
    rivals: set[tuple[int, int]] = set()
    for row in rows:
        tender = shown.setdefault(row.pk, row)
        if tender is row:
            tender.lots_shown = []
        if row.lot_id is None:
            continue
        lot = lots.get(row.lot_id)
        if lot is None:
            lot = lots[row.lot_id] = LotShown(row.lot_number, row.lot_name, row.lot_outcome)
            tender.lots_shown.append(lot)
        if row.brand is not None and row.brand not in lot.brands:  # brands are unique
            lot.brands.append(row.brand)
        if row.rival_id is not None and (row.lot_id, row.rival_id) not in rivals:
            rivals.add((row.lot_id, row.rival_id))
            lot.rivals.append(row.rival)
    return list(shown.values())


def _contracts(account: Account, today: date) -> list[Contract]:
    """The contracts not yet ended, the nearest notice date first, each with ``brands``: one
    query, a row per contract and product."""
    rows = _CONTRACT_ROWS.current(today).filter(account=account)
    shown: dict[int, Contract] = {}
    for row in rows:
        contract = shown.setdefault(row.pk, row)
        if contract is row:
            contract.brands = []
            contract.notice_passed = contract.notice_date < today
        if row.brand is not None:
            contract.brands.append(row.brand)
    return list(shown.values())


def tender_section(account: Account, today: date, *, only_open: bool = False) -> TenderSection:
    """The section's rows: one query for the tenders with their lots and bids, one for the
    contracts with their products, whatever their number."""
    tenders = _tenders(account, only_open=only_open)
    section = TenderSection(only_open=only_open)
    section.open_tenders = [t for t in tenders if t.is_open]
    if not only_open:
        section.past_tenders = [t for t in reversed(tenders) if not t.is_open][:PAST_TENDERS]
    section.contracts = _contracts(account, today)
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
