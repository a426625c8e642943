"""The campaign's survey and questions the survey pages keep in each process's memory under the campaign's page
version (``page.invitation_from_token``): every change to the survey or a question shows at once,
in every process; the campaign's status and close date are read with the invitation, so a closed
campaign shows at once however it was closed; and an answer is always checked against the campaign
as it is."""

from __future__ import annotations

import pickle
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import caches
from django.db.models import F
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from stakeholders.models import (
    CampaignStatus,
    QuestionKind,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from stakeholders.surveys import page
from stakeholders.surveys.tokens import invitation_token
from tests.factories import AccountFactory
from tests.survey_factories import InvitationFactory

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def two(cast):
    """Two invitees of one campaign, at two accounts; the survey's page data is kept."""
    first = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    other = InvitationFactory(account=AccountFactory(name="Account Other", owner=cast.kam_c), campaign=first.campaign)
    assert page.invitation_from_token(invitation_token(first)) is not None
    return first, other


def url(invitation) -> str:
    return reverse("survey:answer", args=[invitation_token(invitation)])


def test_closing_the_campaign_shows_at_once(client, two):
    first, other = two
    campaign = first.campaign
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    assert client.get(url(other)).status_code == 410


def test_a_new_close_date_shows_at_once(client, two):
    first, _other = two
    campaign = first.campaign
    campaign.close_date = timezone.localdate() - timedelta(days=1)
    campaign.save()
    assert client.get(url(first)).status_code == 410


def test_a_changed_survey_text_and_questions_show_at_once(client, two):
    first, other = two
    survey = first.campaign.survey
    survey.intro_text = "Thank you for <five> minutes."
    survey.save()
    assert "Thank you for &lt;five&gt; minutes." in client.get(url(other)).content.decode()
    added = SurveyQuestion.objects.create(survey=survey, order=50, kind=QuestionKind.TEXT, text="Anything else?")
    assert "Anything else?" in client.get(url(first)).content.decode()
    added.delete()
    assert "Anything else?" not in client.get(url(other)).content.decode()


def test_a_survey_changed_shows_at_once_in_every_campaign_that_uses_it(client, two):
    first, _other = two
    later = InvitationFactory(campaign__survey=first.campaign.survey, campaign__created_by=first.campaign.created_by)
    assert later.campaign_id != first.campaign_id
    assert "A question for both?" not in client.get(url(later)).content.decode()  # its entry is kept too
    SurveyQuestion.objects.create(
        survey=first.campaign.survey, order=60, kind=QuestionKind.TEXT, text="A question for both?"
    )
    for invitation in (first, later):
        assert "A question for both?" in client.get(url(invitation)).content.decode()


def test_a_campaign_closed_past_the_models_shows_at_once_and_lets_no_answer_in(client, two):
    first, _other = two
    SurveyCampaign.objects.filter(pk=first.campaign_id).update(status=CampaignStatus.CLOSED)
    assert client.get(url(first)).status_code == 410
    assert client.post(url(first), {"csat_score": 4}).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_a_survey_changed_in_another_process_shows_at_once(client, two):
    """The version is read from the database with every invitation: another process's change
    (here: a change whose signal this process never saw) makes a new entry, not a stale one."""
    first, _other = two
    Survey.objects.filter(pk=first.campaign.survey_id).update(intro_text="Changed elsewhere.")
    # What ``survey_changed`` did in that process, in the change's transaction.
    SurveyCampaign.objects.filter(survey_id=first.campaign.survey_id).update(page_version=F("page_version") + 1)
    assert "Changed elsewhere." in client.get(url(first)).content.decode()


def test_a_campaign_given_another_survey_shows_it_at_once(client, two):
    """Even a survey at the same page version as the first: the entry is the campaign's and the survey's."""
    first, _other = two
    other_survey = Survey.objects.create(name="Other survey", intro_text="Another survey's words.")
    SurveyCampaign.objects.filter(pk=first.campaign_id).update(survey=other_survey)
    assert "Another survey&#x27;s words." in client.get(url(first)).content.decode()


def test_nothing_of_an_invitee_is_kept(two):
    first, other = two
    campaign = SurveyCampaign.objects.get(pk=first.campaign_id)
    kept = caches["local"].get(f"survey-page:{campaign.pk}:{campaign.survey_id}:{campaign.page_version}")
    assert kept.pk == first.campaign_id
    dumped = pickle.dumps(kept)
    for invitee in (first, other):
        for shown in (invitee.account.name, invitee.person.last_name, invitee.person.email, invitation_token(invitee)):
            assert shown.encode() not in dumped


def test_with_the_cache_failing_pages_and_changes_go_on(client, two):
    first, _other = two
    # The shared cache is what can go down (Redis in production); each process's own memory cannot.
    with mock.patch.object(caches["default"], "get", side_effect=RedisConnectionError("down")):
        assert client.get(url(first)).status_code == 200
    first.campaign.name = "Renamed"
    first.campaign.save()
    assert SurveyCampaign.objects.get(pk=first.campaign_id).name == "Renamed"


def test_every_survey_page_links_its_styles_and_icon(client, two):
    """The links are drawn once per process (templates/survey/base.html): the page that draws them
    first and every other page, in any language, link the same files."""
    first, other = two
    first.campaign.survey.languages = "en,de"
    first.campaign.survey.save()
    SurveyInvitation.objects.filter(pk=other.pk).update(language="de")
    links = [static("kam/survey.css"), static("vendor/bootstrap/bootstrap.min.css"), static("kam/favicon.svg")]
    open_page = client.get(url(first)).content.decode()
    german = client.get(url(other)).content.decode()
    SurveyCampaign.objects.filter(pk=first.campaign_id).update(status=CampaignStatus.CLOSED)
    closed = client.get(url(first))
    assert closed.status_code == 410
    for html in (open_page, german, closed.content.decode()):
        assert all(f'href="{link}"' in html for link in links)
    assert 'lang="de"' in german
