"""A step's rows are drawn once per content and then come from the cache
(plans.step_pages.StepPage.rows): never stale, never another user's, never after a post."""

from datetime import date
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError

from plans.models import Action, CommunicationItem, Objective, PlanStatus, SwotItem
from plans.services import plan_create
from plans.step_pages import STEP_PAGES
from tests.stakeholder_factories import AffiliationFactory

ROWS = "plans/_step_rows.html"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _get(client, plan, number):
    response = client.get(reverse("plans:step", args=[plan.pk, number]))
    assert response.status_code == 200
    return response


def _rows(response) -> str:
    """The step's form without the CSRF token before it, which changes with every response."""
    return response.content.decode().split("<fieldset", 1)[1].split("</fieldset>", 1)[0]


def _drawn(response) -> bool:
    return ROWS in [t.name for t in response.templates]


def test_it_draws_the_rows_once_and_then_serves_them_from_the_cache(cast, plan, login, django_assert_max_num_queries):
    Action.objects.create(plan=plan, title="Workshop", owner=cast.kam_a)
    client = login(cast.kam_a)
    first = _get(client, plan, 5)
    with django_assert_max_num_queries(15) as hit:
        again = _get(client, plan, 5)
    assert _drawn(first) and not _drawn(again)
    assert _rows(again) == _rows(first)
    assert "Workshop" in again.content.decode()
    # A hit skips drawing, not reading: the rows and choices are read to make the key.
    assert len(hit.captured_queries) <= 11


def _rename_objective(plan):
    Objective.objects.filter(plan=plan).update(title="Changed in the database")


def _add_action(plan):
    Action.objects.create(plan=plan, title="Changed in the database", owner=plan.account.owner)


def _add_stakeholder(plan):
    AffiliationFactory(account=plan.account, person__last_name="Changed in the database")


def _change_swot(plan):
    SwotItem.objects.filter(plan=plan).update(text="Changed in the database")


def _change_communication(plan):
    CommunicationItem.objects.filter(plan=plan).update(message="Changed in the database")


@pytest.mark.parametrize(
    ("number", "change"),
    [
        (2, _change_swot),
        (3, _add_stakeholder),
        (4, _rename_objective),
        (5, _add_action),
        (5, _add_stakeholder),
        (6, _rename_objective),
        (6, _add_action),
        (7, _change_communication),
    ],
)
def test_a_changed_row_or_choice_is_drawn_afresh(cast, plan, login, number, change):
    SwotItem.objects.create(plan=plan, kind="S", text="A strength")
    client = login(cast.kam_a)
    assert "Changed in the database" not in _get(client, plan, number).content.decode()
    assert not _drawn(_get(client, plan, number))
    change(plan)
    page = _get(client, plan, number)
    assert _drawn(page) and "Changed in the database" in page.content.decode()


def test_a_renamed_colleague_and_a_new_stakeholder_show_at_once(cast, plan, login):
    client = login(cast.kam_a)
    assert "Zyxwordinger" not in _get(client, plan, 5).content.decode()
    cast.access.last_name = "Zyxwordinger"  # a team member: among the owners an action may name
    cast.access.save(update_fields=["last_name"])
    assert "Zyxwordinger" in _get(client, plan, 5).content.decode()
    AffiliationFactory(account=cast.account_a, person__last_name="Qwertanova")
    assert "Qwertanova" in _get(client, plan, 5).content.decode()


def test_a_plan_no_longer_editable_loses_its_add_row_buttons(cast, plan, login):
    client = login(cast.kam_a)
    assert "add-row" in _get(client, plan, 4).content.decode()
    type(plan).objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    assert "add-row" not in _get(client, plan, 4).content.decode()


def test_plans_of_other_accounts_never_share_rows(cast, period, plan, login):
    other = plan_create(account=cast.account_c, period=period, by=cast.kam_c)
    Action.objects.create(plan=other, title="Their action", owner=cast.kam_c)
    kam_a_name = cast.kam_a.get_full_name()
    mine = _get(login(cast.kam_a), plan, 5).content.decode()
    theirs = _get(login(cast.kam_c), other, 5).content.decode()
    assert kam_a_name in mine and kam_a_name not in theirs
    assert "Their action" in theirs and "Their action" not in mine
    # A colleague who may not see the plan gets no rows, cached or not.
    assert login(cast.kam_c).get(reverse("plans:step", args=[plan.pk, 5])).status_code == 404
    assert login(cast.medical).get(reverse("plans:step", args=[plan.pk, 5])).status_code in (403, 404)


