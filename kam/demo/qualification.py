"""The stored qualification of many demo accounts at once, by accounts.services' own rule.

The bulk loaders write scores and listings without the per-account services; this brings the
figures the app keeps on the account (qualification, key-account flag, matrix position, basket
penetration) in line with them, from the rows as stored, with accounts.services' functions on
the values, so a change of the rule changes the demo too.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from accounts.models import LISTED_STATUSES, Account, Listing, Product, QualificationCriterion, QualificationScore
from accounts.services import listing_share, qualification_fields, score_figures

# What qualification_fields may set, basket penetration only for pharmacies and wholesalers.
FIELDS = ("qualification_score", "qualifies", "attractiveness", "position", "is_key_account", "basket_penetration_pct")


def stored_qualification(
    *,
    account_type: str,
    scores: dict[QualificationCriterion, int],
    market_share: Decimal | None,
    listed: int,
    kept: int,
    portfolio: int,
    override: bool | None,
) -> dict:
    """The account fields account_recompute would store, from the parts it reads: the scores of
    the account's active criteria, its market share, how many of our active products it lists
    and keeps a listing of, how many there are, and the override."""
    figures = score_figures(
        scores.items(),
        market_share=market_share,
        listing_share=listing_share(portfolio=portfolio, kept=kept, listed=listed),
    )
    return qualification_fields(account_type=account_type, override=override, figures=figures)


def refresh_qualification(account_ids: list[int], batch: int = 2_000) -> int:
    """Bring the stored qualification of many accounts in line with their scores and listings,
    in three reads per 2,000 accounts; only rows that differ are written. Returns how many were."""
    criteria = {c.pk: c for c in QualificationCriterion.objects.filter(active=True)}
    portfolio = Product.objects.filter(active=True).count()
    # What a pharmacy is held to: no hospital-only product (Product.objects.carried_by).
    pharmacy_portfolio = Product.objects.filter(active=True, hospital_only=False).count()
    changed = []
    for start in range(0, len(account_ids), batch):
        chunk = account_ids[start : start + batch]
        given = defaultdict(dict)
        for account, criterion, score in QualificationScore.objects.filter(
            account_id__in=chunk, criterion_id__in=criteria
        ).values_list("account_id", "criterion_id", "score"):
            given[account][criteria[criterion]] = score
        counts = {
            pk: (listed, kept)
            for pk, listed, kept in Listing.objects.filter(account_id__in=chunk, product__active=True)
            .values("account_id")
            .annotate(listed=Count("pk", filter=Q(status__in=LISTED_STATUSES)), kept=Count("pk"))
            .values_list("account_id", "listed", "kept")
        }
        for account in Account.objects.filter(pk__in=chunk).only(
            "account_type", "market_share_pct", "qualification_override", *FIELDS
        ):
            listed, kept = counts.get(account.pk, (0, 0))
            fields = stored_qualification(
                account_type=account.account_type,
                # Only the criteria of the account's type count, as account_scores reads them.
                scores={c: s for c, s in given[account.pk].items() if c.account_type == account.account_type},
                market_share=account.market_share_pct,
                listed=listed,
                kept=kept,
                portfolio=pharmacy_portfolio if account.is_pharmacy else portfolio,
                override=account.qualification_override,
            )
            if any(getattr(account, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(account, name, value)
                changed.append(account)
    Account.objects.bulk_update(changed, FIELDS, batch_size=1_000)
    return len(changed)
