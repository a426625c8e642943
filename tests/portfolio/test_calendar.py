"""The key-date calendar page: every source with its date and link, the user's scope, the firewall,
the filters and range, dates in the locale's format, and its queries."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Account
from kam.portfolio import calendar
from kam.portfolio.calendar import KINDS, SOURCES
from tests.calendar_data import NOW, key_dates

pytestmark = pytest.mark.django_db

URL = "/calendar/"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dates(cast):
    return key_dates(cast)


def _entries(response) -> list:
    return [e for group in response.context["groups"] for e in group.entries]


def _seen(response) -> dict[tuple[str, int], tuple[date, str]]:
    return {(e.kind, e.object_id): (e.day, e.url) for e in _entries(response)}


def test_it_lists_each_source_with_its_date_and_where_it_is_handled(cast, dates, login):
    response = login(cast.kam_a).get(URL)
    assert response.status_code == 200
    assert _seen(response) == {
        ("committee", dates.committee.pk): (date(2026, 7, 10), f"/accounts/{cast.account_a.pk}/#listings"),
        ("review", dates.plan.pk): (date(2026, 7, 20), f"/plans/{dates.plan.pk}/"),
        ("action", dates.action.pk): (date(2026, 8, 5), reverse("plans:step", args=[dates.plan.pk, 5])),
        ("action", dates.medical_action.pk): (date(2026, 7, 25), reverse("plans:step", args=[dates.plan.pk, 5])),
        ("follow_up", dates.follow_up.pk): (date(2026, 7, 15), f"/stakeholders/touchpoints/{dates.follow_up.pk}/"),
    }
    # In order of day, each linked, with its account.
    assert [e.day for e in _entries(response)] == sorted(e.day for e in _entries(response))
    body = response.content.decode()
    for entry in _entries(response):
        assert f'href="{entry.url}"' in body
    assert "Send the dossier" in body and "Account A" in body


def test_a_new_kind_of_date_is_one_source_in_the_list():
    assert (
        KINDS
        == [s.kind for s in SOURCES]
        == [
            "committee",
            "review",
            "action",
            "follow_up",
            "tender",
            "tender_decision",
            "tender_award",
            "contract_notice",
            "contract_end",
        ]
    )


def test_it_shows_dates_in_the_locales_format_never_iso(cast, dates, login):
    client = login(cast.kam_a)
    body = client.get(URL).content.decode()
    assert "10 Jul 2026" in body and "2026-07-10" not in body
    cast.kam_a.language = "de"
    cast.kam_a.save(update_fields=["language"])
    body = client.get(URL).content.decode()
    assert "10. Juli 2026" in body and "2026-07-10" not in body


def test_it_leaves_out_the_accounts_of_others(cast, dates, login):
    assert ("committee", dates.committee_c.pk) not in _seen(login(cast.kam_a).get(URL))
    seen = _seen(login(cast.manager_b).get(URL))
    assert ("committee", dates.committee_c.pk) in seen
    assert ("committee", dates.committee.pk) not in seen
    seen = _seen(login(cast.admin).get(URL))
    assert {("committee", dates.committee.pk), ("committee", dates.committee_c.pk)} <= set(seen)
    assert "Account C" not in login(cast.kam_b).get(URL).content.decode()


def test_a_medical_colleague_gets_no_commercial_dates(cast, dates, login):
    response = login(cast.medical).get(URL)
    assert response.status_code == 200
    assert _seen(response) == {
        ("committee", dates.committee.pk): (date(2026, 7, 10), f"/accounts/{cast.account_a.pk}/#listings"),
        # Their own action only, linked to the joint plan they may read.
        ("action", dates.medical_action.pk): (date(2026, 7, 25), f"/plans/{dates.plan.pk}/"),
        ("follow_up", dates.medical_follow_up.pk): (
            date(2026, 7, 16),
            f"/stakeholders/touchpoints/{dates.medical_follow_up.pk}/",
        ),
    }
    assert "Send the budget impact model" not in response.content.decode()


def test_a_medical_colleague_is_not_offered_plan_reviews(cast, dates, login):
    client = login(cast.medical)
    kinds = [value for value, _label in client.get(URL).context["form"].fields["kind"].choices]
    assert kinds == [
        "committee",
        "action",
        "follow_up",
        "tender",
        "tender_decision",
        "tender_award",
        "contract_notice",
        "contract_end",
    ]
    assert client.get(URL, {"kind": "review"}).status_code == 400


def test_commercial_colleagues_get_no_medical_follow_ups(cast, dates, login):
    for user in (cast.kam_a, cast.manager_a, cast.access):
        seen = _seen(login(user).get(URL))
        assert ("follow_up", dates.medical_follow_up.pk) not in seen
        assert "Answer the question on dosing" not in login(user).get(URL).content.decode()
    assert ("follow_up", dates.medical_follow_up.pk) in _seen(login(cast.admin).get(URL))


def test_it_filters_by_kind_owner_and_account_type(cast, dates, login):
    client = login(cast.admin)
    assert {k for k, _pk in _seen(client.get(URL, {"kind": "committee"}))} == {"committee"}
    assert {k for k, _pk in _seen(client.get(URL, {"kind": ["review", "action"]}))} == {"review", "action"}
    assert set(_seen(client.get(URL, {"owner": cast.kam_c.pk}))) == {("committee", dates.committee_c.pk)}
    assert set(_seen(client.get(URL, {"team_lead": cast.manager_b.pk}))) == {("committee", dates.committee_c.pk)}
    assert _seen(client.get(URL, {"account_type": "pharmacy"})) == {}


def test_it_shows_past_dates_when_asked_and_ninety_days_by_default(cast, dates, login):
    client = login(cast.kam_a)
    response = client.get(URL)
    assert (response.context["filters"].start, response.context["filters"].end) == (date(2026, 7, 1), date(2026, 9, 29))
    assert ("follow_up", dates.past_follow_up.pk) not in _seen(response)
    response = client.get(URL, {"start": "2026-06-01", "end": "2026-06-30"})
    assert set(_seen(response)) == {("follow_up", dates.past_follow_up.pk)}
    # Done actions are not key dates any more.
    assert ("action", dates.done_action.pk) not in _seen(client.get(URL, {"start": "2026-07-01", "end": "2026-07-31"}))


def test_it_lists_the_earliest_dates_only_beyond_its_limit_and_says_so(cast, dates, login, monkeypatch):
    monkeypatch.setattr(calendar, "PAGE_LIMIT", 2)
    response = login(cast.kam_a).get(URL)
    assert [e.day for e in _entries(response)] == [date(2026, 7, 10), date(2026, 7, 15)]
    assert response.context["truncated"] and "the earliest only" in response.content.decode()
    monkeypatch.setattr(calendar, "PAGE_LIMIT", 5)
    response = login(cast.kam_a).get(URL)
    assert len(_entries(response)) == 5 and not response.context["truncated"]


def test_it_groups_by_week_or_by_month(cast, dates, login):
    client = login(cast.kam_a)
    weeks = client.get(URL).context["groups"]
    assert [g.start for g in weeks] == [date(2026, 7, 6), date(2026, 7, 13), date(2026, 7, 20), date(2026, 8, 3)]
    assert "Week 28: 6 Jul 2026 – 12 Jul 2026" in client.get(URL).content.decode()
    months = client.get(URL, {"group": "month"})
    assert [g.start for g in months.context["groups"]] == [date(2026, 7, 1), date(2026, 8, 1)]
    assert "August 2026" in months.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"owner": "abc"},
        {"owner": "999999"},
        {"start": "2026-13-01"},
        {"start": "2026-08-01", "end": "2026-07-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
        {"kind": "tenders"},
        {"group": "year"},
    ],
)
def test_filters_it_does_not_understand_are_a_400_saying_so(cast, dates, login, query):
    response = login(cast.kam_a).get(URL, query)
    assert response.status_code == 400
    assert "These filters were not understood" in response.content.decode()
    assert response.context["groups"] == []


def test_hostile_text_is_shown_escaped(cast, dates, login):
    Account.objects.filter(pk=cast.account_a.pk).update(name="<script>alert(1)</script> Nord\uffff")
    dates.follow_up.next_step = '"><img src=x onerror=alert(2)>'
    dates.follow_up.save(update_fields=["next_step"])
    body = login(cast.kam_a).get(URL).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; Nord" in body
    assert "<img src=x" not in body and "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in body


def test_it_is_linked_from_the_navigation(cast, login):
    assert f'href="{URL}"' in login(cast.kam_a).get(reverse("home")).content.decode()


@pytest.mark.parametrize(("user", "queries"), [("kam_a", 14), ("manager_a", 15), ("admin", 14)])
def test_its_queries_are_pinned(cast, dates, login, django_assert_num_queries, user, queries):
    client = login(getattr(cast, user))
    client.get(URL)  # the session's first read
    with django_assert_num_queries(queries):
        assert client.get(URL).status_code == 200
