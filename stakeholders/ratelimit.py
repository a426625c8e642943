"""A fixed-window rate limit on Django's cache (Redis in production, locmem in development)."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


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