def test_the_key_holds_plan_step_side_language_day_and_editing(cast, plan, period):
    other = plan_create(account=cast.account_a, period=period, therapeutic_area="Oncology", by=cast.kam_a)

    def key(page_plan, user, number=4, editable=True):
        page = STEP_PAGES[number](page_plan, user)
        return page.rows_key(page.formsets(), editable)

    base = key(plan, cast.kam_a)
    assert key(plan, cast.kam_b) == base  # same side, same rows: the same drawing
    assert key(plan, cast.admin) != base
    assert key(plan, cast.kam_a, editable=False) != base
    assert key(other, cast.kam_a) != base
    assert key(plan, cast.kam_a, number=7) != base
    with translation.override("de"):
        assert key(plan, cast.kam_a) != base
    with mock.patch("plans.step_pages.timezone.localdate", return_value=date(2030, 1, 1)):
        assert key(plan, cast.kam_a) != base


def test_a_refused_post_is_drawn_with_what_was_typed_and_never_cached(cast, plan, login):
    client = login(cast.kam_a)
    _get(client, plan, 4)
    objective = plan.objectives.get()
    data = {
        "version": plan.steps.get(number=4).version,
        "value_proposition": "",
        "obj-TOTAL_FORMS": "1",
        "obj-INITIAL_FORMS": "1",
        "obj-MIN_NUM_FORMS": "0",
        "obj-MAX_NUM_FORMS": "200",
        "obj-0-id": objective.pk,
        "obj-0-plan": plan.pk,
        "obj-0-title": "Typed but refused",
        "obj-0-due_date": "1999-01-01",  # outside the period
        "obj-0-owner": cast.kam_a.pk,
    }
    refused = client.post(reverse("plans:step", args=[plan.pk, 4]), data)
    assert refused.status_code == 400 and _drawn(refused)
    assert "Typed but refused" in refused.content.decode()
    again = _get(client, plan, 4).content.decode()
    assert "Typed but refused" not in again and objective.title in again


def test_with_the_cache_down_the_rows_are_drawn(cast, plan, login, caplog):
    client = login(cast.kam_a)
    with mock.patch("kam.lib.cache.get", side_effect=RedisConnectionError("down")):
        page = _get(client, plan, 4)
    assert _drawn(page) and plan.objectives.get().title in page.content.decode()
    assert "Cache unavailable" in caplog.text


def test_the_dmu_list_is_drawn_once_and_shows_a_changed_stance_or_coverage_at_once(cast, plan, login, fresh_cache):
    from django.core.cache import caches
    from django.core.cache.utils import make_template_fragment_key

    from stakeholders.models import Affiliation
    from tests.stakeholder_factories import CoverageFactory

    person = AffiliationFactory(account=plan.account, person__last_name="Stanceova", stance=-2)
    client = login(cast.kam_a)
    first = _get(client, plan, 3)
    page = first.content.decode()
    assert "Stanceova" in page and "stance--2" in page and "not covered" in page
    kept = caches["local"].get(make_template_fragment_key("plan_step_dmu", [first.context["dmu_key"]]))
    assert "Stanceova" in kept  # drawn once, in this process's memory, and then read from there
    assert _get(client, plan, 3).context["dmu_key"] == first.context["dmu_key"]
    Affiliation.objects.filter(pk=person.pk).update(stance=2)
    page = _get(client, plan, 3).content.decode()
    assert "stance-2" in page and "stance--2" not in page
    CoverageFactory(affiliation=person, user=cast.kam_a)
    assert "not covered" not in _get(client, plan, 3).content.decode()


@pytest.mark.parametrize("number", [2, 3, 4, 5, 6, 7])
def test_a_page_whose_rows_come_from_the_cache_builds_no_row_form(cast, plan, login, number):
    Action.objects.create(plan=plan, title="Workshop", owner=cast.kam_a)
    client = login(cast.kam_a)
    _get(client, plan, number)
    again = _get(client, plan, number)
    # PlanRowsMixin.forms is a cached_property: built, it sits in the formset's __dict__.
    assert not any("forms" in vars(fs) for _title, fs in again.context["formsets"])
