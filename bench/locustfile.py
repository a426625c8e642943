"""Locust users for bench/bench_load.py (which seeds the data and starts gunicorn; see there).

LOAD_SUBJECTS names the JSON that bench_load.seed() wrote (sessions, plans, survey tokens);
LOAD_REPORT the JSON this file writes at the end: per kind, every response time and the
responses whose status was not the expected one.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections import defaultdict
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task
from requests.cookies import create_cookie

SUBJECTS = json.loads(Path(os.environ["LOAD_SUBJECTS"]).read_text())
_kams = itertools.count()
_managers = itertools.count()
_tokens = itertools.count()
_answers = itertools.count()

times: dict[str, list[float]] = defaultdict(list)
failures: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))


class FormFields(HTMLParser):
    """The fields a browser would submit from the page's form holding ``marker`` (a field name):
    inputs (checkboxes and radios only when checked), selected options, textareas."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.forms: list[list[tuple[str, str]]] = []
        self.radios: list[dict[str, list[str]]] = []
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append([])
            self.radios.append(defaultdict(list))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind == "radio":
                self.radios[-1][a["name"]].append(a.get("value", "on"))
                if "checked" in a:
                    self.forms[-1].append((a["name"], a.get("value", "on")))
            elif kind == "checkbox":
                if "checked" in a:
                    self.forms[-1].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "image", "file"):
                self.forms[-1].append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select, self._options = (a["name"], "multiple" in a), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            name, multiple = self._select
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self.forms[-1].extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.forms[-1].append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def fields(self, html: str) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
        self.feed(html)
        for form, radios in zip(self.forms, self.radios, strict=True):
            if any(name == self.marker for name, _v in form) or self.marker in radios:
                return form, radios
        raise ValueError(f"no form with a field {self.marker!r}")


class PlainHttpLoopback(DefaultCookiePolicy):
    """Send cookies marked Secure over the bench's plain HTTP: production settings mark the
    session and CSRF cookies Secure, and the load runs without TLS on loopback."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Client(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(PlainHttpLoopback())

    def login(self, session: str) -> None:
        # The session was made up front (bench_load.seed): a login per user would mostly time the
        # password hasher.
        self.client.cookiejar.set_cookie(create_cookie(SUBJECTS["session_cookie"], session, domain="127.0.0.1"))

    def post_form(self, url: str, fields: list[tuple[str, str]], name: str):
        return self.client.post(
            url,
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name=name,
            allow_redirects=False,
            catch_response=True,
        )

    def expect(self, response, status: int) -> None:
        if response.status_code != status:
            response.failure(f"{response.status_code}, expected {status}")


class Kam(Client):
    weight = 3

    def on_start(self) -> None:
        super().on_start()
        kams = SUBJECTS["kams"]
        self.subject = kams[next(_kams) % len(kams)]
        self.login(self.subject["session"])

    @task
    def edit_a_step(self) -> None:
        url = f"/plans/{self.subject['plan']}/step/{random.randint(1, 7)}/"
        with self.client.get(url, name="kam: plan step GET", catch_response=True) as page:
            self.expect(page, 200)
            if page.status_code != 200:
                return
            try:
                fields, _radios = FormFields("version").fields(page.text)
            except ValueError as exc:
                page.failure(str(exc))
                return
        with self.post_form(url, fields, "kam: plan step POST") as saved:
            self.expect(saved, 302)


class Manager(Client):
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        managers = SUBJECTS["managers"]
        self.login(managers[next(_managers) % len(managers)]["session"])

    @task
    def dashboard(self) -> None:
        with self.client.get("/", name="manager: dashboard", catch_response=True) as page:
            self.expect(page, 200)


class Customer(Client):
    weight = 2

    @task
    def answer_a_survey(self) -> None:
        tokens = SUBJECTS["tokens"]
        url = f"/s/{tokens[next(_tokens) % len(tokens)]}/"
        with self.client.get(url, name="customer: survey GET", catch_response=True) as page:
            self.expect(page, 200)
            if page.status_code != 200:
                return
            try:
                fields, radios = FormFields("csat_score").fields(page.text)
            except ValueError as exc:
                page.failure(str(exc))
                return
        data = dict(fields)
        for name, values in radios.items():
            data[name] = random.choice(values)
        data["comment"] = f"Load answer {next(_answers)}"
        with self.post_form(url, list(data.items()), "customer: survey POST") as answered:
            self.expect(answered, 302)


@events.request.add_listener
def _record(name: str, response_time: float, response=None, exception=None, **kwargs) -> None:
    times[name].append(response_time)
    if exception is not None:
        status = getattr(response, "status_code", 0) or 0
        failures[name][str(status)] += 1


@events.quitting.add_listener
def _write_report(environment, **kwargs) -> None:
    report = {
        name: {"requests": len(values), "times_ms": values, "failures": dict(failures[name])}
        for name, values in times.items()
    }
    Path(os.environ["LOAD_REPORT"]).write_text(json.dumps(report))
