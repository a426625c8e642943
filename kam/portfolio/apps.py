from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """The portfolio floor: health, the dashboard, review meetings; Celery finds its tasks here."""

    name = "kam.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio")
