from django.conf import settings
from django.http import HttpRequest


def product(request: HttpRequest) -> dict:
    return {"COMPANY_NAME": settings.COMPANY_NAME, "REPORTING_CURRENCY": settings.REPORTING_CURRENCY}
