"""Key accounts, their numbers, our portfolio and its listings, and the qualification rules.

One module per concern; every name is importable from ``accounts.models``, as before the split."""

from __future__ import annotations

from accounts.models.account import (
    FIREWALLED_FIELDS,
    HOSPITAL_FIELDS,
    NON_NEGATIVE,
    PERCENT,
    QUADRANT_ADVICE,
    TRADE_FIELDS,
    Account,
    AccountQuerySet,
    AccountSearchText,
    AccountStatus,
    AccountTeamMember,
    AccountType,
    Currency,
    ManagementModel,
    Ownership,
    Quadrant,
    TeamFunction,
    Tier,
    matrix_quadrant,
)
from accounts.models.financials import AccountFinancials, ExchangeRate
from accounts.models.handover import HANDOVER_NOTE_DAYS, HANDOVER_NOTE_MAX, HandoverNote
from accounts.models.health import HEALTH_AMBER, HEALTH_GREEN, AccountHealth, health_band
from accounts.models.listings import LISTED_STATUSES, CompetitorKind, CompetitorProduct, Listing, ListingStatus, Product
from accounts.models.qualification import CriterionDimension, QualificationCriterion, QualificationScore
from accounts.models.tenders import (
    CONTRACT_FIREWALLED_FIELDS,
    DECIDED_LOT_OUTCOMES,
    KEY_DATE_DAYS,
    MAX_NOTICE_DAYS,
    OPEN_TENDER_STATUSES,
    Contract,
    LotOutcome,
    Tender,
    TenderLot,
    TenderStatus,
)

__all__ = [
    "CONTRACT_FIREWALLED_FIELDS",
    "DECIDED_LOT_OUTCOMES",
    "FIREWALLED_FIELDS",
    "HANDOVER_NOTE_DAYS",
    "HANDOVER_NOTE_MAX",
    "HEALTH_AMBER",
    "HEALTH_GREEN",
    "HOSPITAL_FIELDS",
    "KEY_DATE_DAYS",
    "LISTED_STATUSES",
    "MAX_NOTICE_DAYS",
    "NON_NEGATIVE",
    "OPEN_TENDER_STATUSES",
    "PERCENT",
    "QUADRANT_ADVICE",
    "TRADE_FIELDS",
    "Account",
    "AccountFinancials",
    "AccountHealth",
    "AccountQuerySet",
    "AccountSearchText",
    "AccountStatus",
    "AccountTeamMember",
    "AccountType",
    "CompetitorKind",
    "CompetitorProduct",
    "Contract",
    "CriterionDimension",
    "Currency",
    "ExchangeRate",
    "HandoverNote",
    "Listing",
    "ListingStatus",
    "LotOutcome",
    "ManagementModel",
    "Ownership",
    "Product",
    "Quadrant",
    "QualificationCriterion",
    "QualificationScore",
    "TeamFunction",
    "Tender",
    "TenderLot",
    "TenderStatus",
    "Tier",
    "health_band",
    "matrix_quadrant",
]
