"""The app's icon: /favicon.ico, which browsers ask for on their own, and the link in every page frame."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from stakeholders.surveys import views as survey_views
from stakeholders.surveys.tokens import invitation_token
from tests.survey_factories import InvitationFactory

ICON = "kam/favicon.svg"
LINK = f'<link rel="icon" href="{static(ICON)}" type="image/svg+xml">'

pytestmark = pytest.mark.django_db


def test_it_answers_favicon_ico_with_a_permanent_redirect_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == f"/static/{ICON}"
    assert finders.find(ICON), "the icon is a static file"


def test_the_icon_it_redirects_to_is_an_svg_image(client):
    icon = client.get(client.get("/favicon.ico")["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)


def test_it_links_the_icon_on_the_login_page_and_behind_the_login(client, cast):
    assert LINK in client.get(reverse("login")).content.decode()
    client.force_login(cast.kam_a)
    assert LINK in client.get(reverse("home")).content.decode()
    assert LINK in client.get("/no-such-page/").content.decode()


def test_it_links_the_icon_on_the_survey_pages_within_their_policy(client, cast):
    invitation = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    response = client.get(reverse("survey:answer", args=[invitation_token(invitation)]))
    assert response.status_code == 200
    assert LINK in response.content.decode()
    # Served from our own origin, which the survey's strict policy allows for images.
    assert response["Content-Security-Policy"] == survey_views.SURVEY_CSP
    assert "img-src 'self'" in survey_views.SURVEY_CSP and static(ICON).startswith("/")
