"""The user's API tokens page: create one (its secret shown once) and revoke any."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.api_tokens import TooManyTokens, api_token_create, api_token_revoke
from kam.models import ApiToken
from kam.text import CleanTextMixin


class ApiTokenForm(CleanTextMixin, forms.Form):
    name = forms.CharField(
        max_length=100, label=gettext_lazy("Name"), help_text=gettext_lazy("What the token is for, e.g. “CRM sync”.")
    )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
            except TooManyTokens as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "kam/api_tokens.html", {"form": form, "secret": secret, "tokens": tokens}, status=status)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own tokens: anyone else's is a 404.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return HttpResponseRedirect(reverse("api-tokens"))
