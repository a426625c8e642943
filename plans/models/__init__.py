"""Seven-step account plans: periods, plans and their revisions, steps with versions, the rows
each step holds, and reviews.

One module per concern; every name is importable from ``plans.models``, as before the split."""

from __future__ import annotations

from plans.models.deck_template import DeckTemplate
from plans.models.digest import DigestFrequency, DigestPreference, PlanNewsDelivery, ReminderLog, Weekday
from plans.models.notifications import Notification, NotificationEvent, NotificationQuerySet
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
    LISTING_RANK,
    LISTING_TARGETS,
    MEASURABLE,
    Action,
    ActionStatus,
    AudienceKind,
    CommunicationItem,
    Objective,
    ObjectiveKind,
    ObjectiveQuerySet,
    ObjectiveStatus,
    Pacing,
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
    "LISTING_RANK",
    "LISTING_TARGETS",
    "MAX_TEXT",
    "MEASURABLE",
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
    "Notification",
    "NotificationEvent",
    "NotificationQuerySet",
    "Objective",
    "ObjectiveKind",
    "ObjectiveQuerySet",
    "ObjectiveStatus",
    "Pacing",
    "PlanNewsDelivery",
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
