from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """An app without models of its own, so that ``manage.py seed_demo`` lives in the demo's room."""

    name = "kam.demo"
    label = "demo"
    verbose_name = _("Demo data")
