from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        # Plans keep copies of stakeholder names in their snapshots; erasure must reach them.
        # Imported in ready(): both load models, which the app registry allows only now.
        from plans.snapshots import erase_person_from_plans  # noqa: PLC0415
        from stakeholders.privacy import ERASURE_HOOKS  # noqa: PLC0415

        if erase_person_from_plans not in ERASURE_HOOKS:
            ERASURE_HOOKS.append(erase_person_from_plans)
