"""CSAT survey campaign pages.

Who may do what: surveys go out in the company's name to the whole DMU, not to a KAM's hand-picked
contacts, so only managers and administrators create, preview and dispatch campaigns (a manager
only their own). Everyone sees the campaigns that reached accounts they can see, read-only, and
the figures on a campaign page count only the invitations at those accounts. A campaign someone
may not see is a 404.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AccountType
from accounts.selectors import account_access, accounts_visible_to
from kam.models import Country, User
from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    Language,
    LowScoreFollowUp,
    SurveyCampaign,
    SurveyInvitation,
)
from stakeholders.surveys import audience, dispatch, results
from stakeholders.surveys.campaign_forms import CampaignForm, FollowUpCloseForm
from stakeholders.surveys.written_answers import campaign_written_answers

PREVIEW_PAGE = 50
FAILED_SHOWN = 50


# Scope -------------------------------------------------------------------------------------------


def campaigns_visible_to(user: User) -> QuerySet[SurveyCampaign]:
    """Administrators: all. Managers: their own, and those whose invitations reached accounts they
    can see. Everyone else: those whose invitations reached accounts they can see."""
    qs = SurveyCampaign.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_administrator:
        return qs
    reached = Exists(
        SurveyInvitation.objects.filter(campaign=OuterRef("pk"), account__in=accounts_visible_to(user).values("pk"))
    )
    if user.is_manager:
        return qs.filter(Q(created_by=user) | Q(reached))
    return qs.filter(reached)


def can_run_campaigns(user: User) -> bool:
    return user.is_administrator or user.is_manager


def can_manage(user: User, campaign: SurveyCampaign) -> bool:
    return user.is_administrator or (user.is_manager and campaign.created_by_id == user.pk)


def invitations_visible_to(user: User, campaign: SurveyCampaign) -> QuerySet[SurveyInvitation]:
    invitations = SurveyInvitation.objects.filter(campaign=campaign)
    if user.is_administrator:
        return invitations
    return invitations.filter(account__in=accounts_visible_to(user).values("pk"))


def _campaign(request: HttpRequest, pk: int) -> SurveyCampaign:
    return get_object_or_404(campaigns_visible_to(request.user).select_related("survey", "created_by"), pk=pk)


def _managed_campaign(request: HttpRequest, pk: int) -> SurveyCampaign:
    campaign = _campaign(request, pk)
    if not can_manage(request.user, campaign):
        raise PermissionDenied(
            _("Surveys go out in the company's name to the whole DMU: the manager who set up a campaign runs it.")
        )
    return campaign


# Figures -----------------------------------------------------------------------------------------


def _progress(campaign: SurveyCampaign, invitations: QuerySet[SurveyInvitation]) -> dict:
    """Delivery counts in one query, the CSAT in another, and the failed rows with their error."""
    was_sent = Q(sent_at__isnull=False) | Q(status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED])
    counts = invitations.aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(status__in=[InvitationStatus.QUEUED, InvitationStatus.SENDING])),
        sent=Count("pk", filter=was_sent),
        answered=Count("response"),
        failed=Count("pk", filter=Q(status=InvitationStatus.FAILED)),
        expired_unsent=Count("pk", filter=Q(status=InvitationStatus.EXPIRED) & ~was_sent),
    )
    counts["awaiting"] = counts["sent"] - counts["answered"]
    result = results.csat(invitations)
    failed = list(
        invitations.filter(status=InvitationStatus.FAILED)
        .select_related("person", "account")
        .order_by("pk")[:FAILED_SHOWN]
    )
    total = counts["total"] or 1
    return {
        "campaign": campaign,
        "counts": counts,
        "bar": {
            key: round(100 * counts[key] / total, 1)
            for key in ("answered", "awaiting", "failed", "queued", "expired_unsent")
        },
        "result": result,
        "hide_result": campaign.anonymous and result.answers < results.ANONYMOUS_MIN_GROUP,
        "failed": failed,
        "failed_more": max(0, counts["failed"] - len(failed)),
        # Poll while rows wait for a worker; the last answer without the trigger stops htmx.
        "polling": counts["queued"] > 0,
    }


def _written(campaign: SurveyCampaign, invitations: QuerySet[SurveyInvitation], *, hidden: bool) -> dict:
    """What people wrote, per free-text question: nothing while an anonymous campaign's answers are
    suppressed (stakeholders.surveys.written_answers says how anonymous texts are shown otherwise)."""
    if hidden:
        return {"written": [], "written_hidden": True}
    return {"written": campaign_written_answers(campaign, invitations), "written_hidden": False}


def _audience_summary(campaign: SurveyCampaign) -> list[tuple[str, str]]:
    rules = campaign.audience or {}
    types, countries = dict(AccountType.choices), dict(Country.choices)
    parts = []
    if rules.get("account_types"):
        parts.append((_("Account types"), ", ".join(str(types.get(v, v)) for v in rules["account_types"])))
    if rules.get("tiers"):
        parts.append((_("Tiers"), ", ".join(rules["tiers"])))
    if rules.get("owners"):
        names = User.objects.filter(pk__in=rules["owners"]).order_by("last_name", "first_name")
        parts.append((_("Owners"), ", ".join(str(u) for u in names)))
    if rules.get("regions"):
        parts.append((_("Regions"), ", ".join(rules["regions"])))
    if rules.get("countries"):
        parts.append((_("Countries"), ", ".join(str(countries.get(v, v)) for v in rules["countries"])))
    if rules.get("accounts"):
        parts.append(
            (
                _("Scope"),
                ngettext(
                    "%(n)d account in %(creator)s's scope when the campaign was set up",
                    "%(n)d accounts in %(creator)s's scope when the campaign was set up",
                    len(rules["accounts"]),
                )
                % {"n": len(rules["accounts"]), "creator": campaign.created_by},
            )
        )
    return parts or [(_("Accounts"), _("All active key accounts"))]


# Pages -------------------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    scope = Q()
    if not request.user.is_administrator:
        scope = Q(invitations__account__in=accounts_visible_to(request.user).values("pk"))
    campaigns = (
        campaigns_visible_to(request.user)
        .select_related("survey", "created_by")
        .annotate(
            invited=Count(
                "invitations",
                filter=scope
                & (Q(invitations__sent_at__isnull=False) | Q(invitations__status__in=["sent", "answered"])),
            ),
            answered=Count("invitations__response", filter=scope),
        )
        .order_by("-send_at", "-pk")
    )
    return render(
        request,
        "stakeholders/campaign_list.html",
        {"campaigns": campaigns[:200], "can_run": can_run_campaigns(request.user)},
    )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    if not can_run_campaigns(request.user):
        raise PermissionDenied(
            _("Surveys go out in the company's name to the whole DMU: managers and administrators run them.")
        )
    form = CampaignForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, _("Campaign saved as a draft. Check who receives it, then send it."))
        return HttpResponseRedirect(reverse("stakeholders:campaign-preview", args=[campaign.pk]))
    return render(
        request,
        "stakeholders/campaign_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def campaign_preview(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    included, excluded = audience.audience(campaign)
    survey_languages = campaign.survey.languages.split(",")
    labels = dict(Language.choices)
    in_page = Paginator(included, PREVIEW_PAGE).get_page(request.GET.get("in"))
    for row in in_page:
        wanted = row.affiliation.person.preferred_language
        row.language = labels.get(wanted, wanted)
        # The e-mail falls back to English where the survey has no translation (mail.build_email).
        row.fallback = labels["en"] if wanted not in survey_languages else ""
    return render(
        request,
        "stakeholders/campaign_preview.html",
        {
            "campaign": campaign,
            "included_count": len(included),
            "excluded_count": len(excluded),
            "account_count": len({row.affiliation.account_id for row in included}),
            "reasons": Counter(row.reason for row in excluded).most_common(),
            "in_page": in_page,
            "out_page": Paginator(excluded, PREVIEW_PAGE).get_page(request.GET.get("out")),
            "audience_summary": _audience_summary(campaign),
            "can_dispatch": campaign.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED),
            "sends_now": campaign.send_at <= timezone.now(),
        },
    )


@login_required
@require_POST
def campaign_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """Send now when the send time has come, otherwise mark the campaign scheduled for the
    periodic dispatcher. The invitations are created and enqueued by ``dispatch.campaign_dispatch``."""
    campaign = _managed_campaign(request, pk)
    preview = reverse("stakeholders:campaign-preview", args=[campaign.pk])
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        messages.info(request, _("This campaign has been sent already."))
        return HttpResponseRedirect(campaign.get_absolute_url())
    if campaign.close_date < timezone.localdate():
        messages.error(
            request,
            _("This campaign closed on %(date)s; nothing was sent.")
            % {"date": date_format(campaign.close_date, "DATE_FORMAT")},
        )
        return HttpResponseRedirect(preview)
    included, _excluded = audience.audience(campaign)
    if not included:
        messages.error(request, _("Nobody would receive this campaign; nothing was sent."))
        return HttpResponseRedirect(preview)
    if campaign.send_at > timezone.now():
        campaign.status = CampaignStatus.SCHEDULED
        campaign.save(update_fields=["status"])
        messages.success(
            request,
            _("Campaign scheduled for %(when)s.")
            % {"when": date_format(timezone.localtime(campaign.send_at), "SHORT_DATETIME_FORMAT")},
        )
    else:
        count = dispatch.campaign_dispatch(campaign=campaign, by=request.user)
        messages.success(
            request,
            ngettext("%(n)d invitation is being sent.", "%(n)d invitations are being sent.", count) % {"n": count},
        )
    return HttpResponseRedirect(campaign.get_absolute_url())


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    invitations = invitations_visible_to(request.user, campaign)
    context = _progress(campaign, invitations)
    # Both breakdowns from one query; for anonymous campaigns with the groups that would reveal
    # fewer than five answers hidden, also through subtraction (results.anonymous_suppression).
    rows = results.answers_per_account(invitations)
    suppression = results.anonymous_suppression(rows) if campaign.anonymous else results.NOTHING_HIDDEN
    type_labels = dict(AccountType.choices)
    by_type = results.breakdown(rows, "account__account_type", suppression)
    for group in by_type:
        group["label"] = type_labels.get(group["key"], group["key"])
    by_owner = results.breakdown(rows, "account__owner_id", suppression)
    for group in by_owner:
        row = group["row"]
        group["label"] = (
            f"{row['account__owner__first_name']} {row['account__owner__last_name']}".strip()
            or row["account__owner__username"]
        )
    context.update(
        {
            "audience_summary": _audience_summary(campaign),
            "can_send": can_manage(request.user, campaign)
            and campaign.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED),
            "scoped": not request.user.is_administrator and campaign.created_by_id != request.user.pk,
            "by_type": by_type,
            "by_owner": by_owner,
            "min_group": results.ANONYMOUS_MIN_GROUP,
            **_written(campaign, invitations, hidden=suppression.total_hidden),
        }
    )
    return render(request, "stakeholders/campaign_detail.html", context)


@login_required
@require_GET
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone, polled by htmx every two seconds while invitations are queued."""
    campaign = _campaign(request, pk)
    return render(
        request,
        "stakeholders/campaign_progress.html",
        _progress(campaign, invitations_visible_to(request.user, campaign)),
    )


@login_required
@require_POST
def follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(
        LowScoreFollowUp.objects.filter(account__in=accounts_visible_to(request.user).values("pk")).select_related(
            "account__owner", "invitation__person", "invitation__campaign"
        ),
        pk=pk,
    )
    if not account_access(request.user, follow_up.account).edit:
        raise PermissionDenied(_("The account's owner and their managers close follow-ups."))
    back = follow_up.account.get_absolute_url() + "#surveys"
    form = FollowUpCloseForm(request.POST)
    if not form.is_valid():
        return render(
            request, "stakeholders/campaign_follow_up_close.html", {"follow_up": follow_up, "form": form}, status=400
        )
    # One conditional UPDATE: of two people closing at once, the first note stands.
    closed = LowScoreFollowUp.objects.filter(pk=follow_up.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=request.user, note=form.cleaned_data["note"]
    )
    if closed:
        messages.success(request, _("Follow-up closed."))
    else:
        messages.info(request, _("This follow-up had been closed already."))
    return HttpResponseRedirect(back)
