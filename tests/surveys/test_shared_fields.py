"""The answer fields of a blank form are drawn once and shared by every invitee of a survey
(stakeholders/surveys/views.py, ``_blank_form``): nothing of one invitee may reach another."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.cache import caches
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from stakeholders.models import QuestionKind, SurveyQuestion
from stakeholders.surveys.tokens import invitation_token
from tests.factories import AccountFactory
from tests.survey_factories import InvitationFactory, answer

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def two(cast):
    """Two invitees of one campaign, at two accounts."""
    first = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    other = InvitationFactory(account=AccountFactory(name="Account Other", owner=cast.kam_c), campaign=first.campaign)
    return first, other


@pytest.fixture
def kept(monkeypatch) -> list[str]:
    """The keys of the answer fields put into the cache, in order."""
    keys = []
    local = caches["local"]  # each process's own: the key names all the form shows
    put = local.set

    def spy(key, *args, **kwargs):
        if key.startswith("survey-form:"):
            keys.append(key)
        return put(key, *args, **kwargs)

    monkeypatch.setattr(local, "set", spy)
    return keys


def page(client, invitation, **query) -> str:
    url = reverse("survey:answer", args=[invitation_token(invitation)])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def checked(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"[^>]*\bchecked\b', html)


def test_the_second_invitee_gets_the_shared_fields_and_their_own_page(client, two, kept):
    first, other = two
    page(client, first)
    assert len(kept) == 1
    shared = caches["local"].get(kept[0])
    assert 'name="csat_score"' in shared
    assert "Account A" not in shared and invitation_token(first) not in shared
    html = page(client, other)
    assert len(kept) == 1  # read, not drawn again
    assert "Account Other" in html and "Account A" not in html
    assert invitation_token(other) in html and invitation_token(first) not in html
    assert 'name="csat_score"' in html and 'name="comment"' in html


def test_an_earlier_answer_is_never_kept_nor_shown_to_another_invitee(client, two, kept):
    first, other = two
    question = first.campaign.survey.questions.filter(kind=QuestionKind.RATING).first()
    answer(first, csat_score=2, answers={str(question.pk): 1}, comment="Secret complaint")
    mine = page(client, first)
    assert "Secret complaint" in mine and ("csat_score", "2") in checked(mine)
    assert kept == []
    theirs = page(client, other)
    assert "Secret complaint" not in theirs and checked(theirs) == []
    # And the other way round: a blank form drawn first does not hide the earlier answer.
    assert "Secret complaint" in page(client, first)


def test_the_score_from_the_link_is_its_own_entry(client, two, kept):
    first, other = two
    assert checked(page(client, first)) == []
    assert checked(page(client, other, score=4)) == [("csat_score", "4")]
    assert checked(page(client, first)) == []
    assert len(kept) == 2


def test_a_changed_question_is_drawn_anew(client, two):
    first, other = two
    page(client, first)
    question = first.campaign.survey.questions.filter(kind=QuestionKind.TEXT).first()
    question.text = "What should we do <better>?"
    question.save()
    assert "What should we do &lt;better&gt;?" in page(client, other)
    SurveyQuestion.objects.create(survey=first.campaign.survey, order=99, kind=QuestionKind.TEXT, text="Anything else?")
    assert "Anything else?" in page(client, other)


def test_each_language_has_its_own_fields(client, cast):
    english = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    german = InvitationFactory(account=cast.account_a, campaign=english.campaign, language="de")
    page(client, english)
    html = page(client, german)
    assert '<html lang="de">' in html
    assert "sehr zufrieden" in html and "very satisfied" not in html


def test_with_the_shared_cache_down_the_page_is_drawn_without_asking_it(client, two):
    """The page's kept parts live in each process's memory: a hung Redis costs a survey page nothing."""
    first, _other = two
    with (
        mock.patch("kam.lib.cache.get", side_effect=RedisConnectionError("down")) as get,
        mock.patch("kam.lib.cache.get_many", side_effect=RedisConnectionError("down")) as get_many,
    ):
        html = page(client, first)
    assert 'name="csat_score"' in html
    assert not get.called and not get_many.called
