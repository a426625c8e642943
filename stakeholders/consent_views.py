"""Recording and withdrawing a person's survey consent, from the person page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stakeholders.consent import consent_record, consent_withdraw, may_record_consent
from stakeholders.consent_forms import ConsentForm
from stakeholders.models import Person, SurveyConsent
from stakeholders.selectors import people_visible_to


def _person(request: HttpRequest, pk: int) -> Person:
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    if not may_record_consent(request.user, person):
        raise PermissionDenied(_("Consent is recorded by the owner of one of the person's accounts or their manager."))
    return person


@login_required
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Survey consent recorded."))
            return HttpResponseRedirect(person.get_absolute_url() + "#consent")
    status = 400 if request.method == "POST" else 200
    return render(request, "stakeholders/consent_form.html", {"form": form, "person": person}, status=status)


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(SurveyConsent.objects.filter(person__in=people_visible_to(request.user)), pk=pk)
    person = _person(request, consent.person_id)
    if consent_withdraw(consent=consent):
        messages.success(request, _("Consent withdrawn: no further survey will reach this person through it."))
    else:
        messages.info(request, _("This consent had been withdrawn already."))
    return HttpResponseRedirect(person.get_absolute_url() + "#consent")
