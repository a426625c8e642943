"""bench_pages.py's targets and its table.

Every target is a multiple of the bare view measured in the same run (bench/pages_urls.py: what
Django itself costs for a page), because this shared machine's speed swings by a factor of two:
a page at most 60 times the bare view, the dashboard at most 100 times for every role, at most 15
queries a page; and the dashboard over 10,000 accounts at most 1.5 times its time over the plain
demo's 40 accounts, each run's time taken as a multiple of its own bare view, in like runs taking
turns (``growth_table``).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

BASE = "baseline: bare view"
PAGE_RATIO = 60
DASHBOARD_RATIO = 100
MAX_QUERIES = 15
MAX_GROWTH = 1.5  # the dashboard at 10,000 accounts against 40
MISS = "MISS"


@dataclass
class Timing:
    page: str
    role: str
    user: str
    median_ms: float
    p95_ms: float
    queries: int
    failures: list[str] = field(default_factory=list)

    @property
    def is_base(self) -> bool:
        return self.page == BASE

    @property
    def ratio_target(self) -> int | None:
        if self.is_base:
            return None
        return DASHBOARD_RATIO if self.page.startswith("dashboard") else PAGE_RATIO


def base_of(results: list[Timing]) -> Timing:
    return next(r for r in results if r.is_base)


def misses(timing: Timing, base_ms: float) -> list[str]:
    """The targets ``timing`` misses: "ratio", "queries" (none for the bare view itself)."""
    if timing.is_base:
        return []
    missed = []
    if timing.median_ms / base_ms > timing.ratio_target:
        missed.append("ratio")
    if timing.queries > MAX_QUERIES:
        missed.append("queries")
    return missed


def _target(text: str, missed: bool) -> str:
    return f"{text} {MISS}" if missed else text


def table(results: list[Timing]) -> list[str]:
    """One line per page and role: median and p95 ms, multiple of the bare view, queries, each
    with its target and MISS beside a target missed."""
    base_ms = base_of(results).median_ms
    lines = [
        f"{'page':<24}{'role':<30}{'user':<16}{'median ms':>10}{'p95 ms':>9}{'× bare':>9}  {'target':<12}"
        f"{'queries':>7}  target"
    ]
    for r in results:
        missed = misses(r, base_ms)
        ratio_target = "" if r.is_base else _target(f"≤ {r.ratio_target}×", "ratio" in missed)
        query_target = "" if r.is_base else _target(f"≤ {MAX_QUERIES}", "queries" in missed)
        lines.append(
            f"{r.page:<24}{r.role:<30}{r.user:<16}{r.median_ms:>10.1f}{r.p95_ms:>9.1f}{r.median_ms / base_ms:>9.1f}  "
            f"{ratio_target:<12}{r.queries:>7}  {query_target:<10}".rstrip()
        )
    return lines


@dataclass
class Scale:
    """The administrator's dashboard and the bare view of one run on one database."""

    label: str
    accounts: int
    dashboard: Timing
    base: Timing

    @property
    def ratio(self) -> float:
        return self.dashboard.median_ms / self.base.median_ms


def growth(large: Scale, small: Scale) -> float:
    """How many times the dashboard's cost at ``large`` is its cost at ``small``, each as a
    multiple of its own run's bare view."""
    return large.ratio / small.ratio


def growth_table(pairs: list[tuple[Scale, Scale]]) -> tuple[list[str], bool]:
    """Each pair of runs (large, small) and the growth between them; the median growth with its
    target; and whether that was missed. Runs taken in turns, so a slow minute of this shared
    machine falls on one pair, and the median leaves it out."""
    lines = [f"{'round':<6}{'database':<44}{'accounts':>9}{'median ms':>11}{'bare ms':>9}{'× bare':>9}{'queries':>9}"]
    for n, (large, small) in enumerate(pairs, start=1):
        for s in (large, small):
            lines.append(
                f"{n:<6}{s.label:<44}{s.accounts:>9,}{s.dashboard.median_ms:>11.1f}{s.base.median_ms:>9.1f}"
                f"{s.ratio:>9.1f}{s.dashboard.queries:>9}"
            )
    each = [growth(large, small) for large, small in pairs]
    times = statistics.median(each)
    large, small = pairs[0]
    target = _target(f"target ≤ {MAX_GROWTH}×", times > MAX_GROWTH)
    rounds = ", ".join(f"{g:.2f}" for g in each)
    lines.append(f"{large.accounts:,} accounts against {small.accounts:,}: {times:.2f}× ({target}); rounds {rounds}")
    return lines, times > MAX_GROWTH


def missed_any(results: list[Timing]) -> bool:
    base_ms = base_of(results).median_ms
    return any(misses(r, base_ms) for r in results)
