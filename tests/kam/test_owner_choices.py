"""Owner and colleague pickers offer the account team first, then others where others may be
chosen, never an inactive user or an administrator, except the value a row already stores; and a
hand-posted administrator or inactive user is refused with a reason."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from accounts.forms import AccountForm, ReassignForm, TeamMemberForm
from accounts.people_forms import handover_accounts, handover_rows
from kam.models import Role, User
from plans.models import Action, Objective, PlanningPeriod
from plans.row_forms import CommunicationForm, ObjectiveForm, RelationshipObjectiveForm
from plans.services import plan_create
from stakeholders.forms import CoverageForm, TouchpointForm
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from tests.plans.test_action_owners import _step5

REFUSED = "is inactive or an administrator"


def _groups(form, name: str) -> list[tuple[str, list[int]]]:
    """The (group label, ids) of a field's choices as drawn; ungrouped options under ""."""
    out: list[tuple[str, list[int]]] = []
    for value, label in form.fields[name].choices:
        if isinstance(label, (list, tuple)):
            out.append((str(value), [int(v) for v, _l in label]))
        elif value != "":
            out.append(("", [int(value)]))
    return out


def _ids(form, name: str) -> set[int]:
    return {pk for _g, ids in _groups(form, name) for pk in ids}


@pytest.fixture
def plan(cast):
    """The plan tests' draft plan of account A (their fixtures live beside them)."""
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    plan = plan_create(account=cast.account_a, period=period, by=cast.kam_a)
    Objective.objects.create(
        plan=plan, title="List Oncoril", kpi="Formulary status", baseline=0, target=1, owner=cast.kam_a
    )
    return plan


@pytest.fixture
def extras(cast):
    """On account A's team: an administrator, an inactive colleague and a superuser."""
    admin_seat = TeamMemberFactory(account=cast.account_a, user=cast.admin).user
    gone = TeamMemberFactory(account=cast.account_a, user=UserFactory(username="gone", is_active=False)).user
    root = TeamMemberFactory(account=cast.account_a, user=UserFactory(username="root", is_superuser=True)).user
    return admin_seat, gone, root


def test_it_lists_assignable_users_only(cast, extras):
    admin, gone, root = extras
    assignable = set(User.objects.assignable())
    assert cast.kam_a in assignable
    assert not {admin, gone, root} & assignable


@pytest.mark.parametrize("form_class", [ObjectiveForm, CommunicationForm, RelationshipObjectiveForm])
def test_it_groups_plan_row_owners_team_first(form_class, cast, plan, extras):
    groups = _groups(form_class(plan=plan), "owner")
    assert [g for g, _ids in groups] == ["Account team", "Others"]
    team, others = groups[0][1], groups[1][1]
    assert set(team) == {cast.kam_a.pk, cast.access.pk}
    assert set(others) == {cast.manager_a.pk, cast.head.pk}
    assert not {u.pk for u in extras} & (set(team) | set(others))


def test_it_keeps_a_stored_inactive_owner_on_an_old_row(cast, plan, extras):
    _admin, gone, _root = extras
    objective = Objective.objects.get(plan=plan)
    Objective.objects.filter(pk=objective.pk).update(owner=gone)
    objective.refresh_from_db()
    form = ObjectiveForm(plan=plan, instance=objective)
    assert gone.pk in _ids(form, "owner")
    data = {
        "title": objective.title,
        "kind": "numeric",
        "kpi": objective.kpi,
        "baseline": "0",
        "target": "1",
        "pacing": "linear",
        "due_date": "2026-09-30",
        "owner": gone.pk,
    }
    assert ObjectiveForm(data, plan=plan, instance=objective).is_valid()
    # Another row may not take the stored owner of the first.
    new = ObjectiveForm({**data, "title": "Another"}, plan=plan)
    assert not new.is_valid()
    assert REFUSED in str(new.errors["owner"])


