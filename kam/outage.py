"""A database outage answers 503 "try again shortly", and gives back what the user typed.

Without this a restart or failover of PostgreSQL showed a 500 and lost the form just submitted.
The page is rendered without the request's context processors: they read the session and the
user, which live in the database that is down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# The server gone, refusing connections, restarting (OperationalError) or a connection already
# closed (InterfaceError). Integrity, data and programming errors are bugs: they stay 500s.
OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# Never echoed: the token is the page's own, and a password must not travel back in a page.
NOT_RESHOWN = ("csrfmiddlewaretoken", "password", "passwd", "secret")


@dataclass(frozen=True)
class TypedField:
    name: str
    value: str

    @property
    def multiline(self) -> bool:
        return "\n" in self.value or len(self.value) > 80


def is_outage(exc: BaseException | None) -> bool:
    """A database that is down or unreachable, not a query that is wrong."""
    return isinstance(exc, OUTAGE_ERRORS)


def typed_fields(request: HttpRequest) -> list[TypedField]:
    """What the user submitted, field by field (each value of a multi-valued one), passwords left out."""
    if request.method != "POST":
        return []
    return [
        TypedField(name, value)
        for name, values in request.POST.lists()
        if not any(word in name.lower() for word in NOT_RESHOWN)
        for value in values
    ]


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 page, with the submitted form re-shown to send again to the same address."""
    fields = typed_fields(request)
    # The public survey pages are exempt from CSRF and set no cookie: the page sets none either.
    view = getattr(getattr(request, "resolver_match", None), "func", None)
    needs_token = bool(fields) and not getattr(view, "csrf_exempt", False)
    context = {
        "fields": fields,
        "action": request.get_full_path(),
        # From the CSRF cookie, not the session: it works while the database is down.
        "csrf_token": get_token(request) if needs_token else "",
        "retry_after": RETRY_AFTER_SECONDS,
    }
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a database outage inside a view into the 503 page (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        logger.warning("Database unavailable on %s %s: %s", request.method, request.path, type(exception).__name__)
        return outage_response(request)
