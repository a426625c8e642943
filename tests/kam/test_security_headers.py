"""Headers on every page: a Content-Security-Policy without inline scripts, no-store behind the login."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from stakeholders.surveys import views as survey_views
from stakeholders.surveys.tokens import invitation_token
from tests.survey_factories import InvitationFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.fixture
def signed_in(client, cast):
    client.force_login(cast.kam_a)
    return client


# Content-Security-Policy ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "accounts:list", "login"])
def test_app_pages_allow_scripts_from_our_own_files_only(client, cast, name):
    if name != "login":
        client.force_login(cast.kam_a)
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Style sheets only from our files; only style="…" attributes are allowed inline.
    assert policy["style-src"] == ["'self'"]
    assert "script-src-attr" not in policy and "script-src-elem" not in policy


def test_the_account_page_has_the_policy(signed_in, cast):
    response = signed_in.get(cast.account_a.get_absolute_url())
    assert "'unsafe-inline'" not in _directives(response["Content-Security-Policy"])["script-src"]


def test_survey_pages_keep_their_stricter_policy(client, cast):
    invitation = InvitationFactory(account=cast.account_a, campaign__created_by=cast.head)
    response = client.get(reverse("survey:answer", args=[invitation_token(invitation)]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == survey_views.SURVEY_CSP
    assert "script-src" not in survey_views.SURVEY_CSP and "default-src 'none'" in survey_views.SURVEY_CSP


def test_htmx_is_told_not_to_inject_its_styles(signed_in):
    page = signed_in.get(reverse("home")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in page


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _page_templates():
    # E-mails are not pages: no browser applies our policy to them.
    return [p for p in TEMPLATES.rglob("*.html") if "emails" not in p.parts]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in _page_templates():
        text = path.read_text()
        for match in _SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{path.relative_to(TEMPLATES)}: <script{attributes}>")
        offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0).strip()}" for m in _HANDLER.finditer(text)]
    assert offenders == []


# Cache-Control ----------------------------------------------------------------------------------


def test_signed_in_pages_are_not_stored(signed_in, cast):
    for url in (reverse("home"), reverse("accounts:list"), cast.account_a.get_absolute_url()):
        response = signed_in.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url


def test_a_view_that_sets_its_own_cache_control_keeps_it(signed_in):
    response = signed_in.get(reverse("accounts:export", args=["csv"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_static_files_keep_their_caching(signed_in):
    response = signed_in.get("/static/kam/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response


def test_anonymous_pages_are_left_alone(client, db):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
