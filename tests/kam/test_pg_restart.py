"""PostgreSQL restarted under a write load: no acknowledged write is lost, and the app recovers on
its own (gunicorn against a private cluster, tests/pgcluster.py; the shared server is not touched)."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.bench_load import _workers, load_env, prepare, start_gunicorn, stop_gunicorn
from tests.pgcluster import PgCluster

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 4
RECOVERY_S = 5


def _seed(env: dict[str, str], out: Path) -> dict:
    """bench_load.seed() in the cluster's database, from a process configured for it."""
    code = "import django, json, sys; django.setup(); from bench.bench_load import seed; "
    code += f"json.dump(seed(kams={WRITERS}, managers=1, invitations=0), open(sys.argv[1], 'w'))"
    subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, env={**os.environ, **env}, check=True)
    return json.loads(out.read_text())


class Writer(threading.Thread):
    """Logs touchpoints, each with a unique summary, until told to stop; keeps the acknowledged ones."""

    def __init__(self, port: int, subject: dict, cookie_name: str, number: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.subject, self.number, self.stop = port, subject, number, stop
        self.csrf = secrets.token_hex(16)  # a CSRF secret of ours: Django accepts it unmasked in the form
        self.cookie = f"{cookie_name}={subject['session']}; csrftoken={self.csrf}"
        self.acknowledged: list[tuple[str, float]] = []
        self.refused: list[tuple[str, float]] = []

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            marker = f"restart-write-{self.number}-{n}"
            body = urlencode(
                {
                    "csrfmiddlewaretoken": self.csrf,
                    "date": time.strftime("%Y-%m-%d"),
                    "kind": "call",
                    "stakeholders": self.subject["people"][0],
                    "summary": marker,
                }
            )
            url = f"/stakeholders/accounts/{self.subject['account']}/touchpoints/new/"
            headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
            started = time.monotonic()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("POST", url, body=body, headers=headers)
                status = connection.getresponse().status
                connection.close()
            except OSError as exc:
                status = type(exc).__name__
            if status == 302:
                self.acknowledged.append((marker, started))
            else:
                self.refused.append((str(status), started))
                time.sleep(0.05)


def _get(port: int, path: str, cookie: str) -> int:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers={"Cookie": cookie})
        status = connection.getresponse().status
        connection.close()
        return status
    except OSError:
        return 0


@pytest.mark.postgres
def test_it_keeps_every_acknowledged_write_across_a_database_restart(tmp_path):
    with PgCluster() as cluster:
        cluster.create_database("kam")
        env = load_env(str(tmp_path), cluster.url("kam"))
        prepare(env)
        subjects = _seed(env, tmp_path / "subjects.json")
        server, base = start_gunicorn(env, tmp_path, workers=2)
        port = int(base.rsplit(":", 1)[1])
        try:
            workers_before = _workers(server.pid)
            stop = threading.Event()
            writers = [
                Writer(port, subject, subjects["session_cookie"], n, stop) for n, subject in enumerate(subjects["kams"])
            ]
            for writer in writers:
                writer.start()
            time.sleep(3)
            cluster.restart("fast")
            restarted = time.monotonic()

            # Pages recover without restarting the app: a GET is served again within seconds.
            page = f"/accounts/{subjects['kams'][0]['account']}/"
            cookie = f"{subjects['session_cookie']}={subjects['kams'][0]['session']}"
            while _get(port, page, cookie) != 200:
                assert time.monotonic() - restarted < RECOVERY_S, f"no 200 for {page} {RECOVERY_S} s after the restart"
                time.sleep(0.1)
            time.sleep(3)
            stop.set()
            for writer in writers:
                writer.join(timeout=60)

            # A restart while the app is idle (a nightly maintenance): every thread keeps a connection
            # to the old server, and the first page after it must not be a 500 (CONN_HEALTH_CHECKS).
            cluster.restart("fast")
            assert [_get(port, page, cookie) for _ in range(12)] == [200] * 12

            assert server.poll() is None and _workers(server.pid) == workers_before, "gunicorn or a worker restarted"
            acknowledged = {marker for w in writers for marker, _t in w.acknowledged}
            after = [marker for w in writers for marker, t in w.acknowledged if t > restarted]
            refused = [status for w in writers for status, _t in w.refused]
            assert len(acknowledged) > 20 and len(after) > 5 and refused, "the restart went unnoticed"
            # Once the server is back, a stale connection is replaced before it fails a request
            # (CONN_HEALTH_CHECKS): writes started after the restart all succeed.
            assert [
                (status, round(t - restarted, 2)) for w in writers for status, t in w.refused if t > restarted
            ] == []
            stored = set(
                cluster.psql(
                    "SELECT summary FROM stakeholders_touchpoint WHERE summary LIKE 'restart-write-%'", "kam"
                ).splitlines()
            )
            assert acknowledged - stored == set(), f"acknowledged but lost: {sorted(acknowledged - stored)[:10]}"
        finally:
            stop_gunicorn(server)
