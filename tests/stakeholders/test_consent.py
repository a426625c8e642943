"""Survey consent recorded on the person page: who may, what it records, its history, withdrawal,
the opt-out shown beside it, and the campaign preview honouring it and linking to it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from stakeholders.models import ConsentMethod, SurveyConsent
from stakeholders.surveys.audience import audience
from tests.stakeholder_factories import AffiliationFactory, PersonFactory
from tests.survey_factories import DraftCampaignFactory, SurveyConsentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(cast):
    Account.objects.filter(pk=cast.account_a.pk).update(is_key_account=True)
    return AffiliationFactory(
        account=cast.account_a, person=PersonFactory(email="chefapotheker@klinikum.example")
    ).person


def _form(**changes) -> dict:
    return {
        "channel": "email",
        "method": "form",
        "given_on": "2026-11-30",
        "source": "Signed form at the visit of 30 November",
        "wording": "I agree to receive short feedback surveys by e-mail; I can stop them at any time.",
        **changes,
    }


@time_machine.travel("2026-12-06 10:00 +0100", tick=False)
def test_it_lets_the_owner_record_consent_and_the_preview_then_includes_the_person(cast, login, person):
    campaign = DraftCampaignFactory(created_by=cast.manager_a, audience={"accounts": [cast.account_a.pk]})
    _included, excluded = audience(campaign)
    assert [row.needs_consent for row in excluded if row.affiliation.person == person] == [True]

    response = login(cast.kam_a).post(reverse("stakeholders:consent-add", args=[person.pk]), _form())
    assert response.status_code == 302 and response["Location"].endswith("#consent")
    [consent] = person.consents.all()
    assert consent.method == ConsentMethod.FORM and consent.given_at.date() == date(2026, 11, 30)
    assert consent.source == "Signed form at the visit of 30 November"
    included, _excluded = audience(campaign)
    assert person in [row.affiliation.person for row in included]
    page = login(cast.kam_a).get(person.get_absolute_url()).content.decode()
    assert "Signed form at the visit of 30 November" in page and "valid" in page


def test_the_preview_links_no_consent_to_where_it_is_recorded(cast, login, person):
    campaign = DraftCampaignFactory(created_by=cast.manager_a, audience={"accounts": [cast.account_a.pk]})
    html = login(cast.manager_a).get(reverse("stakeholders:campaign-preview", args=[campaign.pk])).content.decode()
    assert f'<a href="{person.get_absolute_url()}#consent">no consent</a>' in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("kam_a", 302), ("manager_a", 302), ("head", 302), ("admin", 302), ("access", 403), ("kam_c", 404)],
)
def test_it_checks_who_may_record_consent(cast, login, person, role, status):
    response = login(getattr(cast, role)).post(reverse("stakeholders:consent-add", args=[person.pk]), _form())
    assert response.status_code == status
    assert person.consents.count() == (1 if status == 302 else 0)


def test_a_medical_colleague_does_not_record_survey_consent(cast, login, person):
    from tests.factories import TeamMemberFactory

    TeamMemberFactory(account=cast.account_a, user=cast.medical)
    response = login(cast.medical).post(reverse("stakeholders:consent-add", args=[person.pk]), _form())
    assert response.status_code == 403 and not person.consents.exists()


def test_bad_input_is_a_clear_error_and_keeps_what_was_typed(cast, login, person):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = login(cast.kam_a).post(
        reverse("stakeholders:consent-add", args=[person.pk]), _form(given_on=future, source="Phone call <b>x</b>")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Consent cannot be given in the future." in html
    assert "Phone call &lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert not person.consents.exists()


def test_withdrawing_keeps_the_history_and_stops_surveys(cast, login, person):
    consent = SurveyConsentFactory(person=person)
    campaign = DraftCampaignFactory(created_by=cast.manager_a, audience={"accounts": [cast.account_a.pk]})
    assert person in [row.affiliation.person for row in audience(campaign)[0]]
    client = login(cast.kam_a)
    assert client.post(reverse("stakeholders:consent-withdraw", args=[consent.pk])).status_code == 302
    consent.refresh_from_db()
    first = consent.withdrawn_at
    assert first is not None
    client.post(reverse("stakeholders:consent-withdraw", args=[consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_at == first
    assert person not in [row.affiliation.person for row in audience(campaign)[0]]
    assert consent.history.count() == 2
    assert "withdrawn" in client.get(person.get_absolute_url()).content.decode()


def test_after_an_opt_out_only_written_consent_counts_again(cast, login, person):
    person.survey_opt_out_at = timezone.now() - timedelta(days=10)
    person.save(update_fields=["survey_opt_out_at"])
    client = login(cast.kam_a)
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Opted out of surveys on" in page
    refused = client.post(reverse("stakeholders:consent-add", args=[person.pk]), _form(method="verbal"))
    assert refused.status_code == 400 and "signed form or their e-mail" in refused.content.decode()
    person.refresh_from_db()
    assert person.survey_opt_out_at is not None and not SurveyConsent.objects.filter(person=person).exists()

    assert client.post(reverse("stakeholders:consent-add", args=[person.pk]), _form(method="email")).status_code == 302
    person.refresh_from_db()
    assert person.survey_opt_out_at is None
    assert person.history.filter(survey_opt_out_at__isnull=False).exists()


def test_another_teams_kam_cannot_withdraw_consent(cast, login, person):
    consent = SurveyConsentFactory(person=person)
    assert login(cast.kam_c).post(reverse("stakeholders:consent-withdraw", args=[consent.pk])).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
