"""The survey pages' read: the invitation named by a token, with what its pages show.

Two parts: the invitation's own row (one query, every time; its answer, when it has one, a second:
``responses.existing_response``), and what it shares with other invitees, kept in the default
cache: its campaign with the survey and its questions (``_read_campaign``) and its account's
name. Measured behind gunicorn on the large demo: the joined five-table read and the questions'
query had been two thirds of the page's cost.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable

from django.core.cache import cache

from accounts.models import Account
from kam import lib
from stakeholders.models import Survey, SurveyCampaign, SurveyInvitation
from stakeholders.surveys.tokens import invitation_id

# The columns the survey pages, their checks (``responses.invitation_is_open``,
# ``mail.invitation_language``) and the answer form read; anything else of these rows costs a query
# when touched (tests/surveys/test_views.py pins the count).
SHOWN = ("campaign", "account", "person", "language", "status", "expires_on")
CAMPAIGN_SHOWN = (
    *("survey", "close_date", "status"),
    *("survey__languages", "survey__csat_question", "survey__intro_text", "survey__translations"),
)
# How long a campaign's page data and an account's name are kept. Every save or delete of the
# campaign, its survey or a question forgets the campaign's at once (``forget_campaigns``); this
# bounds a change made with ``QuerySet.update()``, and how long an account's new name takes to
# show. An answer is always checked against the campaign's row as it is then
# (``responses.record_response``), so a stale entry can show a form, never let an answer in.
CACHE_SECONDS = 60


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a token names (``tokens.invitation_id``), or None.

    It comes in one query, with its campaign, survey and questions (``_read_campaign``;
    ``survey.questions.all()`` makes no further query) and its account's name from the cache, in
    one round trip. The person is loaded when first used.
    """
    pk = invitation_id(token)
    if pk is None:
        return None
    try:
        invitation = SurveyInvitation.objects.only(*SHOWN).get(pk=pk)
    except SurveyInvitation.DoesNotExist:
        return None
    campaign, account = _key(invitation.campaign_id), f"survey-account:{invitation.account_id}"
    found = lib.cached_many(
        {
            campaign: functools.partial(_read_campaign, invitation.campaign_id),
            account: functools.partial(_read_account, invitation.account_id),
        },
        CACHE_SECONDS,
    )
    invitation.campaign, invitation.account = found[campaign], found[account]
    return invitation


def _key(campaign_id: int) -> str:
    return f"survey-page:{campaign_id}"


def _read_campaign(campaign_id: int) -> SurveyCampaign:
    """The campaign with its survey and the survey's questions, as the survey pages show them, in
    two queries; the survey carries ``shown_digest`` (``survey_digest``)."""
    campaign = (
        SurveyCampaign.objects.select_related("survey")
        .only(*CAMPAIGN_SHOWN)
        .prefetch_related("survey__questions")
        .get(pk=campaign_id)
    )
    campaign.survey.shown_digest = survey_digest(campaign.survey)
    return campaign


def _read_account(account_id: int) -> Account:
    return Account.objects.only("name").get(pk=account_id)


def survey_digest(survey: Survey) -> str:
    """Names what a survey's pages show of it (its texts in every language, its questions), for
    keying what is drawn from it: a changed text or question is a new digest."""
    questions = [(q.pk, q.kind, q.text, q.choices, q.translations, q.required) for q in survey.questions.all()]
    shown = (survey.csat_question, survey.intro_text, survey.translations, survey.languages, questions)
    return lib.digest(shown)


def forget_campaigns(campaign_ids: Iterable[int]) -> None:
    """Drop the cached page data of these campaigns. A page read between the change and its commit
    can put the old version back, for ``CACHE_SECONDS`` at most."""
    keys = [_key(pk) for pk in campaign_ids]
    if keys:
        with contextlib.suppress(*lib.CACHE_ERRORS):
            cache.delete_many(keys)


def campaign_changed(sender, instance: SurveyCampaign, **kwargs) -> None:
    forget_campaigns([instance.pk])


def survey_changed(sender, instance, **kwargs) -> None:
    """A survey or one of its questions was saved or deleted: its campaigns' pages change."""
    survey_id = getattr(instance, "survey_id", instance.pk)
    forget_campaigns(SurveyCampaign.objects.filter(survey_id=survey_id).values_list("pk", flat=True))
