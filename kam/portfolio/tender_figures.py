"""Won and lost tender lots by product and by competitor, for the dashboard: decided lots
(``DECIDED_LOT_OUTCOMES``) of tenders of the scope's accounts whose deadline is within the last
``WON_LOST_DAYS``. Part of the dashboard's figures and cached with them (kam.portfolio.figures):
saving a tender asks for a health refresh, which renews them. One query."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import CharField, Count, F, Q, QuerySet, Value

from accounts.models import DECIDED_LOT_OUTCOMES, LotOutcome, TenderLot
from kam.lib import Ids
from kam.portfolio.upcoming import among

# Lots of tenders due within this many days back count (three years: one tender cycle and a half).
WON_LOST_DAYS = 3 * 365
# Rows per table: the products and competitors met in most decided lots.
WON_LOST_ROWS = 10


def _part(through: QuerySet, kind: str, name: str, ids: Ids | QuerySet, since: date) -> QuerySet:
    """(kind, name, won, lost) per product or competitor: one part of the table's UNION."""
    won, lost = Q(tenderlot__outcome=LotOutcome.WON), Q(tenderlot__outcome=LotOutcome.LOST)
    return (
        through.filter(
            **among("tenderlot__tender__account", ids),
            tenderlot__outcome__in=DECIDED_LOT_OUTCOMES,
            tenderlot__tender__submission_deadline__gte=since,
        )
        .annotate(kind=Value(kind, output_field=CharField()), name=F(name))
        .values("kind", "name")
        .annotate(won=Count("tenderlot", filter=won), lost=Count("tenderlot", filter=lost))
        .values_list("kind", "name", "won", "lost")
        .order_by()
    )


def won_lost(ids: Ids | QuerySet, today: date) -> dict[str, list[dict]]:
    """``{"products": [{name, won, lost}], "competitors": [...]}``, the ``WON_LOST_ROWS`` met in
    most decided lots each; for a competitor, the lots it was bid in that we won and lost. One
    query: the groups are a few hundred products and competitors at most, sorted here."""
    since = today - timedelta(days=WON_LOST_DAYS)
    products = _part(TenderLot.products.through.objects, "products", "product__brand", ids, since)
    competitors = _part(
        TenderLot.competitor_products.through.objects, "competitors", "competitorproduct__name", ids, since
    )
    found: dict[str, list[dict]] = {"products": [], "competitors": []}
    for kind, name, won, lost in products.union(competitors, all=True):
        found[kind].append({"name": name, "won": won, "lost": lost})
    for kind, rows in found.items():
        found[kind] = sorted(rows, key=lambda r: (-(r["won"] + r["lost"]), r["name"]))[:WON_LOST_ROWS]
    return found
