"""Plan news: the manager hears of a submission, the KAM of a request for changes or an approval;
in the app and by e-mail (at once or in the digest); each once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from plans import notifications, tasks
from plans.models import DigestPreference, Notification, NotificationEvent, PlanNewsDelivery, PlanReview
from plans.reminders import send_digests
from plans.services import plan_approve, plan_request_changes, plan_submit


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run a service as the app does: its tasks (eager in tests) run when it commits."""

    def _run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return _run


def mail_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_it_tells_the_owners_manager_once_when_a_plan_is_submitted(cast, plan, on_commit):
    on_commit(plan_submit, plan=plan, by=cast.kam_a)

    row = Notification.objects.get()
    assert (row.recipient, row.event, row.round, row.actor) == (
        cast.manager_a,
        NotificationEvent.SUBMITTED,
        1,
        cast.kam_a,
    )
    assert len(mail_to(cast.manager_a)) == 1 and len(mail.outbox) == 1
    assert reverse("plans:review", args=[plan.pk]) in mail.outbox[0].body


def test_it_tells_nobody_twice_when_the_task_runs_again(cast, plan, on_commit):
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    tasks.notify_submitted(plan.pk, 1, cast.kam_a.pk)
    tasks.notify_submitted(plan.pk, 1, cast.kam_a.pk)
    review = on_commit(plan_approve, plan=plan, by=cast.manager_a) and PlanReview.objects.get()
    tasks.notify_reviewed(review.pk)
    tasks.notify_reviewed(review.pk)

    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_second_submission_is_news_again(cast, plan, on_commit):
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    on_commit(plan_request_changes, plan=plan, by=cast.manager_a, comment="Sharpen the KPI")
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    on_commit(plan_approve, plan=plan, by=cast.manager_a)

    told = list(Notification.objects.order_by("pk").values_list("recipient__username", "event", "round"))
    assert told == [
        ("manager_a", "submitted", 1),
        ("kam_a", "changes_requested", 1),
        ("manager_a", "submitted", 2),
        ("kam_a", "approved", 2),
    ]
    sent_back = mail_to(cast.kam_a)[0]
    assert "Sharpen the KPI" in sent_back.body and "Sharpen the KPI" in sent_back.alternatives[0][0]


def test_a_submission_by_a_team_member_reaches_owner_and_submitter_when_reviewed(cast, plan, on_commit):
    on_commit(plan_submit, plan=plan, by=cast.access)
    on_commit(plan_approve, plan=plan, by=cast.head)

    approved = Notification.objects.filter(event=NotificationEvent.APPROVED)
    assert sorted(approved.values_list("recipient__username", flat=True)) == ["access", "kam_a"]


def test_digest_readers_hear_in_the_digest_and_only_there(cast, plan, on_commit, django_capture_on_commit_callbacks):
    DigestPreference.objects.create(user=cast.manager_a, plan_news=PlanNewsDelivery.DIGEST)
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    assert mail.outbox == [] and Notification.objects.filter(recipient=cast.manager_a).exists()

    with django_capture_on_commit_callbacks(execute=True):
        send_digests(today=timezone.localdate())
        send_digests(today=timezone.localdate())

    digest = mail_to(cast.manager_a)
    assert len(digest) == 1 and str(plan) in digest[0].body
    tasks.notify_submitted(plan.pk, 1, cast.kam_a.pk)
    assert len(mail.outbox) == 1


def test_read_news_stays_out_of_the_digest(cast, plan, on_commit, django_capture_on_commit_callbacks):
    DigestPreference.objects.create(user=cast.manager_a, plan_news=PlanNewsDelivery.DIGEST)
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    notifications.mark_read(user=cast.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(today=timezone.localdate())
    assert mail_to(cast.manager_a) == []


def test_the_mail_speaks_the_recipients_language(cast, plan, on_commit):
    cast.manager_a.language = "de"
    cast.manager_a.save(update_fields=["language"])
    cast.kam_a.language = "en"
    cast.kam_a.save(update_fields=["language"])
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    on_commit(plan_approve, plan=plan, by=cast.manager_a)

    german = mail_to(cast.manager_a)[0]
    assert "zur Freigabe" in german.body and "zur Freigabe" in german.alternatives[0][0]
    assert 'lang="de"' in german.alternatives[0][0]
    assert "approved" in mail_to(cast.kam_a)[0].body


def test_nobody_hears_of_a_plan_they_cannot_see(cast, plan, on_commit):
    # KAM A moves under manager B, who cannot see account A until the handover: no manager above
    # A who sees the plan is told (manager A is no longer above A, manager B does not see it).
    cast.kam_a.manager = cast.manager_b
    cast.kam_a.save(update_fields=["manager"])
    cast.account_a.owner = cast.kam_c
    cast.account_a.save(update_fields=["owner"])
    plan.account.refresh_from_db()
    on_commit(plan_submit, plan=plan, by=cast.access)
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"manager_b"}  # KAM C's manager, who sees the account now
    assert cast.manager_a.pk not in set(Notification.objects.values_list("recipient", flat=True))


def test_a_medical_team_member_is_not_told_of_the_workflow(cast, plan, on_commit):
    from tests.factories import TeamMemberFactory

    TeamMemberFactory(account=cast.account_a, user=cast.medical)
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    on_commit(plan_approve, plan=plan, by=cast.manager_a)
    assert not Notification.objects.filter(recipient=cast.medical).exists()


def test_the_list_shows_the_news_and_marks_it_read(cast, plan, on_commit, login):
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    client = login(cast.manager_a)

    badge = client.get(reverse("plans:notifications-badge"))
    assert ">1<" in badge.content.decode()
    page = client.get(reverse("plans:notifications"))
    assert page.status_code == 200 and str(plan) in page.content.decode()
    row = Notification.objects.get()
    opened = client.post(reverse("plans:notifications"), {"id": row.pk})
    assert opened.status_code == 302 and opened.url == reverse("plans:review", args=[plan.pk])
    row.refresh_from_db()
    assert row.read_at is not None
    assert "badge" not in client.get(reverse("plans:notifications-badge")).content.decode()


def test_marking_all_read_touches_only_ones_own(cast, plan, on_commit, login):
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    other = Notification.objects.get()
    response = login(cast.kam_b).post(reverse("plans:notifications"), {"id": other.pk})
    assert response.status_code == 302 and response.url == reverse("plans:notifications")
    login(cast.kam_b).post(reverse("plans:notifications"))
    other.refresh_from_db()
    assert other.read_at is None


def test_old_digest_news_is_not_reported(cast, plan, on_commit, django_capture_on_commit_callbacks):
    DigestPreference.objects.create(user=cast.manager_a, plan_news=PlanNewsDelivery.DIGEST)
    on_commit(plan_submit, plan=plan, by=cast.kam_a)
    Notification.objects.update(created_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(today=timezone.localdate())
    assert mail_to(cast.manager_a) == []
