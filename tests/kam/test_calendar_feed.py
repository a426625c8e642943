"""The per-user iCalendar feed: a secret link made, renewed and revoked on the settings page, read
without a session, holding what the page holds for its owner, stable UIDs, hostile text."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Account
from kam.models import CalendarFeedToken
from kam.portfolio.calendar_ics import feed_range
from kam.text import UNUSABLE
from tests.calendar_data import NOW, TODAY, key_dates
from tests.test_unusable_characters import STORED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dates(cast):
    return key_dates(cast)


def _feed_url(secret: str) -> str:
    return reverse("calendar-feed", args=[secret])


def _events(response) -> dict[str, dict]:
    assert response.status_code == 200, response.status_code
    calendar = Calendar.from_ical(response.content)
    return {
        str(e["UID"]): {
            "day": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "summary": str(e["SUMMARY"]),
            "url": str(e["URL"]),
        }
        for e in calendar.walk("VEVENT")
    }


def test_it_makes_a_link_on_the_settings_page_and_shows_it_once(cast, login):
    client = login(cast.kam_a)
    assert b"Make a calendar link" in client.get(reverse("plans:digest-settings")).content
    response = client.post(reverse("calendar-feed-renew"))
    assert response.status_code == 200
    feed_url = response.context["feed_url"]
    secret = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert feed_url == settings.SITE_URL.rstrip("/") + _feed_url(secret) and feed_url.encode() in response.content
    # Only the digest is kept.
    assert CalendarFeedToken.objects.get(user=cast.kam_a).digest == hashlib.sha256(secret.encode()).hexdigest()
    page = client.get(reverse("plans:digest-settings")).content
    assert secret.encode() not in page and b"Revoke the link" in page


def test_the_feed_needs_no_session_and_is_kept_by_no_cache(cast, dates):
    secret = CalendarFeedToken.objects.renew(cast.kam_a)
    response = Client().get(_feed_url(secret))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control and "max-age=0" in cache_control
    assert b"\r\nX-PUBLISHED-TTL:PT6H\r\n" in response.content
    events = _events(response)
    review = events[f"review-{dates.plan.pk}@127.0.0.1"]
    # All-day, with the account in the summary and a link back to the app.
    assert (review["day"], review["end"]) == (date(2026, 7, 20), date(2026, 7, 21))
    assert "Account A" in review["summary"]
    assert review["url"] == f"{settings.SITE_URL}/plans/{dates.plan.pk}/"


def test_it_holds_the_same_events_as_the_page_for_the_same_range(cast, dates, login):
    for user in (cast.kam_a, cast.manager_a, cast.medical, cast.admin):
        secret = CalendarFeedToken.objects.renew(user)
        start, end = feed_range(TODAY)
        page = login(user).get("/calendar/", {"start": start.isoformat(), "end": end.isoformat()})
        on_page = {
            (f"{e.uid}@127.0.0.1", e.day, settings.SITE_URL + e.url) for g in page.context["groups"] for e in g.entries
        }
        in_feed = {(uid, e["day"], e["url"]) for uid, e in _events(Client().get(_feed_url(secret))).items()}
        assert in_feed == on_page and in_feed, user


def test_a_medical_colleague_gets_only_their_side(cast, dates):
    secret = CalendarFeedToken.objects.renew(cast.medical)
    uids = set(_events(Client().get(_feed_url(secret))))
    assert uids == {
        f"committee-{dates.committee.pk}@127.0.0.1",
        f"action-{dates.medical_action.pk}@127.0.0.1",
        f"follow_up-{dates.medical_follow_up.pk}@127.0.0.1",
    }


def test_an_outsiders_accounts_are_not_in_it(cast, dates):
    secret = CalendarFeedToken.objects.renew(cast.kam_c)
    assert set(_events(Client().get(_feed_url(secret)))) == {f"committee-{dates.committee_c.pk}@127.0.0.1"}


def test_a_revoked_link_is_a_404(cast, dates, login):
    secret = CalendarFeedToken.objects.renew(cast.kam_a)
    response = login(cast.kam_a).post(reverse("calendar-feed-revoke"))
    assert response.status_code == 302
    assert not CalendarFeedToken.objects.filter(user=cast.kam_a).exists()
    assert Client().get(_feed_url(secret)).status_code == 404


def test_a_renewed_link_replaces_the_old_one(cast, dates, login):
    old = CalendarFeedToken.objects.renew(cast.kam_a)
    new = login(cast.kam_a).post(reverse("calendar-feed-renew")).context["feed_url"].rsplit("/", 1)[1]
    assert Client().get(_feed_url(old)).status_code == 404
    assert Client().get(reverse("calendar-feed", args=[new.removesuffix(".ics")])).status_code == 200


def test_an_inactive_users_or_an_unknown_link_is_a_404(cast, dates):
    secret = CalendarFeedToken.objects.renew(cast.kam_a)
    assert Client().get(_feed_url("x" * 43)).status_code == 404
    cast.kam_a.is_active = False
    cast.kam_a.save(update_fields=["is_active"])
    assert Client().get(_feed_url(secret)).status_code == 404


def test_it_answers_get_only(cast):
    secret = CalendarFeedToken.objects.renew(cast.kam_a)
    assert Client().post(_feed_url(secret)).status_code == 405


def test_uids_are_stable_across_fetches_and_a_moved_date(cast, dates):
    secret = CalendarFeedToken.objects.renew(cast.kam_a)
    first = _events(Client().get(_feed_url(secret)))
    assert _events(Client().get(_feed_url(secret))).keys() == first.keys()
    dates.plan.next_review_date = date(2026, 7, 27)
    dates.plan.save(update_fields=["next_review_date"])
    moved = _events(Client().get(_feed_url(secret)))
    assert moved.keys() == first.keys()
    assert moved[f"review-{dates.plan.pk}@127.0.0.1"]["day"] == date(2026, 7, 27)


def test_hostile_text_survives(cast, dates):
    bad = "".join(STORED)
    Account.objects.filter(pk=cast.account_a.pk).update(name=f'Klinik{bad}um; Nord, "A"\\ <b>\r\nx')
    dates.follow_up.next_step = f"Call\n back; then, {bad}write ‮right-to-left"
    dates.follow_up.save(update_fields=["next_step"])
    secret = CalendarFeedToken.objects.renew(cast.kam_a)
    response = Client().get(_feed_url(secret))
    assert not UNUSABLE.search(response.content.decode())
    events = _events(response)
    summary = events[f"follow_up-{dates.follow_up.pk}@127.0.0.1"]["summary"]
    # Line breaks come back as one "\n" (the format has no other).
    assert summary == 'Touchpoint follow-up: Call\n back; then, write ‮right-to-left – Klinikum; Nord, "A"\\ <b>\nx'


def test_it_speaks_the_owners_language(cast, dates):
    cast.kam_a.language = "de"
    cast.kam_a.save(update_fields=["language"])
    secret = CalendarFeedToken.objects.renew(cast.kam_a)
    summaries = [e["summary"] for e in _events(Client().get(_feed_url(secret))).values()]
    assert "Plan-Review: FY 2026 – Account A" in summaries


# One per kind of date (nine: four and the five of tenders and contracts), the token, one more for a manager.
@pytest.mark.parametrize(("user", "queries"), [("kam_a", 10), ("manager_a", 11), ("admin", 10)])
def test_its_queries_are_pinned(cast, dates, django_assert_num_queries, user, queries):
    secret = CalendarFeedToken.objects.renew(getattr(cast, user))
    client = Client()
    with django_assert_num_queries(queries):
        assert client.get(_feed_url(secret)).status_code == 200
