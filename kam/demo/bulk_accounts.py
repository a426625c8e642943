"""``seed_demo --accounts N``: plain accounts in bulk, for benchmarks."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import (
    Account,
    AccountFinancials,
    AccountTeamMember,
    AccountType,
    Listing,
    ListingStatus,
    Product,
    QualificationCriterion,
    QualificationScore,
    TeamFunction,
)
from kam.demo.data import PEOPLE, PRODUCTS
from kam.demo.qualification import refresh_qualification
from kam.models import Role, User
from kam.portfolio.health.refresh import refresh_health


def add_bulk_accounts(total: int) -> tuple[int, int]:
    """Bulk accounts for benchmarks, up to ``total`` accounts in all: plain inserts, no per-row
    services; their qualification is then computed for all of them at once. Returns how many were
    added and how many accounts there are now."""
    have = Account.objects.count()
    missing = total - have
    if missing <= 0:
        return 0, have
    kams = [username for username, _first, _last, role, *_ in PEOPLE if role == Role.KAM]
    owners = list(User.objects.filter(username__in=kams).order_by("username"))
    products = [Product.objects.get(brand=brand) for brand, *_ in PRODUCTS[:4]]
    this_year = date.today().year
    types = [AccountType.HOSPITAL, AccountType.PHARMACY, AccountType.WHOLESALER]
    statuses = [
        ListingStatus.LISTED,
        ListingStatus.RESTRICTED,
        ListingStatus.UNDER_REVIEW,
        ListingStatus.NOT_LISTED,
    ]
    criteria = defaultdict(list)
    for c in QualificationCriterion.objects.filter(active=True).order_by("order", "pk"):
        criteria[c.account_type].append(c)
    batch = 2000
    added: list[int] = []
    start = Account.objects.filter(crm_id__startswith="SCALE-").count()
    created = 0
    while created < missing:
        n = min(batch, missing - created)
        rows = []
        for j in range(start + created, start + created + n):
            kind = types[j % 3]
            rows.append(
                Account(
                    name=f"Scale account {j:06d}",
                    account_type=kind,
                    country=["DE", "CH", "GB", "AT"][j % 4],
                    region=f"Region {j % 17}",
                    city=f"City {j % 97}",
                    currency=["EUR", "CHF", "GBP", "EUR"][j % 4],
                    owner=owners[j % len(owners)],
                    tier="ABC"[j % 3],
                    crm_id=f"SCALE-{j:06d}",
                    beds=200 + j % 900 if kind == AccountType.HOSPITAL else None,
                    market_share_pct=None if kind == AccountType.HOSPITAL else Decimal(j % 60),
                )
            )
        with transaction.atomic():
            made = Account.objects.bulk_create(rows, batch_size=1000)
            added.extend(a.pk for a in made)
            AccountTeamMember.objects.bulk_create(
                [AccountTeamMember(account=a, user_id=a.owner_id, function=TeamFunction.KAM) for a in made],
                batch_size=2000,
            )
            AccountFinancials.objects.bulk_create(
                [
                    AccountFinancials(
                        account=a,
                        year=year,
                        revenue_actual=Decimal(100000 + (a.pk * 7919) % 900000),
                        revenue_target=Decimal(110000 + (a.pk * 7919) % 900000),
                    )
                    for a in made
                    for year in (this_year - 1, this_year)
                ],
                batch_size=4000,
            )
            Listing.objects.bulk_create(
                [
                    Listing(account=a, product=p, status=statuses[(a.pk + k) % len(statuses)])
                    for a in made
                    for k, p in enumerate(products)
                    if not (p.hospital_only and a.is_pharmacy)
                ],
                batch_size=4000,
            )
            # Scores of 1 to 5 spread over the criteria; the figures on the account follow from
            # them (and the listings) by the app's own rule.
            QualificationScore.objects.bulk_create(
                [
                    QualificationScore(account=a, criterion=c, score=1 + (j * 29 + k * 13) % 5)
                    for j, a in enumerate(made, start=start + created)
                    for k, c in enumerate(criteria[a.account_type])
                ],
                batch_size=4000,
            )
            refresh_qualification([a.pk for a in made])
        created += n
    refresh_health(added)
    return created, Account.objects.count()
