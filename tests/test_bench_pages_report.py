"""bench_pages' table: each page as a multiple of the bare view, its targets, MISS beside a target missed."""

from __future__ import annotations

from bench.pages_report import BASE, Scale, Timing, growth, growth_table, missed_any, misses, table


def _timing(page: str, role: str, median_ms: float, queries: int = 5) -> Timing:
    return Timing(page, role, "someone", median_ms, median_ms * 1.5, queries)


BARE = _timing(BASE, "anonymous", 2.0, queries=0)


def _row(lines: list[str], page: str, role: str) -> str:
    return next(line for line in lines if line.startswith(page) and role in line)


def test_targets_are_multiples_of_the_bare_view():
    assert misses(_timing("account page", "KAM", 120.0), 2.0) == []  # 60×: at the target
    assert misses(_timing("account page", "KAM", 121.0), 2.0) == ["ratio"]
    assert misses(_timing("dashboard", "KAM", 200.0), 2.0) == []  # 100×
    assert misses(_timing("dashboard", "administrator", 201.0, queries=16), 2.0) == ["ratio", "queries"]
    assert misses(_timing("plan step 1", "KAM", 10.0, queries=15), 2.0) == []
    assert misses(BARE, 2.0) == []


def test_the_table_marks_each_target_missed():
    results = [
        BARE,
        _timing("dashboard", "team manager (1 team)", 150.0, queries=12),
        _timing("dashboard", "administrator (all accounts)", 300.0, queries=14),
        _timing("X-ray", "KAM", 100.0, queries=22),
    ]
    lines = table(results)
    assert "median ms" in lines[0] and "× bare" in lines[0] and "queries" in lines[0] and "target" in lines[0]
    assert "MISS" not in _row(lines, BASE, "anonymous")
    team = _row(lines, "dashboard", "team manager")
    assert "75.0" in team and "≤ 100×" in team and "≤ 15" in team and "MISS" not in team
    admin = _row(lines, "dashboard", "administrator")
    assert "150.0" in admin and "≤ 100× MISS" in admin and admin.count("MISS") == 1
    xray = _row(lines, "X-ray", "KAM")
    assert "≤ 60×" in xray and "≤ 15 MISS" in xray and xray.count("MISS") == 1
    assert missed_any(results)
    assert not missed_any(results[:2])


def test_the_dashboard_at_10000_accounts_against_40():
    large = Scale("large demo", 10_040, _timing("dashboard", "administrator", 60.0), BARE)
    small = Scale("plain demo", 40, _timing("dashboard", "administrator", 25.0), _timing(BASE, "anonymous", 1.0))
    # 30× its bare view against 25×: 1.2 times, whatever the two runs' own speeds.
    assert growth(large, small) == 1.2
    lines, missed = growth_table([(large, small)])
    assert not missed and "1.20×" in lines[-1] and "MISS" not in lines[-1]
    slow = Scale("large demo", 10_040, _timing("dashboard", "administrator", 80.0), BARE)
    lines, missed = growth_table([(slow, small)])
    assert missed and "1.60×" in lines[-1] and "≤ 1.5× MISS" in lines[-1]


def test_the_growth_judged_is_the_median_of_the_rounds():
    """One slow round (the machine's speed swings) neither makes nor hides a miss."""
    small = Scale("plain demo", 40, _timing("dashboard", "administrator", 25.0), _timing(BASE, "anonymous", 1.0))
    large = [Scale("large demo", 10_040, _timing("dashboard", "administrator", ms), BARE) for ms in (60.0, 90.0, 64.0)]
    lines, missed = growth_table([(lg, small) for lg in large])
    assert not missed and "1.28×" in lines[-1] and "rounds 1.20, 1.80, 1.28" in lines[-1]
    assert sum(line.startswith(("1 ", "2 ", "3 ")) for line in lines) == 6  # both runs of each round shown
    lines, missed = growth_table([(large[1], small), (large[1], small), (large[0], small)])
    assert missed and "1.80×" in lines[-1]
