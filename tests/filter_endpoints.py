"""Every page and export of the app that reads filters from the URL, with the parameters it reads:
the list the reflected-XSS and fuzz tests walk through."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from tests.plan_factories import PlanFactory


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    params: tuple[str, ...]
    html: bool  # a page (escaped form errors) rather than a file (a plain-text 400)


ACCOUNT_FILTERS = ("q", "account_type", "tier", "country", "region", "owner", "team_lead", "key", "status", "sort")
DASHBOARD_FILTERS = ("team_lead", "owner", "country", "region", "account_type", "tier", "period")


def endpoints(cast) -> list[Endpoint]:
    """The endpoints, for the cast's KAM A (who owns account A and one plan on it)."""
    account = cast.account_a
    plan = PlanFactory(account=account)
    return [
        Endpoint("account list", reverse("accounts:list"), (*ACCOUNT_FILTERS, "page"), True),
        Endpoint("account csv", reverse("accounts:export", args=["csv"]), ACCOUNT_FILTERS, False),
        Endpoint("account xlsx", reverse("accounts:export", args=["xlsx"]), ACCOUNT_FILTERS, False),
        Endpoint("new account", reverse("accounts:create"), ("type",), True),
        Endpoint("dashboard", reverse("home"), DASHBOARD_FILTERS, True),
        Endpoint("portfolio review", reverse("portfolio-review"), DASHBOARD_FILTERS, False),
        Endpoint(
            "calendar",
            reverse("calendar"),
            ("start", "end", "group", "kind", *(f for f in DASHBOARD_FILTERS if f != "period")),
            True,
        ),
        Endpoint(
            "dmu",
            reverse("stakeholders:dmu", args=[account.pk]),
            ("category", "role", "stance", "stale", "ended", "sort"),
            True,
        ),
        Endpoint("new touchpoint", reverse("stakeholders:touchpoint-add", args=[account.pk]), ("person", "next"), True),
        Endpoint("transfers of value", reverse("stakeholders:tov-export"), ("year",), False),
        Endpoint("campaigns", reverse("stakeholders:campaigns"), ("page",), True),
        Endpoint("plan list", reverse("plans:list"), ("status",), True),
        Endpoint("plan compare", reverse("plans:compare", args=[plan.pk]), ("a", "b"), True),
    ]
