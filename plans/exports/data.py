"""Everything a plan export shows, read once and filtered for its variant.

``plan_export_data`` reads everything once (a fixed number of queries, whatever the number of
rows) and decides what a variant may show. The joint variant is built from an allow-list: it never
reads stances, coverage, gaps, margins, gross profit, resources or internal notes, so no renderer
can leak them. The renderers (``plan_deck``, ``pdf``) only lay out the sections and blocks they are given.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import AccountFinancials
from kam.models import MEDICAL_ROLES, User
from plans.exports.blocks import format_date
from plans.exports.deck import clean_text
from plans.exports.sections import internal_sections, joint_sections
from plans.models import AccountPlan, AudienceKind, SwotKind
from stakeholders.models import Affiliation

INTERNAL = "internal"
JOINT = "joint"
VARIANTS = (INTERNAL, JOINT)


def plan_export_data(plan: AccountPlan, *, variant: str, user: User, today: date | None = None) -> dict:
    """Everything an export shows, collected once and already filtered for ``variant``.

    The internal variant costs 13 queries (10 with a DMU snapshot), the joint one 8, whatever the
    number of objectives, actions, stakeholders or other rows.
    """
    if variant not in VARIANTS:
        raise ValueError(f"Unknown export variant: {variant!r}")
    internal = variant == INTERNAL
    today = today or timezone.localdate()
    plan = AccountPlan.objects.select_related("account__owner", "period").get(pk=plan.pk)
    account = plan.account
    steps = {s.number: s.content or {} for s in plan.steps.all()}
    # The listing objectives' status at the account comes along (no query per objective).
    objectives = plan.objectives.select_related("owner", "product").with_listing_status()
    actions = plan.actions.select_related("owner", "objective", "customer_owner__person")
    communications = plan.communications.select_related("owner")
    swot = plan.swot.all()
    if internal:
        actions = actions.prefetch_related("resources")
    else:
        # Only what the KAM chose to share. Medical colleagues' work stays behind the firewall even
        # when shared, and internal audiences stay internal.
        objectives = objectives.filter(share_with_customer=True)
        actions = actions.filter(share_with_customer=True, support_request__isnull=True).exclude(
            owner__role__in=MEDICAL_ROLES
        )
        communications = communications.filter(audience_kind=AudienceKind.EXTERNAL)
        swot = swot.filter(kind__in=[SwotKind.STRENGTH, SwotKind.OPPORTUNITY])
    objectives = list(objectives)
    actions = list(actions)
    if not internal:
        shared = {o.pk for o in objectives}
        for a in actions:
            if a.objective_id not in shared:
                # A shared action serving an unshared objective: the customer sees the action, not
                # the objective's title (it groups the action). Changed in memory only.
                a.objective = None
    rows: dict[str, Any] = {
        "objectives": objectives,
        "actions": actions,
        "communications": list(communications),
        "swot": list(swot),
    }
    if internal:
        year = plan.period.start.year
        rows["financials"] = list(
            AccountFinancials.objects.filter(account=account, year__in=[year - 1, year, year + 1]).order_by("year")
        )
        rows["whitespace"] = list(plan.whitespace.select_related("product"))
        rows["relationship_objectives"] = list(
            plan.relationship_objectives.select_related("affiliation__person", "owner")
        )
        sections = internal_sections(plan, steps, user, today, rows)
        title = _("Internal account plan")
        marking = _("Internal: not for the customer")
    else:
        # Ordered by name: the default order (by influence) would itself say who we rate highest.
        rows["contacts"] = list(
            Affiliation.objects.active()
            .filter(account=account, person__erased_at__isnull=True)
            .select_related("person")
            .order_by("person__last_name", "person__first_name")
        )
        team = account.team_members.select_related("user").exclude(user__role__in=MEDICAL_ROLES)
        our_team = [[str(account.owner), _("Key account manager")]]
        our_team += [[str(m.user), m.get_function_display()] for m in team.exclude(user=account.owner)]
        rows["our_team"] = our_team
        sections = joint_sections(plan, steps, today, rows)
        title = _("Joint account plan")
        marking = _("Joint account plan")
    period = str(plan.period)
    if plan.therapeutic_area:
        period = f"{period} · {plan.therapeutic_area}"
    if plan.revision > 1:
        period = _("%(period)s · revision %(n)d") % {"period": period, "n": plan.revision}
    owner = str(account.owner)
    if internal:
        subtitle = [
            period,
            _("Status: %(status)s") % {"status": plan.get_status_display()},
            _("Owner: %(owner)s") % {"owner": owner},
            # Not who exported it: the same plan then makes the same file, rendered once for all.
            _("Exported on %(date)s") % {"date": format_date(today)},
        ]
    else:
        subtitle = [
            period,
            _("Prepared by %(owner)s, %(company)s") % {"owner": owner, "company": settings.COMPANY_NAME},
            format_date(today),
        ]
    return {
        "variant": variant,
        "title": title,
        "marking": marking,
        "account": clean_text(account.name),
        "period": clean_text(period),
        "status": plan.get_status_display(),
        "owner": owner,
        "date": format_date(today),
        "company": settings.COMPANY_NAME,
        "subtitle": [clean_text(s) for s in subtitle],
        "filename": export_filename(plan, variant),
        "sections": sections,
    }


def export_filename(plan: AccountPlan, variant: str, extension: str = "") -> str:
    """plan-<account>-<period>[-<area>][-rev<n>]-<variant>[.<ext>]"""
    parts = ["plan", slugify(plan.account.name) or "account", slugify(plan.period.name) or "period"]
    if plan.therapeutic_area:
        parts.append(slugify(plan.therapeutic_area))
    if plan.revision > 1:
        parts.append(f"rev{plan.revision}")
    parts.append(variant)
    name = "-".join(p for p in parts if p)
    return f"{name}.{extension}" if extension else name
