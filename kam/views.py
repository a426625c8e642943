"""Cross-cutting views: home, login, people and handover, error pages."""

from __future__ import annotations

import sys

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kam import outage, status


class LoginForm(AuthenticationForm):
    """Django's login form with its username length enforced. Django sets the field's max_length
    after building it, so no validator checked it: a username of any length reached
    ``authenticate()``, and django-axes' 255-character column for failed attempts answered a
    longer one with a 500."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Each part's state as JSON, for a load balancer and for people: 503 only when the database,
    without which no page works, is down; a late beat or a missing worker is reported, not fatal."""
    checks = status.report()
    database_up = checks["database"].ok
    everything_up = all(check.ok for check in checks.values())
    body = {"status": "ok" if everything_up else ("degraded" if database_up else "down")}
    body.update({name: check.as_json() for name, check in checks.items()})
    response = JsonResponse(body, status=200 if database_up else 503)
    response["Cache-Control"] = "no-store"
    return response


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # A database outage outside a view (in a middleware) is a 503 all the same; Django calls
    # this handler while handling the exception, so it is the one in sys.exc_info().
    if outage.is_outage(sys.exc_info()[1]):
        return outage.outage_response(request)
    # No context processors beyond the basics: the database may be what failed.
    return render(request, "500.html", status=500)
