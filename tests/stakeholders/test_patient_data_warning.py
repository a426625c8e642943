"""Free text that looks like patient data on the stakeholder pages (touchpoints, a stakeholder's
position and department, support requests): a warning that keeps what was typed, a reason to
save anyway, one confirmation recorded, never the text itself."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kam.models import FreeTextConfirmation
from stakeholders.models import Affiliation, SupportRequest, Touchpoint
from stakeholders.services import support_request_raise
from tests.factories import TeamMemberFactory
from tests.stakeholder_factories import AffiliationFactory

PATIENT = "Herr Müller, geb. 12.03.1958, Diabetes"
CONFIRM = {"patient_data_confirm": "on", "patient_data_reason": "Herr Müller is the purchasing head, not a patient"}


@pytest.fixture
def person(cast):
    return AffiliationFactory(account=cast.account_a).person


def _touchpoint(person, **extra) -> dict:
    return {"date": date.today().isoformat(), "kind": "visit", "stakeholders": [person.pk], **extra}


def test_a_touchpoint_with_patient_data_is_warned_about_and_kept(cast, login, person):
    url = reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk])
    response = login(cast.kam_a).post(url, _touchpoint(person, summary=f"Visit. {PATIENT}", next_step="Call back"))
    assert response.status_code == 400
    content = response.content.decode()
    assert "looks like patient data" in content
    assert "a date of birth" in content and "a diagnosis next to a person" in content
    assert "Herr Müller, geb. 12.03.1958, Diabetes</textarea>" in content  # the summary, as typed
    assert 'value="Call back"' in content
    assert 'name="patient_data_reason"' in content and 'name="patient_data_confirm"' in content
    assert not Touchpoint.objects.exists()
    assert not FreeTextConfirmation.objects.exists()


def test_a_confirmed_touchpoint_is_saved_and_its_confirmation_recorded(cast, login, person):
    url = reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk])
    response = login(cast.kam_a).post(url, _touchpoint(person, summary=PATIENT, **CONFIRM))
    assert response.status_code == 302
    touchpoint = Touchpoint.objects.get()
    assert touchpoint.summary == PATIENT
    confirmation = FreeTextConfirmation.objects.get()
    assert confirmation.user == cast.kam_a
    assert confirmation.object_id == touchpoint.pk
    assert confirmation.content_type.model_class() is Touchpoint
    assert confirmation.field_names == ["summary"]
    assert confirmation.kinds == ["birth_date", "diagnosis"]
    assert confirmation.reason == CONFIRM["patient_data_reason"]
    assert confirmation.url == reverse("stakeholders:touchpoint", args=[touchpoint.pk])
    # Never the text itself: no field of the row holds what was confirmed.
    stored = " ".join(str(getattr(confirmation, f.attname)) for f in FreeTextConfirmation._meta.fields)
    assert "12.03.1958" not in stored and "Diabetes" not in stored


@pytest.mark.parametrize(
    "confirmation,message",
    [
        ({"patient_data_confirm": "on"}, "Give a reason"),
        ({"patient_data_confirm": "on", "patient_data_reason": "   "}, "Give a reason"),
        ({"patient_data_confirm": "on", "patient_data_reason": "Fall-Nr. 12345 is fine"}, "The reason itself"),
        ({"patient_data_reason": "a reason but no box"}, "looks like patient data"),
    ],
)
def test_a_confirmation_needs_the_box_and_a_clean_reason(cast, login, person, confirmation, message):
    url = reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk])
    response = login(cast.kam_a).post(url, _touchpoint(person, summary=PATIENT, **confirmation))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Touchpoint.objects.exists() and not FreeTextConfirmation.objects.exists()


def test_a_reason_typed_is_kept_on_the_warning(cast, login, person):
    url = reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk])
    data = _touchpoint(person, summary=PATIENT, patient_data_reason="Kept reason")
    content = login(cast.kam_a).post(url, data).content.decode()
    assert "Kept reason</textarea>" in content


def test_plain_business_text_saves_without_a_warning(cast, login, person):
    url = reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk])
    summary = "Meeting 12.03.2026 with Herr Müller (Einkauf) about the Cardiovex tender, lot 3."
    response = login(cast.kam_a).post(url, _touchpoint(person, summary=summary))
    assert response.status_code == 302
    assert not FreeTextConfirmation.objects.exists()


def test_the_warning_escapes_what_was_typed(cast, login, person):
    url = reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk])
    hostile = '<script>alert(1)</script> Herr <b>Müller geb. 12.03.1958 "><img src=x onerror=alert(1)>'
    response = login(cast.kam_a).post(url, _touchpoint(person, summary=hostile, next_step='Fall-Nr. 4711 "><svg>'))
    assert response.status_code == 400
    content = response.content.decode()
    assert "looks like patient data" in content
    assert "<script>alert(1)" not in content and "<img src=x" not in content and "<svg>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def _stakeholder(**overrides) -> dict:
    return {
        "person-first_name": "Maria",
        "person-last_name": "Brandt",
        "person-email": "maria.brandt@example.org",
        "person-preferred_language": "de",
        "aff-position_title": "Chief Pharmacist",
        "aff-function": "hospital_pharmacist",
        "aff-dmu_role": "gatekeeper",
        "aff-influence": "5",
        "aff-stance": "1",
        **overrides,
    }


def test_a_stakeholders_department_with_patient_data_is_warned_about_then_confirmed(cast, login):
    client = login(cast.kam_a)
    url = reverse("stakeholders:add", args=[cast.account_a.pk])
    data = _stakeholder(**{"aff-department": "Station 3, Pat.-ID 123456"})
    response = client.post(url, data)
    assert response.status_code == 400
    assert "a patient or case number" in response.content.decode()
    assert 'value="Station 3, Pat.-ID 123456"' in response.content.decode()
    assert not Affiliation.objects.filter(person__email="maria.brandt@example.org").exists()
    response = client.post(url, {**data, **CONFIRM})
    assert response.status_code == 302
    affiliation = Affiliation.objects.get(person__email="maria.brandt@example.org")
    confirmation = FreeTextConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field_names, confirmation.kinds) == (
        affiliation.pk,
        ["department"],
        ["patient_id"],
    )


def test_an_affiliation_edit_checks_only_what_changed(cast, login):
    affiliation = AffiliationFactory(account=cast.account_a, department="Fall-Nr. 4711 (stored before)")
    client = login(cast.kam_a)
    url = reverse("stakeholders:affiliation-edit", args=[affiliation.pk])
    form = client.get(url).context["affiliation_form"]
    person = client.get(url).context["person_form"]
    data = {f"person-{k}": v for k, v in person.initial.items() if v is not None and k != "id"}
    data.update({f"aff-{k}": v for k, v in form.initial.items() if v is not None and k != "id"})
    data.update({"ovr-TOTAL_FORMS": "0", "ovr-INITIAL_FORMS": "0", "aff-position_title": "Head of pharmacy"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(url, {**data, "aff-position_title": "Herr Kurz, ICD C50.9"})
    assert response.status_code == 400
    assert "a diagnosis next to a person" in response.content.decode()
    assert client.post(url, {**data, "aff-position_title": "Herr Kurz, ICD C50.9", **CONFIRM}).status_code == 302
    assert FreeTextConfirmation.objects.get().field_names == ["position_title"]


def test_a_support_request_with_patient_data_is_warned_about_then_confirmed(cast, login, person):
    client = login(cast.kam_a)
    url = reverse("stakeholders:support-add", args=[cast.account_a.pk])
    data = {"person": person.pk, "topic": "Case discussion", "details": "Patientin K. mit Brustkrebs, MRN 00123456"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Patientin K. mit Brustkrebs, MRN 00123456</textarea>" in response.content.decode()
    assert not SupportRequest.objects.exists()
    assert client.post(url, {**data, **CONFIRM}).status_code == 302
    confirmation = FreeTextConfirmation.objects.get()
    assert confirmation.object_id == SupportRequest.objects.get().pk
    assert confirmation.kinds == ["patient_id", "diagnosis"]


def test_the_warning_shows_no_errors_of_a_transfer_of_value_nobody_gave(cast, login, person):
    url = reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk])
    response = login(cast.kam_a).post(url, _touchpoint(person, summary=PATIENT, **{"tov-currency": "CHF"}))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Required for a transfer of value." not in content
    assert '<option value="CHF" selected>' in content


def test_a_medical_answer_with_patient_data_is_warned_about_then_confirmed(cast, login, person):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    support_request_raise(request=SupportRequest(account=cast.account_a, topic="Subgroup data"), by=cast.kam_a)
    support = SupportRequest.objects.get()
    client = login(cast.medical)
    url = reverse("stakeholders:support-respond", args=[support.pk])
    data = {"decision": "decline", "note": "Not for Patient Nr. 4711"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'value="Not for Patient Nr. 4711"' in response.content.decode()
    support.refresh_from_db()
    assert support.status == "open"
    assert client.post(url, {**data, **CONFIRM}).status_code == 302
    support.refresh_from_db()
    assert support.status == "declined"
    confirmation = FreeTextConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field_names, confirmation.user) == (support.pk, ["note"], cast.medical)