def test_it_refuses_a_hand_posted_administrator_as_action_owner(cast, plan, login, extras):
    admin, _gone, _root = extras
    content = login(cast.kam_a).get(reverse("plans:step", args=[plan.pk, 5])).content.decode()
    select = re.search(r'<select name="act-0-owner".*?</select>', content, re.S).group(0)
    assert select.index('label="Account team"') < select.index('label="Others"')
    assert f'value="{admin.pk}"' not in select
    response = login(cast.kam_a).post(reverse("plans:step", args=[plan.pk, 5]), _step5(owner=admin.pk))
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Action.objects.filter(plan=plan).exists()


def test_it_offers_touchpoint_participants_from_the_team_and_refuses_an_administrator(cast, extras):
    admin, _gone, _root = extras
    form = TouchpointForm(account=cast.account_a, user=cast.kam_a)
    assert _ids(form, "participants") == {cast.kam_a.pk, cast.access.pk}
    assert [g for g, _ids in _groups(form, "participants")] == ["Account team"]
    posted = TouchpointForm(
        {"date": "2026-01-05", "kind": "visit", "participants": [admin.pk], "summary": "Met"},
        account=cast.account_a,
        user=cast.kam_a,
    )
    assert not posted.is_valid()
    assert REFUSED in str(posted.errors["participants"])


def test_it_offers_account_owners_team_first_without_administrators(cast, extras):
    _admin, _gone, _root = extras
    form = AccountForm(instance=cast.account_a, user=cast.manager_a)
    groups = _groups(form, "owner")
    assert [g for g, _ids in groups] == ["Account team", "Others"]
    assert set(groups[0][1]) == {cast.access.pk} and cast.kam_a.pk in groups[1][1]
    assert not {u.pk for u in extras} & _ids(form, "owner")
    assert not {u.pk for u in extras} & _ids(AccountForm(user=cast.admin), "owner")


def test_it_refuses_a_hand_posted_administrator_as_new_owner(cast, extras):
    admin, _gone, _root = extras
    form = ReassignForm({"new_owner": admin.pk}, user=cast.admin, account=cast.account_a)
    assert admin.pk not in _ids(ReassignForm(user=cast.admin, account=cast.account_a), "new_owner")
    assert not form.is_valid()
    assert REFUSED in str(form.errors["new_owner"])


def test_it_offers_team_seats_without_administrators_but_keeps_a_stored_seat(cast, extras):
    _admin, gone, root = extras
    assert not {u.pk for u in extras} & _ids(TeamMemberForm(), "user")
    seat = cast.account_a.team_members.get(user=gone)
    assert gone.pk in _ids(TeamMemberForm(instance=seat), "user")
    refused = TeamMemberForm({"user": root.pk, "function": seat.function})
    assert not refused.is_valid()
    assert REFUSED in str(refused.errors["user"])


def test_it_offers_handover_successors_from_the_leavers_teams_first(cast, extras):
    colleague = TeamMemberFactory(account=cast.account_a, user=cast.kam_b).user
    accounts = handover_accounts(cast.kam_a)
    [form] = handover_rows(None, by=cast.admin, leaving=cast.kam_a, accounts=accounts)
    groups = _groups(form, "successor")
    assert groups[0][0] == "Account team" and colleague.pk in groups[0][1]
    assert not {u.pk for u in extras} & _ids(form, "successor")
    data = {"handover-0-account_id": cast.account_a.pk, "handover-0-successor": cast.admin.pk}
    [posted] = handover_rows(data, by=cast.admin, leaving=cast.kam_a, accounts=accounts)
    assert not posted.is_valid()


def test_it_offers_coverage_colleagues_without_administrators(cast, extras):
    form = CoverageForm(user=cast.kam_a)
    assert cast.kam_b.pk in _ids(form, "user")
    assert not {u.pk for u in extras} & _ids(form, "user")
    other = AccountFactory()
    assert other.owner.role == Role.KAM
