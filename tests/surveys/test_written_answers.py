"""Every word a customer wrote is seen by the people it concerns: per free-text question on the
campaign page (with the anonymity rules), on the account's survey tab, on the low-score follow-up
card and in its e-mail to the owner."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from stakeholders.models import CampaignStatus, QuestionKind, SurveyQuestion
from stakeholders.surveys.responses import record_response
from tests.factories import AccountFactory
from tests.survey_factories import DraftCampaignFactory, InvitationFactory, answered, consenting_person

pytestmark = pytest.mark.django_db

DIFFERENTLY = "What should we do differently?"


def _campaign(cast, *, anonymous: bool = False):
    campaign = DraftCampaignFactory(created_by=cast.manager_a, anonymous=anonymous, status=CampaignStatus.OPEN)
    question = SurveyQuestion.objects.create(survey=campaign.survey, kind=QuestionKind.TEXT, text=DIFFERENTLY, order=9)
    return campaign, question


def _wrote(campaign, question, account, score: int, text: str, comment: str = ""):
    response = answered(campaign, account, score, comment=comment)
    response.answers = {**response.answers, str(question.pk): text}
    response.save(update_fields=["answers"])
    return response


def test_it_shows_each_free_text_question_with_who_wrote_it_on_a_named_campaign(key, login):
    campaign, question = _campaign(key)
    response = _wrote(campaign, question, key.account_a, 3, "Bring real-world data, fewer brochures", "Thanks")
    page = login(key.manager_a).get(campaign.get_absolute_url())
    [written, comments] = page.context["written"]
    assert written.question == DIFFERENTLY
    assert [text for _, text in written.texts] == ["Bring real-world data, fewer brochures"]
    assert [text for _, text in comments.texts] == ["Thanks"]
    html = page.content.decode()
    section = html[html.index('id="comments"') :]
    assert DIFFERENTLY in section and "Bring real-world data, fewer brochures" in section
    assert str(response.invitation.person) in section


def test_it_shows_anonymous_free_text_without_names_and_only_from_five_answers(key, login):
    campaign, question = _campaign(key, anonymous=True)
    for n, text in enumerate(["Zeta", "Alpha", "Mu", "Beta"]):
        _wrote(campaign, question, key.account_a, 2 + n % 3, text)
    page = login(key.manager_a).get(campaign.get_absolute_url())
    assert page.context["written_hidden"] and "Alpha" not in page.content.decode()

    last = _wrote(campaign, question, key.account_a, 5, "Gamma")
    page = login(key.manager_a).get(campaign.get_absolute_url())
    [written, _comments] = page.context["written"]
    assert [text for _, text in written.texts] == ["Alpha", "Beta", "Gamma", "Mu", "Zeta"]
    section = page.content.decode()[page.content.decode().index('id="comments"') :]
    assert str(last.invitation.person) not in section and key.account_a.name not in section


def test_it_escapes_what_a_customer_wrote(key, login):
    campaign, question = _campaign(key)
    _wrote(campaign, question, key.account_a, 2, "<script>alert(1)</script>")
    for url in (campaign.get_absolute_url(), reverse("accounts:surveys", args=[key.account_a.pk])):
        html = login(key.kam_a if "accounts" in url else key.manager_a).get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_account_page_shows_what_the_dmu_wrote_in_named_surveys_only(key, login):
    named, question = _campaign(key)
    _wrote(named, question, key.account_a, 4, "Pharmacy logistics improved a lot")
    anonymous, anon_question = _campaign(key, anonymous=True)
    for _ in range(5):
        _wrote(anonymous, anon_question, key.account_a, 4, "Anonymous words stay on the campaign page")
    html = login(key.kam_a).get(reverse("accounts:surveys", args=[key.account_a.pk])).content.decode()
    assert "Pharmacy logistics improved a lot" in html and DIFFERENTLY in html
    assert "Anonymous words stay on the campaign page" not in html


def test_the_account_page_draws_a_new_answer_and_a_renamed_person_at_once(key, login):
    """The survey card is kept drawn under a key naming all it shows: never stale."""
    named, question = _campaign(key)
    first = _wrote(named, question, key.account_a, 4, "Logistics improved a lot")
    client = login(key.kam_a)
    tab = reverse("accounts:surveys", args=[key.account_a.pk])
    assert "Logistics improved a lot" in client.get(tab).content.decode()
    _wrote(named, question, key.account_a, 5, "Invoices arrive late")
    person = first.invitation.person
    person.last_name = "Umbenannt"
    person.save()
    html = client.get(tab).content.decode()
    assert "Invoices arrive late" in html and "Umbenannt" in html


def test_the_account_page_of_an_account_without_answers_asks_nothing_more(key, login, django_assert_max_num_queries):
    other = AccountFactory(owner=key.kam_a, is_key_account=True)
    client = login(key.kam_a)
    client.get(reverse("accounts:surveys", args=[other.pk]))  # warm the session and the caches
    with django_assert_max_num_queries(40) as queries:
        page = client.get(reverse("accounts:surveys", args=[other.pk]))
    assert page.context["customer_words"] == []
    assert not any(
        "stakeholders_surveyresponse" in q["sql"] and "LIMIT 30" in q["sql"] for q in queries.captured_queries
    )


def test_the_follow_up_card_and_the_owners_e_mail_carry_every_written_answer(
    key, login, django_capture_on_commit_callbacks
):
    campaign, question = _campaign(key)
    invitation = InvitationFactory(campaign=campaign, account=key.account_a)
    with django_capture_on_commit_callbacks(execute=True):
        record_response(
            invitation=invitation,
            csat_score=1,
            answers={str(question.pk): "Answer our medical information requests within a week"},
            comment="We felt pushed on price",
        )
    [message] = [m for m in mail.outbox if key.kam_a.email in m.to]
    assert "Answer our medical information requests within a week" in message.body
    assert DIFFERENTLY in message.body and "We felt pushed on price" in message.body
    html = login(key.kam_a).get(reverse("accounts:surveys", args=[key.account_a.pk])).content.decode()
    card = html[html.index('id="follow-ups"') : html.index('id="csat-history"')]
    assert "Answer our medical information requests within a week" in card and "We felt pushed on price" in card


@pytest.mark.parametrize(
    ("days", "words"), [(1, "nobody surveyed within 1 day<"), (2, "nobody surveyed within 2 days<")]
)
def test_counts_and_words_agree_on_the_campaign_page(key, login, days, words):
    campaign = DraftCampaignFactory(created_by=key.manager_a, status=CampaignStatus.OPEN, throttle_days=days)
    answered(campaign, key.account_a, 5)
    if days == 2:
        answered(campaign, key.account_a, 5)
    html = login(key.manager_a).get(campaign.get_absolute_url()).content.decode()
    assert words in html
    assert (f"{days} of {days} answer satisfied" if days == 1 else f"{days} of {days} answers satisfied") in html


@pytest.mark.parametrize(
    ("people", "words"), [(1, "1 invitation is being sent."), (2, "2 invitations are being sent.")]
)
def test_the_dispatch_message_counts_in_words(key, login, people, words):
    campaign = DraftCampaignFactory(
        created_by=key.manager_a, audience={"accounts": [key.account_a.pk]}, status=CampaignStatus.DRAFT
    )
    for _ in range(people):
        consenting_person(key.account_a)
    page = login(key.manager_a).post(reverse("stakeholders:campaign-dispatch", args=[campaign.pk]), follow=True)
    assert words in page.content.decode()
