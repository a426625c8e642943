"""The survey pages' read: the invitation named by a token, with what its pages show."""

from __future__ import annotations

from stakeholders.models import SurveyInvitation
from stakeholders.surveys.tokens import invitation_id


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a token names (``tokens.invitation_id``), or None.

    It comes with what the survey pages show, in two queries: its campaign, survey, account and
    answer (``responses.existing_response``) joined, then the survey's questions
    (``survey.questions.all()`` makes no further query). The person is loaded when first used.
    """
    pk = invitation_id(token)
    if pk is None:
        return None
    return (
        SurveyInvitation.objects.select_related("campaign__survey", "account", "response")
        .prefetch_related("campaign__survey__questions")
        .filter(pk=pk)
        .first()
    )
