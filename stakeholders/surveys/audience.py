"""Who a campaign reaches: the DMUs of the accounts its rules select, and who is left out, and why."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Account, AccountStatus
from stakeholders.models import (
    Affiliation,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
)

logger = logging.getLogger(__name__)


@dataclass
class AudienceRow:
    affiliation: Affiliation
    reason: str = ""
    # Left out for want of consent: the preview links to where it is recorded.
    needs_consent: bool = False


def campaign_accounts(campaign: SurveyCampaign) -> QuerySet[Account]:
    rules = campaign.audience or {}
    qs = Account.objects.filter(status=AccountStatus.ACTIVE, is_key_account=True)
    if rules.get("account_types"):
        qs = qs.filter(account_type__in=rules["account_types"])
    if rules.get("tiers"):
        qs = qs.filter(tier__in=rules["tiers"])
    if rules.get("owners"):
        qs = qs.filter(owner_id__in=rules["owners"])
    if rules.get("regions"):
        qs = qs.filter(region__in=rules["regions"])
    if rules.get("countries"):
        qs = qs.filter(country__in=rules["countries"])
    if rules.get("accounts"):
        qs = qs.filter(pk__in=rules["accounts"])
    return qs


def audience(campaign: SurveyCampaign, *, today: date | None = None) -> tuple[list[AudienceRow], list[AudienceRow]]:
    """Who receives the campaign and who is left out, with the reason. The whole DMU of each
    account by default, not a hand-picked few."""
    today = today or timezone.localdate()
    window_start = timezone.now() - timedelta(days=campaign.throttle_days)
    consent = SurveyConsent.objects.filter(person=OuterRef("person_id"), withdrawn_at__isnull=True)
    recent = SurveyInvitation.objects.filter(person=OuterRef("person_id"), created_at__gte=window_start).exclude(
        campaign=campaign
    )
    rows = (
        Affiliation.objects.filter(account__in=campaign_accounts(campaign))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today - timedelta(days=365)))
        .select_related("person", "account")
        .annotate(has_consent=Exists(consent), surveyed_recently=Exists(recent))
        .order_by("account__name", "person__last_name", "pk")
    )
    included: list[AudienceRow] = []
    excluded: list[AudienceRow] = []
    seen: dict[int, Account] = {}
    for a in rows:
        p = a.person
        if a.end_date is not None:
            reason = _("left the account")
        elif p.is_erased:
            reason = _("erased")
        elif p.survey_opt_out_at:
            reason = _("opted out")
        elif not p.email:
            reason = _("no e-mail")
        elif p.do_not_contact:
            reason = _("do not contact")
        elif not a.has_consent:
            excluded.append(AudienceRow(a, _("no consent"), needs_consent=True))
            continue
        elif a.surveyed_recently:
            reason = ngettext(
                "surveyed within %(days)d day", "surveyed within %(days)d days", campaign.throttle_days
            ) % {"days": campaign.throttle_days}
        elif p.pk in seen:
            reason = _("already invited through %(account)s") % {"account": seen[p.pk]}
        else:
            seen[p.pk] = a.account
            included.append(AudienceRow(a))
            continue
        excluded.append(AudienceRow(a, reason))
    return included, excluded
