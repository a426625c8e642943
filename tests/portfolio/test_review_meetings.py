"""Review meetings: a manager steps through the team's key accounts, records decisions as plan
actions, closes the meeting and the minutes go out once (kam.portfolio.meetings)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountHealth
from kam.models import OutboxTask
from kam.portfolio import tasks
from kam.portfolio.models import ReviewDecision, ReviewMeeting, ReviewParticipant
from plans.models import Action, PlanStatus, PlanStep
from tests.factories import AccountFactory, TeamMemberFactory
from tests.plan_factories import ActionFactory, ObjectiveFactory, PeriodFactory, PlanFactory
from tests.stakeholder_factories import AffiliationFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def period(db, today):
    """A planning period around today, so that the accounts' plans are current."""
    return PeriodFactory(name="Now", start=today - timedelta(days=100), end=today + timedelta(days=200))


def health(account, score):
    return AccountHealth.objects.create(account=account, score=score, computed_at=timezone.now())


@pytest.fixture
def team(cast, period):
    """Manager A's team: account A (KAM A, health 80, a draft plan), account B (KAM B, health 30,
    an approved plan), account B2 (KAM B, no score, no plan); besides, a non-key account of KAM A
    and another team's key account C."""
    cast.account_a.is_key_account = True
    cast.account_a.save(update_fields=["is_key_account"])
    cast.account_c.is_key_account = True
    cast.account_c.save(update_fields=["is_key_account"])
    account_b = AccountFactory(name="Account B", owner=cast.kam_b, is_key_account=True)
    account_b2 = AccountFactory(name="Account B2", owner=cast.kam_b, is_key_account=True)
    AccountFactory(name="Not key", owner=cast.kam_a)
    health(cast.account_a, 80)
    health(account_b, 30)
    health(cast.account_c, 10)
    plan_a = PlanFactory(account=cast.account_a, period=period)
    plan_b = PlanFactory(account=account_b, period=period, status=PlanStatus.APPROVED, approved_by=cast.manager_a)
    return {"a": cast.account_a, "b": account_b, "b2": account_b2, "plan_a": plan_a, "plan_b": plan_b}


@pytest.fixture
def meeting(cast, team, login):
    login(cast.manager_a).post(
        reverse("meeting-start"), {"participants": [cast.kam_a.pk, cast.kam_b.pk, cast.access.pk]}
    )
    return ReviewMeeting.objects.get()


def page(meeting, position):
    return reverse("meeting-account", args=[meeting.pk, position])


def decide(client, meeting, position, **data):
    return client.post(page(meeting, position), data)


def test_a_manager_starts_a_meeting_over_the_teams_key_accounts_worst_health_first(cast, team, login):
    client = login(cast.manager_a)
    start = client.get(reverse("meeting-start"))
    assert start.status_code == 200
    assert {u.pk for u in start.context["form"].initial["participants"]} == {cast.kam_a.pk, cast.kam_b.pk}

    response = client.post(reverse("meeting-start"), {"participants": [cast.kam_a.pk, cast.kam_b.pk]})

    meeting = ReviewMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == page(meeting, 1)
    assert list(meeting.agenda.values_list("account__name", flat=True)) == ["Account B", "Account A", "Account B2"]
    assert set(meeting.participants.values_list("username", flat=True)) == {"manager_a", "kam_a", "kam_b"}
    assert meeting.started_at and meeting.closed_at is None and meeting.manager == cast.manager_a


def test_next_and_previous_step_through_the_accounts(cast, meeting, login):
    client = login(cast.manager_a)

    first, second, last = (client.get(page(meeting, n)) for n in (1, 2, 3))

    assert first.context["account"].name == "Account B" and first.context["previous"] is None
    assert first.context["next"].position == 2 and f'href="{page(meeting, 2)}"' in first.content.decode()
    assert second.context["account"].name == "Account A"
    assert second.context["previous"].position == 1 and second.context["next"].position == 3
    assert last.context["next"] is None and last.context["number"] == last.context["total"] == 3
    assert client.get(page(meeting, 4)).status_code == 404


def test_the_account_page_shows_changes_health_risks_and_open_actions(cast, team, meeting, login, today):
    plan = team["plan_a"]
    ActionFactory(plan=plan, title="Call the pharmacy director", due_date=today - timedelta(days=3))
    ActionFactory(plan=plan, title="Prepare the formulary dossier", due_date=today + timedelta(days=20))
    ObjectiveFactory(plan=plan, title="Raise share", due_date=today - timedelta(days=1), current_value=Decimal("11"))
    AffiliationFactory(account=team["a"], influence=5)

    response = login(cast.manager_a).get(page(meeting, 2))

    body = response.content.decode()
    assert response.status_code == 200
    assert [a.title for a in response.context["overdue"]] == ["Call the pharmacy director"]
    assert [a.title for a in response.context["open_actions"]] == ["Prepare the formulary dossier"]
    assert [o.title for o in response.context["objectives_at_risk"]] == ["Raise share"]
    assert response.context["stale_total"] == 1
    assert response.context["changes_total"] >= 3 and "Since the last review" in body
    assert response.context["health"].score == 80


