"""The dashboard's filter fields are drawn once per what they show (kam/portfolio/views.py,
``DashboardFilterForm.drawn_key``): one user's choices never reach another user's page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("fresh_cache")


def owners_offered(client, **query) -> list[str]:
    html = client.get(reverse("home"), query).content.decode()
    select = re.search(r'<select name="owner".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d+)"', select)


def test_each_scope_gets_its_own_people(cast, login):
    everyone = owners_offered(login(cast.admin))
    assert str(cast.kam_c.pk) in everyone and str(cast.kam_a.pk) in everyone
    # Drawn for the administrator first, and still only the manager's own team for the manager.
    assert set(owners_offered(login(cast.manager_a))) == {str(cast.kam_a.pk), str(cast.kam_b.pk)}
    assert owners_offered(login(cast.kam_a)) == [str(cast.kam_a.pk)]


def test_the_chosen_filter_and_a_renamed_person_are_drawn_anew(cast, login):
    client = login(cast.admin)
    html = client.get(reverse("home")).content.decode()
    assert not re.search(rf'<option value="{cast.kam_c.pk}"[^>]*\bselected\b', html)
    html = client.get(reverse("home"), {"owner": cast.kam_c.pk}).content.decode()
    assert re.search(rf'<option value="{cast.kam_c.pk}"[^>]*\bselected\b', html)
    cast.kam_c.first_name, cast.kam_c.last_name = "Renate", "Neu"
    cast.kam_c.save()
    assert "Renate Neu" in client.get(reverse("home")).content.decode()
