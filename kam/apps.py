from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KamConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kam"
    verbose_name = _("KAM Planner core")

    def ready(self) -> None:
        # Imported in ready(): they load models and checks, which the app registry allows only now.
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415

        from kam import security  # noqa: F401, PLC0415  (registers the deploy check for a shared cache)
        from kam.middleware import start_idle_clock  # noqa: PLC0415

        user_logged_in.connect(start_idle_clock, dispatch_uid="kam.start_idle_clock")
