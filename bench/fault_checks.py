"""bench_faults' checks after the run: acknowledged saves missing from the database, background
work (health refresh, export pre-render) that never happened. In the bench process, with Django set
up on the bench's own database."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.bench_faults import Call


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def lost_writes(saves: list[Call]) -> list[Call]:
    """Acknowledged saves whose marker is nowhere in the database."""
    from accounts.models import Account
    from plans.models import PlanStep
    from stakeholders.models import Touchpoint

    seen = set(Touchpoint.objects.filter(summary__startswith="fb").values_list("summary", flat=True))
    seen |= set(Account.history.filter(address__startswith="fb").values_list("address", flat=True))
    for content in PlanStep.history.filter(number=1).values_list("content", flat=True):
        seen.add((content or {}).get("commentary", ""))
    return [c for c in saves if c.ok and c.marker not in seen]


def _outbox():
    """kam.OutboxTask when this branch has it, else None."""
    from django.apps import apps

    try:
        return apps.get_model("kam", "OutboxTask")
    except LookupError:
        return None


def dropped_work(saves: list[Call], kams: list[dict]) -> tuple[list[Call], list[Call], str]:
    """Acknowledged saves whose background work has not happened: (health, pre-render, how the
    pre-render was judged)."""
    from accounts.models import AccountHealth

    acked = [c for c in saves if c.ok]
    plan_account = {k["plan"]: k["account"] for k in kams}
    account_of = {c.marker: plan_account[c.target] if c.kind == "step" else c.target for c in acked}
    computed = dict(
        AccountHealth.objects.filter(account_id__in=set(account_of.values())).values_list("account_id", "computed_at")
    )
    health = [
        c
        for c in acked
        if c.kind in ("touchpoint", "step") and (computed.get(account_of[c.marker]) or _at(0)) < _at(c.started)
    ]
    steps = [c for c in acked if c.kind == "step"]
    outbox = _outbox()
    if outbox is not None:
        done: dict[int, list[datetime]] = {}
        rows = outbox.objects.filter(task="plans.prerender_exports", state="done").values_list("args", "started_at")
        for arguments, started in rows:
            if arguments and started:
                done.setdefault(int(arguments[0]), []).append(started)
        prerender = [c for c in steps if not any(s >= _at(c.started) for s in done.get(c.target, []))]
        return health, prerender, "outbox rows done and started after the save"
    missing = set(_plans_not_prerendered(sorted({c.target for c in steps})))
    # Only the final state of a plan is checkable in the cache: its last acknowledged save stands for it.
    last = {c.target: c for c in sorted(steps, key=lambda c: c.started)}
    return health, [c for plan, c in last.items() if plan in missing], "the plan's final state in the export cache"


def _plans_not_prerendered(plan_ids: list[int]) -> list[int]:
    from django.core.cache import caches

    from plans.exports.cache import RENDERERS, export_key
    from plans.exports.data import VARIANTS, plan_export_data
    from plans.models import AccountPlan

    missing = []
    for plan in AccountPlan.objects.select_related("account__owner").filter(pk__in=plan_ids):
        for variant in VARIANTS:
            data = plan_export_data(plan, variant=variant, user=plan.account.owner)
            if not all(caches["exports"].has_key(export_key(data, fmt)) for fmt in RENDERERS):
                missing.append(plan.pk)
                break
    return missing


def await_background(saves: list[Call], kams: list[dict], grace: float) -> tuple[list, list, str, float]:
    """Check every few seconds until nothing is missing or the grace period is over."""
    from django.db import connections

    started = time.monotonic()
    while True:
        connections.close_all()
        health, prerender, how = dropped_work(saves, kams)
        waited = time.monotonic() - started
        if not (health or prerender) or waited >= grace:
            return health, prerender, how, waited
        time.sleep(min(10, grace - waited))
