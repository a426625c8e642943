"""Servers of the tests' own, to break on purpose: a redis-server and a PostgreSQL cluster, each on
a free port in a temporary directory, and the site itself under gunicorn pointed at them.

Never the shared servers (127.0.0.1:5432 and :6379): the tests pause, kill and stop these.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout} s")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


class RedisServer:
    """A redis-server of the test's own, that the test can pause (SIGSTOP), resume and kill."""

    def __init__(self, *, appendonly: bool = False) -> None:
        self.dir = tempfile.mkdtemp(prefix="kam-redis-")
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        # As docs/operations.md configures production: the queue survives a restart in the same dir.
        self.persistence = ["--appendonly", "yes", "--appendfsync", "everysec"] if appendonly else []

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        server = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir, "--save", ""]
        self.process = subprocess.Popen(
            [*server, *self.persistence],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), 10, "redis-server")
        return self

    def pause(self) -> None:
        """Freeze the server: connections stay open and new ones are accepted, nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(10)

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"{name} of PostgreSQL not found under /usr/lib/postgresql")
    return found[-1]


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, a free port).

    initdb refuses to run as root, so as root the cluster belongs to the postgres user."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="kam-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            [*self._as, _pg_bin("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def url(self, name: str = "kam") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> PostgresCluster:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [*self._as, _pg_bin("pg_ctl"), "-D", self.data, "-o", options, "-l", f"{self.dir}/log", "-w", "start"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return self

    def stop(self) -> None:
        """Stop the server as an administrator would, closing every connection."""
        subprocess.run(
            [*self._as, _pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def create_database(self, name: str = "kam") -> str:
        subprocess.run(
            [*self._as, _pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            check=True,
        )
        return self.url(name)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def django_env(**env: str) -> dict[str, str]:
    """The environment of a manage.py or gunicorn process of the site (development settings)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_", "CACHE_", "EXPORT_"))}
    base.update({"DJANGO_SETTINGS_MODULE": "kam.settings", "DEBUG": "1", "PYTHONPATH": str(ROOT), "AXES_ENABLED": "0"})
    base.update(env)
    return base


def manage(env: dict[str, str], *args: str, input: str | None = None) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=input, capture_output=True, text=True, timeout=300
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float


@dataclass
class Site:
    """The site under gunicorn, with a session of a signed-in user (a cookie, as a browser has)."""

    port: int
    process: subprocess.Popen
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, data: dict | list | None = None, timeout: float = 60) -> Response:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            content = raw.read().decode("utf-8", "replace")
            return Response(raw.status, dict(raw.getheaders()), content, time.monotonic() - started)
        finally:
            conn.close()

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict | list, **kwargs) -> Response:
        # CSRF: the cookie's secret, sent back in the form as a browser's page would.
        fields = [
            *(data.items() if isinstance(data, dict) else data),
            ("csrfmiddlewaretoken", self.cookies["csrftoken"]),
        ]
        return self.request("POST", path, data=fields, **kwargs)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_site(env: dict[str, str], *, threads: int = 8) -> Site:
    port = free_port()
    process = subprocess.Popen(
        [
            *(PYTHON, "-m", "gunicorn", "-c", "kam/gunicorn.conf.py", "kam.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", str(threads), "--timeout", "120"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: port_open(port), 60, "gunicorn")
    return Site(port, process)


# Run in the site's own environment: a KAM with an account and a plan, and a session for them.
SEED = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from kam.models import Role
from tests.factories import AccountFactory, UserFactory
from tests.plan_factories import PlanFactory

user = UserFactory(username="kam.outage", role=Role.KAM)
user.set_password("correct horse")
user.save()
account = AccountFactory(owner=user, name="Klinikum Nord")
plan = PlanFactory(account=account)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(json.dumps({"session": session.session_key, "account": account.pk, "plan": plan.pk}))
"""


def seed(env: dict[str, str]) -> dict:
    manage(env, "migrate", "--no-input", "-v", "0")
    return json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])


class FormFields(HTMLParser):
    """The fields a browser would submit from the page's form with the given action (as shown)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("method", "").lower() == "post" and a.get("action", "") in (self.action, "")
            return
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file") or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            if a["name"] != "csrfmiddlewaretoken":
                self.fields.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def form_fields(html: str, action: str = "") -> list[tuple[str, str]]:
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields
