"""No lost updates under real concurrency: 20 saves of one step from the same version."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from kam.models import Role
from plans.models import PlanningPeriod, PlanStep
from plans.services import PlanConflict, plan_create, step_save
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_saves_exactly_one_wins():
    owner = UserFactory(role=Role.KAM)
    account = AccountFactory(owner=owner)
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    plan = plan_create(account=account, period=period, by=owner)
    barrier = threading.Barrier(20)
    results: dict[int, str] = {}

    def save(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            step_save(plan=plan, number=4, content={"value_proposition": f"writer {i}"}, expected_version=0, by=owner)
            results[i] = "saved"
        except PlanConflict:
            results[i] = "conflict"
        except Exception as exc:  # reported by the assertion below
            results[i] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    winners = [i for i, r in results.items() if r == "saved"]
    assert len(results) == 20
    assert sorted(set(results.values())) == ["conflict", "saved"], results
    assert len(winners) == 1
    step = PlanStep.objects.get(plan=plan, number=4)
    assert step.version == 1
    assert step.content == {"value_proposition": f"writer {winners[0]}"}
    assert connection.vendor == "postgresql"
