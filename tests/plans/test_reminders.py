"""The reminder digest: what goes in, who gets it when, and that nothing is reported twice."""

from __future__ import annotations

import smtplib
import threading
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from kam.models import Role
from plans import reminders
from plans.models import (
    AccountPlan,
    Action,
    ActionStatus,
    DigestFrequency,
    DigestPreference,
    PlanStatus,
    ReminderLog,
)
from plans.reminders import digest_candidates, send_digests
from plans.services import plan_create
from stakeholders.models import LowScoreFollowUp, Survey, SurveyCampaign, SurveyInvitation
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from tests.stakeholder_factories import PersonFactory

TODAY = date(2026, 6, 10)
SITE = "https://kam.example.com"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the job as the scheduler would: digests go out when their transaction commits."""

    def _run(today: date = TODAY) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return send_digests(today=today)

    return _run


def approved_plan(account, period, *, review: date, area: str = "") -> AccountPlan:
    plan = plan_create(account=account, period=period, therapeutic_area=area, by=account.owner)
    AccountPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED, next_review_date=review)
    plan.refresh_from_db()
    return plan


def action(plan, owner, *, due: date, status: str = ActionStatus.PLANNED, title: str = "Call the pharmacist"):
    return Action.objects.create(plan=plan, title=title, owner=owner, due_date=due, status=status)


def follow_up(account, *, closed: bool = False) -> LowScoreFollowUp:
    survey = Survey.objects.get_or_create(name="Partnership")[0]
    campaign = SurveyCampaign.objects.create(
        name="Spring", survey=survey, close_date=TODAY + timedelta(days=30), created_by=account.owner
    )
    invitation = SurveyInvitation.objects.create(
        campaign=campaign, person=PersonFactory(), account=account, expires_on=TODAY + timedelta(days=30)
    )
    return LowScoreFollowUp.objects.create(
        account=account, invitation=invitation, closed_at=timezone.now() if closed else None
    )


def mail_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def only_mail_to(user):
    messages = mail_to(user)
    assert len(messages) == 1, [m.to for m in mail.outbox]
    return messages[0]


# What goes in ----------------------------------------------------------------------------------


def test_it_bundles_each_kind_of_item_into_one_email(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=7))
    act = action(plan, cast.kam_a, due=TODAY + timedelta(days=3), title="Formulary dossier")
    fu = follow_up(cast.account_a)

    assert run() == 2  # KAM A, and the market-access colleague on account A's team

    body = only_mail_to(cast.kam_a).body
    assert str(plan) in body
    assert "Formulary dossier" in body
    assert "Low satisfaction score at Account A" in body
    assert set(ReminderLog.objects.filter(user=cast.kam_a).values_list("item_key", flat=True)) == {
        f"review:{plan.pk}",
        f"action:{act.pk}",
        f"followup:{fu.pk}",
    }
    team_body = only_mail_to(cast.access).body
    assert str(plan) in team_body
    assert "Formulary dossier" not in team_body
    assert "Low satisfaction" not in team_body


def test_it_includes_overdue_actions_and_reviews(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY - timedelta(days=3))
    action(plan, cast.kam_a, due=TODAY - timedelta(days=20), title="Overdue visit")

    run()

    body = only_mail_to(cast.kam_a).body
    assert "Overdue visit" in body
    assert "overdue since" in body
    assert str(plan) in body


def test_it_leaves_out_done_actions_and_what_is_not_due_yet(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=8))
    action(plan, cast.kam_a, due=TODAY - timedelta(days=5), status=ActionStatus.DONE, title="Done already")
    action(plan, cast.kam_a, due=TODAY + timedelta(days=4), title="Later")
    plan_create(account=cast.account_c, period=period, by=cast.kam_c)  # a draft: no review reminders
    AccountPlan.objects.filter(account=cast.account_c).update(next_review_date=TODAY)
    follow_up(cast.account_a, closed=True)

    assert run() == 0
    assert mail.outbox == []


def test_follow_ups_go_to_the_account_owner_only(cast, run):
    follow_up(cast.account_c)

    run()

    assert only_mail_to(cast.kam_c)
    assert mail_to(cast.manager_b) == []


def test_managers_get_team_plans_only_from_14_days_overdue(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY - timedelta(days=13))

    run()
    assert mail_to(cast.manager_a) == []

    run(TODAY + timedelta(days=1))  # now 14 days overdue

    body = only_mail_to(cast.manager_a).body
    assert str(plan) in body
    assert "Your team's plans overdue for review" in body
    assert str(cast.kam_a) in body
    assert only_mail_to(cast.head)  # above KAM A through manager A
    assert mail_to(cast.manager_b) == []
    assert ReminderLog.objects.filter(user=cast.manager_a, item_key=f"team-review:{plan.pk}").exists()


def test_weekly_users_get_it_only_on_their_weekday(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY)
    action(plan, cast.kam_a, due=TODAY)
    weekday = (TODAY.weekday() + 1) % 7
    DigestPreference.objects.create(user=cast.kam_a, frequency=DigestFrequency.WEEKLY, weekday=weekday)

    run()
    assert mail_to(cast.kam_a) == []
    assert not ReminderLog.objects.filter(user=cast.kam_a).exists()

    run(TODAY + timedelta(days=1))
    assert "Call the pharmacist" in only_mail_to(cast.kam_a).body


# Once per due date -------------------------------------------------------------------------------


def test_a_rerun_sends_nothing_new(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY)
    action(plan, cast.kam_a, due=TODAY)

    assert run() == 2
    logged = ReminderLog.objects.count()

    assert run() == 0
    assert len(mail.outbox) == 2
    assert ReminderLog.objects.count() == logged


def test_a_new_overdue_item_the_next_day_comes_alone(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=30))
    action(plan, cast.kam_a, due=TODAY - timedelta(days=1), title="First")
    run()
    assert "First" in only_mail_to(cast.kam_a).body

    action(plan, cast.kam_a, due=TODAY, title="Second")
    mail.outbox.clear()
    assert run(TODAY + timedelta(days=1)) == 1

    body = only_mail_to(cast.kam_a).body
    assert "Second" in body
    assert "First" not in body
    assert "1 item needs you" in only_mail_to(cast.kam_a).subject


def test_a_moved_due_date_is_reported_again(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=30))
    act = action(plan, cast.kam_a, due=TODAY, title="Moved")
    run()
    Action.objects.filter(pk=act.pk).update(due_date=TODAY + timedelta(days=2))
    mail.outbox.clear()

    run(TODAY + timedelta(days=1))

    assert "Moved" in only_mail_to(cast.kam_a).body


def test_nobody_gets_an_empty_digest(cast, run):
    assert run() == 0
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_inactive_users_get_nothing(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY)
    action(plan, cast.kam_a, due=TODAY)
    follow_up(cast.account_a)
    cast.kam_a.is_active = False
    cast.kam_a.save(update_fields=["is_active"])

    run()

    assert mail_to(cast.kam_a) == []
    assert not ReminderLog.objects.filter(user=cast.kam_a).exists()
    assert only_mail_to(cast.access)  # the team member still hears about the review


def test_actions_of_a_superseded_revision_are_not_reported_twice(cast, period, run):
    old = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=30))
    action(old, cast.kam_a, due=TODAY, title="Copied")
    AccountPlan.objects.filter(pk=old.pk).update(status=PlanStatus.SUPERSEDED)
    new = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=30), area="Oncology")
    AccountPlan.objects.filter(pk=new.pk).update(previous=old)
    action(new, cast.kam_a, due=TODAY, title="Copied")

    run()

    assert only_mail_to(cast.kam_a).body.count("Copied") == 1


def test_building_the_candidates_costs_the_same_queries_for_more_users(cast, period):
    def data(owner, manager, area):
        account = AccountFactory(owner=owner)
        TeamMemberFactory(account=account, user=UserFactory())
        plan = approved_plan(account, period, review=TODAY - timedelta(days=20), area=area)
        action(plan, owner, due=TODAY)
        follow_up(account)

    data(cast.kam_a, cast.manager_a, "")
    with CaptureQueriesContext(connection) as small:
        assert digest_candidates(today=TODAY)

    for n in range(5):
        manager = UserFactory(role=Role.MANAGER, manager=cast.head)
        data(UserFactory(manager=manager), manager, f"TA {n}")
    with CaptureQueriesContext(connection) as large:
        candidates = digest_candidates(today=TODAY)

    assert len(large.captured_queries) == len(small.captured_queries) <= 10
    assert len(candidates) > 15


# The e-mail ------------------------------------------------------------------------------------


def test_the_email_has_text_and_html_parts_with_links(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY)
    action(plan, cast.kam_a, due=TODAY)
    follow_up(cast.account_a)

    run()

    message = only_mail_to(cast.kam_a)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    links = [
        SITE + plan.get_absolute_url(),
        SITE + reverse("plans:step", args=[plan.pk, 5]),
        SITE + cast.account_a.get_absolute_url(),
        SITE + reverse("plans:digest-settings"),
    ]
    for link in links:
        assert link in message.body
        assert f'href="{link}"' in html
    assert "3 items need you" in message.subject


# Schedule and preference page ---------------------------------------------------------------------


def test_the_periodic_task_is_scheduled_by_the_migrations(db):
    task = PeriodicTask.objects.select_related("crontab").get(name="Daily digest")
    assert task.task == "plans.send_digests"
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "6", "*")
    assert str(task.crontab.timezone) == "Europe/Berlin"


def test_the_task_calls_the_service(cast, period, django_capture_on_commit_callbacks, time_machine):
    from plans.tasks import send_digests as task

    time_machine.move_to("2026-06-10 06:30:00+02:00", tick=False)
    approved_plan(cast.account_a, period, review=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert task.delay().get() == 2


def test_the_settings_page_needs_login(client):
    url = reverse("plans:digest-settings")
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_settings_page_saves_the_preference(cast, login):
    client = login(cast.kam_a)
    url = reverse("plans:digest-settings")
    assert client.get(url).status_code == 200
    assert not DigestPreference.objects.exists()  # looking creates nothing

    response = client.post(url, {"frequency": "weekly", "weekday": "4"})
    assert response.status_code == 302
    preference = DigestPreference.objects.get(user=cast.kam_a)
    assert (preference.frequency, preference.weekday) == ("weekly", 4)

    client.post(url, {"frequency": "daily", "weekday": "4"})
    assert DigestPreference.objects.get(user=cast.kam_a).frequency == "daily"
    assert DigestPreference.objects.count() == 1


def test_the_settings_page_rejects_a_day_out_of_range(cast, login):
    response = login(cast.kam_a).post(reverse("plans:digest-settings"), {"frequency": "weekly", "weekday": "7"})
    assert response.status_code == 400  # refused, as every form answers a refusal
    assert not DigestPreference.objects.exists()


# Real transactions ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_releases_the_items_for_the_next_run(cast, period):
    plan = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=30))
    action(plan, cast.kam_a, due=TODAY)

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=smtplib.SMTPServerDisconnected):
        assert send_digests(today=TODAY) == 0
    assert not ReminderLog.objects.exists()

    assert send_digests(today=TODAY) == 1
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_at_once_send_each_item_once(cast, period):
    plan = approved_plan(cast.account_a, period, review=TODAY)
    action(plan, cast.kam_a, due=TODAY)
    # Both runs have decided what to send before either claims anything: the worst interleaving.
    barrier = threading.Barrier(2, timeout=10)
    original = reminders.digest_candidates

    def candidates_then_wait(**kwargs):
        found = original(**kwargs)
        barrier.wait()
        return found

    results: list[int] = []
    errors: list[BaseException] = []

    def job():
        try:
            results.append(send_digests(today=TODAY))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    with mock.patch.object(reminders, "digest_candidates", candidates_then_wait):
        threads = [threading.Thread(target=job) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert errors == []
    assert sum(results) == 2  # KAM A and the team member, each once
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.kam_a.email, cast.access.email])
    assert ReminderLog.objects.filter(user=cast.kam_a).count() == 2
