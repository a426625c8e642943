"""In a real browser: a stakeholder answers the CSAT survey on a phone from the link in the e-mail,
and the account's owner sees the answer on the account page.

Drives the system Chromium through Playwright and saves a full-page screenshot of every main step
under test-artifacts/screenshots/survey-NN-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from stakeholders.models import Person, SurveyResponse
from stakeholders.surveys.mail import build_email
from stakeholders.surveys.tokens import invitation_token
from tests.browser_support import shot
from tests.factories import AccountFactory, UserFactory
from tests.stakeholder_factories import PersonFactory
from tests.survey_factories import InvitationFactory, default_survey

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _shot(page, name: str) -> None:
    shot(page, f"survey-{name}")


def _open_surveys_tab(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Surveys").click()
    # Bootstrap fades the pane in: "visible" holds from the first frame, at opacity 0, so a
    # screenshot taken then shows an empty page. Wait for the fade to end.
    expect(page.get_by_role("tab", name="Surveys")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#surveys")).to_have_css("opacity", "1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_stakeholder_answers_on_a_phone_from_the_email_link(live_server, browser, settings):
    from playwright.sync_api import expect

    settings.SITE_URL = live_server.url
    kam = UserFactory(username="kam.survey", first_name="Paula", last_name="Wright")
    account = AccountFactory(name="Klinikum Süd", owner=kam, city="Stuttgart")
    person = PersonFactory(first_name="Eva", last_name="Berger", email="eva.berger@klinikum-sued.example")
    invitation = InvitationFactory(account=account, person=person, campaign__name="CSAT spring wave")
    rating, text = default_survey().questions.all()

    # The e-mail's text body has one link per score; the stakeholder taps 4.
    body = build_email(invitation).body
    link = re.search(r"^\s*4: (\S+)$", body, re.MULTILINE).group(1)
    token = invitation_token(invitation)
    assert link == f"{live_server.url}/s/{token}/?score=4"

    phone = browser.new_context(locale="en-GB", **PHONE)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    referrers: list[str] = []
    page.on("request", lambda request: referrers.append(request.headers.get("referer", "")))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Your feedback")
    expect(page.locator(".survey-header")).to_have_text(settings.COMPANY_NAME)
    expect(page.locator(".survey-account")).to_have_text("Klinikum Süd")
    csat = page.get_by_role("group", name="How satisfied are you with our collaboration overall?")
    expect(csat.get_by_role("radio", name="4 – satisfied")).to_be_checked()
    # Styled (the static files are served) and fitting the phone: nothing wider than the screen.
    expect(page.get_by_role("button", name="Send my answer")).to_have_css("background-color", "rgb(18, 60, 90)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "01-opened-from-email")

    # Keyboard: arrow keys move through the scores like any radio group.
    csat.get_by_role("radio", name="4 – satisfied").focus()
    page.keyboard.press("ArrowDown")
    expect(csat.get_by_role("radio", name="5 – very satisfied")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(csat.get_by_role("radio", name="4 – satisfied")).to_be_checked()

    understanding = page.get_by_role("group", name="How well do we understand your organisation's needs?")
    understanding.get_by_text("5", exact=True).tap()
    expect(understanding.get_by_role("radio", name="5")).to_be_checked()
    page.get_by_label("What should we do differently?").fill("Send the formulary dossier a little earlier.")
    page.get_by_label("Anything else you would like to tell us?").fill("Great support from the team.")
    _shot(page, "02-answered")

    page.get_by_role("button", name="Send my answer").tap()
    expect(page).to_have_url(f"{live_server.url}/s/{token}/thanks/")
    expect(page.locator("h1")).to_have_text("Thank you for your feedback!")
    expect(page.get_by_role("link", name="Change my answer")).to_be_visible()
    _shot(page, "03-thank-you")

    response = SurveyResponse.objects.get(invitation=invitation)
    assert response.csat_score == 4
    assert response.answers == {str(rating.pk): 5, str(text.pk): "Send the formulary dossier a little earlier."}
    assert response.comment == "Great support from the team."

    # Coming back shows the answer, open for changes until the close date.
    page.get_by_role("link", name="Change my answer").tap()
    expect(page.locator(".notice")).to_contain_text("You can change your answer until")
    expect(csat.get_by_role("radio", name="4 – satisfied")).to_be_checked()
    expect(page.get_by_label("Anything else you would like to tell us?")).to_have_value("Great support from the team.")
    _shot(page, "04-change-answer")

    # The account owner, logged in on a desktop, finds the answer on the account's Surveys tab:
    # one answer of one invitation, a 4, so 100 % satisfied, and no low-score follow-up.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    owner_page = desk.new_page()
    owner_page.set_default_timeout(15_000)
    owner_page.goto(f"{live_server.url}/login/")
    owner_page.fill("#id_username", kam.username)
    owner_page.fill("#id_password", "pw-for-tests-1")
    owner_page.click("button:has-text('Log in')")
    owner_page.goto(f"{live_server.url}{account.get_absolute_url()}")
    expect(owner_page.locator("h1")).to_contain_text("Klinikum Süd")
    _open_surveys_tab(owner_page)
    history = owner_page.locator("#csat-history")
    row = history.get_by_role("row").filter(has_text="CSAT spring wave")
    expect(row.get_by_role("cell")).to_have_text(
        ["CSAT spring wave", re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}"), "100.0 % signal", "1 / 1", "100.0 %"]
    )
    expect(owner_page.locator("#follow-ups")).to_contain_text("No open follow-ups.")
    _shot(owner_page, "05-owner-sees-the-csat")

    # The stakeholder changes their mind to a 2; the owner's page follows, with a follow-up to close.
    csat.get_by_role("radio", name="2 – dissatisfied").tap()
    page.get_by_role("button", name="Update my answer").tap()
    expect(page).to_have_url(f"{live_server.url}/s/{token}/thanks/")
    owner_page.reload()
    _open_surveys_tab(owner_page)
    expect(row.get_by_role("cell")).to_have_text(
        ["CSAT spring wave", re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}"), "0.0 % signal", "1 / 1", "100.0 %"]
    )
    expect(owner_page.locator("#follow-ups")).to_contain_text("Eva Berger")
    expect(owner_page.locator("#follow-ups")).to_contain_text("score 2")
    assert SurveyResponse.objects.get(invitation=invitation).csat_score == 2
    _shot(owner_page, "05b-owner-sees-the-changed-csat")
    desk.close()

    # Opting out from the page footer: one confirmation, then no more survey e-mails.
    page.get_by_role("link", name="Stop receiving survey e-mails").tap()
    expect(page.locator("h1")).to_have_text("Stop survey e-mails")
    _shot(page, "06-opt-out")
    page.get_by_role("button", name="Stop survey e-mails").tap()
    expect(page.locator("h1")).to_have_text("You have been unsubscribed")
    _shot(page, "07-opted-out")
    assert Person.objects.get(pk=person.pk).survey_opt_out_at is not None
    phone.close()

    # The page, its styles and every form post went without the token in a Referer header, and
    # the pages' Content-Security-Policy refused nothing they use.
    assert len(referrers) > 5
    assert not [r for r in referrers if token in r or "/s/" in r]
    assert not [m for m in console if "Content Security Policy" in m], console


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_german_stakeholder_sees_errors_and_closed_links_on_a_phone(live_server, browser):
    from playwright.sync_api import expect

    account = AccountFactory(name="Universitätsspital Basel")
    invitation = InvitationFactory(account=account, language="de")
    expired = InvitationFactory(account=account, language="de", expires_on=timezone.localdate() - timedelta(days=1))

    phone = browser.new_context(locale="de-CH", **PHONE)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/s/{invitation_token(invitation)}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    csat = page.get_by_role("group", name="Wie zufrieden sind Sie insgesamt mit unserer Zusammenarbeit?")
    expect(csat).to_be_visible()

    # Sending without a score keeps the text and says what is missing, in the alert and at the question.
    page.get_by_label("Was sollten wir anders machen?").fill("Schnellere Rückmeldungen.")
    page.get_by_role("button", name="Antwort senden").tap()
    expect(page.get_by_role("alert")).to_contain_text("Bitte wählen Sie eine Bewertung von 1 bis 5.")
    expect(csat).to_have_accessible_description(re.compile("1 bis 5"))
    expect(page.get_by_label("Was sollten wir anders machen?")).to_have_value("Schnellere Rückmeldungen.")
    _shot(page, "08-de-missing-score")
    csat.get_by_role("radio", name="2 – unzufrieden").tap()
    page.get_by_role("button", name="Antwort senden").tap()
    expect(page).to_have_url(re.compile(r"/thanks/$"))
    expect(page.locator("h1")).to_have_text("Vielen Dank für Ihre Rückmeldung!")
    assert SurveyResponse.objects.get(invitation=invitation).csat_score == 2

    # An expired link: a friendly page, and opting out still works from there.
    response = page.goto(f"{live_server.url}/s/{invitation_token(expired)}/?score=5")
    assert response.status == 410
    expect(page.locator("h1")).to_have_text("Diese Umfrage ist beendet")
    expect(page.get_by_role("link", name="Keine Umfrage-E-Mails mehr erhalten")).to_be_visible()
    _shot(page, "09-de-closed")
    phone.close()
