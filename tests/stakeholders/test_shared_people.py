"""A person affiliated with accounts of two teams: who learns, edits and erases what.

The rule is in ``stakeholders/sharing.py`` and docs/people-across-teams.md. The cast: KAM A owns
account A (manager A's team), KAM C owns account C (manager B's team); the head sees both.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from stakeholders.models import Affiliation, Person
from stakeholders.sharing import can_edit_identity, can_erase_everywhere
from tests.factories import AccountFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory

SECRET_NAME = "Quenstedt"


@pytest.fixture
def at_c(cast) -> Person:
    """Someone known only at KAM C's account, in the other team."""
    person = PersonFactory(
        first_name="Ilse", last_name=SECRET_NAME, email="chefaerztin.onko@klinik-c.example", preferred_language="de"
    )
    AffiliationFactory(person=person, account=cast.account_c)
    return person


@pytest.fixture
def shared(cast, at_c) -> Person:
    """The same person, also at KAM A's account (linked by an administrator)."""
    AffiliationFactory(person=at_c, account=cast.account_a, position_title="Consultant")
    return at_c


def _add_post(email: str, **overrides) -> dict:
    data = {
        "person-first_name": "Someone",
        "person-last_name": "Else",
        "person-email": email,
        "person-preferred_language": "de",
        "aff-position_title": "Buyer",
        "aff-function": "procurement",
        "aff-dmu_role": "buyer",
        "aff-influence": "3",
        "aff-stance": "0",
    }
    data.update(overrides)
    return data


def _edit_post(affiliation: Affiliation, **overrides) -> dict:
    person = affiliation.person
    data = {
        "person-title": person.title,
        "person-first_name": person.first_name,
        "person-last_name": person.last_name,
        "person-email": person.email,
        "person-phone": person.phone,
        "person-preferred_language": person.preferred_language,
        "aff-position_title": affiliation.position_title,
        "aff-department": affiliation.department,
        "aff-function": affiliation.function,
        "aff-category": affiliation.category,
        "aff-dmu_role": affiliation.dmu_role,
        "aff-influence": str(affiliation.influence),
        "aff-stance": str(affiliation.stance),
        "ovr-TOTAL_FORMS": "0",
        "ovr-INITIAL_FORMS": "0",
        "ovr-MIN_NUM_FORMS": "0",
        "ovr-MAX_NUM_FORMS": "30",
    }
    data.update(overrides)
    return data


# Typing an e-mail ---------------------------------------------------------------------------------


