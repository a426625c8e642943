"""The survey pages' read: the invitation named by a token, with what its pages show.

Two parts: the invitation's row with its campaign's status, close date and page version (one
query with one join, every time; its answer, when it has one, a second:
``responses.existing_response``), and what it shares with other invitees, kept in each process's
own memory (the "local" cache): its campaign's survey with the questions, under the campaign's
``page_version``, which every change to the survey or a question counts up (``survey_changed``),
so a changed survey is a new entry in every process at once and nothing is forgotten by hand; and
its account's name, for a minute. Measured on the large demo: the same entries read from Redis cost
the survey page a sixth of its throughput behind gunicorn (0.28–0.29 of the bare view's requests
per second against 0.34, alternating runs); the invitation joined to its campaign, survey and
account as model instances (``select_related`` with ``only``) took a third longer to read than
this, most of it in building the query.
"""

from __future__ import annotations

import functools

from django.db.models import F

from accounts.models import Account
from kam import lib
from stakeholders.models import Survey, SurveyCampaign, SurveyInvitation
from stakeholders.surveys.tokens import invitation_id

# The invitation's columns the survey pages, their checks (``responses.invitation_is_open``,
# ``mail.invitation_language``) and the answer form read; anything else of the row costs a query
# when touched (tests/surveys/test_views.py pins the count).
SHOWN = ("campaign", "account", "person", "language", "status", "expires_on")
CAMPAIGN_SHOWN = ("survey", "close_date", "status")
SURVEY_SHOWN = ("languages", "csat_question", "intro_text", "translations")
# How long a survey's page data and an account's name are kept in a process's memory. The survey's
# entry is never stale (its key holds the campaign's page version), only unused: this bounds the
# memory it holds. An account's new name shows within this time.
CACHE_SECONDS = 60


# The invitation's query, built once (resolving its join was a tenth of the page's time); each
# request only names the row. Its campaign's status, close date, survey and page version are read
# with it, so that a campaign closed in any way (``QuerySet.update()`` included) shows at once, and
# a changed survey is a new entry in every process.
_INVITATION = SurveyInvitation.objects.only(*SHOWN).annotate(
    campaign_status=F("campaign__status"),
    campaign_close_date=F("campaign__close_date"),
    survey_id=F("campaign__survey_id"),
    page_version=F("campaign__page_version"),
)


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a token names (``tokens.invitation_id``), or None.

    It comes in one query, with its campaign's status, close date and page version; the
    campaign's survey with the questions (``survey.questions.all()`` makes no further
    query) and the account's name come from this process's memory (``_read_campaign``,
    ``_read_account``). The person is loaded when first used.
    """
    pk = invitation_id(token)
    if pk is None:
        return None
    try:
        invitation = _INVITATION.get(pk=pk)
    except SurveyInvitation.DoesNotExist:
        return None
    # The survey's id too: a campaign given another survey must not find the first one's entry.
    key = f"survey-page:{invitation.campaign_id}:{invitation.survey_id}:{invitation.page_version}"
    campaign = lib.cached(key, functools.partial(_read_campaign, invitation.campaign_id), CACHE_SECONDS, alias="local")
    campaign.status, campaign.close_date = invitation.campaign_status, invitation.campaign_close_date
    account = f"survey-account:{invitation.account_id}"
    invitation.campaign = campaign
    invitation.account = lib.cached(
        account, functools.partial(_read_account, invitation.account_id), CACHE_SECONDS, alias="local"
    )
    return invitation


def _read_campaign(campaign_id: int) -> SurveyCampaign:
    """The campaign with its survey and the survey's questions, as the survey pages show them, in
    two queries; the survey carries ``shown_digest`` (``survey_digest``). Nothing of an invitee."""
    campaign = (
        SurveyCampaign.objects.select_related("survey")
        .only(*CAMPAIGN_SHOWN, *(f"survey__{name}" for name in SURVEY_SHOWN))
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


def survey_changed(sender, instance, **kwargs) -> None:
    """A survey or one of its questions was saved or deleted: the pages of its campaigns change.
    Counted up in the database, in the change's own transaction, so every process reads the new
    count with the next invitation, and a page read before the commit keeps the old entry under
    the old count."""
    survey_id = getattr(instance, "survey_id", instance.pk)
    SurveyCampaign.objects.filter(survey_id=survey_id).update(page_version=F("page_version") + 1)
