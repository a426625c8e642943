"""A fixed-window rate limit on Django's cache (Redis in production, locmem in development).

The counters must live in a cache every web process shares (CACHE_URL=redis://… in production):
with a per-process cache each gunicorn worker would count on its own.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.http import HttpRequest

from kam.security import client_ip

logger = logging.getLogger(__name__)


def allow_client(request: HttpRequest, scope: str, limit: int, window_seconds: int) -> bool:
    """``allow`` for the client that sent ``request``, by its address behind our proxies."""
    return allow(f"{scope}:{client_ip(request)}", limit, window_seconds)


def allow(key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit for ``key``; True while there were at most ``limit`` hits in the window.

    ``cache.add`` starts a window only if none is running and ``cache.incr`` counts within it;
    both are single atomic commands on Redis, so concurrent workers never lose a hit. The window
    is fixed: it starts with the first hit and its expiry is not moved by later ones.

    Fails open: if the cache cannot be reached the request is allowed and a warning logged. The
    limit guards against floods, and an outage of the cache must not lock out every respondent.
    """
    cache_key = f"ratelimit:{key}"
    try:
        if cache.add(cache_key, 1, timeout=window_seconds):
            return limit >= 1
        try:
            return cache.incr(cache_key) <= limit
        except ValueError:
            # The window ended between add() and incr(): this hit starts the next one.
            cache.add(cache_key, 1, timeout=window_seconds)
            return limit >= 1
    except Exception as exc:
        # The key holds a client address: log the failure, not the key.
        logger.warning("Rate limit not applied, the cache is unavailable (%s); request allowed.", type(exc).__name__)
        return True
