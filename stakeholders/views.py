"""DMU pages: an account's stakeholders, adding, editing and ending their affiliations, coverage,
and medical support requests. Accounts and affiliations come from ``accounts_visible_to``; anything
else is a 404. The medical/commercial firewall is applied in the selectors and here.

The person pages are in ``person_views``, touchpoints in ``touchpoint_views``, the relationship
X-ray in ``xray_views``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Account, Product
from accounts.selectors import accounts_visible_to
from kam import compliance, firewall
from stakeholders import firewalled, services
from stakeholders.forms import (
    AffiliationForm,
    AffiliationOverrideFormSet,
    CoverageForm,
    DmuFilterForm,
    PersonForm,
    SupportRequestForm,
    SupportResponseForm,
)
from stakeholders.list_exports import dmu_rows
from stakeholders.models import Affiliation, SupportRequest, SupportStatus, language_for_country
from stakeholders.selectors import coverage_for, dmu_for_account


def visible_account(request: HttpRequest, pk: int) -> Account:
    """The account ``pk`` if the user may see it (``accounts_visible_to``), else 404; for every
    stakeholder page that works on one account."""
    return get_object_or_404(accounts_visible_to(request.user).select_related("owner"), pk=pk)


def _affiliation(request: HttpRequest, pk: int) -> Affiliation:
    return get_object_or_404(
        Affiliation.objects.filter(account__in=accounts_visible_to(request.user)).select_related("person", "account"),
        pk=pk,
    )


@login_required
def account_dmu(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_account(request, pk)
    form = DmuFilterForm(request.GET or None)
    rows = dmu_rows(account, request.user, form)  # shared with the DMU export
    support = SupportRequest.objects.filter(account=account).select_related("requested_by", "responded_by", "person")[
        :10
    ]
    return render(
        request,
        "stakeholders/account_dmu.html",
        {"account": account, "rows": rows, "form": form, "support_requests": support, "tab": "dmu"},
        status=200 if form.is_valid() or not request.GET else 400,
    )


@login_required
def stakeholder_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_account(request, pk)
    person_form = PersonForm(
        request.POST if request.method == "POST" else None,
        prefix="person",
        user=request.user,
        initial={"preferred_language": language_for_country(account.country)},
    )
    affiliation_form = AffiliationForm(
        request.POST if request.method == "POST" else None, prefix="aff", account=account
    )
    firewalled.restrict_stakeholder_forms(request.user, affiliation_form)
    if request.method == "POST" and person_form.is_valid() and affiliation_form.is_valid():
        with transaction.atomic():
            affiliation = services.stakeholder_add(
                account=account, person=person_form.instance, affiliation=affiliation_form.instance, by=request.user
            )
            compliance.confirmations_record(by=request.user, items=[(affiliation_form, affiliation)])
        messages.success(request, _("%(name)s added to the DMU.") % {"name": affiliation.person})
        if "another" in request.POST:
            return HttpResponseRedirect(reverse("stakeholders:add", args=[account.pk]))
        return HttpResponseRedirect(reverse("stakeholders:dmu", args=[account.pk]))
    return render(
        request,
        "stakeholders/stakeholder_form.html",
        {
            "account": account,
            "person_form": person_form,
            "affiliation_form": affiliation_form,
            "patient_data": compliance.page_confirmation(request.POST, [affiliation_form]),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def affiliation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    affiliation = _affiliation(request, pk)
    account = affiliation.account
    person_form = PersonForm(
        request.POST if request.method == "POST" else None,
        prefix="person",
        instance=affiliation.person,
        user=request.user,
    )
    affiliation_form = AffiliationForm(
        request.POST if request.method == "POST" else None, prefix="aff", instance=affiliation, account=account
    )
    overrides = AffiliationOverrideFormSet(
        request.POST if request.method == "POST" else None, prefix="ovr", instance=affiliation
    )
    firewalled.restrict_stakeholder_forms(request.user, affiliation_form, overrides)
    # Validate all three, so every mistake is shown at once.
    if request.method == "POST" and all([person_form.is_valid(), affiliation_form.is_valid(), overrides.is_valid()]):
        try:
            with transaction.atomic():
                person_form.save()
                affiliation_form.save()
                overrides.save()
                compliance.confirmations_record(by=request.user, items=[(affiliation_form, affiliation)])
        except IntegrityError as exc:
            # Rows trading areas, or a colleague saving the same area meanwhile: the database refuses it.
            if "override" not in str(exc):
                raise
            overrides.refuse(
                _("Nothing was saved: two rows would have the same therapeutic area. Check the rows and save again.")
            )
        else:
            messages.success(request, _("Changes saved."))
            if "more_areas" in request.POST:
                return HttpResponseRedirect(
                    reverse("stakeholders:affiliation-edit", args=[affiliation.pk]) + "#overrides"
                )
            return HttpResponseRedirect(reverse("stakeholders:dmu", args=[account.pk]))
    products = Product.objects.filter(active=True).order_by("therapeutic_area")
    areas = products.values_list("therapeutic_area", flat=True).distinct()
    return render(
        request,
        "stakeholders/stakeholder_form.html",
        {
            "account": account,
            "person_form": person_form,
            "affiliation_form": affiliation_form,
            "affiliation": affiliation,
            "overrides": overrides,
            "therapeutic_areas": areas,
            "patient_data": compliance.page_confirmation(request.POST, [affiliation_form]),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def affiliation_end(request: HttpRequest, pk: int) -> HttpResponse:
    affiliation = _affiliation(request, pk)
    services.affiliation_end(affiliation=affiliation, by=request.user)
    messages.success(
        request,
        _("%(name)s is recorded as having left %(account)s.")
        % {"name": affiliation.person, "account": affiliation.account},
    )
    return HttpResponseRedirect(reverse("stakeholders:dmu", args=[affiliation.account_id]))


@login_required
def coverage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    affiliation = _affiliation(request, pk)
    form = CoverageForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.coverage_set(
            affiliation=affiliation,
            user=form.cleaned_data["user"],
            strength=form.cleaned_data["strength"],
            by=request.user,
        )
        messages.success(request, _("Coverage updated."))
        return HttpResponseRedirect(reverse("stakeholders:coverage", args=[affiliation.pk]))
    affiliation = dmu_for_account(affiliation.account, include_ended=True).get(pk=affiliation.pk)
    return render(
        request,
        "stakeholders/coverage_form.html",
        {
            "affiliation": affiliation,
            "account": affiliation.account,
            "cov": coverage_for(affiliation, request.user),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def support_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_account(request, pk)
    firewall.require(request.user, "support.raise", _("Support requests are raised by commercial colleagues."))
    form = SupportRequestForm(request.POST if request.method == "POST" else None, account=account)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.support_request_raise(request=form.instance, by=request.user)
            compliance.confirmations_record(by=request.user, items=[(form, form.instance)])
        messages.success(request, _("Support request sent to medical colleagues. They will accept or decline it."))
        return HttpResponseRedirect(reverse("stakeholders:dmu", args=[account.pk]))
    return render(
        request,
        "stakeholders/support_form.html",
        {"account": account, "form": form, "patient_data": compliance.page_confirmation(request.POST, [form])},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def support_request_respond(request: HttpRequest, pk: int) -> HttpResponse:
    support = get_object_or_404(
        SupportRequest.objects.filter(account__in=accounts_visible_to(request.user)).select_related(
            "account", "person"
        ),
        pk=pk,
    )
    firewall.require(request.user, "support.respond", _("Only medical colleagues accept or decline support requests."))
    if support.status != SupportStatus.OPEN:
        raise PermissionDenied(_("This request was answered already."))
    form = SupportResponseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.support_request_respond(
                request=support,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
                by=request.user,
            )
            compliance.confirmations_record(by=request.user, items=[(form, support)])
        messages.success(request, _("Your answer was recorded."))
        return HttpResponseRedirect(reverse("stakeholders:dmu", args=[support.account_id]))
    return render(
        request,
        "stakeholders/support_respond.html",
        {
            "support": support,
            "account": support.account,
            "form": form,
            "patient_data": compliance.page_confirmation(request.POST, [form]),
        },
        status=400 if request.method == "POST" else 200,
    )
