import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from stakeholders.models import Affiliation, Person, Touchpoint, TransferOfValue
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, TouchpointFactory

ROLES = ["kam_a", "kam_b", "manager_a", "head", "manager_b", "access", "medical", "admin"]
SEES_A = {"kam_a", "manager_a", "head", "access", "admin"}


@pytest.fixture
def dmu(cast):
    boss = AffiliationFactory(account=cast.account_a, dmu_role="decision_maker", function="management")
    report = AffiliationFactory(account=cast.account_a, reports_to=boss)
    tp = TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, stakeholders=[report.person])
    return boss, report, tp


@pytest.mark.parametrize("role", ROLES)
def test_every_stakeholder_page_is_scoped(role, cast, login, dmu):
    _boss, report, tp = dmu
    client = login(getattr(cast, role))
    expected = 200 if role in SEES_A else 404
    urls = [
        reverse("stakeholders:dmu", args=[cast.account_a.pk]),
        reverse("stakeholders:xray", args=[cast.account_a.pk]),
        reverse("stakeholders:add", args=[cast.account_a.pk]),
        reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]),
        reverse("stakeholders:affiliation-edit", args=[report.pk]),
        reverse("stakeholders:coverage", args=[report.pk]),
        reverse("stakeholders:person", args=[report.person_id]),
        reverse("stakeholders:brief", args=[report.person_id]),
        reverse("stakeholders:touchpoint", args=[tp.pk]),
        reverse("stakeholders:person-export", args=[report.person_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == expected, url
    end = client.post(reverse("stakeholders:affiliation-end", args=[report.pk]))
    assert end.status_code == (302 if role in SEES_A else 404)


def test_anonymous_users_go_to_login(client, cast, dmu):
    response = client.get(reverse("stakeholders:dmu", args=[cast.account_a.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def _stakeholder_post(**overrides):
    data = {
        "person-first_name": "Maria",
        "person-last_name": "Brandt",
        "person-email": "maria.brandt@example.org",
        "person-preferred_language": "de",
        "aff-position_title": "Chief Pharmacist",
        "aff-function": "hospital_pharmacist",
        "aff-dmu_role": "gatekeeper",
        "aff-influence": "5",
        "aff-stance": "1",
    }
    data.update(overrides)
    return data


def test_a_kam_adds_a_stakeholder_with_a_reports_to_line(cast, login, dmu):
    boss, _report, _tp = dmu
    client = login(cast.kam_a)
    response = client.post(
        reverse("stakeholders:add", args=[cast.account_a.pk]), _stakeholder_post(**{"aff-reports_to": boss.pk})
    )
    assert response.status_code == 302
    # By the typed e-mail: factory names are random and may also be "Brandt".
    affiliation = Affiliation.objects.get(person__email="maria.brandt@example.org")
    assert affiliation.reports_to == boss
    assert affiliation.category == "medical"
    assert affiliation.history.first().history_user == cast.kam_a


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"aff-influence": "7"}, "influence", "less than or equal to 5"),
        ({"aff-stance": "maybe"}, "stance", "Select a valid choice"),
        ({"person-email": "not-an-email"}, "email", "valid email"),
        ({"person-last_name": ""}, "last_name", "required"),
    ],
)
def test_bad_stakeholder_input_is_a_clear_error_and_kept(cast, login, dmu, overrides, field, message):
    people_before = Person.objects.count()
    response = login(cast.kam_a).post(
        reverse("stakeholders:add", args=[cast.account_a.pk]), _stakeholder_post(**overrides)
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert 'value="Maria"' in content
    # A count, not a name lookup: the factories' random names may include "Maria".
    assert Person.objects.count() == people_before


def test_reports_to_at_another_account_is_refused(cast, login, dmu):
    other = AffiliationFactory(account=cast.account_c)
    response = login(cast.admin).post(
        reverse("stakeholders:add", args=[cast.account_a.pk]), _stakeholder_post(**{"aff-reports_to": other.pk})
    )
    assert response.status_code == 400


def test_a_reports_to_cycle_is_refused(cast, login, dmu):
    boss, report, _tp = dmu
    data = _stakeholder_post(
        **{
            "aff-reports_to": report.pk,
            "person-first_name": boss.person.first_name,
            "person-last_name": boss.person.last_name,
            "person-email": boss.person.email,
        }
    )
    response = login(cast.kam_a).post(reverse("stakeholders:affiliation-edit", args=[boss.pk]), data)
    assert response.status_code == 400
    assert "reporting cycle" in response.content.decode()


def test_logging_a_touchpoint_defaults_to_today_me_and_the_person(cast, login, dmu):
    _boss, report, _tp = dmu
    client = login(cast.kam_a)
    page = client.get(reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]) + f"?person={report.person_id}")
    form = page.context["form"]
    assert form["date"].value() == date.today()
    assert form["stakeholders"].value() == [report.person_id]
    response = client.post(
        reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]),
        {
            "date": date.today().isoformat(),
            "kind": "call",
            "stakeholders": [report.person_id],
            "summary": "Budget call",
        },
    )
    assert response.status_code == 302
    tp = Touchpoint.objects.get(summary="Budget call")
    assert list(tp.participants.all()) == [cast.kam_a]
    assert tp.is_medical is False


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"date": (date.today() + timedelta(days=400)).isoformat()}, "more than a year in the future"),
        ({"summary": "x" * 100_000}, "at most 5000 characters"),
        ({"kind": "telepathy"}, "Select a valid choice"),
        ({"follow_up_date": (date.today() - timedelta(days=3)).isoformat()}, "cannot be before"),
    ],
)
def test_bad_touchpoints_are_refused_and_kept(cast, login, dmu, overrides, message):
    data = {"date": date.today().isoformat(), "kind": "visit", "summary": "Kept summary", **overrides}
    response = login(cast.kam_a).post(reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    if "summary" not in overrides:
        assert "Kept summary" in response.content.decode()


def test_a_touchpoint_can_reference_a_transfer_of_value(cast, login, dmu):
    _boss, report, _tp = dmu
    data = {
        "date": date.today().isoformat(),
        "kind": "event",
        "stakeholders": [report.person_id],
        "tov-category": "registration_fee",
        "tov-recipient_person": report.person_id,
        "tov-amount": "480",
        "tov-currency": "EUR",
        "tov-expense_record_id": "EXP-1",
        "tov-disclosure_consent": "on",
    }
    client = login(cast.kam_a)
    assert client.post(reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]), data).status_code == 302
    tov = TransferOfValue.objects.get()
    assert tov.recipient_person == report.person and tov.amount == 480
    data["tov-amount"] = "-5"
    assert client.post(reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]), data).status_code == 400


