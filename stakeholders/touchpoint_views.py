"""Logging a touchpoint at an account, and a touchpoint's page. Accounts come from
``accounts_visible_to`` and touchpoints from ``touchpoints_visible_to``; anything else is a 404.
What a medical touchpoint says is shown only to those the firewall lets read it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kam import compliance
from stakeholders import firewalled, services
from stakeholders.forms import TouchpointForm, TransferOfValueForm
from stakeholders.selectors import can_read_touchpoint, touchpoints_visible_to
from stakeholders.views import visible_account


@login_required
def touchpoint_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_account(request, pk)
    initial = {"date": timezone.localdate(), "participants": [request.user.pk]}
    person_id = request.GET.get("person", "")
    # ASCII digits only, and no longer than an id: "²".isdigit() holds and int() refuses it (a 500).
    if person_id.isascii() and person_id.isdigit() and len(person_id) < 10:
        initial["stakeholders"] = [int(person_id)]
    form = TouchpointForm(
        request.POST if request.method == "POST" else None, initial=initial, account=account, user=request.user
    )
    form.instance.account = account
    tov = TransferOfValueForm(request.POST if request.method == "POST" else None, prefix="tov", account=account)
    tov_given = request.method == "POST" and tov.has_data()
    if request.method == "POST" and form.is_valid() and (not tov_given or tov.is_valid()):
        with transaction.atomic():
            touchpoint = services.touchpoint_log(
                touchpoint=form.instance,
                participants=list(form.cleaned_data["participants"]),
                people=list(form.cleaned_data["stakeholders"]),
                by=request.user,
            )
            if tov_given:
                tov.instance.touchpoint = touchpoint
                tov.save()
            compliance.confirmations_record(
                by=request.user,
                items=[(form, touchpoint)],
                url=reverse("stakeholders:touchpoint", args=[touchpoint.pk]),
            )
        messages.success(request, _("Touchpoint logged."))
        back = request.POST.get("next") or ""
        # Django's own check: "/\\evil.example" passes a startswith("/") test and leaves the site.
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(reverse("stakeholders:dmu", args=[account.pk]))
    if request.method == "POST" and not tov_given:
        # No transfer was given: the optional section shows what was typed in it, not the errors
        # of a transfer nobody meant to record (the template asking for them validated it).
        tov = TransferOfValueForm(prefix="tov", account=account, initial={name: tov[name].data for name in tov.fields})
    return render(
        request,
        "stakeholders/touchpoint_form.html",
        {
            "account": account,
            "form": form,
            "tov": tov,
            "next": request.GET.get("next", ""),
            "patient_data": compliance.page_confirmation(request.POST, [form]),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def touchpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    touchpoint = get_object_or_404(
        touchpoints_visible_to(request.user)
        .select_related("account", "logged_by")
        .prefetch_related("participants", "stakeholders", "transfers"),
        pk=pk,
    )
    return render(
        request,
        "stakeholders/touchpoint_detail.html",
        {
            "t": touchpoint,
            "readable": can_read_touchpoint(request.user, touchpoint),
            "participants_shown": firewalled.participants_shown(request.user, touchpoint),
        },
    )
