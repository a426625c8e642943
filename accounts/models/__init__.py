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

__all__ = [
    "FIREWALLED_FIELDS",
    "HANDOVER_NOTE_DAYS",
    "HANDOVER_NOTE_MAX",
    "HEALTH_AMBER",
    "HEALTH_GREEN",
    "HOSPITAL_FIELDS",
    "LISTED_STATUSES",
    "NON_NEGATIVE",
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
    "CriterionDimension",
    "Currency",
    "ExchangeRate",
    "HandoverNote",
    "Listing",
    "ListingStatus",
    "ManagementModel",
    "Ownership",
    "Product",
    "Quadrant",
    "QualificationCriterion",
    "QualificationScore",
    "TeamFunction",
    "Tier",
    "health_band",
    "matrix_quadrant",
]
