"""bench_pages.py behind gunicorn: wrk against the survey page and the bare view in alternating
rounds, then the administrator's dashboard while the workers' peak memory is read."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.pages_report import BASE, MISS

ROOT = Path(__file__).resolve().parent.parent
TARGET_RSS_MB = 200
# The survey page's throughput, as a share of the bare view's requests per second (issue 12).
SURVEY_SHARE_TARGET = 0.35


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/<pid>/status")


@dataclass
class Load:
    url_label: str
    requests_per_s: float
    requests: int
    errors: int
    output: str


def _wrk(url: str, seconds: int, label: str, *, connections: int = 8, cookie: str = "") -> Load:
    # A generous timeout: a slow page must show as few requests per second, not as errors.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return Load(label, rate, total, errors, out)


def _alternating_loads(pages: list[tuple[str, str]], seconds: int, rounds: int) -> list[Load]:
    """``seconds`` of load per page in ``rounds`` short runs, the pages taking turns (and turns
    about who goes first): the speed of a shared virtual machine swings by a factor of two from one
    second to the next here, and one long run per page let a slow patch fall on one page only. The
    rate is the requests of all rounds over their seconds."""
    per_round = max(1, round(seconds / rounds))
    totals = {label: [0, 0] for label, _url in pages}
    for n in range(rounds):
        for label, url in pages if n % 2 == 0 else pages[::-1]:
            load = _wrk(url, per_round, label)
            totals[label][0] += load.requests
            totals[label][1] += load.errors
    return [
        Load(label, totals[label][0] / (per_round * rounds), totals[label][0], totals[label][1], "")
        for label, _url in pages
    ]


def measure_gunicorn(
    env: dict[str, str], subjects: dict, seconds: int, log_dir: Path, rounds: int = 5
) -> tuple[list[Load], dict]:
    from django.conf import settings

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = log_dir / "gunicorn.log"
    # --reuse-port: a socket per worker, so the kernel spreads wrk's 8 connections over both workers.
    # With the production config's one shared socket, whichever worker woke first accepted them all in
    # about a third of the runs (per-worker CPU: 2.1 s against 0.0 s), leaving a core idle and halving
    # the throughput of whichever page was loaded then: a lottery, not a property of either page.
    command = [sys.executable, "-m", "gunicorn", "-c", "kam/gunicorn.conf.py", "--workers", "2", "--reuse-port"]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", str(log_dir / "access.log"), "kam.wsgi"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not come up:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        survey = f"{base}/s/{subjects['token']}/"
        bare = f"{base}/bench/bare/"
        for url in (bare, survey):
            _wrk(url, 2, "warm-up")
        loads = _alternating_loads([(BASE, bare), ("survey answer page", survey)], seconds, rounds)
        workers = _workers(server.pid)
        before = {pid: _peak_rss_mb(pid) for pid in workers}
        name = settings.SESSION_COOKIE_NAME
        cookie = f"{name}={subjects['cookie'][name].value}"
        # Two connections for two workers: each serves one dashboard at a time, as under real use.
        dashboard = _wrk(f"{base}/", max(seconds, 15), "dashboard: administrator", connections=2, cookie=cookie)
        after = {pid: _peak_rss_mb(pid) for pid in workers}
        return loads, {"dashboard": dashboard, "before": before, "after": after}
    finally:
        server.terminate()
        server.wait(timeout=30)


def print_gunicorn(loads: list[Load], memory: dict, seconds: int, rounds: int) -> bool:
    """Prints the table; returns whether a target was missed."""
    base = loads[0].requests_per_s
    missed = False
    print()
    per_page = max(1, round(seconds / rounds)) * rounds
    print(
        f"Behind gunicorn (2 workers, a socket each, production settings), wrk -t2 -c8 on loopback: {per_page} s"
        f" per page in {rounds} rounds, the pages taking turns"
    )
    print(f"{'page':<38}{'requests/s':>12}{'requests':>10}{'errors':>8}{'× baseline':>12}  target")
    for load in loads[:1]:
        print(f"{load.url_label:<38}{load.requests_per_s:>12.1f}{load.requests:>10}{load.errors:>8}{1:>12.2f}")
    for load in loads[1:]:
        ratio = load.requests_per_s / base if base else 0
        short = ratio < SURVEY_SHARE_TARGET
        missed = missed or short
        target = f"≥ {SURVEY_SHARE_TARGET}" + (f" {MISS}" if short else "")
        print(
            f"{load.url_label:<38}{load.requests_per_s:>12.1f}{load.requests:>10}{load.errors:>8}{ratio:>12.2f}  {target}"
        )
    d = memory["dashboard"]
    peaks = ", ".join(f"{mb:.0f} MB" for mb in memory["after"].values())
    before = ", ".join(f"{mb:.0f} MB" for mb in memory["before"].values())
    print(
        f"Administrator's dashboard, wrk -t2 -c2: {d.requests_per_s:.1f} requests/s, {d.requests} requests, "
        f"{d.errors} errors; workers' peak RSS {peaks} (before the dashboard: {before}; target < {TARGET_RSS_MB} MB)"
    )
    return missed
