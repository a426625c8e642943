"""The reminder digest's preference page: daily, or weekly on a chosen day."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.models import DigestPreference


class DigestPreferenceForm(forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["frequency", "weekday"]
        widgets = {"frequency": forms.RadioSelect}
        help_texts = {"weekday": gettext_lazy("Only used for the weekly digest.")}


@login_required
def digest_settings(request: HttpRequest) -> HttpResponse:
    # The row is created on the first save only: no row means the default (daily).
    preference = DigestPreference.objects.filter(user=request.user).first() or DigestPreference(user=request.user)
    form = DigestPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your digest settings are saved."))
        return redirect("plans:digest-settings")
    # A refusal is a 400, as on every form; an empty POST binds nothing and just shows the page.
    return render(request, "plans/digest_settings.html", {"form": form}, status=400 if form.is_bound else 200)
