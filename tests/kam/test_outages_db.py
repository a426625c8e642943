"""PostgreSQL is down: a 503 that says to try again shortly and gives back what was typed.

Against a PostgreSQL cluster of the test's own (tests/faults.py), stopped and started again, and
the site under gunicorn. No pytest-django database.
"""

from __future__ import annotations

import json
import secrets

import pytest

from tests import faults

TYPED_NAME = "<b>Klinikum Süd</b> & Partner"


@pytest.fixture(scope="module")
def pg():
    cluster = faults.PostgresCluster().start()
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def stack(pg, tmp_path_factory):
    env = faults.django_env(
        DATABASE_URL=pg.create_database("dbfaults"), KAM_VAR_DIR=str(tmp_path_factory.mktemp("var"))
    )
    data = faults.seed(env)
    site = faults.start_site(env)
    site.cookies = {"sessionid": data["session"], "csrftoken": secrets.token_hex(16)}
    yield site, data
    site.close()


@pytest.fixture
def database_down(pg):
    pg.stop()
    yield
    pg.start()


def _edit_form(site, account_id: int) -> tuple[str, list[tuple[str, str]]]:
    path = f"/accounts/{account_id}/edit/"
    fields = faults.form_fields(site.get(path).body, path)
    return path, [(name, TYPED_NAME if name == "name" else value) for name, value in fields]


def test_it_gives_back_a_typed_form_with_a_503_while_the_database_is_down(stack, pg):
    site, data = stack
    path, fields = _edit_form(site, data["account"])

    pg.stop()
    try:
        response = site.post(path, fields)
    finally:
        pg.start()

    assert response.status == 503
    assert response.headers["Retry-After"] == "30"
    assert "try again shortly" in response.body
    # What was typed comes back, escaped, in a form that sends it to the same address again.
    assert "&lt;b&gt;Klinikum Süd&lt;/b&gt; &amp; Partner" in response.body
    assert "<b>Klinikum" not in response.body
    assert f'<form method="post" action="{path}">' in response.body
    assert 'name="csrfmiddlewaretoken"' in response.body

    # The database is back: the form sent again from the 503 page saves.
    resent = site.post(path, fields)
    assert resent.status == 302
    assert TYPED_NAME.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in site.get(path).body


def test_it_answers_the_login_form_with_a_503_without_the_password(stack, database_down):
    site, _data = stack
    anonymous = faults.Site(site.port, site.process, {"csrftoken": site.cookies["csrftoken"]})

    page = anonymous.get("/login/")
    response = anonymous.post("/login/", {"username": "kam.outage", "password": "correct horse"})

    assert page.status in (200, 503)
    assert response.status == 503
    assert response.headers["Retry-After"] == "30"
    assert 'value="kam.outage"' in response.body
    assert "correct horse" not in response.body


def test_it_serves_a_503_to_a_signed_in_user_whose_session_cannot_be_read(stack, database_down):
    site, data = stack
    response = site.get(f"/accounts/{data['account']}/")
    assert response.status == 503
    assert "try again shortly" in response.body


def test_it_reports_the_database_down_on_healthz_with_a_503(stack, database_down):
    site, _data = stack
    response = site.get("/healthz")
    assert response.status == 503
    report = json.loads(response.body)
    assert report["status"] == "down"
    assert report["database"]["ok"] is False
    assert report["cache"]["ok"] is True  # locmem: the site's other parts are still told apart
