"""A small fixed portfolio whose health is computed by hand (see docs/health.md for the formula).

Today is 2 July 2026, half-way through FY 2026 (182 of 364 days).

Account A (KAM A, key account, EUR):
- plan: approved; steps 1 and 4 written, budget set, no resources, an objective without a target
  added after approval; completeness by step 1: 100, 2: 0 (no SWOT, no whitespace), 3: 50 (DMU
  snapshot, no relationship objectives), 4: 67 (value proposition and objectives, not all
  measurable), 5: 100, 6: 67 (budget and current values, no resources), 7: 100 (the prefilled
  communication plan): 484 / 7 = 69.1 → 69; plan part (100 + 69) / 2 = 84.5 → 85
- objectives: 60 % (on track), 40 % (at risk), 100 % (achieved), one without a target (not
  measurable): 2 of 3 → 67
- CSAT: named answers 5, 4, 3, 2 → 2 of 4 → 50; three anonymous answers (below five: not
  counted); one answer from 2025-06 (outside 12 months: not counted)
- relationships: three active stakeholders of influence ≥ 4: one covered and met 10 days ago (in
  cadence), one covered but last met 60 days ago (influence 4, cadence 45: stale), one met but
  not covered; plus one of influence 3 and one who left → 1 of 3 → 33
- revenue 2026: 90,000 of 120,000 EUR → 75
- score: (25·85 + 20·67 + 15·50 + 20·33 + 20·75) / 100 = 63.75 → 64 (amber)

Account C (KAM C, key account, CHF at 1.10):
- plan: none → 0; objectives: not judged
- CSAT: five anonymous answers 5, 5, 4, 2, 1 → counted as a group of five: 3 of 5 → 60
- relationships: nobody recorded → 0
- revenue 2026: 1,000 of 800 CHF → 125 %, capped at 100 (1,100 of 880 EUR)
- score: (25·0 + 15·60 + 20·0 + 20·100) / 80 = 36.25 → 36 (red)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import time_machine

from kam.portfolio.health.refresh import refresh_health
from plans.models import Objective, PlanningPeriod
from plans.services import plan_approve, plan_create, plan_submit
from stakeholders.models import InvitationStatus
from tests.factories import ExchangeRateFactory, FinancialsFactory
from tests.plan_factories import ActionFactory, set_step
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, TouchpointFactory
from tests.survey_factories import CampaignFactory, InvitationFactory, ResponseFactory

TODAY = date(2026, 7, 2)
NOW = datetime(2026, 7, 2, 10, 0, tzinfo=UTC)


def answers(account, scores, *, anonymous=False, when=NOW - timedelta(days=20)) -> None:
    campaign = CampaignFactory(anonymous=anonymous, close_date=date(2026, 12, 1))
    for score in scores:
        invitation = InvitationFactory(
            campaign=campaign, account=account, status=InvitationStatus.ANSWERED, sent_at=when
        )
        ResponseFactory(invitation=invitation, csat_score=score, submitted_at=when)


def build_portfolio(cast) -> dict:
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    a, c = cast.account_a, cast.account_c
    a.is_key_account, a.attractiveness, a.position = True, 80, 30
    a.save()
    c.is_key_account, c.attractiveness, c.position, c.currency = True, 40, 70, "CHF"
    c.save()
    ExchangeRateFactory(year=2026, currency="CHF", rate=Decimal("1.10"))
    FinancialsFactory(account=a, year=2026, revenue_actual=Decimal("90000"), revenue_target=Decimal("120000"))
    FinancialsFactory(account=a, year=2025, revenue_actual=Decimal("10"), revenue_target=Decimal("1000"))
    FinancialsFactory(account=c, year=2026, revenue_actual=Decimal("1000"), revenue_target=Decimal("800"))

    # Stakeholders of A, before the plan's submission takes its DMU snapshot.
    in_touch = AffiliationFactory(account=a, influence=5)
    CoverageFactory(affiliation=in_touch, user=cast.kam_a)
    TouchpointFactory(account=a, date=TODAY - timedelta(days=10), stakeholders=[in_touch.person], logged_by=cast.kam_a)
    stale = AffiliationFactory(account=a, influence=4)
    CoverageFactory(affiliation=stale, user=cast.kam_a)
    TouchpointFactory(account=a, date=TODAY - timedelta(days=60), stakeholders=[stale.person], logged_by=cast.kam_a)
    uncovered = AffiliationFactory(account=a, influence=5)
    TouchpointFactory(account=a, date=TODAY - timedelta(days=5), stakeholders=[uncovered.person], logged_by=cast.kam_a)
    AffiliationFactory(account=a, influence=3)
    AffiliationFactory(account=a, influence=5, end_date=TODAY - timedelta(days=100))

    plan = plan_create(account=a, period=period, by=cast.kam_a)
    set_step(plan, 1, commentary="Strong oncology centre.", investment_decision="invest")
    set_step(plan, 4, value_proposition="Fewer infusion hours.")
    for title, current in (("on track", 60), ("at risk", 40), ("achieved", 100)):
        Objective.objects.create(
            plan=plan, title=title, baseline=0, target=100, current_value=current, due_date=date(2026, 12, 31)
        )
    ActionFactory(plan=plan, due_date=date(2026, 9, 1))
    plan.budget = Decimal("10000")
    plan.save(update_fields=["budget"])
    plan_submit(plan=plan, by=cast.kam_a)
    plan_approve(plan=plan, by=cast.manager_a)
    Objective.objects.create(plan=plan, title="not measurable", current_value=3)

    answers(a, [5, 4, 3, 2])
    answers(a, [5, 5, 5], anonymous=True)
    answers(a, [1], when=datetime(2025, 6, 1, tzinfo=UTC))
    answers(c, [5, 5, 4, 2, 1], anonymous=True)
    return {"period": period, "plan": plan, "a": a, "c": c}


@contextmanager
def refreshed_portfolio(cast) -> Iterator[dict]:
    """The portfolio above with its health computed, the clock held at NOW meanwhile."""
    with time_machine.travel(NOW, tick=False):
        data = build_portfolio(cast)
        refresh_health(today=TODAY)
        yield data