def test_a_decision_becomes_an_action_of_the_plan_linked_to_the_meeting(cast, team, meeting, login, today):
    plan = team["plan_a"]
    version = PlanStep.objects.get(plan=plan, number=5).version
    due = today + timedelta(days=14)

    response = decide(
        login(cast.manager_a), meeting, 2, title="Book the P&T committee", owner=cast.kam_a.pk, due_date=due
    )

    assert response.status_code == 302
    decision = ReviewDecision.objects.get()
    action = Action.objects.get(title="Book the P&T committee")
    assert (action.plan, action.owner, action.due_date) == (plan, cast.kam_a, due)
    assert decision.action == action and decision.meeting == meeting and decision.account == team["a"]
    assert action.review_decision.meeting == meeting
    # Written as the step page writes it: step 5's version moves, history and health follow.
    assert PlanStep.objects.get(plan=plan, number=5).version == version + 1
    assert action.history.first().history_user == cast.manager_a
    assert OutboxTask.objects.filter(task="accounts.refresh_health").exists()


def test_a_decision_on_an_account_without_a_plan_open_for_actions_is_kept_on_the_meeting(
    cast, team, meeting, login, today
):
    client = login(cast.manager_a)
    shown = client.get(page(meeting, 1))
    assert "No plan of this account can take actions now" in shown.content.decode()
    actions = Action.objects.count()

    response = decide(client, meeting, 1, title="Open a revision", owner=cast.kam_b.pk, due_date=today)

    assert response.status_code == 302
    decision = ReviewDecision.objects.get()
    assert decision.action is None and decision.title == "Open a revision" and decision.account == team["b"]
    assert Action.objects.count() == actions
    assert team["plan_b"].status == PlanStatus.APPROVED
    assert "not on a plan yet" in client.get(page(meeting, 1)).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"owner": ""}, "This field is required."),
        ({"due_date": "someday"}, "Enter a valid date."),
        ({"due_date": "PAST"}, "Choose a due date from today on."),
        ({"due_date": "OUTSIDE"}, "Choose a date within"),
        ({"owner": "KAM_C"}, "Select a valid choice"),
        ({"title": "Keep <this> text: call Herr Müller, geb. 12.03.1958"}, "A decision goes into the minutes"),
    ],
)
def test_bad_input_is_a_400_with_the_message_and_the_values_kept(cast, meeting, login, today, data, message):
    values = {"title": "Keep <this> text", "owner": cast.kam_a.pk, "due_date": today.isoformat(), **data}
    special = {
        "PAST": (today - timedelta(days=1)).isoformat(),
        "OUTSIDE": (today + timedelta(days=400)).isoformat(),
        "KAM_C": cast.kam_c.pk,
    }
    values = {k: special.get(v, v) if isinstance(v, str) else v for k, v in values.items()}

    response = decide(login(cast.manager_a), meeting, 2, **values)

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and "Keep &lt;this&gt; text" in body
    assert not ReviewDecision.objects.exists()


