"""Account health: one score from 0 to 100 per account, built from five parts.

Each part is a value from 0 to 100, or empty ("not judged") where there is nothing to judge:

=============  ======  =====================================================  ===========================
part           weight  value                                                  not judged when
=============  ======  =====================================================  ===========================
plan           25      ½ status points + ½ completeness of the account's      no planning period covers
                       most advanced plan for the current period (status       today
                       points: approved 100, submitted 75, changes
                       requested 50, draft 25); no plan at all scores 0
objectives     20      share of the measurable objectives of the current      no measurable objective
                       period's plans that are on track or achieved
                       (``Objective.status``)
CSAT           15      CSAT over the last 12 months: share of answers of 4    no answer in 12 months
                       or 5; answers from anonymous campaigns count only
                       when the account has at least five of them
relationships  20      share of the high-influence stakeholders (influence    never: with no such
                       4–5, active) who are covered by someone on our side    stakeholder it scores 0
                       and were met within their contact cadence
                       (``STAKEHOLDER_CADENCE_DAYS``)
revenue        20      this year's revenue against this year's target, in     no target or no revenue
                       percent, capped at 100                                 for this year
=============  ======  =====================================================  ===========================

    score = round(Σ weight × value / Σ weight), both sums over the judged parts only,

so a part that cannot be judged hands its weight to the others in proportion instead of counting
as zero. Rounding is half up throughout. Bands: ``accounts.models.HEALTH_GREEN`` and ``HEALTH_AMBER``.

The score is stored per account in ``AccountHealth`` by ``refresh_health``: a handful of set-based
statements for any number of accounts, run on commit after the writes that move a part (plans,
objectives, survey answers, touchpoints, coverage, financials) and hourly by Celery beat, since
time alone moves some parts (contact cadence, objectives' elapsed time, the CSAT window).

This package: the weights and rules here, the computing in ``refresh``, the wording that explains
a stored score in ``explain``.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from plans.models import PlanStatus
from stakeholders.models import Touchpoint

WEIGHTS = {"plan": 25, "objectives": 20, "csat": 15, "relationships": 20, "revenue": 20}
PART_LABELS = {
    "plan": gettext_lazy("Account plan"),
    "objectives": gettext_lazy("Objectives"),
    "csat": gettext_lazy("Customer satisfaction"),
    "relationships": gettext_lazy("Relationships"),
    "revenue": gettext_lazy("Revenue against target"),
}
PLAN_STATUS_POINTS = {
    PlanStatus.APPROVED: 100,
    PlanStatus.SUBMITTED: 75,
    PlanStatus.CHANGES_REQUESTED: 50,
    PlanStatus.DRAFT: 25,
}
KEY_INFLUENCE = 4
CSAT_WINDOW = timedelta(days=365)


def met_within_cadence(today: date) -> Q:
    """Affiliations of influence ``KEY_INFLUENCE`` or more met within their contact cadence
    (``settings.STAKEHOLDER_CADENCE_DAYS``), as the health refresh counts them; a level without a
    cadence is never stale."""
    parts = []
    for level in range(KEY_INFLUENCE, 6):
        days = settings.STAKEHOLDER_CADENCE_DAYS.get(level)
        if days is None:
            parts.append(Q(influence=level))
            continue
        met = Touchpoint.objects.filter(
            account_id=OuterRef("account_id"), stakeholders=OuterRef("person_id"), date__gte=today - timedelta(days)
        )
        parts.append(Q(influence=level) & Exists(met))
    return reduce(or_, parts)
