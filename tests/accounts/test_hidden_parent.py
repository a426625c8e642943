"""Editing an account whose parent the editor cannot see keeps that parent, unnamed, unless the
editor explicitly chooses another (one they can see) or none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.test_forms import VALID
from tests.factories import AccountFactory


@pytest.fixture
def child(cast):
    """KAM A's hospital, a member of a group that belongs to KAM C (another team)."""
    group = AccountFactory(name="Verbund Verborgen", owner=cast.kam_c)
    return AccountFactory(name="Klinikum Kind", owner=cast.kam_a, parent=group)


def _edit(client, child, **changes):
    data = {**VALID, "name": child.name, "owner": child.owner_id, **changes}
    return client.post(reverse("accounts:edit", args=[child.pk]), data)


def test_the_form_offers_the_hidden_parent_unnamed_and_selected(cast, login, child):
    content = login(cast.kam_a).get(reverse("accounts:edit", args=[child.pk])).content.decode()
    assert "Verbund Verborgen" not in content
    assert f'<option value="{child.parent_id}" selected>a parent account you cannot see</option>' in content


def test_saving_without_touching_the_parent_keeps_it(cast, login, child):
    group = child.parent
    assert _edit(login(cast.kam_a), child, parent=group.pk, city="Neustadt").status_code == 302
    child.refresh_from_db()
    assert child.parent == group and child.city == "Neustadt"


def test_the_editor_may_choose_a_parent_they_see_instead(cast, login, child):
    mine = AccountFactory(name="Verbund Offen", owner=cast.kam_a)
    assert _edit(login(cast.kam_a), child, parent=mine.pk).status_code == 302
    child.refresh_from_db()
    assert child.parent == mine


def test_another_hidden_account_is_still_refused(cast, login, child):
    other_hidden = AccountFactory(owner=cast.kam_c)
    response = _edit(login(cast.kam_a), child, parent=other_hidden.pk)
    assert response.status_code == 400
    child.refresh_from_db()
    assert child.parent.name == "Verbund Verborgen"


def test_the_account_list_does_not_name_a_parent_the_user_cannot_see(cast, login, child):
    content = login(cast.kam_a).get(reverse("accounts:list")).content.decode()
    assert "Klinikum Kind" in content and "Verbund Verborgen" not in content
    assert "a parent account you cannot see" in content
    # Whoever sees the group is told its name.
    assert "Verbund Verborgen" in login(cast.admin).get(reverse("accounts:list")).content.decode()


def test_the_account_page_names_a_hidden_parent_only_as_hidden(cast, login, child):
    content = login(cast.kam_a).get(child.get_absolute_url()).content.decode()
    assert "Verbund Verborgen" not in content
    assert "a parent account you cannot see" in content


def test_the_account_page_links_a_parent_the_user_sees(cast, login):
    group = AccountFactory(name="Verbund Offen", owner=cast.kam_a)
    child = AccountFactory(name="Klinikum Kind", owner=cast.kam_a, parent=group)
    content = login(cast.kam_a).get(child.get_absolute_url()).content.decode()
    assert f'<a href="{group.get_absolute_url()}">Verbund Offen</a>' in content
    assert "a parent account you cannot see" not in content


def test_an_account_without_parent_shows_no_parent_crumb(cast, login):
    lone = AccountFactory(name="Klinikum Allein", owner=cast.kam_a)
    content = login(cast.kam_a).get(lone.get_absolute_url()).content.decode()
    assert "a parent account you cannot see" not in content
