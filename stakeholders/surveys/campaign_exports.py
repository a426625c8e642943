"""A survey campaign's results as CSV and XLSX (``kam.table_export``), as its page shows them.

Named campaigns: one row per answered invitation at accounts the user can see (the invitations
``campaign_views.invitations_visible_to`` gives), with account, person, date, CSAT score and every
question's answer, free texts and the closing comment included.

Anonymous campaigns: only what the campaign page shows. While the answers the user can see are
suppressed (fewer than five, ``results.anonymous_suppression``), nothing. Otherwise the written
texts, one row per text with its question, in alphabetical order within each question: no person,
account, date, score or order of answering, and no row per person, since the texts one person wrote
side by side could tell who wrote them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kam.table_export import Column, Sheet
from stakeholders.models import QuestionKind, SurveyCampaign, SurveyInvitation, SurveyResponse
from stakeholders.survey_texts import COMMENT_LABEL
from stakeholders.surveys import results


def campaign_sheet(campaign: SurveyCampaign, invitations: QuerySet[SurveyInvitation]) -> Sheet:
    """The results of ``campaign`` among ``invitations`` (already scoped to the viewer)."""
    if campaign.anonymous:
        return _anonymous_sheet(campaign, invitations)
    return _named_sheet(campaign, invitations)


def _named_sheet(campaign: SurveyCampaign, invitations: QuerySet[SurveyInvitation]) -> Sheet:
    questions = list(campaign.survey.questions.order_by("order", "pk"))
    columns = [
        Column(_("Account")),
        Column(_("Stakeholder")),
        Column(_("Language")),
        Column(_("Answered at"), "datetime"),
        Column(_("CSAT score (1–5)"), "int"),
        *(Column(q.text, "int" if q.kind == QuestionKind.RATING else "text") for q in questions),
        Column(str(COMMENT_LABEL)),
    ]
    responses = (
        SurveyResponse.objects.filter(invitation__in=invitations)
        .select_related("invitation__account", "invitation__person")
        .order_by("invitation__account__name", "invitation__person__last_name", "invitation__pk")
    )

    def lines() -> Iterator[list[Any]]:
        for response in responses:
            invitation = response.invitation
            answers = []
            for q in questions:
                value = response.answers.get(str(q.pk))
                answers.append(value if q.kind == QuestionKind.RATING and isinstance(value, int) else _text(value))
            yield [
                invitation.account.name,
                invitation.person.full_name,
                invitation.language,
                response.submitted_at,
                response.csat_score,
                *answers,
                response.comment,
            ]

    return Sheet(_("Answers"), columns, lines())


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def anonymous_hidden(invitations: QuerySet[SurveyInvitation]) -> bool:
    """Whether an anonymous campaign's results are suppressed for the viewer whose invitations
    these are: the campaign page's rule (``anonymous_suppression`` over the same rows)."""
    return results.anonymous_suppression(results.answers_per_account(invitations)).total_hidden


def _anonymous_sheet(campaign: SurveyCampaign, invitations: QuerySet[SurveyInvitation]) -> Sheet:
    columns = [Column(_("Question")), Column(_("Written answer"))]
    if anonymous_hidden(invitations):
        return Sheet(_("Written answers"), columns, [])
    questions = list(campaign.survey.questions.filter(kind=QuestionKind.TEXT).order_by("order", "pk"))
    texts: dict[str, list[str]] = {str(q.pk): [] for q in questions}
    comments: list[str] = []
    # Only the texts: nothing that tells whose, when or in which order.
    for answers, comment in SurveyResponse.objects.filter(invitation__in=invitations).values_list("answers", "comment"):
        for key, found in texts.items():
            text = _text((answers or {}).get(key))
            if text.strip():
                found.append(text)
        if comment.strip():
            comments.append(comment)
    groups = [(q.text, texts[str(q.pk)]) for q in questions] + [(str(COMMENT_LABEL), comments)]
    rows = [[question, text] for question, written in groups for text in sorted(written)]
    return Sheet(_("Written answers"), columns, rows)
