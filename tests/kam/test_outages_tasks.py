"""Tasks through an outage: retried with backoff for database and broker errors, never for bugs;
the heartbeat that tells /healthz and administrators whether scheduled jobs run."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from kam import status
from kam.celery import OUTAGE_ERRORS, app
from kam.models import Heartbeat
from kam.tasks import BEAT, heartbeat

OUR_APPS = ("accounts.", "plans.", "stakeholders.", "kam.")


def _our_tasks():
    app.loader.import_default_modules()
    return [task for name, task in sorted(app.tasks.items()) if name.startswith(OUR_APPS)]


def test_every_task_retries_outages_only_with_backoff_jitter_and_a_maximum():
    tasks = _our_tasks()
    assert {t.name for t in tasks} >= {"accounts.refresh_health", "plans.prerender_exports", "kam.heartbeat"}
    for task in tasks:
        if task.name in ("kam.heartbeat", "kam.outbox_sweep"):
            # The next minute's heartbeat (or sweep) replaces a failed one; retries would only pile up.
            assert not hasattr(task, "_orig_run")
            continue
        assert set(task.autoretry_for) == {OperationalError, InterfaceError, BrokerOperationalError}, task.name
        assert task.retry_backoff and task.retry_jitter, task.name
        assert 1 <= task.max_retries <= 10, task.name
        assert task.acks_late is True, task.name
    assert app.conf.task_reject_on_worker_lost is True


@pytest.mark.django_db
def test_it_retries_a_task_that_hits_a_database_outage():
    from kam.portfolio.tasks import refresh_health_task

    down = OperationalError("could not connect to server: Connection refused")
    with mock.patch("kam.portfolio.tasks.refresh_health", side_effect=down) as refresh:
        result = refresh_health_task.apply(args=[[1]])
    # Eagerly, Celery runs the retries at once: the first try and every retry, then the error.
    assert refresh.call_count == refresh_health_task.max_retries + 1
    assert result.state == "FAILURE"
    assert isinstance(result.result, OperationalError)


@pytest.mark.django_db
def test_it_schedules_the_retry_with_a_backoff_countdown():
    from kam.portfolio.tasks import refresh_health_task

    with (
        mock.patch("kam.portfolio.tasks.refresh_health", side_effect=OperationalError("server closed the connection")),
        mock.patch.object(refresh_health_task, "retry", side_effect=RuntimeError("retry called")) as retry,
    ):
        refresh_health_task.apply(args=[[1]])
    countdown = retry.call_args.kwargs["countdown"]
    assert 0 <= countdown <= refresh_health_task.retry_backoff  # first try: full jitter below 5 s
    assert isinstance(retry.call_args.kwargs["exc"], OperationalError)


@pytest.mark.django_db
def test_it_does_not_retry_a_bug():
    from kam.portfolio.tasks import refresh_health_task

    with mock.patch("kam.portfolio.tasks.refresh_health", side_effect=ValueError("a bug")) as refresh:
        result = refresh_health_task.apply(args=[[1]])
    assert refresh.call_count == 1
    assert result.state == "FAILURE"
    assert not isinstance(result.result, OUTAGE_ERRORS)


@pytest.mark.django_db
def test_the_heartbeat_task_records_that_scheduled_jobs_run():
    assert status.beat_is_late(status.last_beat())
    heartbeat.apply()
    at = status.last_beat()
    assert at is not None and timezone.now() - at < timedelta(seconds=5)
    assert not status.beat_is_late(at)
    assert status.beat_is_late(at, now=at + timedelta(minutes=11))


@pytest.mark.django_db
def test_healthz_reports_each_part_as_json(client):
    Heartbeat.objects.create(name=BEAT, at=timezone.now())
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "database", "broker", "cache", "worker", "beat"}
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is True
    assert body["beat"]["ok"] is True


@pytest.mark.django_db
def test_the_dashboard_warns_an_administrator_when_scheduled_jobs_are_late(cast, login):
    Heartbeat.objects.create(name=BEAT, at=timezone.now() - timedelta(hours=1))
    warning = "Scheduled jobs have not run on time"
    assert warning in login(cast.admin).get(reverse("home")).content.decode()
    assert warning not in login(cast.kam_a).get(reverse("home")).content.decode()
    Heartbeat.objects.filter(name=BEAT).update(at=timezone.now())
    assert warning not in login(cast.admin).get(reverse("home")).content.decode()
