"""Objectives that mean what they say: a number, a milestone or a listing, each judged as its kind
says, in Python and in SQL alike; a value reported for another measure is never "achieved"."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import ListingStatus
from plans.models import Objective, ObjectiveKind, ObjectiveStatus, Pacing
from plans.row_forms import ObjectiveForm
from tests.factories import ListingFactory, ProductFactory

DUE = date(2026, 6, 30)
BEFORE, AT, AFTER = date(2026, 3, 1), DUE, date(2026, 7, 1)

ON_TRACK, AT_RISK, ACHIEVED = ObjectiveStatus.ON_TRACK, ObjectiveStatus.AT_RISK, ObjectiveStatus.ACHIEVED
NO_DATA, NOT_MEASURABLE = ObjectiveStatus.NO_DATA, ObjectiveStatus.NOT_MEASURABLE


def _sql_status(o: Objective, today: date) -> str:
    return Objective.objects.with_status(today).get(pk=o.pk).sql_status


def _both(o: Objective, today: date) -> str:
    """The status in Python (on a fresh read, as a page reads it) and in SQL, which must agree."""
    python = Objective.objects.get(pk=o.pk).status(today)
    assert _sql_status(o, today) == python, (o.kind, today)
    return python


def _number(plan, *, pacing=Pacing.LINEAR, current="50", target="100", due=DUE, **extra) -> Objective:
    return Objective.objects.create(
        plan=plan,
        title="Patients on therapy",
        kind=ObjectiveKind.NUMERIC,
        pacing=pacing,
        baseline=Decimal(0),
        target=None if target is None else Decimal(target),
        current_value=None if current is None else Decimal(current),
        due_date=due,
        **extra,
    )


def _milestone(plan, *, done=False, due=DUE) -> Objective:
    return Objective.objects.create(
        plan=plan, title="Joint pathway agreed", kind=ObjectiveKind.MILESTONE, done=done, due_date=due
    )


def _listing(plan, product, *, target=ListingStatus.LISTED, due=DUE) -> Objective:
    return Objective.objects.create(
        plan=plan,
        title="Cardiovex on the formulary",
        kind=ObjectiveKind.LISTING,
        product=product,
        target_listing_status=target,
        due_date=due,
    )


# Linear pacing, due 30 June of a period from 1 January: on 1 March a third of the time is gone.
@pytest.mark.parametrize(
    ("current", "today", "status"),
    [
        ("50", BEFORE, ON_TRACK),  # 50 % done, a third of the time gone
        ("10", BEFORE, AT_RISK),
        ("90", AT, AT_RISK),  # all the time gone, not all the way
        ("100", AT, ACHIEVED),
        ("90", AFTER, AT_RISK),
        ("100", AFTER, ACHIEVED),
        (None, AFTER, NO_DATA),
    ],
)
def test_it_paces_a_number_linearly(plan, current, today, status):
    assert _both(_number(plan, current=current), today) == status


@pytest.mark.parametrize(
    ("current", "today", "status"),
    [
        ("0", BEFORE, ON_TRACK),  # nothing yet, but it is judged at the due date
        ("10", AT, ON_TRACK),  # the due day itself is not over
        ("10", AFTER, AT_RISK),  # missed
        ("100", BEFORE, ACHIEVED),
        ("100", AFTER, ACHIEVED),
        (None, BEFORE, NO_DATA),
        (None, AFTER, NO_DATA),
    ],
)
def test_it_judges_a_number_at_its_due_date(plan, current, today, status):
    assert _both(_number(plan, pacing=Pacing.AT_DUE, current=current), today) == status


@pytest.mark.parametrize(
    ("done", "today", "status"),
    [
        (False, BEFORE, ON_TRACK),
        (False, AT, ON_TRACK),
        (False, AFTER, AT_RISK),
        (True, BEFORE, ACHIEVED),
        (True, AFTER, ACHIEVED),
    ],
)
def test_it_judges_a_milestone_by_done_and_its_date(plan, done, today, status):
    assert _both(_milestone(plan, done=done), today) == status


@pytest.mark.parametrize(
    ("listed", "target", "today", "status"),
    [
        (ListingStatus.LISTED, ListingStatus.LISTED, BEFORE, ACHIEVED),
        (ListingStatus.LISTED, ListingStatus.LISTED, AFTER, ACHIEVED),
        (ListingStatus.LISTED, ListingStatus.RESTRICTED, AFTER, ACHIEVED),  # beyond the target
        (ListingStatus.RESTRICTED, ListingStatus.LISTED, BEFORE, ON_TRACK),
        (ListingStatus.RESTRICTED, ListingStatus.LISTED, AT, ON_TRACK),
        (ListingStatus.RESTRICTED, ListingStatus.LISTED, AFTER, AT_RISK),
        (ListingStatus.UNDER_REVIEW, ListingStatus.UNDER_REVIEW, AFTER, ACHIEVED),
        (ListingStatus.DELISTED, ListingStatus.UNDER_REVIEW, AFTER, AT_RISK),
        (None, ListingStatus.LISTED, BEFORE, ON_TRACK),  # no listing recorded at the account
        (None, ListingStatus.LISTED, AFTER, AT_RISK),
    ],
)
def test_it_follows_the_accounts_listing_for_a_listing_objective(cast, plan, listed, target, today, status):
    product = ProductFactory(brand="Cardiovex")
    if listed is not None:
        ListingFactory(account=cast.account_a, product=product, status=listed)
    # Another account's listing of the product is not this account's.
    ListingFactory(account=cast.account_c, product=product, status=ListingStatus.LISTED)
    assert _both(_listing(plan, product, target=target), today) == status


def test_a_listing_objective_follows_the_listing_as_it_changes(cast, plan):
    product = ProductFactory(brand="Cardiovex")
    listing = ListingFactory(account=cast.account_a, product=product, status=ListingStatus.UNDER_REVIEW)
    objective = _listing(plan, product)
    assert _both(objective, BEFORE) == ON_TRACK
    listing.status = ListingStatus.LISTED
    listing.save()
    assert _both(objective, BEFORE) == ACHIEVED


@pytest.mark.parametrize(
    "make",
    [
        lambda plan, product: _number(plan, target=None),
        lambda plan, product: _number(plan, due=None),
        lambda plan, product: _milestone(plan, due=None),
        lambda plan, product: _listing(plan, None),
        lambda plan, product: _listing(plan, product, target=""),
        lambda plan, product: _listing(plan, product, due=None),
    ],
)
def test_it_calls_an_objective_without_what_its_kind_needs_not_measurable(plan, make):
    objective = make(plan, ProductFactory())
    assert _both(objective, BEFORE) == NOT_MEASURABLE
    assert not Objective.objects.filter(pk=objective.pk).measurable().exists()


def test_it_counts_every_kind_on_the_dashboard_query(cast, plan):
    product = ProductFactory()
    ListingFactory(account=cast.account_a, product=product, status=ListingStatus.LISTED)
    _number(plan, current="100")
    _milestone(plan, done=False)
    _listing(plan, product)
    rows = Objective.objects.filter(plan=plan).measurable().with_status(AFTER)
    assert sorted(rows.values_list("kind", "sql_status")) == [
        ("listing", ACHIEVED),
        ("milestone", AT_RISK),
        ("numeric", ACHIEVED),
        ("numeric", NO_DATA),  # the plan's own "List Oncoril", with nothing reported yet
    ]


def test_a_plans_listing_objectives_read_the_listings_in_one_query(cast, plan, django_assert_num_queries):
    products = [ProductFactory() for _ in range(3)]
    for product in products:
        ListingFactory(account=cast.account_a, product=product, status=ListingStatus.LISTED)
        _listing(plan, product)
    # The plan's rows share their plan, and the plan keeps its account's listings.
    objectives = list(plan.objectives.all())
    with django_assert_num_queries(1):
        statuses = [o.status(BEFORE) for o in objectives]
    assert statuses.count(ACHIEVED) == 3
    # Annotated, they need none.
    objectives = list(plan.objectives.select_related("plan__period").with_listing_status())
    with django_assert_num_queries(0):
        assert [o.status(BEFORE) for o in objectives].count(ACHIEVED) == 3


# The example: a target changed from 60 % to 4 brands kept the old current value 60 and
# showed "achieved".
def test_it_clears_a_current_value_reported_for_another_unit(plan):
    objective = _number(plan, current="60", target="60", unit="%")
    objective = Objective.objects.get(pk=objective.pk)
    assert objective.status(BEFORE) == ACHIEVED
    objective.target, objective.unit = Decimal(4), "brands"
    objective.full_clean()
    objective.save()
    objective = Objective.objects.get(pk=objective.pk)
    assert objective.current_value is None
    assert _both(objective, BEFORE) == NO_DATA
    change = objective.history.first()
    assert "“%” → “brands”" in change.history_change_reason


def test_it_clears_a_value_a_new_target_would_make_achieved_in_the_same_unit(plan):
    objective = Objective.objects.get(pk=_number(plan, current="60", target="100", unit="").pk)
    objective.target = Decimal(4)  # 60 % made "4 brands", the unit left blank
    objective.full_clean()
    objective.save()
    objective.refresh_from_db()
    assert objective.current_value is None
    assert objective.history.first().history_change_reason.startswith("Target changed (100")


def test_it_keeps_a_value_a_new_target_still_judges(plan):
    objective = Objective.objects.get(pk=_number(plan, current="60", target="100", unit="patients").pk)
    objective.target = Decimal(150)  # a higher bar for the same count: 60 is still 60 patients
    objective.full_clean()
    objective.save()
    objective.refresh_from_db()
    assert objective.current_value == Decimal(60)
    assert objective.history.first().history_change_reason is None


def test_it_keeps_a_value_reported_with_the_change(plan):
    objective = Objective.objects.get(pk=_number(plan, current="60", target="60", unit="%").pk)
    objective.target, objective.unit, objective.current_value = Decimal(4), "brands", Decimal(2)
    objective.full_clean()
    objective.save()
    objective.refresh_from_db()
    assert objective.current_value == Decimal(2)


def test_it_clears_progress_when_the_kind_changes(plan):
    objective = Objective.objects.get(pk=_milestone(plan, done=True).pk)
    objective.kind, objective.target = ObjectiveKind.NUMERIC, Decimal(10)
    objective.full_clean()
    objective.save()
    objective.refresh_from_db()
    assert (objective.done, objective.current_value) == (False, None)
    assert "Milestone → Number" in objective.history.first().history_change_reason


def _step4(plan, objective, **fields) -> dict:
    data = {
        "version": 0,
        "value_proposition": "Solutions",
        "obj-TOTAL_FORMS": "1",
        "obj-INITIAL_FORMS": "1",
        "obj-MIN_NUM_FORMS": "0",
        "obj-MAX_NUM_FORMS": "1000",
        "obj-0-id": objective.pk,
        "obj-0-title": objective.title,
        "obj-0-due_date": "2026-06-30",
    }
    return data | {f"obj-0-{name}": value for name, value in fields.items()}


def test_the_step_page_clears_the_stale_value_and_says_why(cast, plan, login):
    client = login(cast.kam_a)
    objective = plan.objectives.get()
    Objective.objects.filter(pk=objective.pk).update(unit="%", target=60, current_value=60)
    response = client.post(
        reverse("plans:step", args=[plan.pk, 4]),
        _step4(plan, objective, kind="numeric", pacing="linear", unit="brands", target="4"),
        follow=True,
    )
    assert response.status_code == 200
    objective.refresh_from_db()
    assert (objective.target, objective.unit, objective.current_value) == (Decimal(4), "brands", None)
    assert "current value cleared" in response.content.decode()
    assert objective.status() == NO_DATA


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"kind": "numeric", "target": ""}, {"target": "A number objective needs a target."}),
        ({"kind": "milestone", "due_date": ""}, {"due_date": "A milestone needs a due date."}),
        (
            {"kind": "listing"},
            {
                "product": "A listing objective needs the product to be listed.",
                "target_listing_status": "A listing objective needs the listing status to reach.",
            },
        ),
        ({"kind": "listing", "target_listing_status": "not_listed"}, {"target_listing_status": "Select a valid"}),
    ],
)
def test_the_form_asks_each_kind_for_what_it_needs(plan, fields, errors):
    data = {"title": "Objective", "due_date": "2026-06-30", **fields}
    form = ObjectiveForm(data=data, plan=plan)
    assert not form.is_valid()
    for name, message in errors.items():
        assert any(message in e for e in form.errors[name]), form.errors


def test_the_form_keeps_only_the_fields_of_the_kind(plan):
    product = ProductFactory()
    data = {
        "title": "On the formulary",
        "kind": "listing",
        "product": product.pk,
        "target_listing_status": "listed",
        "due_date": "2026-06-30",
        "target": "5",  # typed while it was a number, then hidden
        "unit": "%",
    }
    form = ObjectiveForm(data=data, plan=plan)
    assert form.is_valid(), form.errors
    objective = form.save(commit=False)
    assert (objective.target, objective.unit, objective.product, objective.target_listing_status) == (
        None,
        "",
        product,
        "listed",
    )


def test_the_form_draws_only_the_inputs_of_the_rows_kind(plan):
    objective = _milestone(plan)
    cells = str(ObjectiveForm(instance=objective, plan=plan, prefix="obj-1").cells())
    assert 'data-kinds="numeric"' in cells and 'data-kinds="listing"' in cells
    assert 'name="obj-1-target"' in cells and 'name="obj-1-target" hidden' not in cells
    # The target input of a milestone is drawn hidden; the due date is not.
    target = cells[cells.index('name="obj-1-target"') - 200 : cells.index('name="obj-1-target"') + 200]
    assert "hidden" in target
    due = cells[cells.index('name="obj-1-due_date"') - 200 : cells.index('name="obj-1-due_date"') + 100]
    assert "hidden" not in due


def _migration():
    return importlib.import_module("plans.migrations.0007_objective_kinds")


def test_the_migration_maps_an_objective_with_a_target_to_a_number_and_one_without_to_a_milestone():
    kind_for = _migration().kind_for
    assert kind_for(Decimal(60)) == ("numeric", "linear")
    assert kind_for(Decimal(0)) == ("numeric", "linear")
    assert kind_for(None) == ("milestone", "linear")


def test_the_migration_sets_the_kinds_of_stored_objectives(plan):
    from django.apps import apps

    untargeted = Objective.objects.create(plan=plan, title="Be visible", kind=ObjectiveKind.NUMERIC)
    targeted = plan.objectives.get(title="List Oncoril")
    Objective.objects.filter(pk=targeted.pk).update(kind=ObjectiveKind.MILESTONE)
    _migration().set_kinds(apps, None)
    assert Objective.objects.get(pk=untargeted.pk).kind == ObjectiveKind.MILESTONE
    assert Objective.objects.get(pk=targeted.pk).kind == ObjectiveKind.NUMERIC


def test_the_api_clears_a_stale_value_even_when_the_client_sends_it_back(cast, plan, login):
    client = login(cast.kam_a)
    objective = plan.objectives.get()
    Objective.objects.filter(pk=objective.pk).update(unit="%", target=60, current_value=60)
    url = f"/api/v1/objectives/{objective.pk}/"
    row = client.get(url).json()
    assert row["kind"] == "numeric"
    # The row as read, with the new target and unit: its old current value is no report.
    response = client.put(url, {**row, "target": "4", "unit": "brands"}, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["current_value"] is None
    # A value reported with the change is kept.
    response = client.patch(url, {"current_value": "2"}, "application/json")
    assert response.json()["current_value"] == "2.00"


def test_the_api_writes_a_listing_objective(cast, plan, login):
    product = ProductFactory(brand="Cardiovex")
    ListingFactory(account=cast.account_a, product=product, status=ListingStatus.LISTED)
    body = {
        "plan": plan.pk,
        "title": "Cardiovex listed on the hospital formulary",
        "kind": "listing",
        "product": product.pk,
        "target_listing_status": "listed",
        "due_date": "2026-10-31",
    }
    response = login(cast.kam_a).post("/api/v1/objectives/", body, "application/json")
    assert response.status_code == 201, response.content
    assert Objective.objects.get(pk=response.json()["id"]).status(BEFORE) == ACHIEVED
    missing = login(cast.kam_a).post("/api/v1/objectives/", {**body, "product": None}, "application/json")
    assert missing.status_code == 400 and "product" in missing.json()
