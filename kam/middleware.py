"""Middleware for the signed-in part of the app: idle logout and no caching of personal pages."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext

LAST_SEEN = "kam_last_seen"
# The last-seen time is written at most this often (seconds): the timeout is then up to this much
# late, and a busy user's session row is written about once a minute instead of on every request
# (which is what SESSION_SAVE_EVERY_REQUEST would cost).
TOUCH_EVERY = 60


def _signed_in(request: HttpRequest) -> bool:
    """Whether the request comes from a signed-in user; False while the database is away, so that
    the view's own outage handling (kam.outage) answers with its 503 and the typed form, rather
    than this middleware with a 500."""
    try:
        return request.user.is_authenticated
    except DatabaseError:
        return False


class IdleTimeoutMiddleware:
    """Logs a user out after ``SESSION_IDLE_TIMEOUT`` seconds without a request.

    The session keeps the time of the last request (to the minute); a request that comes later
    than the timeout ends the session and sends the user to the login page with a message saying
    why. ``SESSION_COOKIE_AGE`` still caps a session's total life. Place after the authentication
    and message middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        timeout = settings.SESSION_IDLE_TIMEOUT
        now = int(time.time())
        if timeout and _signed_in(request):
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
                messages.info(
                    request,
                    ngettext(
                        "You were logged out after %(minutes)d minute without activity. Please log in again.",
                        "You were logged out after %(minutes)d minutes without activity. Please log in again.",
                        timeout // 60,
                    )
                    % {"minutes": timeout // 60},
                )
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        # After the view; sessions from before this middleware get their first time here.
        if timeout and _signed_in(request):
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is None or now - last_seen >= TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return response


def start_idle_clock(sender, request: HttpRequest, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the login starts the clock, in the session write it causes anyway.

    Connected in ``KamConfig.ready``, as Django connects its own ``update_last_login``.
    """
    if getattr(request, "session", None) is not None:
        request.session[LAST_SEEN] = int(time.time())


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user that sets no caching itself.

    Pages behind the login show accounts, people, revenue and plans: no browser history cache or
    shared proxy should keep a copy after the user has left (a shared computer, a back button after
    logout). Responses that set their own Cache-Control (the export downloads, the survey pages) are
    left as they are; static files are served by whitenoise before this middleware runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if hasattr(request, "user") and _signed_in(request) and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class UserLanguageMiddleware:
    """A signed-in user's chosen language (``User.language``) for the request, over the browser's.

    ``LocaleMiddleware`` runs before authentication and picks the language from the browser's
    Accept-Language header; this one, after authentication, switches to the user's own choice when
    they made one. Chosen over Django's language cookie because the choice then follows the user to
    every browser at once and never outlives a logout on a shared computer. The user row is the one
    authentication loads anyway: no query more. The survey pages activate their invitation's
    language themselves, later, in the view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _signed_in(request):
            language = request.user.language
            if language and language != getattr(request, "LANGUAGE_CODE", None):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