def test_closing_sends_the_minutes_once_per_participant_even_if_closed_twice_or_run_twice(
    cast, team, meeting, login, today, django_capture_on_commit_callbacks
):
    client = login(cast.manager_a)
    decide(client, meeting, 2, title="Book the P&T committee", owner=cast.kam_a.pk, due_date=today)
    decide(client, meeting, 1, title="Open a revision", owner=cast.kam_b.pk, due_date=today)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("meeting-close", args=[meeting.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse("meeting-close", args=[meeting.pk]))
    tasks.send_meeting_minutes(meeting.pk)
    tasks.send_meeting_minutes(meeting.pk)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("meeting-minutes", args=[meeting.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (cast.manager_a, cast.kam_a, cast.kam_b, cast.access)
    )
    meeting.refresh_from_db()
    assert meeting.closed_at and meeting.minutes_sent_at
    assert not ReviewParticipant.objects.filter(meeting=meeting, minutes_sent_at__isnull=True).exists()
    assert OutboxTask.objects.filter(task="portfolio.send_meeting_minutes").count() == 1
    to_manager = next(m for m in mail.outbox if m.to == [cast.manager_a.email])
    assert "Book the P&T committee" in to_manager.body and str(cast.kam_a) in to_manager.body
    assert "not on a plan yet" in to_manager.body and "health 30" in to_manager.body
    assert "Book the P&amp;T committee" in to_manager.alternatives[0][0]
    # A KAM's minutes hold the accounts they see: KAM A does not see KAM B's accounts.
    to_kam_a = next(m for m in mail.outbox if m.to == [cast.kam_a.email])
    assert "Book the P&T committee" in to_kam_a.body and "Open a revision" not in to_kam_a.body


def test_the_minutes_page_shows_the_decisions_afterwards(cast, team, meeting, login, today):
    client = login(cast.manager_a)
    decide(client, meeting, 2, title="Book the P&T committee", owner=cast.kam_a.pk, due_date=today)
    client.post(reverse("meeting-close", args=[meeting.pk]))

    response = login(cast.kam_a).get(reverse("meeting-minutes", args=[meeting.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Book the P&amp;T committee" in body and "new action on the plan" in body
    assert "Close and send minutes" not in body


def test_a_medical_participant_gets_no_figures_in_the_pages_or_the_minutes(
    cast, team, login, today, django_capture_on_commit_callbacks
):
    TeamMemberFactory(account=team["a"], user=cast.medical)
    client = login(cast.manager_a)
    client.post(reverse("meeting-start"), {"participants": [cast.kam_a.pk, cast.medical.pk]})
    meeting = ReviewMeeting.objects.get()
    decide(client, meeting, 2, title="Book the P&T committee", owner=cast.kam_a.pk, due_date=today)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meeting-close", args=[meeting.pk]))

    medical = login(cast.medical)
    agenda = medical.get(reverse("meeting", args=[meeting.pk]))
    shown = medical.get(page(meeting, 2))
    minutes = medical.get(reverse("meeting-minutes", args=[meeting.pk]))

    assert [item.name for item, _n in agenda.context["agenda"]] == ["Account A"]
    body = shown.content.decode()
    assert shown.status_code == 200 and "health" not in shown.context
    assert "health-badge" not in body and "Since the last review" not in body and "Open actions" not in body
    assert "Book the P&amp;T committee" in body
    assert "health 80" not in minutes.content.decode()
    to_medical = next(m for m in mail.outbox if m.to == [cast.medical.email])
    assert "health" not in to_medical.body.lower() and "Book the P&T committee" in to_medical.body
    to_kam = next(m for m in mail.outbox if m.to == [cast.kam_a.email])
    assert "health 80" in to_kam.body


def test_another_team_gets_a_404_and_participants_may_only_look(cast, team, meeting, login, today):
    for user in (cast.manager_b, cast.kam_c, cast.medical):
        client = login(user)
        for url in (
            reverse("meeting", args=[meeting.pk]),
            page(meeting, 2),
            reverse("meeting-minutes", args=[meeting.pk]),
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("meeting-close", args=[meeting.pk])).status_code == 404
    kam_a = login(cast.kam_a)
    assert kam_a.get(page(meeting, 2)).status_code == 200
    # KAM A does not see KAM B's accounts, in the meeting or anywhere.
    assert kam_a.get(page(meeting, 1)).status_code == 404
    assert decide(kam_a, meeting, 2, title="x", owner=cast.kam_a.pk, due_date=today).status_code == 403
    assert kam_a.post(reverse("meeting-close", args=[meeting.pk])).status_code == 403
    assert kam_a.get(reverse("meeting-start")).status_code == 403
    head = login(cast.head)
    assert head.get(page(meeting, 1)).status_code == 200
    assert decide(head, meeting, 1, title="x", owner=cast.kam_b.pk, due_date=today).status_code == 403
    assert not ReviewDecision.objects.exists()
    assert ReviewMeeting.objects.get().closed_at is None


def test_a_closed_meeting_takes_no_more_decisions(cast, meeting, login, today):
    client = login(cast.manager_a)
    client.post(reverse("meeting-close", args=[meeting.pk]))

    response = decide(client, meeting, 2, title="Too late", owner=cast.kam_a.pk, due_date=today)

    assert response.status_code == 403
    assert "Record the decision" not in client.get(page(meeting, 2)).content.decode()


def test_a_manager_without_key_accounts_is_told_so(cast, login):
    response = login(cast.manager_b).post(reverse("meeting-start"), {})

    assert response.status_code == 400
    assert "Your team has no active key accounts to review." in response.content.decode()
    assert not ReviewMeeting.objects.exists()


def test_the_account_page_costs_the_same_queries_whatever_is_on_it(
    cast, team, meeting, login, today, django_assert_num_queries
):
    client = login(cast.manager_a)
    plan = team["plan_a"]
    ActionFactory(plan=plan, due_date=today - timedelta(days=1))
    decide(client, meeting, 2, title="Call the director", owner=cast.kam_a.pk, due_date=today)
    client.get(page(meeting, 2))  # warm the session and the caches
    with django_assert_num_queries(QUERIES) as few:
        client.get(page(meeting, 2))
    for n in range(7):
        ActionFactory(plan=plan, due_date=today - timedelta(days=n + 1))
        ActionFactory(plan=plan, due_date=today + timedelta(days=n + 1))
        ObjectiveFactory(plan=plan, due_date=today - timedelta(days=1), current_value=Decimal("11"))
        AffiliationFactory(account=team["a"], influence=5)
    decide(client, meeting, 2, title="Book the P&T committee", owner=cast.kam_a.pk, due_date=today)
    with django_assert_num_queries(QUERIES) as many:
        response = client.get(page(meeting, 2))
    assert response.context["overdue_total"] == 8 and response.context["stale_total"] == 7
    assert len(few.captured_queries) == len(many.captured_queries)


# The meeting's account page for its manager, with a plan: session and user (2), the meeting and its
# agenda (4 with the manager's scope), the account (2), the decisions, the current plans and whether
# the manager may edit the one taking actions, the last review, the plan's snapshot (about a dozen),
# the four lists and the owner choices of the decision form.
QUERIES = 28


def test_a_kept_decision_goes_on_the_plan_once_a_revision_is_open(cast, team, meeting, login, today):
    from plans.services import plan_revise

    client = login(cast.manager_a)
    decide(client, meeting, 1, title="Open a revision", owner=cast.kam_b.pk, due_date=today)
    decision = ReviewDecision.objects.get()
    url = reverse("meeting-decision-to-plan", args=[meeting.pk, decision.pk])
    refused = client.post(url, follow=True)
    assert "No plan of this account can take actions now." in refused.content.decode()
    revision = plan_revise(plan=team["plan_b"], by=cast.kam_b)
    assert "Put it on the plan" in client.get(page(meeting, 1)).content.decode()

    assert login(cast.kam_a).post(url).status_code == 404  # KAM A does not see account B
    assert login(cast.head).post(url).status_code == 403
    client = login(cast.manager_a)
    response = client.post(url)
    client.post(url)

    assert response.status_code == 302 and response["Location"] == page(meeting, 1) + "#decisions"
    decision.refresh_from_db()
    assert decision.action.plan == revision and decision.action.owner == cast.kam_b
    assert Action.objects.filter(plan=revision, title="Open a revision").count() == 1


def test_a_refused_minutes_email_is_sent_again_by_the_next_run_and_only_that_one(cast, meeting, login):
    import smtplib
    from unittest import mock

    from django.core.mail import EmailMultiAlternatives

    login(cast.manager_a).post(reverse("meeting-close", args=[meeting.pk]))
    real_send = EmailMultiAlternatives.send

    def flaky(message, *args, **kwargs):
        if message.to == [cast.kam_b.email]:
            raise smtplib.SMTPException("451 try again later")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMultiAlternatives, "send", flaky), pytest.raises(RuntimeError):
        tasks.send_meeting_minutes(meeting.pk)
    assert len(mail.outbox) == 3 and ReviewMeeting.objects.get().minutes_sent_at is None

    assert tasks.send_meeting_minutes(meeting.pk) == 1
    assert [m.to for m in mail.outbox].count([cast.kam_b.email]) == 1 and len(mail.outbox) == 4
    assert ReviewMeeting.objects.get().minutes_sent_at is not None


def test_a_decision_racing_the_close_is_refused_not_lost_from_the_minutes(cast, team, meeting, today):
    from django.core.exceptions import PermissionDenied

    from kam.portfolio.meetings import decision_record

    stale = ReviewMeeting.objects.get(pk=meeting.pk)  # read before the close, as a second tab has it
    ReviewMeeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now())

    with pytest.raises(PermissionDenied):
        decision_record(
            meeting=stale, account=team["a"], title="Late", owner=cast.kam_a, due_date=today, by=cast.manager_a
        )
    assert not ReviewDecision.objects.exists() and not Action.objects.filter(title="Late").exists()


@pytest.mark.parametrize("route", ["meeting", "meeting-minutes"])
def test_the_overview_and_the_minutes_cost_the_same_queries_whatever_was_decided(cast, meeting, login, today, route):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.manager_a)
    decide(client, meeting, 2, title="First", owner=cast.kam_a.pk, due_date=today)
    url = reverse(route, args=[meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        decide(client, meeting, 1 + n % 3, title=f"More {n}", owner=cast.kam_b.pk, due_date=today)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(one.captured_queries) == len(more.captured_queries) <= 15
