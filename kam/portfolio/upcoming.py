"""The dashboard's "next 90 days": plan reviews, formulary committees, tender deadlines and
contract notice dates and ends of the accounts in scope, the first ``UPCOMING`` by date, in one
query (a UNION of one part per kind of date)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connections
from django.db.models import CharField, Expression, F, QuerySet, Value
from django.urls import reverse

from accounts.models import Contract, Listing, Tender
from kam.lib import Ids
from plans.models import AccountPlan, PlanStatus

UPCOMING = 20
# The upcoming list looks UPCOMING_DAYS ahead.
UPCOMING_DAYS = 90
# The kinds of date whose link is the account page's tenders and contracts.
TENDER_WHATS = ("tender", "contract_notice", "contract_end")


def among(field: str, ids: Ids | QuerySet) -> dict:
    """The filter for ``field`` among the scope's accounts: a list of ids as one array parameter
    (``kam.lib.InIds``), a subquery as a subquery."""
    return {f"{field}__in_ids": ids} if isinstance(ids, Ids) else {f"{field}__in": ids}


def upcoming_part(rows: QuerySet, *, when: str, what: str, brand: Expression) -> QuerySet:
    """One part of the upcoming list's UNION: (when, what, item, account id, account name, brand) per
    row, and the first ``UPCOMING`` by date where the database takes a limit in each part of a UNION:
    thousands of committee dates at an administrator's scope are not all sorted to keep twenty."""
    rows = (
        rows.order_by()
        .annotate(
            when=F(when),
            what=Value(what, output_field=CharField()),
            item=F("pk"),
            account_name=F("account__name"),
            brand=brand,
        )
        .values_list("when", "what", "item", "account_id", "account_name", "brand")
    )
    if connections[rows.db].features.supports_slicing_ordering_in_compound:
        return rows.order_by("when", "item")[:UPCOMING]
    return rows


def upcoming(plans: QuerySet[AccountPlan], ids: Ids | QuerySet, today: date) -> list[dict]:
    """The next ``UPCOMING`` dates of the next ``UPCOMING_DAYS`` among ``plans`` and the scope's
    accounts (``ids``)."""
    horizon = today + timedelta(days=UPCOMING_DAYS)
    days = {"gte": today, "lte": horizon}

    def within(field: str) -> dict:
        return {f"{field}__{op}": day for op, day in days.items()}

    parts = [
        upcoming_part(
            plans.filter(status=PlanStatus.APPROVED, **within("next_review_date")),
            when="next_review_date",
            what="review",
            brand=Value("", output_field=CharField()),
        ),
        upcoming_part(
            Listing.objects.filter(**among("account", ids), **within("next_committee_date")),
            when="next_committee_date",
            what="committee",
            brand=F("product__brand"),
        ),
        upcoming_part(
            Tender.objects.open().filter(**among("account", ids), **within("submission_deadline")),
            when="submission_deadline",
            what="tender",
            brand=F("title"),
        ),
        upcoming_part(
            Contract.objects.filter(**among("account", ids), **within("notice_date")),
            when="notice_date",
            what="contract_notice",
            brand=F("title"),
        ),
        upcoming_part(
            Contract.objects.filter(**among("account", ids), **within("end_date")),
            when="end_date",
            what="contract_end",
            brand=F("title"),
        ),
    ]
    # One reverse() per kind of link, the ids filled in.
    account_url = reverse("accounts:detail", args=[0]).replace("/0/", "/{}/")
    plan_url = reverse("plans:detail", args=[0]).replace("/0/", "/{}/")

    def url(what: str, item: int, account_id: int) -> str:
        if what == "review":
            return plan_url.format(item)
        return account_url.format(account_id) + ("#tenders" if what in TENDER_WHATS else "")

    first, *rest = parts
    return [
        {
            "date": when,
            "what": what,
            "url": url(what, item, account_id),
            "brand": brand,
            "account_name": account_name,
            "account_url": account_url.format(account_id),
        }
        for when, what, item, account_id, account_name, brand in first.union(*rest, all=True).order_by(
            "when", "what", "item"
        )[:UPCOMING]
    ]