def test_ending_an_affiliation_clears_reporting_lines(cast, login, dmu):
    boss, report, _tp = dmu
    login(cast.kam_a).post(reverse("stakeholders:affiliation-end", args=[boss.pk]))
    boss.refresh_from_db()
    report.refresh_from_db()
    assert boss.end_date == date.today()
    assert report.reports_to is None


def test_the_dmu_table_filters_and_sorts(cast, login, dmu):
    AffiliationFactory(account=cast.account_a, function="procurement", category="managerial", stance=-2, influence=2)
    client = login(cast.kam_a)
    rows = client.get(reverse("stakeholders:dmu", args=[cast.account_a.pk]), {"category": "managerial"}).context["rows"]
    assert {a.category for a in rows} == {"managerial"} and len(rows) == 2
    rows = client.get(reverse("stakeholders:dmu", args=[cast.account_a.pk]), {"stance": "-2"}).context["rows"]
    assert [a.stance for a in rows] == [-2]
    rows = client.get(reverse("stakeholders:dmu", args=[cast.account_a.pk]), {"sort": "stance"}).context["rows"]
    assert [a.stance for a in rows] == sorted(a.stance for a in rows)
    bad = client.get(reverse("stakeholders:dmu", args=[cast.account_a.pk]), {"stance": "maybe"})
    assert bad.status_code == 400


def _build_dmu(account, user, n):
    people = [AffiliationFactory(account=account, influence=1 + i % 5, stance=i % 5 - 2) for i in range(n)]
    for i, a in enumerate(people):
        if i:
            a.reports_to = people[(i - 1) // 3]
            a.save(update_fields=["reports_to"])
        CoverageFactory(affiliation=a, user=user, strength=1 + i % 5)
    for i in range(n * 2):
        TouchpointFactory(
            account=account,
            logged_by=user,
            stakeholders=[people[i % n].person],
            date=date.today() - timedelta(days=i % 120),
        )
    return people


@pytest.mark.parametrize("page", ["stakeholders:dmu", "stakeholders:xray"])
def test_query_counts_do_not_grow_with_the_dmu(cast, login, page, django_assert_max_num_queries):
    from tests.factories import AccountFactory

    small, large = AccountFactory(owner=cast.kam_a), AccountFactory(owner=cast.kam_a)
    _build_dmu(small, cast.kam_a, 5)
    _build_dmu(large, cast.kam_a, 200)
    client = login(cast.kam_a)
    counts = []
    for account in (small, large):
        with django_assert_max_num_queries(12) as ctx:
            assert client.get(reverse(page, args=[account.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_names_are_escaped_everywhere(cast, login):
    evil = AffiliationFactory(account=cast.account_a, person__last_name="<script>alert(1)</script>", influence=5)
    client = login(cast.kam_a)
    for url in (
        reverse("stakeholders:dmu", args=[cast.account_a.pk]),
        reverse("stakeholders:xray", args=[cast.account_a.pk]),
        reverse("stakeholders:person", args=[evil.person_id]),
    ):
        content = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.parametrize(
    ("back", "stays"),
    [
        ("/\\evil.example/", False),
        ("//evil.example/", False),
        ("https://evil.example/", False),
        ("/stakeholders/accounts/1/xray/", True),
    ],
)
def test_the_touchpoint_form_returns_only_to_a_page_of_this_site(login, cast, dmu, back, stays):
    report = dmu[1]
    response = login(cast.kam_a).post(
        reverse("stakeholders:touchpoint-add", args=[cast.account_a.pk]),
        {
            "date": date.today().isoformat(),
            "kind": "call",
            "stakeholders": [report.person_id],
            "summary": "x",
            "next": back,
        },
    )
    assert response.status_code == 302
    assert (response["Location"] == back) is stays
    if not stays:
        assert response["Location"] == reverse("stakeholders:dmu", args=[cast.account_a.pk])


@pytest.mark.parametrize(("country", "language"), [("DE", "de"), ("IT", "it"), ("NL", "en")])
def test_the_add_form_offers_the_language_of_the_accounts_country_first(cast, login, country, language):
    cast.account_a.country = country
    cast.account_a.save(update_fields=["country"])
    page = login(cast.kam_a).get(reverse("stakeholders:add", args=[cast.account_a.pk])).content.decode()
    chosen = re.search(r'<select name="person-preferred_language"[^>]*>.*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\w+)"[^>]*selected', chosen) == [language]
