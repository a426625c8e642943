from django.db import migrations

NAME = "Account health refresh"


def schedule(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Hourly: writes refresh their accounts at once; this catches what time alone changes
    # (contact cadence, objectives' elapsed time, the CSAT window) and any missed enqueue.
    hour, _ = Interval.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "accounts.refresh_health", "interval": hour})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_account_health"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
