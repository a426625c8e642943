"""The 503 page of a database outage, in isolation: what it re-shows and what it never does."""

from __future__ import annotations

from django.db import DataError, IntegrityError, InterfaceError, OperationalError, ProgrammingError
from django.urls import resolve

from kam.outage import DatabaseOutageMiddleware, is_outage, outage_response, typed_fields


def test_it_takes_only_an_unreachable_database_for_an_outage():
    assert is_outage(OperationalError("could not connect to server"))
    assert is_outage(InterfaceError("connection already closed"))
    for bug in (IntegrityError("duplicate key"), DataError("value too long"), ProgrammingError("no such column")):
        assert not is_outage(bug)
    assert DatabaseOutageMiddleware(lambda r: None).process_exception(None, IntegrityError("x")) is None


def test_it_never_shows_a_password_or_the_token(rf):
    request = rf.post(
        "/login/",
        {"username": "anna", "password": "s3cret", "new_password1": "x", "csrfmiddlewaretoken": "t", "tag": ["a", "b"]},
    )
    assert [(f.name, f.value) for f in typed_fields(request)] == [("username", "anna"), ("tag", "a"), ("tag", "b")]


def test_it_escapes_what_was_typed_and_resubmits_to_the_same_address(rf):
    request = rf.post("/accounts/1/edit/?next=%3Cx%3E", {"notes": "<script>alert(1)</script>\nline two"})
    request.resolver_match = resolve("/accounts/1/edit/")
    response = outage_response(request)
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nline two</textarea>" in body
    assert 'action="/accounts/1/edit/?next=%3Cx%3E"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_a_public_survey_page_gets_no_csrf_cookie_from_it(rf):
    path = "/s/" + "a" * 43 + "/"
    request = rf.post(path, {"csat_score": "5", "comment": "gut"})
    request.resolver_match = resolve(path)
    response = outage_response(request)
    assert 'value="gut"' in response.content.decode()
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the CSRF middleware would set the cookie


def test_the_500_handler_answers_503_for_an_outage_outside_a_view(rf):
    # Django calls handler500 while handling the exception, e.g. one raised by a middleware.
    from kam.views import error_500

    request = rf.post("/accounts/1/edit/", {"name": "Klinikum Nord"})
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = error_500(request)
    assert response.status_code == 503
    assert 'value="Klinikum Nord"' in response.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        assert error_500(rf.get("/")).status_code == 500
