"""The medical/commercial firewall, as a matrix of users × what they may see or do."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kam.models import Role
from stakeholders.models import Coverage, SupportRequest
from stakeholders.services import coverage_set, kol_set, support_request_raise, support_request_respond
from tests.factories import TeamMemberFactory, UserFactory
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, KolFactory, TouchpointFactory

SECRET = "Scientific exchange on subgroup data"


@pytest.fixture
def setting(cast):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    affiliation = AffiliationFactory(account=cast.account_a)
    medical_tp = TouchpointFactory(
        account=cast.account_a, logged_by=cast.medical, stakeholders=[affiliation.person], summary=SECRET
    )
    assert medical_tp.is_medical
    CoverageFactory(affiliation=affiliation, user=cast.medical, strength=5)
    KolFactory(person=affiliation.person, set_by=cast.medical, level="national")
    return affiliation, medical_tp


@pytest.mark.parametrize(
    "role,reads_medical",
    [("kam_a", False), ("manager_a", False), ("access", False), ("medical", True), ("admin", True)],
)
def test_medical_content_is_shown_to_medical_colleagues_only(role, reads_medical, cast, login, setting):
    affiliation, tp = setting
    client = login(getattr(cast, role))
    for url in (
        reverse("stakeholders:touchpoint", args=[tp.pk]),
        reverse("stakeholders:person", args=[affiliation.person_id]),
        reverse("stakeholders:brief", args=[affiliation.person_id]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert (SECRET in page.content.decode()) is reads_medical, url
    person_page = client.get(reverse("stakeholders:person", args=[affiliation.person_id])).content.decode()
    assert ("KOL · National" in person_page) is reads_medical
    xray = client.get(reverse("stakeholders:xray", args=[cast.account_a.pk])).content.decode()
    # Commercial users see that a medical contact exists, never who or how strong.
    assert ("medical contact exists" in xray) is not reads_medical
    assert (str(cast.medical) in xray) is reads_medical


def test_commercial_users_cannot_assign_or_rate_medical_colleagues(cast, setting):
    affiliation, _tp = setting
    with pytest.raises(PermissionDenied):
        coverage_set(affiliation=affiliation, user=cast.medical, strength=2, by=cast.kam_a)
    assert Coverage.objects.get(affiliation=affiliation, user=cast.medical).strength == 5
    coverage_set(affiliation=affiliation, user=cast.access, strength=3, by=cast.kam_a)
    assert Coverage.objects.get(affiliation=affiliation, user=cast.access).is_medical is False


def test_medical_users_record_medical_contacts_only(cast, setting):
    affiliation, _tp = setting
    with pytest.raises(PermissionDenied):
        coverage_set(affiliation=affiliation, user=cast.kam_a, strength=2, by=cast.medical)
    adviser = UserFactory(role=Role.MEDICAL_ADVISER)
    assert coverage_set(affiliation=affiliation, user=adviser, strength=4, by=cast.medical).is_medical


def test_the_coverage_form_offers_only_the_users_own_side(cast, login, setting):
    affiliation, _tp = setting
    response = login(cast.kam_a).post(
        reverse("stakeholders:coverage", args=[affiliation.pk]), {"user": cast.medical.pk, "strength": "1"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_only_medical_colleagues_set_kol_status(cast, login, setting):
    affiliation, _tp = setting
    with pytest.raises(PermissionDenied):
        kol_set(person=affiliation.person, level="local", therapeutic_areas="", by=cast.kam_a)
    assert login(cast.kam_a).get(reverse("stakeholders:kol", args=[affiliation.person_id])).status_code == 403
    medical = login(cast.medical)
    response = medical.post(reverse("stakeholders:kol", args=[affiliation.person_id]), {"level": "international"})
    assert response.status_code == 302
    affiliation.person.kol.refresh_from_db()
    assert affiliation.person.kol.level == "international"


def test_commercial_asks_and_medical_decides(cast, login, setting):
    client = login(cast.kam_a)
    response = client.post(
        reverse("stakeholders:support-add", args=[cast.account_a.pk]), {"topic": "Data on subgroup X", "details": ""}
    )
    assert response.status_code == 302
    request = SupportRequest.objects.get()
    assert request.requested_by == cast.kam_a and request.status == "open"
    # The KAM cannot answer, and medical cannot raise.
    assert client.get(reverse("stakeholders:support-respond", args=[request.pk])).status_code == 403
    assert login(cast.medical).get(reverse("stakeholders:support-add", args=[cast.account_a.pk])).status_code == 403
    response = login(cast.medical).post(
        reverse("stakeholders:support-respond", args=[request.pk]), {"decision": "decline", "note": "Not in scope"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "declined" and request.responded_by == cast.medical
    with pytest.raises(PermissionDenied):
        support_request_respond(request=request, accept=True, note="", by=cast.medical)
    with pytest.raises(PermissionDenied):
        support_request_raise(request=SupportRequest(account=cast.account_a, topic="x"), by=cast.medical)
