from django.db import migrations


def forwards(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    minute, _ = Interval.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Dispatch scheduled survey campaigns",
        defaults={"task": "stakeholders.dispatch_scheduled_campaigns", "interval": minute},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="stakeholders.dispatch_scheduled_campaigns"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("stakeholders", "0004_survey_schedules_and_default")]

    operations = [migrations.RunPython(forwards, backwards)]
