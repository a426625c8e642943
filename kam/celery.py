"""The Celery application, configured from Django settings (CELERY_ namespace)."""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")

# Errors that say "a server is down for now", not "this task is wrong": the database went away
# (restart, failover) or the broker did while the task enqueued another. Everything else fails
# the task at once, since retrying a bug only repeats it.
OUTAGE_ERRORS = (DatabaseOperationalError, InterfaceError, BrokerOperationalError)


class OutageRetryingTask(DjangoTask):
    """Every task of the app: retried through an outage, with exponential backoff and jitter.

    Waits of about 5, 10, 20, 40 s ... (full jitter, at most 10 minutes) and seven tries add up to
    some ten minutes, the length of a database restart or failover; past that the periodic jobs
    catch up. Tasks take ids and are safe to run twice, so a retry (or a redelivery after a
    killed worker, acks_late) repeats nothing. A task's own retry options win over these.
    Based on Celery's Django task class, the one the app would use without a custom class.
    """

    autoretry_for = OUTAGE_ERRORS
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 7
    acks_late = True


app = Celery("kam", task_cls=OutageRetryingTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The surveys are a package inside the stakeholders app, not an app of their own: named here.
app.autodiscover_tasks(["stakeholders.surveys"])
