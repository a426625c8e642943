from django.conf import settings
from django.http import HttpRequest

from kam.lib import DRAWN_CACHE_SECONDS


def product(request: HttpRequest) -> dict:
    return {
        "COMPANY_NAME": settings.COMPANY_NAME,
        "REPORTING_CURRENCY": settings.REPORTING_CURRENCY,
        # For the fragments pages keep drawn ({% cache drawn_cache_seconds … %}).
        "drawn_cache_seconds": DRAWN_CACHE_SECONDS,
    }
