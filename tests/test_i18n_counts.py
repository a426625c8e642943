"""Counts and words agree with their numbers, in English and in German: the pages and messages that
count things render 0, 1 and 2 items with the singular or plural word each language wants."""

from __future__ import annotations

from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Account
from kam.portfolio.health.refresh import refresh_health
from tests.factories import AccountFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory
from tests.survey_factories import DraftCampaignFactory, SurveyConsentFactory

# (language, count) -> what the page must say; the other counts' words must not be there.
DASHBOARD = {
    ("en", 0): "0 hospitals",
    ("en", 1): "1 hospital ·",
    ("en", 2): "2 hospitals",
    ("de", 0): "0 Krankenhäuser",
    ("de", 1): "1 Krankenhaus ·",
    ("de", 2): "2 Krankenhäuser",
}
ACCOUNT_LIST = {
    ("en", 0): ">0 accounts<",
    ("en", 1): ">1 account<",
    ("en", 2): ">2 accounts<",
    ("de", 0): ">0 Accounts<",
    ("de", 1): ">1 Account<",
    ("de", 2): ">2 Accounts<",
}
DMU = {
    ("en", 0): "0 active stakeholders in the decision-making unit.",
    ("en", 1): "1 active stakeholder in the decision-making unit.",
    ("en", 2): "2 active stakeholders in the decision-making unit.",
    ("de", 0): "0 aktive Stakeholder im Buying Center.",
    ("de", 1): "1 aktiver Stakeholder im Buying Center.",
    ("de", 2): "2 aktive Stakeholder im Buying Center.",
}
HANDOVER = {
    ("en", 0): "0 accounts were handed over to",
    ("en", 1): "1 account was handed over to",
    ("en", 2): "2 accounts were handed over to",
    ("de", 0): "0 Accounts wurden übergeben an",
    ("de", 1): "1 Account wurde übergeben an",
    ("de", 2): "2 Accounts wurden übergeben an",
}
PREVIEW = {
    ("en", 0): "Nobody would receive this campaign.",
    ("en", 1): "Send to 1 person now",
    ("en", 2): "Send to 2 people now",
    ("de", 0): "Niemand würde diese Kampagne erhalten.",
    ("de", 1): "Jetzt an 1 Person senden",
    ("de", 2): "Jetzt an 2 Personen senden",
}
DISPATCHED = {
    ("en", 1): "1 invitation is being sent.",
    ("en", 2): "2 invitations are being sent.",
    ("de", 1): "1 Einladung wird gesendet.",
    ("de", 2): "2 Einladungen werden gesendet.",
}
CASES = [(language, n) for language in ("en", "de") for n in (0, 1, 2)]


def speaking(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def text(response) -> str:
    assert response.status_code == 200
    return unescape(response.content.decode())


def assert_says(page: str, table: dict, language: str, n: int) -> None:
    assert table[(language, n)] in page
    for (other_language, other_n), phrase in table.items():
        if (other_language, other_n) != (language, n):
            assert phrase not in page, phrase


@pytest.mark.parametrize(("language", "n"), CASES)
def test_the_dashboard_counts_hospitals(cast, login, language, n):
    cache.clear()
    for _i in range(n):
        AccountFactory(owner=cast.kam_b, is_key_account=True, account_type="hospital")
    refresh_health()
    page = text(login(speaking(cast.kam_b, language)).get(reverse("home")))
    assert_says(page, DASHBOARD, language, n)


@pytest.mark.parametrize(("language", "n"), CASES)
def test_the_account_list_counts_accounts(cast, login, language, n):
    for _i in range(n):
        AccountFactory(owner=cast.kam_b)
    page = text(login(speaking(cast.kam_b, language)).get(reverse("accounts:list")))
    assert_says(page, ACCOUNT_LIST, language, n)


@pytest.mark.parametrize(("language", "n"), CASES)
def test_the_account_page_counts_the_dmu(cast, login, language, n):
    for _i in range(n):
        AffiliationFactory(account=cast.account_a)
    page = text(login(speaking(cast.kam_a, language)).get(cast.account_a.get_absolute_url()))
    assert_says(page, DMU, language, n)


@pytest.mark.parametrize(("language", "n"), CASES)
def test_the_handover_message_counts_the_accounts_moved(cast, login, language, n):
    for _i in range(n):
        AccountFactory(owner=cast.kam_b)
    client = login(speaking(cast.manager_a, language))
    url = reverse("people-handover", args=[cast.kam_b.pk])
    data = {"confirm": "on"}
    for i, row in enumerate(client.get(url).context["rows"]):
        data |= {f"handover-{i}-account_id": row.account.pk, f"handover-{i}-successor": cast.kam_a.pk}
    response = client.post(url, data)
    assert response.status_code == 302
    assert Account.objects.filter(owner=cast.kam_b).count() == 0
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert_says(message, HANDOVER, language, n)


def _campaign_with_audience(cast, n: int):
    Account.objects.filter(pk=cast.account_a.pk).update(is_key_account=True)
    for _i in range(n):
        person = AffiliationFactory(account=cast.account_a, person=PersonFactory()).person
        SurveyConsentFactory(person=person)
    return DraftCampaignFactory(created_by=cast.manager_a, audience={"accounts": [cast.account_a.pk]})


@pytest.mark.parametrize(("language", "n"), CASES)
def test_the_campaign_preview_counts_the_people(cast, login, language, n):
    campaign = _campaign_with_audience(cast, n)
    client = login(speaking(cast.manager_a, language))
    page = text(client.get(reverse("stakeholders:campaign-preview", args=[campaign.pk])))
    assert_says(page, PREVIEW, language, n)


@pytest.mark.parametrize(("language", "n"), [(language, n) for language, n in CASES if n])
def test_the_dispatch_message_counts_the_invitations(cast, login, language, n):
    campaign = _campaign_with_audience(cast, n)
    client = login(speaking(cast.manager_a, language))
    response = client.post(reverse("stakeholders:campaign-dispatch", args=[campaign.pk]))
    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert_says(message, DISPATCHED, language, n)
