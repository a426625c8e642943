"""The client's address as seen through our own reverse proxies.

Behind a proxy REMOTE_ADDR is the proxy's address, the same for every visitor: a limit keyed on
it is one limit for everybody, and a lockout keyed on it locks everybody out. Each proxy appends
the address it received the request from to X-Forwarded-For, so with N proxies of our own in
front of the app the Nth entry from the right was written by the outermost of them and is the
client's address. Everything left of it arrived from the client and proves nothing: a client
can send "X-Forwarded-For: 1.2.3.4" itself, so the leftmost entry is never used.

Settings (from the environment, see kam/settings.py):

- ``KAM_CLIENT_IP_HEADER``: the header our proxies write, e.g. "X-Forwarded-For"; empty (the
  default) means no proxy, REMOTE_ADDR is the client.
- ``KAM_TRUSTED_PROXY_COUNT``: how many of our proxies append to that header (default 1).

This is right only if the app cannot be reached except through those proxies.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.http import HttpRequest


def _meta_key(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address: the configured proxy header's Nth entry from the right, or REMOTE_ADDR.

    Falls back to REMOTE_ADDR (the nearest proxy) when the header is missing, has fewer entries
    than there are trusted proxies, or that entry is not an IP address: such a request did not come
    the way our proxies send requests, and nothing in it can be trusted. Used by the survey rate
    limit and, through ``AXES_CLIENT_IP_CALLABLE``, by the login lockout.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    header = getattr(settings, "KAM_CLIENT_IP_HEADER", "")
    if not header:
        return remote_addr
    count = max(1, getattr(settings, "KAM_TRUSTED_PROXY_COUNT", 1))
    entries = [entry for entry in request.META.get(_meta_key(header), "").split(",") if entry.strip()]
    if len(entries) < count:
        return remote_addr
    return _valid(entries[-count]) or remote_addr


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Production counts survey submits in the default cache and keeps the survey pages' campaigns
    there, forgotten when saved: a per-process cache counts per worker, and forgets in one process only."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The default cache is not shared between processes, so the survey rate limit counts per worker "
                "and a changed survey reaches the other processes' survey pages only within a minute.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://host:6379/1.",
                id="kam.W001",
            )
        ]
    return []
