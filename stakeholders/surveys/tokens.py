"""Survey links: the token in an invitation's URL, derived from the server secret and never stored."""

from __future__ import annotations

import hashlib
import hmac
import logging
from base64 import urlsafe_b64encode
from functools import lru_cache

from django.conf import settings
from django.urls import reverse

from stakeholders.models import (
    SurveyInvitation,
)

logger = logging.getLogger(__name__)


def _mac(invitation_id: int) -> str:
    """An HMAC of the server secret and the invitation: 192 bits, derived, never stored.

    Reminders and re-sends carry the same link; a copy of the database alone reveals no working
    link, because the secret is not in it.
    """
    digest = hmac.digest(_mac_key(settings.SECRET_KEY), str(invitation_id).encode(), "sha256")
    return urlsafe_b64encode(digest[:24]).decode().rstrip("=")


@lru_cache(maxsize=4)
def _mac_key(secret: str) -> bytes:
    # Derived once per secret (tests change the secret; a rotated one gets its own key).
    return hashlib.sha256(("kam.survey-invitation:" + secret).encode()).digest()


def invitation_token(invitation: SurveyInvitation) -> str:
    return f"{invitation.pk}-{_mac(invitation.pk)}"


def invitation_id(token: str) -> int | None:
    """The id of the invitation a token names, or None; constant-time, and silent about why."""
    head, _sep, mac = token.partition("-")
    # ASCII only: "¹".isdigit() holds but int() refuses it, and compare_digest refuses non-ASCII text.
    if not (head.isascii() and head.isdigit()) or len(head) > 12 or not mac or not mac.isascii():
        return None
    if not hmac.compare_digest(mac, _mac(int(head))):
        return None
    return int(head)


def survey_url(invitation: SurveyInvitation, *, score: int | None = None) -> str:
    url = settings.SITE_URL.rstrip("/") + reverse("survey:answer", args=[invitation_token(invitation)])
    return f"{url}?score={score}" if score else url


def opt_out_url(invitation: SurveyInvitation) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("survey:opt-out", args=[invitation_token(invitation)])
