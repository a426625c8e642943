"""The outbox: side effects recorded with the write, published on commit, swept until done.

Tasks run eagerly here (test settings); tests/kam/test_outbox_faults.py runs a real broker and
worker."""

from __future__ import annotations

import smtplib
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from accounts.models import AccountHealth
from kam import outbox
from kam.celery import app
from kam.models import OutboxState, OutboxTask
from plans.models import PlanningPeriod
from plans.services import plan_create, step_save
from stakeholders.models import InvitationStatus
from stakeholders.services import touchpoint_log
from stakeholders.surveys.delivery import send_reminders
from stakeholders.surveys.responses import record_response
from tests.stakeholder_factories import TouchpointFactory
from tests.survey_factories import InvitationFactory, QueuedInvitationFactory, SendingCampaignFactory


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails as with Redis refusing connections; ``calls`` counts the tries."""
    calls = []

    def refuse(self, *args, **kwargs):
        calls.append(self["task"])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(type(app.signature("x")), "apply_async", refuse)
    return calls


@pytest.fixture
def broker_loses(monkeypatch):
    """Publishes succeed, and the broker then loses the message (a restart without persistence)."""
    calls = []
    monkeypatch.setattr(type(app.signature("x")), "apply_async", lambda self, *a, **k: calls.append(self["task"]))
    return calls


def _log_touchpoint(cast) -> None:
    touchpoint = TouchpointFactory.build(account=cast.account_a)
    touchpoint_log(touchpoint=touchpoint, participants=[], people=[], by=cast.kam_a)


def test_it_records_the_side_effect_with_the_write_and_runs_it_on_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _log_touchpoint(cast)
    row = OutboxTask.objects.get()
    assert (row.task, row.args, row.dedupe_key) == ("accounts.refresh_health", [[cast.account_a.pk]], row.dedupe_key)
    # "done" means the task ran, marked by the worker (here eagerly) when it finished.
    assert row.state == OutboxState.DONE and row.done_at is not None and row.started_at is not None
    assert AccountHealth.objects.filter(account=cast.account_a).exists()


def test_it_records_nothing_when_the_write_rolls_back(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        _log_touchpoint(cast)
        raise RuntimeError
    assert not OutboxTask.objects.exists()


def test_it_records_the_same_waiting_side_effect_once(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(3):
            _log_touchpoint(cast)
    assert OutboxTask.objects.count() == 1


def test_a_started_row_does_not_stand_for_a_later_write(cast, django_capture_on_commit_callbacks):
    # The running task may have read the data before this write: the write needs its own run.
    with django_capture_on_commit_callbacks(execute=False):
        _log_touchpoint(cast)
    OutboxTask.objects.update(started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):
        _log_touchpoint(cast)
    assert OutboxTask.objects.count() == 2


def test_a_broker_outage_keeps_the_row_for_the_sweeper(cast, broker_down, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        _log_touchpoint(cast)
    assert broker_down == ["accounts.refresh_health"]
    row = OutboxTask.objects.get()
    assert row.state == OutboxState.PENDING and "Connection refused" in row.last_error
    # Due again within a backoff of 15 to 30 s, not after the republish delay.
    assert row.available_at <= timezone.now() + outbox.BACKOFF_BASE
    assert "the sweeper will" in caplog.text
    assert not AccountHealth.objects.filter(account=cast.account_a).exists()


def test_the_sweeper_publishes_what_failed_once_the_broker_is_back(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    real = type(app.signature("x")).apply_async

    def down(self, *args, **kwargs):
        calls.append(self["task"])
        raise OperationalError("Connection refused")

    monkeypatch.setattr(type(app.signature("x")), "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        _log_touchpoint(cast)
    # While the broker is still down the sweep keeps the row and spends one try.
    result = outbox.sweep(now=timezone.now() + timedelta(minutes=1))
    assert (result.published, result.failed) == (0, 1)
    monkeypatch.setattr(type(app.signature("x")), "apply_async", real)
    result = outbox.sweep(now=timezone.now() + timedelta(minutes=3))
    assert result.published == 1
    row = OutboxTask.objects.get()
    assert row.state == OutboxState.DONE and row.attempts == 3
    assert AccountHealth.objects.filter(account=cast.account_a).exists()


def test_a_published_row_never_done_is_published_again(cast, broker_loses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _log_touchpoint(cast)
    assert broker_loses == ["accounts.refresh_health"]
    # Not yet: the message may still be waiting in the queue.
    assert outbox.sweep(now=timezone.now() + timedelta(minutes=2)).published == 0
    assert outbox.sweep(now=timezone.now() + outbox.REPUBLISH_AFTER + timedelta(seconds=1)).published == 1
    assert broker_loses == ["accounts.refresh_health"] * 2


def test_a_row_out_of_tries_is_dead_and_retry_revives_it(cast, broker_loses):
    _log_touchpoint(cast)
    OutboxTask.objects.update(attempts=outbox.MAX_ATTEMPTS, last_error="ValueError: boom")
    result = outbox.sweep(now=timezone.now() + timedelta(hours=1))
    assert result.dead == 1 and result.published == 0
    assert outbox.dead_count() == 1
    assert outbox.retry(list(OutboxTask.objects.values_list("pk", flat=True))) == 1
    assert outbox.sweep().published == 1


def test_backoff_doubles_with_jitter_up_to_the_maximum():
    for attempts, low, high in [(1, 15, 30), (2, 30, 60), (3, 60, 120), (20, 1800, 3600)]:
        for _ in range(20):
            assert low <= outbox.backoff(attempts).total_seconds() <= high


def test_the_sweeper_deletes_old_rows(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _log_touchpoint(cast)
    later = timezone.now() + outbox.KEEP_DONE + timedelta(minutes=1)
    assert outbox.sweep(now=later).deleted == 1
    assert not OutboxTask.objects.exists()


def test_a_plan_step_save_records_the_health_refresh_and_the_prerender(cast, settings, broker_down):
    settings.PLAN_EXPORT_PRERENDER = True
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    plan = plan_create(account=cast.account_a, period=period, by=cast.kam_a)
    OutboxTask.objects.all().delete()
    step = plan.steps.get(number=4)
    with transaction.atomic():
        step_save(plan=plan, number=4, content={"value_proposition": "x"}, expected_version=step.version, by=cast.kam_a)
        assert sorted(OutboxTask.objects.values_list("task", flat=True)) == [
            "accounts.refresh_health",
            "plans.prerender_exports",
        ]


def test_the_sweeper_runs_every_minute(db):
    task = PeriodicTask.objects.select_related("interval").get(name="Outbox sweep")
    assert task.task == "kam.outbox_sweep" and task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")


def test_the_admin_lists_dead_rows_and_retries_them(cast, login, broker_loses):
    cast.admin.is_staff = cast.admin.is_superuser = True
    cast.admin.save()
    _log_touchpoint(cast)
    OutboxTask.objects.update(state=OutboxState.DEAD, last_error="ValueError: <b>boom</b>")
    client = login(cast.admin)
    page = client.get(reverse("admin:kam_outboxtask_changelist") + "?state__exact=dead")
    assert page.status_code == 200
    assert "accounts.refresh_health" in page.text and "&lt;b&gt;boom" in page.text
    pk = OutboxTask.objects.get().pk
    response = client.post(
        reverse("admin:kam_outboxtask_changelist"), {"action": "retry", "_selected_action": [pk]}, follow=True
    )
    assert "1 dead task will be published at the next sweep." in response.text
    assert OutboxTask.objects.get().state == OutboxState.PENDING


def test_the_administrators_dashboard_mentions_dead_rows(cast, login, broker_loses):
    _log_touchpoint(cast)
    page = login(cast.admin).get(reverse("home"))
    assert "could not be carried out" not in page.text
    OutboxTask.objects.update(state=OutboxState.DEAD)
    page = login(cast.admin).get(reverse("home"))
    assert "1 background task could not be carried out" in page.text
    assert "could not be carried out" not in login(cast.kam_a).get(reverse("home")).text


def _low_answer(cast) -> None:
    today = timezone.localdate()
    invitation = InvitationFactory(account=cast.account_a, campaign__close_date=today + timedelta(days=30))
    invitation.expires_on = today + timedelta(days=30)
    invitation.save()
    record_response(invitation=invitation, csat_score=1, answers={}, comment="")


def test_a_low_score_alert_survives_a_mail_server_outage_and_goes_out_once(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.kam.test_outbox.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _low_answer(cast)
    row = OutboxTask.objects.get(task="stakeholders.alert_low_score")
    assert row.state == OutboxState.PENDING and "SMTPServerDisconnected" in row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + outbox.RUNNING_LEASE + timedelta(seconds=1)
    assert outbox.sweep(now=later).published == 1
    assert [m.subject for m in mail.outbox] == ["Low satisfaction score at Account A"]
    # A second delivery of the same row (republished, redelivered) sends nothing more.
    row.refresh_from_db()
    assert row.state == OutboxState.DONE
    app.signature(row.task, args=row.args).apply_async(headers={outbox.HEADER: row.pk})
    assert len(mail.outbox) == 1


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_survey_reminder_that_failed_to_send_goes_out_at_the_next_run(db, settings):
    campaign = SendingCampaignFactory(reminder_after_days=7, close_date=timezone.localdate() + timedelta(days=30))
    silent = QueuedInvitationFactory(campaign=campaign, status=InvitationStatus.SENT, sent_at=timezone.now())
    now = timezone.now() + timedelta(days=8)
    settings.EMAIL_BACKEND = "tests.kam.test_outbox.RefusingBackend"
    assert send_reminders(now=now) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Not marked as reminded by the failed run: this one sends it, and a third sends nothing.
    assert send_reminders(now=now + timedelta(hours=1)) == 1
    assert send_reminders(now=now + timedelta(hours=2)) == 0
    assert [m.to for m in mail.outbox] == [[silent.person.email]]
