"""Personal API tokens: create, revoke, and the REST framework authentication that reads them.

Why our own small model rather than DRF's ``TokenAuthentication`` or django-rest-knox: DRF's keeps
one token per user, in clear text; knox hashes its tokens and allows several, but has no name and
no last-used time, which are what a user needs to tell tokens apart and revoke the stale one. The
rules here are few: a token is ``kam_`` and 43 URL-safe characters (256 random bits), sent as
``Authorization: Bearer <token>``; only its SHA-256 digest is stored, so a copy of the database
gives no working token; a revoked token, or one of a deactivated user, authenticates nobody.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from kam.models import ApiToken, User

TOKEN_PREFIX = "kam_"
# Writing the last-used time on every request would make every API read a write; once a minute
# says as much to someone deciding which token to revoke.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 20


class TooManyTokens(Exception):
    """The user has ``MAX_ACTIVE_TOKENS`` active tokens already."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row, and the secret, which is not stored and shown only once."""
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise TooManyTokens(_("Revoke a token first: at most %(n)d can be active.") % {"n": MAX_ACTIVE_TOKENS})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=secret[: len(TOKEN_PREFIX) + 4], digest=_digest(secret))
    token.full_clean()
    token.save()
    return token, secret


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke ``token`` (kept, with when, so the list shows what was revoked); idempotent."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_token(secret: str, *, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """The active user of an active token, or None; records when the token was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer kam_…``. Listed first in the settings, so an unauthenticated request
    gets a 401 with ``WWW-Authenticate: Bearer`` rather than the session's 403."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: expected “Bearer <token>”."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        found = user_for_token(secret)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return found

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Tells drf-spectacular how the token is sent (a bearer token), for the schema and docs page."""

    target_class = "kam.api_tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema) -> dict:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")
