"""A person's page, their printable visit brief and their KOL classification. People come from
``people_visible_to`` and their accounts from ``accounts_visible_to``; anything else is a 404. The
medical/commercial firewall is applied in the selectors and here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import accounts_visible_to
from kam import firewall
from stakeholders import firewalled, services
from stakeholders.consent import may_record_consent
from stakeholders.forms import KolForm
from stakeholders.models import Affiliation, SurveyInvitation
from stakeholders.selectors import can_read_touchpoint, coverage_for, people_visible_to, touchpoints_visible_to


def _timeline(request: HttpRequest, touchpoints) -> list[dict]:
    shown = firewalled.participants_shown
    return [
        {"t": t, "readable": can_read_touchpoint(request.user, t), "participants_shown": shown(request.user, t)}
        for t in touchpoints
    ]


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    visible = accounts_visible_to(request.user)
    affiliations = list(
        Affiliation.objects.filter(person=person, account__in=visible)
        .select_related("account", "reports_to__person")
        .prefetch_related("coverage__user", "overrides")
        .order_by("end_date", "-start_date")
    )
    for a in affiliations:
        a.cov = coverage_for(a, request.user)
    touchpoints = (
        touchpoints_visible_to(request.user)
        .filter(stakeholders=person)
        .select_related("account", "logged_by")
        .prefetch_related("participants")
        .order_by("-date", "-pk")[:50]
    )
    kol = None if firewall.hides(request.user, "person.kol") else getattr(person, "kol", None)
    return render(
        request,
        "stakeholders/person_detail.html",
        {
            "person": person,
            "affiliations": affiliations,
            "timeline": _timeline(request, touchpoints),
            "kol": kol,
            "can_set_kol": firewall.allows(request.user, "kol.set"),
            "survey_history": _survey_history(person, visible),
            "consents": person.consents.all(),
            "can_record_consent": may_record_consent(request.user, person),
        },
    )


def _survey_history(person, visible) -> list[dict]:
    """The person's invitations at accounts the user can see. Survey answers are commercial
    feedback, not medical exchanges, so the firewall does not hide them; but an anonymous
    campaign never shows what a person answered, so score and comment are left out here."""
    invitations = (
        SurveyInvitation.objects.filter(person=person, account__in=visible)
        .select_related("campaign", "account", "response")
        .order_by("-created_at", "-pk")[:20]
    )
    rows = []
    for i in invitations:
        response = getattr(i, "response", None)
        named = response is not None and not i.campaign.anonymous
        rows.append(
            {
                "invitation": i,
                "anonymous": i.campaign.anonymous,
                "score": response.csat_score if named else None,
                "comment": response.comment if named else "",
            }
        )
    return rows


@login_required
def person_brief(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable one-page visit brief."""
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    visible = accounts_visible_to(request.user)
    affiliations = list(
        Affiliation.objects.active()
        .filter(person=person, account__in=visible)
        .select_related("account", "reports_to__person")
    )
    touchpoints = (
        touchpoints_visible_to(request.user)
        .filter(stakeholders=person)
        .select_related("account")
        .prefetch_related("participants")
        .order_by("-date", "-pk")
    )
    follow_ups = touchpoints.filter(follow_up_date__isnull=False, follow_up_done=False).order_by("follow_up_date")
    return render(
        request,
        "stakeholders/person_brief.html",
        {
            "person": person,
            "affiliations": affiliations,
            "last_three": _timeline(request, touchpoints[:3]),
            "follow_ups": _timeline(request, follow_ups[:10]),
            "today": timezone.localdate(),
        },
    )


@login_required
def kol_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    firewall.require(request.user, "kol.set", _("Only medical colleagues classify key opinion leaders."))
    kol = getattr(person, "kol", None)
    initial = {"level": kol.level, "therapeutic_areas": kol.therapeutic_areas} if kol else {}
    form = KolForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.kol_set(person=person, by=request.user, **form.cleaned_data)
        messages.success(request, _("KOL classification saved."))
        return HttpResponseRedirect(person.get_absolute_url())
    return render(
        request,
        "stakeholders/kol_form.html",
        {"person": person, "form": form},
        status=400 if request.method == "POST" else 200,
    )
