"""The SQL versions of the plan rules (used by the health refresh and the dashboard) say what the
Python ones say, on the same rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from plans.models import AccountPlan, Objective, PlanStep
from plans.selectors import completeness, completeness_sql, overall_completeness
from plans.services import plan_create
from tests.factories import ProductFactory
from tests.plan_factories import (
    ActionFactory,
    ObjectiveFactory,
    RelationshipObjectiveFactory,
    ResourceFactory,
    SwotFactory,
    set_step,
)
from tests.stakeholder_factories import AffiliationFactory

TODAY = date(2026, 7, 2)


@pytest.mark.parametrize(
    ("baseline", "target", "current", "due"),
    [
        (0, 100, 60, date(2026, 12, 31)),  # on track
        (0, 100, 40, date(2026, 12, 31)),  # at risk
        (0, 100, 100, date(2026, 12, 31)),  # achieved
        (0, 100, None, date(2026, 12, 31)),  # no value yet
        (10, 0, 4, date(2026, 12, 31)),  # a reduction target
        (5, 5, 5, date(2026, 12, 31)),  # target equals baseline, reached
        (5, 5, 4, date(2026, 12, 31)),  # target equals baseline, not reached
        (None, 10, 9, date(2026, 3, 1)),  # overdue
        (0, 100, -5, date(2026, 12, 31)),  # below the baseline
        (0, 100, 1, date(2025, 12, 1)),  # due before the period starts
        (0, None, 10, date(2026, 6, 30)),  # not measurable
    ],
)
def test_the_sql_objective_status_is_the_models(plan, baseline, target, current, due):
    o = Objective.objects.create(
        plan=plan,
        title="o",
        baseline=None if baseline is None else Decimal(baseline),
        target=None if target is None else Decimal(target),
        current_value=None if current is None else Decimal(current),
        due_date=due,
    )
    sql = Objective.objects.with_status(TODAY).get(pk=o.pk).sql_status
    assert sql == o.status(TODAY)


def _sql_completeness(plan) -> int:
    return AccountPlan.objects.annotate(done=completeness_sql()).get(pk=plan.pk).done


def test_the_sql_completeness_is_the_plans_own(cast, period):
    empty = plan_create(account=cast.account_c, period=period, by=cast.kam_c)
    assert overall_completeness(empty) == round(sum(completeness(empty).values()) / 7) == 14  # step 7 prefilled
    assert _sql_completeness(empty) == 14

    ProductFactory()  # whitespace is prefilled from the active products
    full = plan_create(account=cast.account_a, period=period, by=cast.kam_a)
    set_step(full, 1, commentary="c", investment_decision="invest")
    set_step(full, 2, strategy="s", needs="n", drivers="")
    for kind in "SWO":
        SwotFactory(plan=full, kind=kind)
    AffiliationFactory(account=cast.account_a)
    objective = ObjectiveFactory(plan=full)
    ActionFactory(plan=full, objective=objective, due_date=None)
    assert overall_completeness(full) == _sql_completeness(full)
    SwotFactory(plan=full, kind="T")
    RelationshipObjectiveFactory(plan=full)
    set_step(full, 4, value_proposition="v")
    ResourceFactory(action=full.actions.get())
    full.actions.update(due_date=date(2026, 9, 1))
    full.budget = Decimal(1)
    full.save(update_fields=["budget"])
    assert completeness(full) == {1: 100, 2: 80, 3: 100, 4: 100, 5: 100, 6: 100, 7: 100}
    assert overall_completeness(full) == _sql_completeness(full) == 97
    # Blank text counts as missing in both.
    PlanStep.objects.filter(plan=full, number=1).update(content={"commentary": "", "investment_decision": None})
    assert overall_completeness(full) == _sql_completeness(full) == 83
