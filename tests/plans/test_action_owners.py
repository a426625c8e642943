"""An action's owner sees the plan's account; the digest names plans and accounts only to people
who see them on the day it is sent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from accounts.selectors import account_viewers, accounts_visible_to
from plans.models import Action
from plans.row_base import action_owners
from tests.factories import TeamMemberFactory
from tests.plans.test_reminders import TODAY, action, approved_plan


def _step5(**row) -> dict:
    data = {
        "version": 0,
        "notes": "",
        "act-TOTAL_FORMS": "1",
        "act-INITIAL_FORMS": "0",
        "act-MIN_NUM_FORMS": "0",
        "act-MAX_NUM_FORMS": "1000",
        "act-0-title": "Present the budget impact model",
        "act-0-status": "planned",
    }
    data.update({f"act-0-{k}": v for k, v in row.items()})
    return data


@pytest.mark.parametrize("role", ["kam_a", "access", "manager_a", "head"])
def test_people_who_see_the_account_may_own_its_actions(role, cast, plan, login):
    owner = getattr(cast, role)
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 5]), _step5(owner=owner.pk))
    assert response.status_code == 302
    assert Action.objects.get(plan=plan).owner == owner


@pytest.mark.parametrize("role", ["kam_c", "kam_b", "manager_b", "medical"])
def test_others_are_refused_with_a_clear_message(role, cast, plan, login):
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 5]), _step5(owner=getattr(cast, role).pk))
    assert response.status_code == 400
    assert "must see the account" in response.content.decode()
    assert not Action.objects.filter(plan=plan).exists()


def test_the_owner_choices_are_the_people_who_see_the_account(cast, plan, login):
    allowed = set(action_owners(plan))
    assert allowed == {cast.kam_a, cast.access, cast.manager_a, cast.head}
    for user in account_viewers(plan.account):
        assert accounts_visible_to(user).filter(pk=plan.account_id).exists(), user
    content = login(cast.kam_a).get(reverse("plans:step", args=[plan.pk, 5])).content.decode()
    assert f'value="{cast.kam_c.pk}"' not in content


def test_an_owner_who_lost_sight_of_the_account_is_shown_and_must_be_replaced(cast, plan, login):
    stale = Action.objects.create(plan=plan, title="Old task", owner=cast.kam_c)
    data = _step5(id=stale.pk, title="Old task", owner=cast.kam_c.pk)
    data["act-INITIAL_FORMS"] = "1"
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 5]), data)
    assert response.status_code == 400
    assert "cannot see this account" in response.content.decode()
    data["act-0-owner"] = cast.kam_a.pk
    assert login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 5]), data).status_code == 302
    stale.refresh_from_db()
    assert stale.owner == cast.kam_a


# The digest -------------------------------------------------------------------------------------


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    from plans.reminders import send_digests

    def _run(today: date = TODAY) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return send_digests(today=today)

    return _run


def test_the_digest_does_not_name_a_plan_to_an_owner_who_cannot_see_its_account(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=60))
    action(plan, cast.kam_c, due=TODAY, title="Smuggled action")  # given before the form checked

    run()

    to_c = [m for m in mail.outbox if m.to == [cast.kam_c.email]]
    assert to_c == []
    for message in mail.outbox:
        assert "Smuggled action" not in message.body


def test_the_digest_checks_seats_on_the_day_it_is_sent(cast, period, run):
    plan = approved_plan(cast.account_a, period, review=TODAY + timedelta(days=60))
    action(plan, cast.kam_b, due=TODAY, title="Visit the pharmacy")
    TeamMemberFactory(account=cast.account_a, user=cast.kam_b)

    run()

    body = next(m.body for m in mail.outbox if m.to == [cast.kam_b.email])
    assert "Visit the pharmacy" in body and str(plan) in body
