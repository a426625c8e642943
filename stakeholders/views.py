"""DMU pages. Accounts come from ``accounts_visible_to`` and people from ``people_visible_to``;
anything else is a 404. The medical/commercial firewall is applied in the selectors and here."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Account, Product
from accounts.selectors import accounts_visible_to
from kam import firewall
from stakeholders import firewalled, services
from stakeholders.consent import may_record_consent
from stakeholders.forms import (
    AffiliationForm,
    AffiliationOverrideFormSet,
    CoverageForm,
    DmuFilterForm,
    KolForm,
    PersonForm,
    SupportRequestForm,
    SupportResponseForm,
    TouchpointForm,
    TransferOfValueForm,
)
from stakeholders.list_exports import dmu_rows
from stakeholders.models import (
    STANCE_SHORT,
    Affiliation,
    Stance,
    SupportRequest,
    SupportStatus,
    SurveyInvitation,
)
from stakeholders.selectors import (
    can_read_touchpoint,
    coverage_for,
    decorate,
    dmu_for_account,
    people_visible_to,
    touchpoints_visible_to,
    xray_quadrant,
)


def _account(request: HttpRequest, pk: int) -> Account:
    return get_object_or_404(accounts_visible_to(request.user).select_related("owner"), pk=pk)


def _affiliation(request: HttpRequest, pk: int) -> Affiliation:
    return get_object_or_404(
        Affiliation.objects.filter(account__in=accounts_visible_to(request.user)).select_related("person", "account"),
        pk=pk,
    )


@login_required
def account_dmu(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
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
    account = _account(request, pk)
    person_form = PersonForm(request.POST if request.method == "POST" else None, prefix="person", user=request.user)
    affiliation_form = AffiliationForm(
        request.POST if request.method == "POST" else None, prefix="aff", account=account
    )
    firewalled.restrict_stakeholder_forms(request.user, affiliation_form)
    if request.method == "POST" and person_form.is_valid() and affiliation_form.is_valid():
        affiliation = services.stakeholder_add(
            account=account, person=person_form.instance, affiliation=affiliation_form.instance, by=request.user
        )
        messages.success(request, _("%(name)s added to the DMU.") % {"name": affiliation.person})
        if "another" in request.POST:
            return HttpResponseRedirect(reverse("stakeholders:add", args=[account.pk]))
        return HttpResponseRedirect(reverse("stakeholders:dmu", args=[account.pk]))
    return render(
        request,
        "stakeholders/stakeholder_form.html",
        {"account": account, "person_form": person_form, "affiliation_form": affiliation_form},
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
def touchpoint_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
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
        messages.success(request, _("Touchpoint logged."))
        back = request.POST.get("next") or ""
        # Django's own check: "/\\evil.example" passes a startswith("/") test and leaves the site.
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(reverse("stakeholders:dmu", args=[account.pk]))
    return render(
        request,
        "stakeholders/touchpoint_form.html",
        {"account": account, "form": form, "tov": tov, "next": request.GET.get("next", "")},
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


@login_required
def support_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    firewall.require(request.user, "support.raise", _("Support requests are raised by commercial colleagues."))
    form = SupportRequestForm(request.POST if request.method == "POST" else None, account=account)
    if request.method == "POST" and form.is_valid():
        services.support_request_raise(request=form.instance, by=request.user)
        messages.success(request, _("Support request sent to medical colleagues. They will accept or decline it."))
        return HttpResponseRedirect(reverse("stakeholders:dmu", args=[account.pk]))
    return render(
        request,
        "stakeholders/support_form.html",
        {"account": account, "form": form},
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
        services.support_request_respond(
            request=support,
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["note"],
            by=request.user,
        )
        messages.success(request, _("Your answer was recorded."))
        return HttpResponseRedirect(reverse("stakeholders:dmu", args=[support.account_id]))
    return render(
        request,
        "stakeholders/support_respond.html",
        {"support": support, "account": support.account, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# The relationship X-ray -------------------------------------------------------------------------

MAP_W, MAP_H, PAD = 760, 440, 50


def _map_points(rows: list[Affiliation]) -> list[dict]:
    """Place each stakeholder on the influence × stance grid; people sharing a cell fan out."""
    cells: dict[tuple[int, int], list[Affiliation]] = defaultdict(list)
    for a in rows:
        cells[(a.stance, a.influence)].append(a)
    col_w = (MAP_W - 2 * PAD) / 5
    row_h = (MAP_H - 2 * PAD) / 5
    points = []
    for (stance, influence), members in cells.items():
        cx = PAD + (stance + 2) * col_w + col_w / 2
        cy = MAP_H - PAD - (influence - 1) * row_h - row_h / 2
        per_row = 2 if len(members) > 1 else 1
        for i, a in enumerate(members):
            dx = ((i % per_row) - (per_row - 1) / 2) * (col_w / 2)
            dy = ((i // per_row) - ((len(members) - 1) // per_row) / 2) * 16
            points.append(
                {
                    "a": a,
                    "x": round(cx + dx, 1),
                    "y": round(cy + dy, 1),
                    "label": a.person.last_name[:18],
                    "covered": a.cov.covered,
                    "stale": a.stale,
                }
            )
    return points


def _org_tree(rows: list[Affiliation]) -> list[dict]:
    by_id = {a.pk: {"a": a, "children": []} for a in rows}
    roots = []
    for a in rows:
        node = by_id[a.pk]
        parent = by_id.get(a.reports_to_id)
        (parent["children"] if parent else roots).append(node)
    return roots


@login_required
def account_xray(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    rows = decorate(list(dmu_for_account(account)), request.user)
    hide_stance = firewall.hides(request.user, "affiliation.stance")
    colleagues = {}
    for a in rows:
        a.person_url = a.person.get_absolute_url()  # drawn up to three times per person: reversed once
        for c in a.cov.commercial + a.cov.medical:
            colleagues[c.user_id] = c.user
    columns = sorted(colleagues.values(), key=lambda u: (u.is_medical, u.last_name))
    matrix = []
    for a in rows:
        strengths = {c.user_id: c.strength for c in a.cov.commercial + a.cov.medical}
        matrix.append({"a": a, "cells": [strengths.get(u.pk) for u in columns]})
    col_w = (MAP_W - 2 * PAD) / 5
    row_h = (MAP_H - 2 * PAD) / 5
    return render(
        request,
        "stakeholders/account_xray.html",
        {
            "account": account,
            "rows": rows,
            "tree": _org_tree(rows),
            "columns": columns,
            "matrix": matrix,
            "show_medical_column": firewall.hides(request.user, "coverage.medical"),
            "gaps": firewalled.gaps_for(account, rows, request.user),
            # The map places people by stance: it is the stance.
            "points": [] if hide_stance else _map_points(rows),
            "show_map": not hide_stance,
            "map": {
                "w": MAP_W,
                "h": MAP_H,
                "pad": PAD,
                "mid_x": MAP_W / 2 + col_w / 2,
                "mid_y": MAP_H - PAD - 2 * row_h,
                "stances": [
                    {"x": round(PAD + (v + 2) * col_w + col_w / 2, 1), "label": STANCE_SHORT[v]}
                    for v, _l in Stance.choices
                ],
                "influences": [
                    {"y": round(MAP_H - PAD - (i - 1) * row_h - row_h / 2, 1), "label": i} for i in range(1, 6)
                ],
                "quadrants": {
                    "tl": xray_quadrant(5, -1),
                    "tr": xray_quadrant(5, 1),
                    "bl": xray_quadrant(1, -1),
                    "br": xray_quadrant(1, 1),
                },
            },
            "tab": "xray",
        },
    )
