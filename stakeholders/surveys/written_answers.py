"""Reads of what customers wrote in surveys: every free-text question and the closing comment,
shown where it matters (campaign results, the account's survey tab, the low-score follow-up).

Anonymous campaigns show words only once the campaign's answers are not suppressed, and then
without account, person, date or order of answering, which could tell who wrote them; an
account's own page never shows words from an anonymous campaign."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from accounts.models import Account
from stakeholders.models import (
    LowScoreFollowUp,
    QuestionKind,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from stakeholders.survey_texts import COMMENT_LABEL

# Latest texts shown per question on a campaign page, and responses on an account page.
TEXTS_SHOWN = 100
ACCOUNT_RESPONSES_SHOWN = 10


@dataclass
class WrittenGroup:
    """One free-text question (or the closing comment) and the latest texts written for it."""

    question: str
    texts: list[tuple[SurveyResponse, str]] = field(default_factory=list)
    more: bool = False


def campaign_written_answers(
    campaign: SurveyCampaign, invitations: QuerySet[SurveyInvitation], *, limit: int = TEXTS_SHOWN
) -> list[WrittenGroup]:
    """Per free-text question of the campaign's survey, then the comment: the latest ``limit`` texts
    among ``invitations`` (already scoped to the viewer). One query per question."""
    responses = SurveyResponse.objects.filter(invitation__in=invitations)
    if campaign.anonymous:
        responses = responses.only("answers", "comment")
    else:
        responses = responses.select_related("invitation__account", "invitation__person")
    responses = responses.order_by("-submitted_at", "-pk")
    # Question keys are digits, which a JSON key lookup would take for an array index: has_key
    # asks for the key itself. The survey form stores no empty answer; blank ones are skipped below.
    slots = [
        (question.text, responses.filter(answers__has_key=str(question.pk)), str(question.pk))
        for question in campaign.survey.questions.filter(kind=QuestionKind.TEXT).order_by("order", "pk")
    ]
    slots.append((str(COMMENT_LABEL), responses.exclude(comment=""), None))
    groups = []
    for label, written, key in slots:
        rows = list(written[: limit + 1])
        group = WrittenGroup(question=label, more=len(rows) > limit)
        for response in rows[:limit]:
            text = response.comment if key is None else str(response.answers.get(key, ""))
            if text.strip():
                group.texts.append((response, text))
        if campaign.anonymous:
            group.texts.sort(key=lambda pair: pair[1])
        groups.append(group)
    return groups


def with_questions(responses: Iterable[SurveyResponse]) -> None:
    """Read the questions of the surveys of ``responses`` (each loaded with its invitation's
    campaign and survey), for ``written_answers()``: one query for all of them."""
    # The responses' campaigns are given one survey object per survey: a prefetch builds a queryset
    # for each object it fills, thirty for an account page's responses (~0.7 ms), a few this way.
    surveys: dict[int, Survey] = {}
    for response in responses:
        campaign = response.invitation.campaign
        campaign.survey = surveys.setdefault(campaign.survey_id, campaign.survey)
    prefetch_related_objects(
        list(surveys.values()),
        Prefetch("questions", queryset=SurveyQuestion.objects.only("survey_id", "order", "kind", "text")),
    )


@dataclass
class AccountWords:
    """What an account's Surveys tab shows of its named responses, each with ``written_answers()``
    ready: the latest in which someone wrote something, newest first, and the open low-score
    follow-ups, newest first, each with its response (``follow_up.invitation.response``)."""

    latest: list[SurveyResponse]
    follow_ups: list[LowScoreFollowUp]


def account_words(account: Account, *, limit: int = ACCOUNT_RESPONSES_SHOWN) -> AccountWords:
    """The account's latest named responses in which someone wrote something, and its open
    low-score follow-ups: two queries (the responses of both, their surveys' questions). A DMU
    answers a few times a year, so the latest few dozen responses hold the latest texts.

    Only a named answer opens a follow-up (``record_response``), so an account whose CSAT table
    shows no named answer has none to read."""
    answered = SurveyResponse.objects.filter(invitation__account=account)
    latest = answered.filter(invitation__campaign__anonymous=False).order_by("-submitted_at", "-pk")[: limit * 3]
    # The follow-ups' responses come with the latest (one query fewer): those that are not among
    # them are older, so the latest are still the first rows, in the same order. A follow-up is on
    # its invitation's account: kept to the account's responses, PostgreSQL reads only those.
    followed_up = Q(invitation__follow_up__account=account, invitation__follow_up__closed_at__isnull=True)
    rows = list(
        answered.filter(Q(pk__in=latest.values("pk")) | followed_up)
        .select_related("invitation__person", "invitation__campaign__survey", "invitation__follow_up")
        # Only what the tab shows (name, campaign, date, score, texts; when a follow-up opened): of
        # 30 rows, the other columns of four tables cost ~0.7 ms to load on the large seed.
        .only(
            "csat_score",
            "answers",
            "comment",
            "submitted_at",
            "invitation__person__title",
            "invitation__person__first_name",
            "invitation__person__last_name",
            "invitation__campaign__name",
            "invitation__campaign__anonymous",
            "invitation__campaign__survey__id",
            "invitation__follow_up__account",
            "invitation__follow_up__opened_at",
            "invitation__follow_up__closed_at",
        )
        .order_by("-submitted_at", "-pk")
    )
    with_questions(rows)
    named = [response for response in rows if not response.invitation.campaign.anonymous][: limit * 3]
    follow_ups = [
        follow_up
        for response in rows
        if (follow_up := getattr(response.invitation, "follow_up", None)) is not None
        and follow_up.closed_at is None
        and follow_up.account_id == account.pk
    ]
    return AccountWords(
        latest=[response for response in named if response.written_answers()][:limit],
        follow_ups=sorted(follow_ups, key=lambda follow_up: follow_up.opened_at, reverse=True),
    )
