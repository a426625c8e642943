"""Therapeutic-area overrides: where a person's role or stance differs for one area, edited on the
affiliation page next to the person and shown on the DMU table."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from stakeholders.forms import AffiliationOverrideFormSet
from stakeholders.models import AffiliationOverride, Person
from tests.stakeholder_factories import AffiliationFactory
from tests.stakeholders.test_pages import _build_dmu


@pytest.fixture
def pharmacist(cast):
    return AffiliationFactory(
        account=cast.account_a,
        person__first_name="Maria",
        person__last_name="Brandt",
        position_title="Chief pharmacist",
        function="hospital_pharmacist",
        dmu_role="gatekeeper",
        influence=4,
        stance=0,
    )


def _edit_url(affiliation) -> str:
    return reverse("stakeholders:affiliation-edit", args=[affiliation.pk])


def _post(affiliation, rows=(), initial=0, **extra) -> dict:
    """The edit form as the browser sends it: person, affiliation, and the override rows."""
    person = affiliation.person
    data = {
        "person-title": person.title,
        "person-first_name": person.first_name,
        "person-last_name": person.last_name,
        "person-email": person.email,
        "person-preferred_language": person.preferred_language,
        "aff-position_title": affiliation.position_title,
        "aff-function": affiliation.function,
        "aff-dmu_role": affiliation.dmu_role,
        "aff-influence": str(affiliation.influence),
        "aff-stance": str(affiliation.stance),
        "ovr-TOTAL_FORMS": str(len(rows)),
        "ovr-INITIAL_FORMS": str(initial),
        "ovr-MIN_NUM_FORMS": "0",
        "ovr-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"ovr-{i}-{key}"] = value
    data.update(extra)
    return data


def test_the_edit_page_shows_an_empty_override_row(cast, login, pharmacist):
    from tests.factories import ProductFactory

    ProductFactory(therapeutic_area="Oncology")
    ProductFactory(therapeutic_area="Oncology")
    ProductFactory(therapeutic_area="Immunology")
    response = login(cast.kam_a).get(_edit_url(pharmacist))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Role or stance per therapeutic area (optional)" in content
    assert 'name="ovr-TOTAL_FORMS" value="1"' in content
    assert 'name="ovr-0-therapeutic_area"' in content
    assert 'name="ovr-0-DELETE"' in content
    # Product areas are offered as suggestions, so one area is spelt one way.
    assert 'list="therapeutic-areas"' in content
    assert re.findall(r'<option value="([^"]+)"></option>', content) == ["Immunology", "Oncology"]


def test_the_add_page_has_no_override_rows(cast, login):
    content = login(cast.kam_a).get(reverse("stakeholders:add", args=[cast.account_a.pk])).content.decode()
    assert "ovr-TOTAL_FORMS" not in content


def test_an_override_is_saved_with_the_person_and_shown_on_the_dmu(cast, login, pharmacist):
    client = login(cast.kam_a)
    rows = [
        {"therapeutic_area": "Oncology", "dmu_role": "influencer", "stance": "1"},
        {"therapeutic_area": "Haematology", "dmu_role": "", "stance": "-1"},
        {"therapeutic_area": "", "dmu_role": "", "stance": ""},  # the empty extra row is ignored
    ]
    response = client.post(_edit_url(pharmacist), _post(pharmacist, rows, **{"aff-position_title": "Head pharmacist"}))
    assert response.status_code == 302
    pharmacist.refresh_from_db()
    assert pharmacist.position_title == "Head pharmacist"
    saved = {o.therapeutic_area: (o.dmu_role, o.stance) for o in pharmacist.overrides.all()}
    assert saved == {"Oncology": ("influencer", 1), "Haematology": ("", -1)}
    assert pharmacist.overrides.get(therapeutic_area="Oncology").history.first().history_user == cast.kam_a

    content = client.get(reverse("stakeholders:dmu", args=[cast.account_a.pk])).content.decode()
    lines = [" ".join(strip_tags(m).split()) for m in re.findall(r'class="[^"]*kam-dmu-override">(.*?)</div>', content)]
    assert lines == ["Haematology: unfavourable", "Oncology: influencer · favourable"]


def test_overrides_are_changed_and_removed(cast, login, pharmacist):
    onc = AffiliationOverride.objects.create(affiliation=pharmacist, therapeutic_area="Oncology", stance=1)
    haem = AffiliationOverride.objects.create(affiliation=pharmacist, therapeutic_area="Haematology", dmu_role="user")
    rows = [
        {"id": str(onc.pk), "affiliation": str(pharmacist.pk), "therapeutic_area": "Oncology", "dmu_role": "buyer"},
        # Removing a row needs no role or stance.
        {"id": str(haem.pk), "affiliation": str(pharmacist.pk), "therapeutic_area": "Haematology", "DELETE": "on"},
    ]
    response = login(cast.kam_a).post(_edit_url(pharmacist), _post(pharmacist, rows, initial=2))
    assert response.status_code == 302
    assert list(pharmacist.overrides.values_list("therapeutic_area", "dmu_role", "stance")) == [
        ("Oncology", "buyer", None)
    ]


def test_save_and_add_another_area_returns_to_the_edit_page(cast, login, pharmacist):
    rows = [{"therapeutic_area": "Oncology", "stance": "2"}]
    response = login(cast.kam_a).post(_edit_url(pharmacist), _post(pharmacist, rows, more_areas="1"))
    assert response.status_code == 302
    assert response["Location"] == _edit_url(pharmacist) + "#overrides"
    assert pharmacist.overrides.get().stance == 2


@pytest.mark.parametrize(
    "rows,message",
    [
        (
            [{"therapeutic_area": "Oncology", "stance": "1"}, {"therapeutic_area": "Oncology", "dmu_role": "user"}],
            "This therapeutic area is listed twice.",
        ),
        (
            [{"therapeutic_area": "Oncology", "stance": "1"}, {"therapeutic_area": "oncology", "dmu_role": "user"}],
            "This therapeutic area is listed twice.",
        ),
        ([{"therapeutic_area": "Oncology", "stance": "7"}], "Select a valid choice"),
        ([{"therapeutic_area": "Oncology", "stance": "maybe"}], "Select a valid choice"),
        ([{"therapeutic_area": "Oncology", "dmu_role": "oracle"}], "Select a valid choice"),
        ([{"therapeutic_area": "Oncology"}], "Set a role or a stance, or remove the row."),
        ([{"therapeutic_area": "", "dmu_role": "influencer"}], "This field is required."),
        ([{"therapeutic_area": "x" * 101, "stance": "1"}], "at most 100 characters"),
    ],
)
def test_bad_overrides_are_refused_and_nothing_is_saved(cast, login, pharmacist, rows, message):
    data = _post(pharmacist, rows, **{"person-first_name": "Marianne"})
    response = login(cast.kam_a).post(_edit_url(pharmacist), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert "Please correct the highlighted fields; what you typed is kept." in content
    # What was typed stays on the page, in the person form and in the rows.
    assert 'value="Marianne"' in content
    if rows[0]["therapeutic_area"]:
        assert f'name="ovr-0-therapeutic_area" value="{rows[0]["therapeutic_area"]}"' in content
    # All or nothing: the person is not renamed when an override is refused.
    assert not AffiliationOverride.objects.exists()
    assert Person.objects.get(pk=pharmacist.person_id).first_name == "Maria"


def test_an_area_already_saved_cannot_be_added_again(cast, login, pharmacist):
    onc = AffiliationOverride.objects.create(affiliation=pharmacist, therapeutic_area="Oncology", stance=1)
    rows = [
        {"id": str(onc.pk), "affiliation": str(pharmacist.pk), "therapeutic_area": "Oncology", "stance": "1"},
        {"therapeutic_area": "ONCOLOGY", "dmu_role": "user"},
    ]
    response = login(cast.kam_a).post(_edit_url(pharmacist), _post(pharmacist, rows, initial=1))
    assert response.status_code == 400
    assert "This therapeutic area is listed twice." in response.content.decode()
    assert pharmacist.overrides.count() == 1


def test_two_rows_trading_areas_is_a_clear_error_not_a_crash(cast, login, pharmacist):
    onc = AffiliationOverride.objects.create(affiliation=pharmacist, therapeutic_area="Oncology", stance=1)
    haem = AffiliationOverride.objects.create(affiliation=pharmacist, therapeutic_area="Haematology", stance=-1)
    rows = [
        {"id": str(onc.pk), "affiliation": str(pharmacist.pk), "therapeutic_area": "Haematology", "stance": "1"},
        {"id": str(haem.pk), "affiliation": str(pharmacist.pk), "therapeutic_area": "Oncology", "stance": "-1"},
    ]
    data = _post(pharmacist, rows, initial=2, **{"person-first_name": "Marianne"})
    response = login(cast.kam_a).post(_edit_url(pharmacist), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was saved: two rows would have the same therapeutic area." in content
    assert 'value="Haematology"' in content
    onc.refresh_from_db()
    assert onc.therapeutic_area == "Oncology"
    assert Person.objects.get(pk=pharmacist.person_id).first_name == "Maria"


def test_person_and_override_errors_are_shown_together(cast, login, pharmacist):
    rows = [{"therapeutic_area": "Oncology"}]
    response = login(cast.kam_a).post(_edit_url(pharmacist), _post(pharmacist, rows, **{"person-email": "nope"}))
    assert response.status_code == 400
    content = response.content.decode()
    assert "valid email" in content
    assert "Set a role or a stance, or remove the row." in content


def test_a_post_without_the_override_rows_is_refused(cast, login, pharmacist):
    data = {k: v for k, v in _post(pharmacist).items() if not k.startswith("ovr-")}
    response = login(cast.kam_a).post(_edit_url(pharmacist), data)
    assert response.status_code == 400
    assert "ManagementForm data is missing" in response.content.decode()


def test_overrides_are_saved_in_the_same_transaction(cast, login, pharmacist, monkeypatch):
    def broken_save(self, commit=True):
        raise RuntimeError("database went away")

    monkeypatch.setattr(AffiliationOverrideFormSet, "save", broken_save)
    rows = [{"therapeutic_area": "Oncology", "stance": "1"}]
    with pytest.raises(RuntimeError):
        login(cast.kam_a).post(_edit_url(pharmacist), _post(pharmacist, rows, **{"person-first_name": "Marianne"}))
    assert Person.objects.get(pk=pharmacist.person_id).first_name == "Maria"


def test_other_accounts_overrides_are_out_of_reach(cast, login, pharmacist):
    rows = [{"therapeutic_area": "Oncology", "stance": "1"}]
    assert login(cast.kam_c).post(_edit_url(pharmacist), _post(pharmacist, rows)).status_code == 404
    assert not AffiliationOverride.objects.exists()


def test_override_areas_are_escaped_on_the_dmu(cast, login, pharmacist):
    AffiliationOverride.objects.create(affiliation=pharmacist, therapeutic_area="<b>Onco</b>", stance=1)
    content = login(cast.kam_a).get(reverse("stakeholders:dmu", args=[cast.account_a.pk])).content.decode()
    assert "<b>Onco</b>" not in content
    assert "&lt;b&gt;Onco&lt;/b&gt;: favourable" in content


@pytest.mark.parametrize("page", ["stakeholders:dmu", "stakeholders:xray"])
def test_query_counts_stay_flat_with_overrides(cast, login, page, django_assert_max_num_queries):
    from tests.factories import AccountFactory

    small, large = AccountFactory(owner=cast.kam_a), AccountFactory(owner=cast.kam_a)
    for account, n in ((small, 5), (large, 60)):
        people = _build_dmu(account, cast.kam_a, n)
        for i, a in enumerate(people[::2]):
            AffiliationOverride.objects.create(affiliation=a, therapeutic_area="Oncology", stance=1)
            if i % 2:
                AffiliationOverride.objects.create(affiliation=a, therapeutic_area="Haematology", dmu_role="user")
    client = login(cast.kam_a)
    counts = []
    for account in (small, large):
        with django_assert_max_num_queries(12) as ctx:
            response = client.get(reverse(page, args=[account.pk]))
            assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    if page == "stakeholders:dmu":
        assert response.content.decode().count("kam-dmu-override") == 45
