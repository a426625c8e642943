"""The app in the user's language: their own choice (User.language), else the browser's; dates,
numbers and money in that language's formats, never ISO dates on a page; the survey pages keep
speaking the invitation's language."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.portfolio.health.refresh import refresh_health
from plans.models import DigestPreference, WhitespaceCell, WhitespaceStatus
from plans.reminders import REVIEW, _plan_item, digest_message
from stakeholders.surveys.tokens import invitation_token
from tests.factories import FinancialsFactory, ProductFactory
from tests.plan_factories import PlanFactory
from tests.survey_factories import InvitationFactory

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def visible_text(response) -> str:
    """What a reader sees: the page without tags (attributes, input values) and scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("chosen", "browser", "speaks"),
    [("", "de-DE,de;q=0.9", "de"), ("", "en-GB", "en"), ("en", "de", "en"), ("de", "en-US", "de"), ("", "fr", "en")],
)
def test_the_users_choice_wins_over_the_browsers_language(cast, login, chosen, browser, speaks):
    cast.kam_a.language = chosen
    cast.kam_a.save(update_fields=["language"])
    response = login(cast.kam_a).get(reverse("accounts:list"), HTTP_ACCEPT_LANGUAGE=browser)
    assert response["Content-Language"] == speaks
    page = response.content.decode()
    assert f'<html lang="{speaks}">' in page
    assert ("Abmelden" in page) == (speaks == "de") and ("Log out" in page) == (speaks == "en")


def test_the_login_page_speaks_the_browsers_language(client):
    assert "Anmelden" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Log in" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_settings_page_saves_the_language_and_the_next_page_speaks_it(cast, login):
    client = login(cast.kam_a)
    url = reverse("plans:digest-settings")
    page = unescape(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Your settings" in page and "The browser's language" in page and "Deutsch" in page
    response = client.post(url, {"language": "de", "frequency": "daily", "weekday": "0"}, follow=True)
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.language == "de"
    text = response.content.decode()
    assert "Ihre Einstellungen sind gespeichert." in text and "Ihre Einstellungen" in text
    # A post without the field (an older page) leaves the choice alone; blank is the browser's again.
    client.post(url, {"frequency": "weekly", "weekday": "2"})
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.language == "de" and DigestPreference.objects.get(user=cast.kam_a).frequency == "weekly"
    client.post(url, {"language": "", "frequency": "daily", "weekday": "0"})
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.language == ""


def test_a_language_the_app_does_not_speak_is_refused(cast, login):
    response = login(cast.kam_a).post(
        reverse("plans:digest-settings"), {"language": "fr", "frequency": "daily", "weekday": "0"}
    )
    assert response.status_code == 400
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.language == ""


def test_the_survey_page_speaks_the_invitations_language_to_a_signed_in_german_user(cast, login):
    cast.kam_a.language = "de"
    cast.kam_a.save(update_fields=["language"])
    invitation = InvitationFactory(account=cast.account_a, language="fr")
    response = login(cast.kam_a).get(reverse("survey:answer", args=[invitation_token(invitation)]))
    assert '<html lang="fr">' in response.content.decode() and "Envoyer ma réponse" in unescape(
        response.content.decode()
    )


FORMATS = {
    "de": {
        "money": "1.234.567 EUR von 2.000.000 EUR (61,7 %)",
        "long_date": "6. Dezember 2026",
        "short_date": re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b"),
    },
    "en": {
        "money": "1,234,567 EUR of 2,000,000 EUR (61.7 %)",
        "long_date": "6 Dec 2026",
        "short_date": re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b"),
    },
}


@pytest.mark.parametrize("language", ["de", "en"])
def test_numbers_money_and_dates_come_in_the_users_format(cast, login, language):
    cast.kam_a.language = language
    cast.kam_a.save(update_fields=["language"])
    year = timezone.localdate().year
    FinancialsFactory(
        account=cast.account_a, year=year, revenue_actual=Decimal("1234567"), revenue_target=Decimal("2000000")
    )
    refresh_health([cast.account_a.pk])
    client = login(cast.kam_a)
    account_page = visible_text(client.get(cast.account_a.get_absolute_url()))
    assert f"{year}: {FORMATS[language]['money']}" in account_page
    assert not ISO_DATE.search(account_page)

    PlanFactory(account=cast.account_a, next_review_date=date(2026, 12, 6))
    plan_list = visible_text(client.get(reverse("plans:list")))
    assert FORMATS[language]["long_date"] in plan_list
    assert FORMATS[language]["short_date"].search(plan_list)  # the "updated" column
    assert not ISO_DATE.search(plan_list)


def test_the_reminder_digest_comes_in_the_recipients_language(cast):
    cast.kam_a.language = "de"
    item = PlanFactory(account=cast.account_a, next_review_date=date(2026, 12, 6))
    digest = digest_message(user=cast.kam_a, items=[_plan_item(REVIEW, item)], today=date(2026, 12, 1))
    assert digest.subject == "KAM Planner: 1 Punkt braucht Sie"
    assert "fällig am 6. Dezember 2026" in digest.body
    assert '<html lang="de">' in digest.alternatives[0][0]
    cast.kam_a.language = ""
    assert digest_message(user=cast.kam_a, items=[_plan_item(REVIEW, item)], today=date(2026, 12, 1)).subject == (
        "KAM Planner: 1 item needs you"
    )


@pytest.mark.parametrize(("language", "shown"), [("de", "335.000"), ("en", "335,000")])
def test_the_whitespace_maps_values_are_grouped_as_the_language_groups_them(cast, login, language, shown):
    cast.kam_a.language = language
    cast.kam_a.save(update_fields=["language"])
    plan = PlanFactory(account=cast.account_a)
    WhitespaceCell.objects.create(
        plan=plan,
        buying_centre="Pharmacy and therapeutics committee",
        product=ProductFactory(),
        status=WhitespaceStatus.OPPORTUNITY,
        estimated_value=Decimal("335000"),
    )
    page = visible_text(login(cast.kam_a).get(reverse("plans:step", args=[plan.pk, 2])))
    # The map's total and its cell.
    assert page.count(shown) >= 2, page[page.find("Whitespace") - 50 :][:600]
