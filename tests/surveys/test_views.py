"""The public survey pages (/s/<token>/): answer and thank you, tokens, headers; limits, opting out
and logs are in test_views_limits_and_logs.py."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    LowScoreFollowUp,
    Person,
    QuestionKind,
    SurveyQuestion,
    SurveyResponse,
)
from stakeholders.surveys import page, responses
from stakeholders.surveys.tokens import invitation_token
from tests.survey_factories import CampaignFactory, InvitationFactory, SurveyFactory, answer, default_survey

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "kam" / "gunicorn.conf.py"


pytestmark = pytest.mark.usefixtures("fresh_cache")


def answer_url(invitation, **query) -> str:
    url = reverse("survey:answer", args=[invitation_token(invitation)])
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else url


def opt_out_url(invitation) -> str:
    return reverse("survey:opt-out", args=[invitation_token(invitation)])


def checked_score(html: str) -> str | None:
    found = re.search(r'<input type="radio" name="csat_score" value="(\d)"[^>]*\bchecked\b', html)
    return found.group(1) if found else None


def assert_private(response) -> None:
    # The path, and so the token, never goes out in a Referer header.
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")


# The page ---------------------------------------------------------------------------------------


def test_it_shows_the_account_the_company_and_the_questions(client, settings, cast, invitation):
    InvitationFactory(account=cast.account_c, campaign=invitation.campaign)
    # Names no page wording can contain by chance (factory names are random: "Page", "Price", ...).
    invitation.person.last_name = "Quellenbrink"
    invitation.person.save(update_fields=["last_name"])
    cast.kam_a.last_name = "Ostermoorhaus"
    cast.kam_a.save(update_fields=["last_name"])
    response = client.get(answer_url(invitation))
    assert response.status_code == 200
    html = response.content.decode()
    assert settings.COMPANY_NAME in html
    assert "Account A" in html
    assert "How satisfied are you with our collaboration overall?" in html
    assert "How well do we understand your organisation&#x27;s needs?" in html
    assert "What should we do differently?" in html
    assert "1 – very dissatisfied" in html and "5 – very satisfied" in html
    # Nothing about other accounts, the stakeholder, the owner or the app.
    assert "Account C" not in html
    assert invitation.person.last_name not in html
    assert cast.kam_a.last_name not in html
    assert "KAM Planner" not in html


def test_it_shows_no_navigation_or_user_to_a_logged_in_user(login, cast, invitation):
    html = login(cast.kam_a).get(answer_url(invitation)).content.decode()
    assert "navbar" not in html
    assert "Log out" not in html
    assert cast.kam_a.username not in html
    # Drawn without the request: no context processor could hand the page the signed-in user.
    assert "user" not in login(cast.kam_a).get(answer_url(invitation)).context


def test_it_groups_the_scores_in_a_labelled_fieldset(client, invitation):
    html = client.get(answer_url(invitation)).content.decode()
    assert re.search(r"<fieldset[^>]*>\s*<legend>How satisfied are you", html)
    for n in range(1, 6):
        assert f'<label class="option" for="id_csat_score_{n - 1}">' in html
    assert '<textarea class="form-control" name="comment"' in html and 'maxlength="2000"' in html


def test_it_preselects_the_score_from_the_link(client, invitation):
    assert checked_score(client.get(answer_url(invitation, score=4)).content.decode()) == "4"
    assert checked_score(client.get(answer_url(invitation)).content.decode()) is None
    for junk in ("9", "0", "four", "4.0"):
        assert checked_score(client.get(answer_url(invitation, score=junk)).content.decode()) is None


def test_the_score_link_records_nothing(client, invitation):
    # Mail gateways open links to scan them: a GET must not count as an answer.
    client.get(answer_url(invitation, score=1))
    assert not SurveyResponse.objects.exists()
    assert not LowScoreFollowUp.objects.exists()


def test_it_speaks_the_invitations_language(client, cast):
    invitation = InvitationFactory(account=cast.account_a, language="de")
    response = client.get(answer_url(invitation))
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert response["Content-Language"] == "de"
    assert "Wie zufrieden sind Sie insgesamt mit unserer Zusammenarbeit?" in html
    assert "Wie gut verstehen wir die Bedürfnisse Ihrer Organisation?" in html
    assert "How satisfied are you" not in html


def test_a_language_the_survey_does_not_offer_falls_back_to_english(client, cast):
    invitation = InvitationFactory(account=cast.account_a, language="it")
    html = client.get(answer_url(invitation)).content.decode()
    assert '<html lang="en">' in html
    assert "How satisfied are you with our collaboration overall?" in html


def test_the_page_needs_one_query_once_its_campaign_is_kept(client, invitation, django_assert_num_queries):
    # The first view of a campaign: the invitation, the campaign with its survey, the questions,
    # the account's name; then only the invitation, for this invitee as for the next.
    with django_assert_num_queries(4):
        assert client.get(answer_url(invitation)).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(answer_url(invitation)).status_code == 200
    another = InvitationFactory(account=invitation.account, campaign=invitation.campaign)
    with django_assert_num_queries(1):
        assert client.get(answer_url(another)).status_code == 200


def test_the_page_costs_two_queries_with_2_and_12_questions_and_an_earlier_answer(
    client, cast, django_assert_num_queries
):
    for questions in (2, 12):
        invitation = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
        survey = invitation.campaign.survey
        for n in range(questions - survey.questions.count()):
            SurveyQuestion.objects.create(survey=survey, order=10 + n, kind="text", text=f"Question {n}")
        answer(invitation, csat_score=4, answers={}, comment="Fine.")
        client.get(answer_url(invitation))
        # The invitation, then its answer.
        with django_assert_num_queries(2):
            html = client.get(answer_url(invitation)).content.decode()
        assert html.count("<fieldset") + html.count("<textarea") == 1 + questions + 1
        assert ">Fine.</textarea>" in html


def test_the_read_brings_what_the_pages_show(cast, django_assert_num_queries):
    invitation = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    answer(invitation, csat_score=4, answers={"7": "Yes"}, comment="Fine.")
    questions = invitation.campaign.survey.questions.count()
    # The invitation; the campaign with its survey, the questions, the account's name.
    with django_assert_num_queries(4):
        read = page.invitation_from_token(invitation_token(invitation))
    with django_assert_num_queries(0):
        assert read.pk == invitation.pk
        assert read.account.name == "Account A"
        assert read.campaign.survey.pk == invitation.campaign.survey_id
        assert len(read.campaign.survey.questions.all()) == questions
        assert responses.invitation_is_open(read)
    with django_assert_num_queries(1):
        assert responses.existing_response(read).answers == {"7": "Yes"}
    unanswered = InvitationFactory(account=cast.account_a, campaign=invitation.campaign)
    with django_assert_num_queries(1):
        read = page.invitation_from_token(invitation_token(unanswered))
    with django_assert_num_queries(0):
        assert responses.existing_response(read) is None
        assert len(read.campaign.survey.questions.all()) == questions


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_page_escapes_what_users_and_customers_wrote(client, settings, cast, language):
    settings.COMPANY_NAME = "Helvetia <Pharma> & Söhne"
    cast.account_a.name = 'Klinik "Süd" <Nord> & Co'
    cast.account_a.save()
    survey = SurveyFactory(languages="en,de,fr", intro_text="Intro <b>text</b> & more")
    SurveyQuestion.objects.create(survey=survey, kind=QuestionKind.RATING, text="Speed?", required=True)
    SurveyQuestion.objects.create(survey=survey, kind=QuestionKind.CHOICE, text="How?", choices=["A & B", "C"])
    SurveyQuestion.objects.create(survey=survey, kind=QuestionKind.TEXT, text="Why?")
    answered = InvitationFactory(account=cast.account_a, language=language, campaign=CampaignFactory(survey=survey))
    answer(answered, csat_score=2, answers={}, comment="<script>x</script> & so")
    for url in (answer_url(answered), answer_url(answered, score=5)):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Language"] == language
        html = response.content.decode()
        assert "Klinik &quot;Süd&quot; &lt;Nord&gt; &amp; Co" in html
        assert "Helvetia &lt;Pharma&gt; &amp; Söhne" in html
        assert "Intro &lt;b&gt;text&lt;/b&gt; &amp; more" in html
        assert 'value="A &amp; B"' in html
        assert "&lt;script&gt;x&lt;/script&gt; &amp; so</textarea>" in html
        assert "<script>" not in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_that_died_between_requests_is_replaced(cast):
    """CONN_HEALTH_CHECKS: Django tries a reused connection before a request's first query."""
    url = answer_url(InvitationFactory(account=cast.account_a))
    client, connection = Client(), connections["default"]
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    assert client.get(url).status_code == 200
    connection.ensure_connection()
    backend = connection.connection.get_backend_pid()
    killer = connections.create_connection("default")
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    killer.close()
    connection.close_if_unusable_or_obsolete()  # what every request starts with
    assert client.get(url).status_code == 200
    assert connection.connection.get_backend_pid() != backend


