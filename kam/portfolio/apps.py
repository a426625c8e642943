from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """An app without models of its own, so that Celery finds its tasks and Django its template tags."""

    name = "kam.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio")
