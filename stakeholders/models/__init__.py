"""The decision-making unit: people, their affiliations with accounts, our coverage of them,
touchpoints with them, transfers of value, medical support requests, and CSAT surveys.

One module per concern; every name is importable from ``stakeholders.models``, as before the split."""

from __future__ import annotations

# The import's records live in their own package; imported here so that Django registers them.
from stakeholders.imports.models import DataImport, ImportMapping, ImportRejection
from stakeholders.models.dmu import (
    ERASED,
    MAX_FREE_TEXT,
    MEDICAL_FUNCTIONS,
    STANCE_SHORT,
    Affiliation,
    AffiliationOverride,
    AffiliationQuerySet,
    Category,
    Coverage,
    DmuRole,
    Function,
    KolClassification,
    KolLevel,
    Language,
    Person,
    Stance,
    category_for,
    language_for_country,
)
from stakeholders.models.support import SupportRequest, SupportStatus
from stakeholders.models.surveys import (
    CampaignStatus,
    ConsentChannel,
    ConsentMethod,
    CsatQuarter,
    InvitationStatus,
    LowScoreFollowUp,
    QuestionKind,
    Survey,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from stakeholders.models.touchpoints import Touchpoint, TouchpointKind, TovCategory, TransferOfValue

__all__ = [
    "ERASED",
    "MAX_FREE_TEXT",
    "MEDICAL_FUNCTIONS",
    "STANCE_SHORT",
    "Affiliation",
    "AffiliationOverride",
    "AffiliationQuerySet",
    "CampaignStatus",
    "Category",
    "ConsentChannel",
    "ConsentMethod",
    "Coverage",
    "CsatQuarter",
    "DataImport",
    "DmuRole",
    "Function",
    "ImportMapping",
    "ImportRejection",
    "InvitationStatus",
    "KolClassification",
    "KolLevel",
    "Language",
    "LowScoreFollowUp",
    "Person",
    "QuestionKind",
    "Stance",
    "SupportRequest",
    "SupportStatus",
    "Survey",
    "SurveyCampaign",
    "SurveyConsent",
    "SurveyInvitation",
    "SurveyQuestion",
    "SurveyResponse",
    "Touchpoint",
    "TouchpointKind",
    "TovCategory",
    "TransferOfValue",
    "category_for",
    "language_for_country",
]
