from django.db import migrations


def forwards(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    minute, _ = Interval.objects.get_or_create(every=1, period="minutes")
    hour, _ = Interval.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name="Survey invitation sweeper", defaults={"task": "stakeholders.sweep_invitations", "interval": minute}
    )
    PeriodicTask.objects.get_or_create(
        name="Survey reminders", defaults={"task": "stakeholders.send_survey_reminders", "interval": hour}
    )
    Survey = apps.get_model("stakeholders", "Survey")
    Question = apps.get_model("stakeholders", "SurveyQuestion")
    survey, created = Survey.objects.get_or_create(
        name="Customer satisfaction (CSAT)",
        defaults={
            "languages": "en,de,fr",
            "is_default": True,
            "intro_text": "Thank you for working with us. Your answer takes under a minute and helps us serve you better.",
            "csat_question": "How satisfied are you with our collaboration overall?",
            "translations": {
                "de": {
                    "intro_text": "Vielen Dank für die Zusammenarbeit. Die Antwort dauert keine Minute und hilft uns, Sie besser zu unterstützen.",
                    "csat_question": "Wie zufrieden sind Sie insgesamt mit unserer Zusammenarbeit?",
                },
                "fr": {
                    "intro_text": "Merci pour notre collaboration. Répondre prend moins d'une minute et nous aide à mieux vous servir.",
                    "csat_question": "Dans l'ensemble, êtes-vous satisfait de notre collaboration ?",
                },
            },
        },
    )
    if created:
        Question.objects.create(
            survey=survey, order=1, kind="rating", text="How well do we understand your organisation's needs?",
            translations={"de": "Wie gut verstehen wir die Bedürfnisse Ihrer Organisation?",
                          "fr": "Dans quelle mesure comprenons-nous les besoins de votre organisation ?"},
        )
        Question.objects.create(
            survey=survey, order=2, kind="text", text="What should we do differently?",
            translations={"de": "Was sollten wir anders machen?", "fr": "Que devrions-nous faire différemment ?"},
        )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=["stakeholders.sweep_invitations", "stakeholders.send_survey_reminders"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0003_survey_historicalperson_survey_opt_out_at_and_more"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
