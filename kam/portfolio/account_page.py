"""The account page: one account with its health, figures, DMU, surveys and plans.

It reads from every floor below, so it lives on the top one.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts import services
from accounts.models import HEALTH_AMBER, HEALTH_GREEN, QUADRANT_ADVICE, Account, AccountTeamMember, Quadrant
from accounts.selectors import MissingExchangeRate, account_access, accounts_visible_to, convert, group_rollup
from kam.portfolio.health.explain import explain
from stakeholders.models import Affiliation, LowScoreFollowUp
from stakeholders.surveys import RELIABLE_ANSWERS, csat_for_account
from stakeholders.written_answers import account_written_answers


def _count(queryset) -> Coalesce:
    """A correlated COUNT(*) of ``queryset`` as an annotation (0 when nothing matches)."""
    # COUNT as a plain function: one row, with no GROUP BY for Django to add.
    counted = queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The page's small figures come along with the account instead of as a query each, and
    # whether the sections that are mostly empty have anything to read.
    open_follow_ups = LowScoreFollowUp.objects.filter(closed_at__isnull=True)
    account = get_object_or_404(
        accounts_visible_to(request.user)
        .select_related("owner", "parent", "health")
        .annotate(
            owner_key_accounts=_count(Account.objects.active().key_accounts().filter(owner_id=OuterRef("owner_id"))),
            stakeholder_count=_count(Affiliation.objects.active().filter(account_id=OuterRef("pk"))),
            on_team=Exists(AccountTeamMember.objects.filter(account_id=OuterRef("pk"), user=request.user)),
            has_children=Exists(Account.objects.filter(parent_id=OuterRef("pk"))),
            # A parent the user cannot see is not named on the page (nor linked).
            parent_visible=Exists(accounts_visible_to(request.user).filter(pk=OuterRef("parent_id"))),
            has_open_follow_ups=Exists(open_follow_ups.filter(account_id=OuterRef("pk"))),
        ),
        pk=pk,
    )
    access = account_access(request.user, account)
    scores = services.account_scores(account)
    financials = list(account.financials.all())
    for row in financials:
        try:
            row.revenue_actual_reporting = convert(row.revenue_actual, account.currency, row.year)
        except MissingExchangeRate:
            row.revenue_actual_reporting = None
    listings = account.listings.select_related("product", "competitor_product")
    team = AccountTeamMember.objects.filter(account=account).select_related("user").order_by("user__last_name")
    children, rollup = [], None
    if account.has_children:
        children = list(accounts_visible_to(request.user).filter(parent=account).select_related("owner"))
        year = timezone.localdate().year - 1
        rollup = group_rollup(account, request.user, year)
    history = account.history.select_related("history_user").order_by("-history_date")[:15]
    health = getattr(account, "health", None)  # no row until the first refresh
    # CSAT per campaign (one query, one more for anonymous campaigns).
    csat_history = csat_for_account(account, request.user)
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "access": access,
            "scores": scores,
            "health": health,
            "health_parts": explain(health) if health else [],
            "health_band": health.band if health else "",
            "bands": {"green": HEALTH_GREEN, "amber": HEALTH_AMBER},
            "reliable_answers": RELIABLE_ANSWERS,
            "financials": financials,
            "listings": listings,
            "team": team,
            "children": children,
            "rollup": rollup,
            "history": history,
            # Laid out as the matrix is drawn: attractiveness up, our position to the right.
            "quadrants": [
                (q, q.label, QUADRANT_ADVICE[q])
                for q in (Quadrant.STAR, Quadrant.STRATEGIC, Quadrant.STREAMLINE, Quadrant.STATUS)
            ],
            "owner_key_accounts": account.owner_key_accounts,
            "stakeholder_count": account.stakeholder_count,
            "plans": list(
                account.plans.select_related("period")
                .exclude(status="superseded")
                .order_by("-period__start", "-revision")
            ),
            "on_team": account.on_team,
            "owner_over_cap": account.owner_key_accounts > account.owner.effective_key_account_cap,
            "csat_history": csat_history,
            # What the DMU wrote in named surveys: two queries, only once someone has answered one.
            "customer_words": account_written_answers(account)
            if any(h["csat"] and h["csat"].answers and not h["campaign"]["campaign__anonymous"] for h in csat_history)
            else [],
            # The open low-score follow-ups: two queries, when there are any.
            "follow_ups": open_follow_ups.filter(account=account)
            .select_related("invitation__person", "invitation__campaign__survey", "invitation__response")
            .prefetch_related("invitation__campaign__survey__questions")
            if account.has_open_follow_ups
            else [],
        },
    )
