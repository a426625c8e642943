"""The navigation bar every signed-in page draws: kept drawn per user, name, role, section and
language, so each of those changes shows at once, and the logout form keeps a fresh CSRF token."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(response) -> str:
    html = response.content.decode()
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


def _active(nav: str) -> list[str]:
    return re.findall(r'class="nav-link[^"]* active"[^>]*>(?:<i[^>]*></i> )?([^<]+)<', nav)


def test_the_active_section_follows_the_page(cast, login):
    client = login(cast.kam_a)
    assert _active(_nav(client.get(reverse("home")))) == ["Home"]
    assert _active(_nav(client.get(reverse("accounts:list")))) == ["Accounts"]
    assert _active(_nav(client.get(reverse("plans:list")))) == ["Plans"]
    assert _active(_nav(client.get(reverse("home")))) == ["Home"]


def test_each_user_sees_their_own_name_role_and_links(cast, login):
    kam = _nav(login(cast.kam_a).get(reverse("home")))
    admin = _nav(login(cast.admin).get(reverse("home")))
    assert str(cast.kam_a) in kam and str(cast.admin) not in kam and "Administration" not in kam
    assert str(cast.admin) in admin and "Administration" in admin


def test_a_new_name_and_language_show_at_once(cast, login):
    client = login(cast.kam_a)
    client.get(reverse("home"))
    cast.kam_a.last_name = "Umbenannt"
    cast.kam_a.save()
    assert "Umbenannt" in _nav(client.get(reverse("home")))
    cast.kam_a.language = "de"
    cast.kam_a.save()
    assert "Meine Aufgaben" in _nav(client.get(reverse("home")))


def test_the_logout_form_gets_a_fresh_token_on_every_page(cast, login):
    client = login(cast.kam_a)
    tokens = {
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _nav(client.get(reverse("home")))).group(1)
        for _ in range(2)
    }
    assert len(tokens) == 2  # masked anew each time, as Django draws it
