"""Privacy and transparency: export, erasure, retention and the transfer-of-value disclosure."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from accounts.models import TeamFunction
from stakeholders import privacy
from stakeholders.models import ERASED, KolClassification, Person, Touchpoint, TovCategory, TransferOfValue
from stakeholders.privacy import (
    ERASURE_REASON,
    can_erase,
    person_erase,
    person_export,
    retention_candidates,
    retention_erase_due,
    tov_export_rows,
)
from stakeholders.tasks import retention_sweep
from tests.factories import TeamMemberFactory
from tests.stakeholder_factories import (
    AffiliationFactory,
    CoverageFactory,
    KolFactory,
    PersonFactory,
    TouchpointFactory,
    TransferOfValueFactory,
)

FIRST, LAST = "Henrike", "Vogelsang"
EMAIL, PHONE = "h.vogelsang@uniklinik.example", "+49 89 4400 1234"
COMMERCIAL_SUMMARY = f"Met Dr. {FIRST} {LAST} about the tender; {LAST.lower()} wants outcome data."
MEDICAL_SUMMARY = "Scientific exchange on the phase III subgroup analysis."
MEDICAL_NEXT_STEP = "Share the congress poster."


@dataclass
class World:
    person: Person
    commercial: Touchpoint
    medical: Touchpoint
    nearby: Touchpoint
    at_c: Touchpoint


@pytest.fixture
def world(cast) -> World:
    """Henrike Vogelsang: at account A (and account C), covered by KAM A and by the MSL, met
    commercially and medically, a KOL, with transfers of value on both kinds of touchpoint."""
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function=TeamFunction.MSL)
    person = PersonFactory(first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE)
    affiliation = AffiliationFactory(person=person, account=cast.account_a, stance=1)
    AffiliationFactory(person=person, account=cast.account_c, position_title="Consultant", stance=-1)
    CoverageFactory(affiliation=affiliation, user=cast.kam_a, strength=4)
    CoverageFactory(affiliation=affiliation, user=cast.medical, strength=5)
    commercial = TouchpointFactory(
        account=cast.account_a,
        date=date(2025, 3, 10),
        logged_by=cast.kam_a,
        summary=COMMERCIAL_SUMMARY,
        next_step=f"Send {FIRST} the dossier at {EMAIL}.",
        stakeholders=[person],
    )
    # A second version, so the touchpoint has several historical rows naming her.
    commercial.summary = COMMERCIAL_SUMMARY + f" Call {PHONE}."
    commercial.save()
    medical = TouchpointFactory(
        account=cast.account_a,
        date=date(2025, 4, 2),
        kind="advisory_board",
        logged_by=cast.medical,
        summary=MEDICAL_SUMMARY,
        next_step=MEDICAL_NEXT_STEP,
        stakeholders=[person],
    )
    nearby = TouchpointFactory(
        account=cast.account_a,
        date=date(2025, 5, 5),
        logged_by=cast.kam_a,
        summary=f"Pharmacy meeting; {FIRST} Adler from procurement joined. {LAST} sent apologies.",
    )
    at_c = TouchpointFactory(
        account=cast.account_c,
        date=date(2025, 6, 1),
        logged_by=cast.kam_c,
        summary="Consultant round at C.",
        stakeholders=[person],
    )
    KolFactory(person=person, set_by=cast.medical, therapeutic_areas="Oncology")
    TransferOfValueFactory(touchpoint=commercial, recipient_person=person, amount=Decimal("250.00"))
    TransferOfValueFactory(
        touchpoint=medical, recipient_person=person, category=TovCategory.FEE_FOR_SERVICE, amount=Decimal("1200.00")
    )
    # A third version of the person: the e-mail was corrected once.
    person.phone = PHONE + "0"
    person.save()
    person.phone = PHONE
    person.save()
    return World(person, commercial, medical, nearby, at_c)


# --- Export ---------------------------------------------------------------------------------------


def test_it_exports_everything_but_stances_to_a_medical_colleague(cast, world):
    data = person_export(person=world.person, user=cast.medical)
    assert data["person"]["last_name"] == LAST
    assert data["person"]["email"] == EMAIL
    assert [a["account"] for a in data["affiliations"]] == ["Account A"]
    # The firewall (kam.firewall "affiliation.stance"): stances are commercial.
    assert data["affiliations"][0]["stance"] is None
    medical = next(t for t in data["touchpoints"] if t["medical"])
    assert medical["summary"] == MEDICAL_SUMMARY
    assert medical["next_step"] == MEDICAL_NEXT_STEP
    assert data["kol_classification"] == {"level": "National", "therapeutic_areas": "Oncology"}
    assert {c["colleague"] for c in data["coverage"]} == {str(cast.kam_a), str(cast.medical)}
    assert sorted(t["amount"] for t in data["transfers_of_value"]) == ["1200.00", "250.00"]
    assert data["restricted"] is True  # the stance was withheld
    json.dumps(data)  # JSON-able as it is


def test_it_keeps_medical_content_from_commercial_colleagues(cast, world):
    data = person_export(person=world.person, user=cast.kam_a)
    dumped = json.dumps(data)
    medical = next(t for t in data["touchpoints"] if t["medical"])
    assert medical == {"date": "2025-04-02", "kind": "Advisory board", "account": "Account A", "medical": True}
    commercial = next(t for t in data["touchpoints"] if not t["medical"])
    assert commercial["summary"].startswith(COMMERCIAL_SUMMARY)
    assert MEDICAL_SUMMARY not in dumped and MEDICAL_NEXT_STEP not in dumped
    assert "kol_classification" not in data
    assert {"account": "Account A", "medical": True, "note": "medical contact exists"} in data["coverage"]
    assert str(cast.medical) not in dumped
    assert [t["amount"] for t in data["transfers_of_value"]] == ["250.00"]
    assert data["restricted"] is True


def test_it_exports_only_what_is_at_visible_accounts(cast, world):
    kam = person_export(person=world.person, user=cast.kam_a)
    assert {t["account"] for t in kam["touchpoints"]} == {"Account A"}
    admin = person_export(person=world.person, user=cast.admin)
    assert {a["account"] for a in admin["affiliations"]} == {"Account A", "Account C"}
    assert {t["account"] for t in admin["touchpoints"]} == {"Account A", "Account C"}
    assert admin["kol_classification"]["level"] == "National"
    assert admin["restricted"] is False


def test_the_export_costs_a_fixed_number_of_queries(cast, world, django_assert_max_num_queries):
    for _ in range(5):
        TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, stakeholders=[world.person])
    with django_assert_max_num_queries(7):
        person_export(person=world.person, user=cast.kam_a)


def test_it_downloads_the_export_as_a_json_file(cast, world, login):
    response = login(cast.kam_a).get(reverse("stakeholders:person-export", args=[world.person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="stakeholder-{world.person.pk}.json"'
    assert json.loads(response.content)["person"]["first_name"] == FIRST


@pytest.mark.parametrize("role", ["kam_b", "manager_b", "kam_c"])
def test_it_hides_the_export_from_outsiders(role, cast, login):
    person = AffiliationFactory(account=cast.account_a).person
    response = login(getattr(cast, role)).get(reverse("stakeholders:person-export", args=[person.pk]))
    assert response.status_code == 404


def test_the_export_needs_a_login(client, world):
    response = client.get(reverse("stakeholders:person-export", args=[world.person.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Erasure --------------------------------------------------------------------------------------


def _text_values(model, **filters) -> list[str]:
    return [v for row in model.objects.filter(**filters).values() for v in row.values() if isinstance(v, str)]


def test_it_anonymises_the_person(cast, world):
    pk = world.person.pk
    person_erase(person=world.person, by=cast.admin)
    person = Person.objects.get(pk=pk)
    assert (person.first_name, person.last_name) == ("Erased", f"person {pk}")
    assert (person.title, person.email, person.phone) == ("", "", "")
    assert person.erased_at is not None
    assert person.do_not_contact is True
    assert world.person.is_erased  # the caller's instance is up to date too


def test_it_anonymises_every_historical_row(cast, world):
    pk = world.person.pk
    assert Person.history.filter(id=pk).count() >= 3
    person_erase(person=world.person, by=cast.admin)
    rows = Person.history.filter(id=pk)
    assert rows.count() >= 4
    for row in rows:
        assert (row.first_name, row.last_name, row.title, row.email, row.phone) == (
            "Erased",
            f"person {pk}",
            "",
            "",
            "",
        )
    for value in _text_values(Person.history.model, id=pk):
        for secret in (FIRST, LAST, EMAIL, PHONE):
            assert secret.lower() not in value.lower()


def test_no_copy_of_the_name_remains_in_the_stakeholders_app(cast, world):
    person_erase(person=world.person, by=cast.admin)
    for model in apps.get_app_config("stakeholders").get_models():
        for value in _text_values(model):
            for secret in (LAST, EMAIL, PHONE):
                assert secret.lower() not in value.lower(), (model.__name__, value)


def test_it_scrubs_touchpoint_notes_and_their_history(cast, world):
    person_erase(person=world.person, by=cast.admin)
    touchpoint = Touchpoint.objects.get(pk=world.commercial.pk)
    assert touchpoint.summary.startswith(f"Met {ERASED} about the tender; {ERASED} wants outcome data.")
    assert touchpoint.next_step == f"Send {ERASED} the dossier at {ERASED}."
    history = list(Touchpoint.history.filter(id=world.commercial.pk))
    assert len(history) >= 2
    for row in history:
        assert FIRST not in row.summary and LAST not in row.summary and PHONE not in row.summary
        assert FIRST not in row.next_step and EMAIL not in row.next_step


def test_it_leaves_a_namesake_colleague_alone_where_the_person_was_absent(cast, world):
    person_erase(person=world.person, by=cast.admin)
    nearby = Touchpoint.objects.get(pk=world.nearby.pk)
    assert nearby.summary == f"Pharmacy meeting; {FIRST} Adler from procurement joined. {ERASED} sent apologies."


def test_it_keeps_counts_links_and_amounts(cast, world):
    person = world.person
    touchpoints = person.touchpoints.count()
    person_erase(person=person, by=cast.admin)
    assert Person.objects.get(pk=person.pk).touchpoints.count() == touchpoints
    assert person.affiliations.count() == 2
    amounts = sorted(TransferOfValue.objects.filter(recipient_person=person).values_list("amount", flat=True))
    assert amounts == [Decimal("250.00"), Decimal("1200.00")]


def test_it_removes_the_kol_classification_and_its_history(cast, world):
    person_erase(person=world.person, by=cast.admin)
    assert not KolClassification.objects.filter(person_id=world.person.pk).exists()
    assert not KolClassification.history.filter(person_id=world.person.pk).exists()


def test_it_records_the_erasure_in_the_audit_trail(cast, world):
    person_erase(person=world.person, by=cast.manager_a)
    audit = Person.history.filter(id=world.person.pk).order_by("-history_id").first()
    assert audit.history_change_reason == ERASURE_REASON
    assert audit.history_user == cast.manager_a
    assert audit.first_name == "Erased"
    assert audit.erased_at is not None


def test_it_calls_the_registered_erasure_hooks_while_the_name_is_still_there(cast, world, monkeypatch):
    seen = []
    monkeypatch.setattr(privacy, "ERASURE_HOOKS", [lambda p: seen.append(p.last_name)])
    person_erase(person=world.person, by=cast.admin)
    assert seen == [LAST]


def test_erasing_twice_changes_nothing(cast, world):
    person_erase(person=world.person, by=cast.admin)
    rows = Person.history.filter(id=world.person.pk).count()
    person_erase(person=world.person, by=cast.manager_a)
    assert Person.history.filter(id=world.person.pk).count() == rows


# For a person at account A only.
ERASE_STATUS = {
    "kam_a": 403,
    "access": 403,
    "manager_a": 302,
    "head": 302,
    "admin": 302,
    "manager_b": 404,
    "kam_c": 404,
}


@pytest.mark.parametrize("role", list(ERASE_STATUS))
def test_it_lets_only_administrators_and_responsible_managers_erase(role, cast, login):
    person = AffiliationFactory(account=cast.account_a, person__last_name=LAST).person
    user = getattr(cast, role)
    client = login(user)
    url = reverse("stakeholders:person-erase", args=[person.pk])
    expected = ERASE_STATUS[role]
    assert client.get(url).status_code == (200 if expected == 302 else expected)
    assert client.post(url, {"confirm": "on"}).status_code == expected
    assert Person.objects.get(pk=person.pk).is_erased == (expected == 302)
    assert can_erase(user, person) == (expected == 302)


def test_it_asks_for_confirmation(cast, world, login):
    client = login(cast.admin)
    url = reverse("stakeholders:person-erase", args=[world.person.pk])
    page = client.get(url)
    assert "cannot be undone" in page.content.decode()
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Tick the box to confirm the erasure." in response.content.decode()
    assert not Person.objects.get(pk=world.person.pk).is_erased


def test_it_erases_and_returns_to_the_account(cast, world, login):
    # The head: the person is at accounts A and C, and only someone who sees both erases them.
    client = login(cast.head)
    response = client.post(reverse("stakeholders:person-erase", args=[world.person.pk]), {"confirm": "on"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:detail", args=[cast.account_a.pk])
    assert "personal data was erased" in response.content.decode()
    assert Person.objects.get(pk=world.person.pk).is_erased


# --- Retention ------------------------------------------------------------------------------------

TODAY = date(2026, 1, 15)  # with the default of 24 months, people who left before 2024-01-15


@pytest.fixture
def leavers(cast) -> dict[str, Person]:
    long_gone = AffiliationFactory(account=cast.account_a, start_date=date(2015, 1, 1), end_date=date(2023, 6, 30))
    AffiliationFactory(person=long_gone.person, account=cast.account_c, end_date=date(2024, 1, 10))
    recent = AffiliationFactory(account=cast.account_a, end_date=date(2024, 2, 1))
    still_there = AffiliationFactory(account=cast.account_a, end_date=date(2020, 1, 1))
    AffiliationFactory(person=still_there.person, account=cast.account_c)
    erased = AffiliationFactory(account=cast.account_a, end_date=date(2020, 1, 1)).person
    person_erase(person=erased, by=cast.admin)
    return {
        "long_gone": long_gone.person,
        "recent": recent.person,
        "still_there": still_there.person,
        "never_affiliated": PersonFactory(),
        "erased": erased,
    }


def test_it_lists_people_who_left_everywhere_long_ago(leavers):
    candidates = list(retention_candidates(today=TODAY))
    assert candidates == [leavers["long_gone"]]
    assert candidates[0].last_left == date(2024, 1, 10)


def test_it_reads_today_from_the_clock(leavers):
    with time_machine.travel(date(2026, 3, 1)):
        assert set(retention_candidates()) == {leavers["long_gone"], leavers["recent"]}


def test_it_respects_the_retention_setting(leavers, settings):
    settings.STAKEHOLDER_RETENTION_MONTHS = 36
    assert not retention_candidates(today=TODAY).exists()


def test_auto_erase_is_off_by_default(leavers):
    assert retention_erase_due(today=TODAY) == 0
    assert not Person.objects.get(pk=leavers["long_gone"].pk).is_erased


def test_the_sweep_erases_candidates_when_auto_erase_is_on(leavers, settings):
    settings.STAKEHOLDER_RETENTION_AUTO_ERASE = True
    with time_machine.travel(TODAY):
        assert retention_sweep.apply().get() == 1
        assert retention_sweep.apply().get() == 0  # idempotent
    person = Person.objects.get(pk=leavers["long_gone"].pk)
    assert person.is_erased
    audit = Person.history.filter(id=person.pk).order_by("-history_id").first()
    assert audit.history_change_reason == ERASURE_REASON
    assert audit.history_user is None  # the system
    assert not Person.objects.get(pk=leavers["recent"].pk).is_erased


def test_the_sweep_is_scheduled_daily(db):
    task = PeriodicTask.objects.get(task="stakeholders.retention_sweep")
    assert task.name == "Stakeholder retention sweep"
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("30", "3")
    assert str(task.crontab.timezone) == "Europe/Berlin"


def test_administrators_see_the_retention_list(cast, leavers, login):
    with time_machine.travel(TODAY):
        response = login(cast.admin).get(reverse("stakeholders:retention"))
    assert response.status_code == 200
    assert list(response.context["candidates"]) == [leavers["long_gone"]]
    assert reverse("stakeholders:person-erase", args=[leavers["long_gone"].pk]) in response.content.decode()


@pytest.mark.parametrize("role", ["kam_a", "manager_a", "head", "medical"])
def test_nobody_else_sees_the_retention_list(role, cast, login):
    assert login(getattr(cast, role)).get(reverse("stakeholders:retention")).status_code == 404


# --- Transfers of value ---------------------------------------------------------------------------


@pytest.fixture
def transfers(cast, world) -> None:
    """On top of the world: a second fee to her in 2025 without consent, one in 2024, a grant to
    account A, and a fee at account C."""
    second = TouchpointFactory(account=cast.account_a, date=date(2025, 9, 1), logged_by=cast.kam_a)
    TransferOfValueFactory(
        touchpoint=second,
        recipient_person=world.person,
        amount=Decimal("80.50"),
        disclosure_consent=False,
        expense_record_id="EXP-B",
    )
    old = TouchpointFactory(account=cast.account_a, date=date(2024, 12, 31), logged_by=cast.kam_a)
    TransferOfValueFactory(touchpoint=old, recipient_person=world.person, amount=Decimal("999.00"))
    TransferOfValueFactory(
        touchpoint=second,
        recipient_person=None,
        recipient_organisation=cast.account_a,
        category=TovCategory.DONATION_GRANT,
        amount=Decimal("5000.00"),
        expense_record_id="EXP-ORG",
    )
    TransferOfValueFactory(touchpoint=world.at_c, recipient_person=world.person, amount=Decimal("40.00"))


def _rows_by_key(rows):
    return {(r["recipient_type"], r["recipient_name"], r["category"]): r for r in rows}


def test_it_aggregates_transfers_per_recipient_and_category(cast, world, transfers):
    rows = _rows_by_key(tov_export_rows(year=2025, user=cast.kam_a))
    assert set(rows) == {
        ("person", world.person.full_name, TovCategory.REGISTRATION_FEE),
        ("organisation", "Account A", TovCategory.DONATION_GRANT),
    }
    fee = rows[("person", world.person.full_name, TovCategory.REGISTRATION_FEE)]
    assert fee["total_amount"] == Decimal("330.50")
    assert fee["count"] == 2
    assert fee["currency"] == "EUR"
    assert fee["disclosure_consent"] is False
    assert "EXP-B" in fee["expense_record_ids"].split(";")
    grant = rows[("organisation", "Account A", TovCategory.DONATION_GRANT)]
    assert (grant["total_amount"], grant["count"], grant["disclosure_consent"]) == (Decimal("5000.00"), 1, True)


def test_it_shows_transfers_on_medical_touchpoints_to_medical_and_administrators_only(cast, world, transfers):
    medical_key = ("person", world.person.full_name, TovCategory.FEE_FOR_SERVICE)
    assert medical_key not in _rows_by_key(tov_export_rows(year=2025, user=cast.kam_a))
    assert _rows_by_key(tov_export_rows(year=2025, user=cast.medical))[medical_key]["total_amount"] == Decimal("1200")
    admin = _rows_by_key(tov_export_rows(year=2025, user=cast.admin))
    assert admin[medical_key]["count"] == 1
    # Administrators see account C too.
    fee = admin[("person", world.person.full_name, TovCategory.REGISTRATION_FEE)]
    assert (fee["total_amount"], fee["count"]) == (Decimal("370.50"), 3)


def test_it_exports_only_the_requested_year(cast, world, transfers):
    rows = tov_export_rows(year=2024, user=cast.kam_a)
    assert [(r["total_amount"], r["count"]) for r in rows] == [(Decimal("999.00"), 1)]
    assert tov_export_rows(year=2023, user=cast.kam_a) == []


def test_it_downloads_the_disclosure_as_csv(cast, world, transfers, login):
    response = login(cast.kam_a).get(reverse("stakeholders:tov-export"), {"year": "2025"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="transfers-of-value-2025.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Recipient type"
    assert len(rows) == 3
    fee = next(r for r in rows if r[1] == world.person.full_name)
    assert fee[3:8] == ["Registration fee", "EUR", "330.50", "2", "no"]


def test_it_defaults_to_the_current_year(cast, world, transfers, login):
    with time_machine.travel(date(2024, 7, 1)):
        response = login(cast.kam_a).get(reverse("stakeholders:tov-export"))
    assert response["Content-Disposition"] == 'attachment; filename="transfers-of-value-2024.csv"'
    assert "999.00" in response.content.decode()


@pytest.mark.parametrize("year", ["abc", "20x5", "99999", "1850", "-2025", "2025.0"])
def test_it_rejects_an_invalid_year_with_a_clear_message(year, cast, login):
    response = login(cast.kam_a).get(reverse("stakeholders:tov-export"), {"year": year})
    assert response.status_code == 400
    assert "is not a valid year" in response.content.decode()
