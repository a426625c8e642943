from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SurveysConfig(AppConfig):
    """The surveys room as an app of its own, without models (they stay in ``stakeholders.models``),
    so that it can listen to the floor below: a change to a survey or a question counts up the
    version the survey pages keep it under (``page.survey_changed``)."""

    name = "stakeholders.surveys"
    label = "surveys"

    def ready(self) -> None:
        # Imported in ready(): the receivers load models, which the app registry allows only now.
        from stakeholders.models import Survey, SurveyQuestion  # noqa: PLC0415
        from stakeholders.surveys import page  # noqa: PLC0415

        for name, signal in (("save", post_save), ("delete", post_delete)):
            for model in (Survey, SurveyQuestion):
                uid = f"survey-page.{model.__name__}.{name}"
                signal.connect(page.survey_changed, sender=model, dispatch_uid=uid)
