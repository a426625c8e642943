"""The people, affiliations, touchpoints and campaigns API: scoped by the selectors, written through
stakeholders.services, the firewall applied (no stance for medical colleagues, no medical content
or participants for commercial ones), CSAT with the anonymity rule, the dashboard's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stakeholders.models import Affiliation, Person, Touchpoint
from tests.factories import TeamMemberFactory
from tests.stakeholder_factories import AffiliationFactory, TouchpointFactory
from tests.survey_factories import CampaignFactory, InvitationFactory, ResponseFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def medical_seat(cast):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    return cast.medical


def test_it_scopes_people_and_affiliations(cast, login):
    mine = AffiliationFactory(account=cast.account_a)
    theirs = AffiliationFactory(account=cast.account_c)
    client = login(cast.kam_a)
    assert [p["id"] for p in client.get("/api/v1/people/").json()["results"]] == [mine.person_id]
    assert client.get(f"/api/v1/people/{theirs.person_id}/").status_code == 404
    assert client.get(f"/api/v1/affiliations/{theirs.pk}/").status_code == 404
    assert login(cast.head).get(f"/api/v1/affiliations/{theirs.pk}/").status_code == 200


def test_it_hides_the_stance_from_medical_colleagues(cast, login, medical_seat):
    affiliation = AffiliationFactory(account=cast.account_a, stance=2, influence=4)
    url = f"/api/v1/affiliations/{affiliation.pk}/"
    seen = login(medical_seat).get(url).json()
    assert "stance" not in seen and seen["influence"] == 4
    # Influence is read-only for them, and a posted stance is ignored.
    assert login(medical_seat).patch(url, {"influence": 1, "stance": -2, "department": "ICU"}, JSON).status_code == 200
    affiliation.refresh_from_db()
    assert (affiliation.influence, affiliation.stance, affiliation.department) == (4, 2, "ICU")
    assert login(cast.kam_a).get(url).json()["stance"] == 2


def test_it_adds_a_stakeholder_through_the_service(cast, login):
    body = {
        "account": cast.account_a.pk,
        "new_person": {"first_name": "Eva", "last_name": "Roth", "email": "eva@klinik.example"},
        "function": "hospital_pharmacist",
        "dmu_role": "decision_maker",
    }
    response = login(cast.kam_a).post("/api/v1/affiliations/", body, JSON)
    assert response.status_code == 201, response.content
    affiliation = Affiliation.objects.get(pk=response.json()["id"])
    assert affiliation.person.email == "eva@klinik.example"
    assert affiliation.category  # derived by the model's clean(), as on the page


def test_it_refuses_an_email_of_someone_the_user_cannot_see(cast, login):
    hidden = AffiliationFactory(account=cast.account_c).person
    body = {"account": cast.account_a.pk, "new_person": {"first_name": "X", "last_name": "Y", "email": hidden.email}}
    response = login(cast.kam_a).post("/api/v1/affiliations/", body, JSON)
    assert response.status_code == 400
    assert hidden.first_name not in response.content.decode()
    assert Person.objects.filter(email=hidden.email).count() == 1


def test_it_refuses_an_affiliation_at_an_account_the_user_cannot_see(cast, login):
    body = {"account": cast.account_c.pk, "new_person": {"first_name": "A", "last_name": "B"}}
    assert login(cast.kam_a).post("/api/v1/affiliations/", body, JSON).status_code == 400
    assert not Person.objects.filter(first_name="A", last_name="B").exists()


def test_it_hides_medical_touchpoints_content_and_participants(cast, login, medical_seat):
    person = AffiliationFactory(account=cast.account_a).person
    touchpoint = TouchpointFactory(account=cast.account_a, logged_by=medical_seat, summary="Trial data")
    touchpoint.stakeholders.add(person)
    touchpoint.participants.add(medical_seat)
    commercial = login(cast.kam_a).get(f"/api/v1/touchpoints/{touchpoint.pk}/").json()
    assert commercial["is_medical"] and commercial["content_hidden"]
    assert commercial["summary"] == "" and commercial["stakeholders"] == []
    assert commercial["participants"] == [] and commercial["logged_by"] is None
    medical = login(medical_seat).get(f"/api/v1/touchpoints/{touchpoint.pk}/").json()
    assert medical["summary"] == "Trial data" and medical["participants"] == [medical_seat.pk]


def test_it_logs_a_touchpoint_through_the_service(cast, login, medical_seat):
    person = AffiliationFactory(account=cast.account_a).person
    body = {"account": cast.account_a.pk, "kind": "call", "stakeholders": [person.pk], "summary": "Fine"}
    response = login(medical_seat).post("/api/v1/touchpoints/", body, JSON)
    assert response.status_code == 201, response.content
    touchpoint = Touchpoint.objects.get(pk=response.json()["id"])
    assert touchpoint.is_medical and touchpoint.logged_by == medical_seat
    assert list(touchpoint.participants.all()) == [medical_seat]


def test_it_keeps_the_other_side_off_a_touchpoint(cast, login, medical_seat):
    body = {"account": cast.account_a.pk, "participants": [medical_seat.pk], "summary": "Joint visit"}
    response = login(cast.kam_a).post("/api/v1/touchpoints/", body, JSON)
    assert response.status_code == 400
    assert not Touchpoint.objects.filter(summary="Joint visit").exists()


def test_an_administrator_takes_part_in_no_touchpoint(cast, login):
    TeamMemberFactory(account=cast.account_a, user=cast.admin)
    body = {"account": cast.account_a.pk, "participants": [cast.admin.pk], "summary": "With the admin"}
    response = login(cast.kam_a).post("/api/v1/touchpoints/", body, JSON)
    assert response.status_code == 400
    assert "participants" in response.json()
    assert not Touchpoint.objects.filter(summary="With the admin").exists()


def test_it_lists_touchpoints_changed_since(cast, login):
    old = TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a)
    old.history.update(history_date=timezone.now() - timedelta(days=5))
    new = TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    rows = login(cast.kam_a).get("/api/v1/touchpoints/", {"updated_since": since}).json()["results"]
    assert [t["id"] for t in rows] == [new.pk]


def _answers(campaign, account, scores):
    for score in scores:
        ResponseFactory(invitation=InvitationFactory(campaign=campaign, account=account), csat_score=score)


def test_it_shows_a_named_campaigns_csat(cast, login):
    campaign = CampaignFactory(created_by=cast.manager_a)
    _answers(campaign, cast.account_a, [5, 4, 2])
    result = login(cast.kam_a).get(f"/api/v1/campaigns/{campaign.pk}/results/").json()
    assert result["csat"]["answers"] == 3 and result["csat"]["csat_pct"] == 66.7
    assert login(cast.kam_c).get(f"/api/v1/campaigns/{campaign.pk}/results/").status_code == 404


def test_it_suppresses_an_anonymous_campaign_under_five_answers(cast, login):
    campaign = CampaignFactory(created_by=cast.manager_a, anonymous=True)
    _answers(campaign, cast.account_a, [5, 4, 2, 1])
    result = login(cast.kam_a).get(f"/api/v1/campaigns/{campaign.pk}/results/").json()
    assert result["hidden"] and result["csat"] is None
    assert all(group["csat"] is None for group in result["by_owner"])
    _answers(campaign, cast.account_a, [5])
    result = login(cast.kam_a).get(f"/api/v1/campaigns/{campaign.pk}/results/").json()
    assert not result["hidden"] and result["csat"]["answers"] == 5


def test_it_gives_the_dashboards_figures_to_commercial_colleagues_only(cast, login):
    figures = login(cast.kam_a).get("/api/v1/dashboard/").json()
    assert figures["accounts"]["total"] == 1
    assert login(cast.head).get("/api/v1/dashboard/").json()["accounts"]["total"] == 2
    assert login(cast.medical).get("/api/v1/dashboard/").status_code == 403
    assert login(cast.kam_a).get("/api/v1/dashboard/", {"tier": "Z"}).status_code == 400


@pytest.mark.parametrize(("country", "language"), [("AT", "de"), ("FR", "fr"), ("GB", "en")])
def test_a_new_stakeholder_speaks_the_language_of_the_accounts_country_unless_given_one(cast, login, country, language):
    cast.account_a.country = country
    cast.account_a.save(update_fields=["country"])
    body = {"account": cast.account_a.pk, "new_person": {"first_name": "Eva", "last_name": "Roth"}}
    response = login(cast.kam_a).post("/api/v1/affiliations/", body, JSON)
    assert response.status_code == 201, response.content
    assert Affiliation.objects.get(pk=response.json()["id"]).person.preferred_language == language
    body["new_person"] = {"first_name": "Jo", "last_name": "Hart", "preferred_language": "it"}
    response = login(cast.kam_a).post("/api/v1/affiliations/", body, JSON)
    assert Affiliation.objects.get(pk=response.json()["id"]).person.preferred_language == "it"
