"""The invitation and reminder e-mails: rendered once per batch, each recipient filled in."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from stakeholders.models import (
    SurveyInvitation,
)
from stakeholders.surveys.tokens import invitation_token

logger = logging.getLogger(__name__)


def invitation_language(invitation: SurveyInvitation) -> str:
    """The language of the e-mail and of the survey pages behind it: the one the person was
    invited in, if the survey offers it, else English."""
    offered = invitation.campaign.survey.languages.split(",")
    return invitation.language if invitation.language in offered else "en"


class _Sentinel:
    """Stands in for the recipient while the mail templates are rendered once for many of them.

    Letters and digits only, so escaping leaves it intact; each rendering gets a fresh random
    marker, so no text a user typed can match it."""

    FIELDS = ("name", "account", "token")

    def __init__(self) -> None:
        self.marker = f"kammerge{secrets.token_hex(8)}"

    def __getitem__(self, field: str) -> str:
        return f"{self.marker}{field}{self.marker}"


def _mail_templates(invitation: SurveyInvitation, language: str, reminder: bool) -> tuple[_Sentinel, str, str, str]:
    """Subject, text and HTML for every invitation of this survey, language, kind and expiry, with
    markers where each recipient's details go. Rendering the Django templates costs more than all
    the rest of an e-mail, and a campaign sends the same ones thousands of times."""
    survey = invitation.campaign.survey
    sentinel = _Sentinel()
    prefix = settings.SITE_URL.rstrip("/")
    answer = prefix + reverse("survey:answer", args=[sentinel["token"]])
    context = {
        "language": language,
        "company": settings.COMPANY_NAME,
        "account": sentinel["account"],
        "name": sentinel["name"],
        "intro": survey.text("intro_text", language),
        "question": survey.text("csat_question", language),
        "scores": [(n, f"{answer}?score={n}") for n in range(1, 6)],
        "survey_url": answer,
        "opt_out_url": prefix + reverse("survey:opt-out", args=[sentinel["token"]]),
        "expires_on": invitation.expires_on,
        "reminder": reminder,
    }
    # A template, like the bodies, so that the survey's catalog holds every string the customer
    # reads. One line; not split() on all whitespace, which would turn French no-break spaces.
    subject = "".join(render_to_string("emails/survey_invitation_subject.txt", context).splitlines()).strip()
    text = render_to_string("emails/survey_invitation.txt", context)
    html = render_to_string("emails/survey_invitation.html", context)
    return sentinel, subject, text, html


def build_email(
    invitation: SurveyInvitation, *, reminder: bool = False, templates: dict | None = None
) -> EmailMultiAlternatives:
    """The invitation or reminder, subject and both bodies in ``invitation_language``. Pass one
    ``templates`` dict for a whole batch, so each template is rendered once, not once per e-mail."""
    language = invitation_language(invitation)
    key = (invitation.campaign.survey_id, language, reminder, invitation.expires_on)
    rendered = templates.get(key) if templates is not None else None
    if rendered is None:
        with translation.override(language):
            rendered = _mail_templates(invitation, language, reminder)
        if templates is not None:
            templates[key] = rendered
    sentinel, subject, text, html = rendered
    values = {
        "name": invitation.person.salutation_name,
        "account": invitation.account.name,
        "token": invitation_token(invitation),
    }
    for field in _Sentinel.FIELDS:
        subject = subject.replace(sentinel[field], "".join(values[field].splitlines()))
        text = text.replace(sentinel[field], values[field])
        html = html.replace(sentinel[field], escape(values[field]))
    message_id = invitation.message_id if not reminder else f"<survey-reminder-{invitation.pk}@kam-planner>"
    unsubscribe = settings.SITE_URL.rstrip("/") + reverse("survey:opt-out", args=[values["token"]])
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.person.email],
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(html, "text/html")
    return email
