"""The user's own settings page: the app's language, the reminder digest (daily, or weekly on a
chosen day), and the secret link of their calendar feed (renewed or revoked by a button each)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.models import CalendarFeedToken, User
from plans.models import DigestPreference


class DigestPreferenceForm(forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["frequency", "weekday", "plan_news"]
        widgets = {"frequency": forms.RadioSelect, "plan_news": forms.RadioSelect}
        help_texts = {"weekday": gettext_lazy("Only used for the weekly digest.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A post without it (an older page, a script) keeps what was chosen.
        self.fields["plan_news"].required = False

    def clean_plan_news(self) -> str:
        return self.cleaned_data.get("plan_news") or self.instance.plan_news


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": gettext_lazy("Language")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The browser's language")), *settings.LANGUAGES]


@login_required
def digest_settings(request: HttpRequest) -> HttpResponse:
    # The row is created on the first save only: no row means the default (daily).
    preference = DigestPreference.objects.filter(user=request.user).first() or DigestPreference(user=request.user)
    form = DigestPreferenceForm(request.POST or None, instance=preference)
    # A post without the language field (an older page, a script) leaves the language as it is.
    language_data = request.POST if "language" in request.POST else None
    language_form = LanguageForm(language_data, instance=request.user)
    if form.is_bound and form.is_valid() and (language_data is None or language_form.is_valid()):
        form.save()
        if language_data is not None:
            language_form.save()
            # The next page speaks the new language; this message already does.
            translation.activate(request.user.language or translation.get_language_from_request(request))
        messages.success(request, _("Your settings are saved."))
        return redirect("plans:digest-settings")
    # A refusal is a 400, as on every form; an empty POST binds nothing and just shows the page.
    context = {
        "form": form,
        "language_form": language_form,
        "calendar_feed": CalendarFeedToken.objects.filter(user=request.user).first(),
    }
    return render(request, "plans/digest_settings.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def calendar_feed_renew(request: HttpRequest) -> HttpResponse:
    """A new secret link for the user's calendar feed (the old one stops working), shown once on
    this answer: only its digest is kept, and a redirect would carry it through the session."""
    secret = CalendarFeedToken.objects.renew(request.user)
    feed_url = settings.SITE_URL.rstrip("/") + reverse("calendar-feed", args=[secret])
    return render(request, "plans/calendar_feed_link.html", {"feed_url": feed_url})


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    CalendarFeedToken.objects.revoke(request.user)
    messages.success(request, _("Your calendar link is revoked; calendars subscribed to it get nothing more."))
    return redirect("plans:digest-settings")
