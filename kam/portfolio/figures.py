"""The dashboard's figures, kept in the cache until the next health refresh.

Every figure on the dashboard comes from the accounts' stored health rows or changes only with a
write that asks for a health refresh (accounts.services.schedule_health_refresh), and every refresh
counts ``FiguresVersion`` up in its own transaction. So figures cached under the current count,
the user, their scope (the ids of the accounts they see, for anyone but an administrator), the
filters, the day and the language are the figures a fresh computation would give, in every process.
A names-only change (a KAM renamed by an administrator) shows after the next refresh, within the hour.

Worth it: an administrator's dashboard over 10,000 accounts takes about 55 ms to compute from the
portfolio's sums (kam.portfolio.summary) and a few ms from the cache (bench/bench_pages.py); a
KAM's, over a few accounts, about the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from django.utils.translation import get_language

from kam import lib
from kam.lib import Ids
from kam.models import User

if TYPE_CHECKING:
    from kam.portfolio.dashboard import DashboardFilters

# Entries are never stale (the key holds the refresh count), only unused: this bounds the cache.
FIGURES_CACHE_SECONDS = 600

T = TypeVar("T")


def key(user: User, filters: DashboardFilters, today: date, ids: Ids | None, version: int) -> str:
    """The cache key of ``user``'s figures: ``version`` is the count of refreshes
    (``FiguresVersion``)."""
    period = filters.period.pk if filters.period else None
    shown = (filters.owner, filters.team_lead, filters.country, filters.region, filters.account_type, filters.tier)
    # Sorted: the database returns the ids in no set order, and the same scope must be the same entry.
    scope = "all" if ids is None else ",".join(map(str, sorted(ids.ids)))
    parts = (version, user.pk, get_language(), today.isoformat(), period, shown, scope)
    return "dashboard:" + lib.digest(parts)


def cached(cache_key: str, compute: Callable[[], T]) -> T:
    """The cached figures (or what is drawn from them alone), or computed and kept; with the cache
    down, computed every time."""
    return lib.cached(cache_key, compute, FIGURES_CACHE_SECONDS)
