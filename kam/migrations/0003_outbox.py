import django.utils.timezone
from django.db import migrations, models

NAME = "Outbox sweep"


def schedule(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Every minute: side effects whose publish failed or that never finished go out again.
    minute, _ = Interval.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "kam.outbox_sweep", "interval": minute})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kam", "0002_heartbeat"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxTask",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task", models.CharField(max_length=100, verbose_name="task")),
                ("args", models.JSONField(blank=True, default=list, verbose_name="arguments")),
                ("dedupe_key", models.CharField(blank=True, max_length=200, verbose_name="dedupe key")),
                (
                    "state",
                    models.CharField(
                        choices=[("pending", "Pending"), ("done", "Done"), ("dead", "Dead")],
                        default="pending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                ("available_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="next try")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="publish attempts")),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="last published")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started")),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done")),
            ],
            options={
                "verbose_name": "outbox task",
                "verbose_name_plural": "outbox tasks",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("state", "pending")), fields=["available_at"], name="outbox_pending_due"
                    ),
                    models.Index(fields=["state", "created_at"], name="outbox_state_created"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("started_at__isnull", True),
                            ("state", "pending"),
                            models.Q(("dedupe_key", ""), _negated=True),
                        ),
                        fields=("dedupe_key",),
                        name="outbox_one_waiting_per_key",
                    )
                ],
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]
