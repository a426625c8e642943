"""Seven-step account plans: periods, plans and their revisions, steps with versions, the rows
each step holds, and reviews.

One module per concern; every name is importable from ``plans.models``, as before the split."""

from __future__ import annotations

from plans.models.deck_template import DeckTemplate
from plans.models.digest import DigestFrequency, DigestPreference, ReminderLog, Weekday
from plans.models.plan import (
    EDITABLE_STATUSES,
    MAX_TEXT,
    STEPS,
    AccountPlan,
    InvestmentDecision,
    PlanningPeriod,
    PlanningPeriodQuerySet,
    PlanReview,
    PlanStatus,
    PlanStep,
    ReviewOutcome,
)
from plans.models.rows import (
    Action,
    ActionStatus,
    AudienceKind,
    CommunicationItem,
    Objective,
    ObjectiveQuerySet,
    ObjectiveStatus,
    RelationshipObjective,
    Resource,
    SupplyingFunction,
    SwotItem,
    SwotKind,
    WhitespaceCell,
    WhitespaceStatus,
)

__all__ = [
    "EDITABLE_STATUSES",
    "MAX_TEXT",
    "STEPS",
    "AccountPlan",
    "Action",
    "ActionStatus",
    "AudienceKind",
    "CommunicationItem",
    "DeckTemplate",
    "DigestFrequency",
    "DigestPreference",
    "InvestmentDecision",
    "Objective",
    "ObjectiveQuerySet",
    "ObjectiveStatus",
    "PlanReview",
    "PlanStatus",
    "PlanStep",
    "PlanningPeriod",
    "PlanningPeriodQuerySet",
    "RelationshipObjective",
    "ReminderLog",
    "Resource",
    "ReviewOutcome",
    "SupplyingFunction",
    "SwotItem",
    "SwotKind",
    "Weekday",
    "WhitespaceCell",
    "WhitespaceStatus",
]
