"""Qualification figures for many accounts at once, as accounts.services computes them for one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q

from accounts.models import (
    LISTED_STATUSES,
    Account,
    AccountType,
    CriterionDimension,
    Listing,
    Product,
    QualificationCriterion,
    QualificationScore,
)


def _pct(value: Decimal) -> int:
    # As accounts.services._pct: half up, so the seed and the services round alike.
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class QualificationFigures:
    FIELDS: ClassVar[tuple[str, ...]] = (
        "qualification_score",
        "qualifies",
        "attractiveness",
        "position",
        "is_key_account",
    )

    qualification_score: int | None
    qualifies: bool | None
    attractiveness: int | None
    position: int | None
    is_key_account: bool
    listing_share: int | None

    def stored(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)


def qualification_figures(
    account_type: str,
    scores: dict[QualificationCriterion, int],
    market_share: Decimal | None,
    listed: int | None,
    override: bool | None,
    portfolio: int,
) -> QualificationFigures:
    """What ``accounts.services.account_recompute`` stores, from the parts it reads: the scores of
    the active criteria, the market share, the number of listed products (None when no listings
    are kept), the override and the number of active products. The same rules, without a query
    per account."""
    totals = {"all": [0, 0], CriterionDimension.ATTRACTIVENESS: [0, 0], CriterionDimension.POSITION: [0, 0]}
    for c, score in scores.items():
        if c.account_type != account_type or not c.active or c.weight == 0:
            continue
        for key in ("all", c.dimension):
            totals[key][0] += score * c.weight
            totals[key][1] += 5 * c.weight
    share = {key: _pct(Decimal(points) * 100 / top) if top else None for key, (points, top) in totals.items()}
    qualification = share["all"]
    qualifies = None if qualification is None else qualification >= settings.QUALIFICATION_THRESHOLD
    listing_share = _pct(Decimal(listed) * 100 / portfolio) if listed is not None and portfolio else None
    parts = [v for v in (share[CriterionDimension.POSITION],) if v is not None]
    if market_share is not None:
        parts.append(_pct(market_share))
    if listing_share is not None:
        parts.append(listing_share)
    return QualificationFigures(
        qualification_score=qualification,
        qualifies=qualifies,
        attractiveness=share[CriterionDimension.ATTRACTIVENESS],
        position=_pct(Decimal(sum(parts)) / len(parts)) if parts else None,
        is_key_account=override if override is not None else bool(qualifies),
        listing_share=listing_share,
    )


def refresh_qualification(account_ids: list[int], batch: int = 2_000) -> int:
    """Bring the stored qualification, key-account flag, matrix position and basket penetration
    of many accounts in line with their scores and listings, in three reads per 2,000 accounts;
    only rows that differ are written. Returns how many were."""
    criteria = {c.pk: c for c in QualificationCriterion.objects.filter(active=True)}
    portfolio = Product.objects.filter(active=True).count()
    meta = Account._meta
    qn = connection.ops.quote_name
    columns = [*QualificationFigures.FIELDS, "basket_penetration_pct"]
    assignments = ", ".join(f"{qn(meta.get_field(c).column)} = %s" for c in columns)
    update = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(meta.pk.column)} = %s"
    changed = []
    for start in range(0, len(account_ids), batch):
        chunk = account_ids[start : start + batch]
        given = defaultdict(dict)
        for account, criterion, score in QualificationScore.objects.filter(
            account_id__in=chunk, criterion_id__in=criteria
        ).values_list("account_id", "criterion_id", "score"):
            given[account][criteria[criterion]] = score
        listed = dict(
            Listing.objects.filter(account_id__in=chunk, product__active=True)
            .values("account_id")
            .annotate(listed=Count("pk", filter=Q(status__in=LISTED_STATUSES)))
            .values_list("account_id", "listed")
        )
        for pk, account_type, market_share, override, *stored in Account.objects.filter(pk__in=chunk).values_list(
            "pk", "account_type", "market_share_pct", "qualification_override", *columns
        ):
            figures = qualification_figures(account_type, given[pk], market_share, listed.get(pk), override, portfolio)
            basket = stored[-1]
            if account_type != AccountType.HOSPITAL and figures.listing_share is not None:
                basket = Decimal(figures.listing_share)
            row = (*figures.stored(), basket)
            if row != tuple(stored):
                changed.append((*row, pk))
    with connection.cursor() as cursor:
        cursor.executemany(update, changed)
    return len(changed)