def test_it_does_not_hand_over_someone_at_a_hidden_account_nor_name_them(cast, login, at_c):
    client = login(cast.kam_a)
    response = client.post(
        reverse("stakeholders:add", args=[cast.account_a.pk]), _add_post("Chefaerztin.Onko@klinik-c.example")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert SECRET_NAME not in content and "Ilse" not in content
    assert "ask an administrator" in content
    assert "Someone" in content  # what was typed stays
    assert not Affiliation.objects.filter(account=cast.account_a).exists()
    assert Person.objects.filter(email__iexact="chefaerztin.onko@klinik-c.example").count() == 1
    assert list(at_c.affiliations.values_list("account_id", flat=True)) == [cast.account_c.pk]


def test_it_follows_a_person_the_user_can_already_see_to_their_next_account(cast, login, at_c):
    second_c = AccountFactory(name="Account C2", owner=cast.kam_c)
    response = login(cast.kam_c).post(
        reverse("stakeholders:add", args=[second_c.pk]), _add_post("chefaerztin.onko@klinik-c.example")
    )
    assert response.status_code == 302
    assert Affiliation.objects.get(account=second_c).person == at_c


def test_an_administrator_links_a_person_across_teams(cast, login, at_c):
    response = login(cast.admin).post(
        reverse("stakeholders:add", args=[cast.account_a.pk]), _add_post("chefaerztin.onko@klinik-c.example")
    )
    assert response.status_code == 302
    assert Affiliation.objects.get(account=cast.account_a).person == at_c


# Editing ------------------------------------------------------------------------------------------


def test_it_keeps_identity_fields_of_a_shared_person_out_of_a_partial_editors_reach(cast, login, shared):
    affiliation = Affiliation.objects.get(person=shared, account=cast.account_a)
    client = login(cast.kam_a)
    page = client.get(reverse("stakeholders:affiliation-edit", args=[affiliation.pk]))
    assert "also a stakeholder at accounts you cannot see" in page.content.decode()
    response = client.post(
        reverse("stakeholders:affiliation-edit", args=[affiliation.pk]),
        _edit_post(
            affiliation,
            **{
                "person-email": "attacker@example.org",
                "person-last_name": "Changed",
                "person-phone": "+1 555",
                "person-preferred_language": "en",
                "aff-position_title": "Head of pharmacy",
            },
        ),
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    affiliation.refresh_from_db()
    assert (shared.email, shared.last_name, shared.preferred_language) == (
        "chefaerztin.onko@klinik-c.example",
        SECRET_NAME,
        "de",
    )
    assert shared.phone != "+1 555"
    assert affiliation.position_title == "Head of pharmacy"  # their own affiliation is theirs to edit
    assert not can_edit_identity(cast.kam_a, shared)


def test_a_partial_editor_may_still_record_do_not_contact(cast, login, shared):
    affiliation = Affiliation.objects.get(person=shared, account=cast.account_a)
    response = login(cast.kam_a).post(
        reverse("stakeholders:affiliation-edit", args=[affiliation.pk]),
        _edit_post(affiliation, **{"person-do_not_contact": "on"}),
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.do_not_contact is True


@pytest.mark.parametrize("role", ["head", "admin"])
def test_someone_who_sees_every_affiliation_edits_the_identity(role, cast, login, shared):
    affiliation = Affiliation.objects.get(person=shared, account=cast.account_a)
    user = getattr(cast, role)
    assert can_edit_identity(user, shared)
    response = login(user).post(
        reverse("stakeholders:affiliation-edit", args=[affiliation.pk]),
        _edit_post(affiliation, **{"person-email": "ilse@new.example"}),
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.email == "ilse@new.example"


def test_a_person_known_only_at_own_accounts_stays_editable(cast, login):
    affiliation = AffiliationFactory(account=cast.account_a)
    assert can_edit_identity(cast.kam_a, affiliation.person)
    response = login(cast.kam_a).post(
        reverse("stakeholders:affiliation-edit", args=[affiliation.pk]),
        _edit_post(affiliation, **{"person-email": "new@klinik-a.example"}),
    )
    assert response.status_code == 302
    affiliation.person.refresh_from_db()
    assert affiliation.person.email == "new@klinik-a.example"


# Erasing ------------------------------------------------------------------------------------------


def test_a_manager_with_partial_sight_cannot_erase_a_shared_person(cast, login, shared):
    client = login(cast.manager_a)
    url = reverse("stakeholders:person-erase", args=[shared.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Erase for good" not in page.content.decode()
    assert client.post(url, {"confirm": "on"}).status_code == 403
    shared.refresh_from_db()
    assert not shared.is_erased and shared.last_name == SECRET_NAME
    assert not can_erase_everywhere(cast.manager_a, shared)


def test_a_manager_with_partial_sight_removes_the_affiliations_they_see(cast, login, shared):
    client = login(cast.manager_a)
    response = client.post(reverse("stakeholders:person-erase", args=[shared.pk]), {"remove": "1", "confirm": "on"})
    assert response.status_code == 302
    shared.refresh_from_db()
    assert not shared.is_erased
    assert list(shared.affiliations.values_list("account_id", flat=True)) == [cast.account_c.pk]


@pytest.mark.parametrize("role", ["head", "admin"])
def test_someone_who_sees_every_affiliation_erases(role, cast, login, shared):
    user = getattr(cast, role)
    assert can_erase_everywhere(user, shared)
    response = login(user).post(reverse("stakeholders:person-erase", args=[shared.pk]), {"confirm": "on"})
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.is_erased
