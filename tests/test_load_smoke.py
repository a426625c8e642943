"""A few seconds of bench/bench_load.py: 10 users against gunicorn, no server error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_load import KINDS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
def test_it_serves_a_mixed_load_without_server_errors(tmp_path):
    summary = tmp_path / "summary.json"
    # The bench makes a database of its own on DATABASE_URL's server and drops it afterwards.
    run = subprocess.run(
        [sys.executable, "bench/bench_load.py", "--users", "10", "--seconds", "8", "--json", str(summary)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert summary.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(summary.read_text())
    assert result["server_errors"] == 0, run.stdout[-3000:]
    assert result["failures"] == {}, run.stdout[-3000:]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for kind in KINDS:
        assert result["kinds"][kind]["requests"] > 0, kind