# Tokens and closed invitations ------------------------------------------------------------------


@pytest.mark.parametrize(
    "token", ["unknown", "123", "123-", "-abc", "999999-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "¹-abc", "1-é", "١٢-abc"]
)
def test_an_unknown_token_is_a_plain_404(client, invitation, token):
    response = client.get(reverse("survey:answer", args=[token]))
    assert response.status_code == 404
    assert "Account A" not in response.content.decode()
    assert_private(response)


def test_a_tampered_token_is_a_404(client, cast, invitation):
    token = invitation_token(invitation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    other = InvitationFactory(account=cast.account_c)
    swapped = f"{other.pk}-{token.partition('-')[2]}"
    for bad in (tampered, swapped):
        assert client.get(reverse("survey:answer", args=[bad])).status_code == 404
        assert client.post(reverse("survey:answer", args=[bad]), {"csat_score": 5}).status_code == 404
        assert client.get(reverse("survey:thanks", args=[bad])).status_code == 404
        assert client.post(reverse("survey:opt-out", args=[bad])).status_code == 404
    assert not SurveyResponse.objects.exists()
    assert not Person.objects.filter(survey_opt_out_at__isnull=False).exists()


def test_an_expired_invitation_is_gone(client, cast):
    yesterday = timezone.localdate() - timedelta(days=1)
    for invitation in (
        InvitationFactory(account=cast.account_a, expires_on=yesterday),
        InvitationFactory(account=cast.account_a, status=InvitationStatus.EXPIRED),
    ):
        response = client.get(answer_url(invitation))
        assert response.status_code == 410
        assert "survey/closed.html" in [t.name for t in response.templates]
        assert "This survey is closed" in response.content.decode()
        assert client.post(answer_url(invitation), {"csat_score": 4}).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_a_closed_campaign_is_gone(client, cast):
    closed = InvitationFactory(account=cast.account_a, campaign__status=CampaignStatus.CLOSED)
    past = InvitationFactory(account=cast.account_a, campaign__close_date=timezone.localdate() - timedelta(days=1))
    for invitation in (closed, past):
        assert client.get(answer_url(invitation)).status_code == 410
        assert client.post(answer_url(invitation), {"csat_score": 4}).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_closing_between_page_and_submit_is_gone(client, invitation):
    with mock.patch.object(responses, "record_response", side_effect=responses.InvitationClosed):
        response = client.post(answer_url(invitation), {"csat_score": 4})
    assert response.status_code == 410
    assert "This survey is closed" in response.content.decode()


def test_every_response_is_private(client, invitation, cast):
    expired = InvitationFactory(account=cast.account_a, expires_on=timezone.localdate() - timedelta(days=1))
    responses = {
        200: client.get(answer_url(invitation)),
        400: client.post(answer_url(invitation), {}),
        302: client.post(answer_url(invitation), {"csat_score": 5}),
        404: client.get(reverse("survey:answer", args=["1-nope"])),
        405: client.put(answer_url(invitation)),
        410: client.get(answer_url(expired)),
    }
    responses["thanks"] = client.get(reverse("survey:thanks", args=[invitation_token(invitation)]))
    responses["opt-out form"] = client.get(opt_out_url(invitation))
    responses["opt-out"] = client.post(opt_out_url(invitation))
    for key, response in responses.items():
        if isinstance(key, int):
            assert response.status_code == key
        assert_private(response)
        if key != 404:  # the app's 404 page has its own scripts and icons
            csp = response["Content-Security-Policy"]
            assert "default-src 'none'" in csp and "style-src 'self'" in csp and "script-src" not in csp
        # No cookie on a customer's browser: no session, no CSRF cookie (see the next test).
        assert not response.cookies, (key, response.cookies)


# Answering --------------------------------------------------------------------------------------


def test_submitting_records_one_response_and_marks_the_invitation_answered(client, invitation):
    questions = list(default_survey().questions.all())
    rating, text = questions
    response = client.post(
        answer_url(invitation),
        {"csat_score": "4", f"q{rating.pk}": "5", f"q{text.pk}": "Faster answers, please.", "comment": "Thanks!"},
    )
    thanks = reverse("survey:thanks", args=[invitation_token(invitation)])
    assert response.status_code == 302 and response["Location"] == thanks
    saved = SurveyResponse.objects.get()
    assert saved.invitation == invitation
    assert (saved.csat_score, saved.comment) == (4, "Thanks!")
    assert saved.answers == {str(rating.pk): 5, str(text.pk): "Faster answers, please."}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ANSWERED and invitation.answered_at is not None
    page = client.get(thanks)
    assert page.status_code == 200
    assert "Thank you for your feedback!" in page.content.decode()


def test_unanswered_optional_questions_are_left_out(client, invitation):
    assert client.post(answer_url(invitation), {"csat_score": "5"}).status_code == 302
    assert SurveyResponse.objects.get().answers == {}


def test_a_choice_question_stores_the_chosen_option(client, cast):
    survey = SurveyFactory()
    question = SurveyQuestion.objects.create(
        survey=survey, kind=QuestionKind.CHOICE, text="How do you prefer to meet?", choices=["Visit", "Video call"]
    )
    invitation = InvitationFactory(account=cast.account_a, campaign=CampaignFactory(survey=survey))
    html = client.get(answer_url(invitation)).content.decode()
    assert 'value="Video call"' in html
    assert client.post(answer_url(invitation), {"csat_score": "3", f"q{question.pk}": "Nope"}).status_code == 400
    assert client.post(answer_url(invitation), {"csat_score": "3", f"q{question.pk}": "Video call"}).status_code == 302
    assert SurveyResponse.objects.get().answers == {str(question.pk): "Video call"}


def test_a_required_question_must_be_answered(client, cast):
    survey = SurveyFactory()
    question = SurveyQuestion.objects.create(survey=survey, kind=QuestionKind.RATING, text="Speed?", required=True)
    invitation = InvitationFactory(account=cast.account_a, campaign=CampaignFactory(survey=survey))
    assert client.post(answer_url(invitation), {"csat_score": "3"}).status_code == 400
    assert client.post(answer_url(invitation), {"csat_score": "3", f"q{question.pk}": "2"}).status_code == 302


@pytest.mark.parametrize("score", [None, "", "0", "6", "abc"])
def test_a_missing_or_invalid_score_is_a_clear_error_that_keeps_the_input(client, invitation, score):
    data = {"comment": "Deliveries were late."}
    if score is not None:
        data["csat_score"] = score
    response = client.post(answer_url(invitation), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please choose a score from 1 to 5." in html
    assert ">Deliveries were late.</textarea>" in html
    assert not SurveyResponse.objects.exists()


def test_overlong_text_is_refused(client, invitation):
    response = client.post(answer_url(invitation), {"csat_score": "4", "comment": "x" * 2001})
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_changing_the_answer_updates_the_same_response(client, invitation):
    client.post(answer_url(invitation), {"csat_score": "2", "comment": "Slow."})
    first = SurveyResponse.objects.get()
    page = client.get(answer_url(invitation)).content.decode()
    assert checked_score(page) == "2"
    assert ">Slow.</textarea>" in page
    assert "You can change your answer until" in page
    assert "Update my answer" in page
    # The score clicked in a later e-mail wins over the stored one.
    assert checked_score(client.get(answer_url(invitation, score=5)).content.decode()) == "5"

    client.post(answer_url(invitation), {"csat_score": "5", "comment": "Much better now."})
    assert SurveyResponse.objects.count() == 1
    first.refresh_from_db()
    assert (first.csat_score, first.comment) == (5, "Much better now.")


def test_the_thanks_page_without_an_answer_leads_to_the_survey(client, invitation):
    response = client.get(reverse("survey:thanks", args=[invitation_token(invitation)]))
    assert response.status_code == 302 and response["Location"] == answer_url(invitation)


def test_a_low_score_opens_a_follow_up_and_alerts_the_owner(
    client, cast, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(answer_url(invitation), {"csat_score": "2"}).status_code == 302
    follow_up = LowScoreFollowUp.objects.get()
    assert (follow_up.account, follow_up.invitation) == (cast.account_a, invitation)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cast.kam_a.email]
    assert "Account A" in mail.outbox[0].subject


def test_a_low_score_in_an_anonymous_campaign_opens_no_follow_up(client, cast, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(account=cast.account_a, campaign__anonymous=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(answer_url(invitation), {"csat_score": "1"}).status_code == 302
    assert SurveyResponse.objects.get().csat_score == 1
    assert not LowScoreFollowUp.objects.exists()
    assert mail.outbox == []


def test_a_submit_needs_the_secret_token_not_a_csrf_cookie(invitation):
    # The token in the URL is the only credential (no session rides along), so a forged
    # cross-site submit needs the token, and whoever has the token can submit anyway.
    client = Client(enforce_csrf_checks=True)
    forged = f"{invitation.pk}-{'A' * 32}"
    assert client.post(reverse("survey:answer", args=[forged]), {"csat_score": "4"}).status_code == 404
    assert not SurveyResponse.objects.exists()

    page = client.get(answer_url(invitation))
    assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies
    # As a browser posts from a page under Referrer-Policy: no-referrer.
    response = client.post(answer_url(invitation), {"csat_score": "4"}, headers={"Origin": "null"})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().csat_score == 4
