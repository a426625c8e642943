from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account
from stakeholders.models import Affiliation, Person
from stakeholders.selectors import dmu_for_account, dmu_gaps, is_stale, xray_quadrant
from stakeholders.services import affiliation_end, stakeholder_add
from tests.factories import AccountFactory
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, PersonFactory, TouchpointFactory


def test_category_is_derived_from_function_and_editable(db):
    a = AffiliationFactory.build(function="procurement", category="", person=PersonFactory(), account=AccountFactory())
    a.full_clean()
    assert a.category == "managerial"
    b = AffiliationFactory.build(function="hospital_pharmacist", category="", person=PersonFactory(), account=a.account)
    b.full_clean()
    assert b.category == "medical"
    c = AffiliationFactory.build(function="procurement", category="medical", person=PersonFactory(), account=a.account)
    c.full_clean()
    assert c.category == "medical"


def test_reports_to_must_be_at_the_same_account_and_not_a_cycle(db):
    boss = AffiliationFactory()
    report = AffiliationFactory(account=boss.account, reports_to=boss)
    elsewhere = AffiliationFactory()
    report.reports_to = elsewhere
    with pytest.raises(ValidationError) as err:
        report.full_clean()
    assert "same account" in str(err.value)
    boss.reports_to = report
    with pytest.raises(ValidationError) as err:
        boss.full_clean()
    assert "cycle" in str(err.value)


def test_the_database_refuses_influence_outside_1_to_5(db):
    a = AffiliationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.filter(pk=a.pk).update(influence=7)


def test_a_person_moving_accounts_keeps_their_history(cast):
    person = PersonFactory(email="dr.move@example.org")
    old = AffiliationFactory(person=person, account=cast.account_a)
    TouchpointFactory(account=cast.account_a, logged_by=cast.kam_a, stakeholders=[person])
    affiliation_end(affiliation=old, on=date(2026, 6, 30), by=cast.kam_a)
    new = stakeholder_add(
        account=cast.account_c,
        person=Person(first_name="X", last_name="Y", email="DR.MOVE@example.org"),
        affiliation=Affiliation(function="physician", influence=3, stance=0),
        # Account A is another team's: only someone who sees it links the person (sharing.py).
        by=cast.admin,
    )
    assert new.person == person  # matched by e-mail: the same person
    assert person.affiliations.count() == 2
    assert person.touchpoints.count() == 1
    assert list(dmu_for_account(cast.account_a)) == []
    assert list(dmu_for_account(cast.account_a, include_ended=True)) == [old]


def test_only_one_active_affiliation_per_person_and_account(db):
    a = AffiliationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.create(person=a.person, account=a.account, function="physician")


@time_machine.travel("2026-11-27 10:00 +0100", tick=False)
@pytest.mark.parametrize(
    "influence,days_ago,stale",
    [
        (5, 29, False),
        (5, 31, True),
        (4, 44, False),
        (4, 46, True),
        (3, 89, False),
        (3, 91, True),
        (2, 400, False),
        (5, None, True),
    ],
)
def test_cadence_marks_stale_contacts(db, influence, days_ago, stale):
    a = AffiliationFactory(influence=influence)
    if days_ago is not None:
        TouchpointFactory(
            account=a.account, date=date(2026, 11, 27) - timedelta(days=days_ago), stakeholders=[a.person]
        )
    row = dmu_for_account(a.account).get()
    assert is_stale(row) is stale


def test_the_cadence_is_configurable(db, settings):
    settings.STAKEHOLDER_CADENCE_DAYS = {5: 10}
    a = AffiliationFactory(influence=5)
    TouchpointFactory(account=a.account, date=date.today() - timedelta(days=15), stakeholders=[a.person])
    assert is_stale(dmu_for_account(a.account).get())


def test_a_touchpoint_at_another_account_does_not_count_for_this_one(db):
    a = AffiliationFactory(influence=5)
    TouchpointFactory(account=AccountFactory(), date=date.today(), stakeholders=[a.person])
    assert is_stale(dmu_for_account(a.account).get())


def test_gaps_are_stated_in_words(cast):
    account = cast.account_a
    dm = AffiliationFactory(
        account=account, dmu_role="decision_maker", function="head_of_department", influence=5, stance=1
    )
    sceptic = AffiliationFactory(account=account, dmu_role="influencer", function="physician", influence=4, stance=-2)
    CoverageFactory(affiliation=sceptic, user=cast.kam_a)
    TouchpointFactory(account=account, date=date.today(), stakeholders=[dm.person, sceptic.person])
    rows = list(dmu_for_account(account))
    codes = {g.code for g in dmu_gaps(account, rows, cast.kam_a)}
    assert codes == {
        "uncovered_decision_maker",
        "high_influence_sceptic",
        "no_managerial",
        "no_pharmacist",
        "no_procurement",
    }
    texts = " ".join(g.text for g in dmu_gaps(account, rows, cast.kam_a))
    assert str(dm.person) in texts and "no owner on our side" in texts

    CoverageFactory(affiliation=dm, user=cast.kam_a)
    AffiliationFactory(account=account, function="hospital_pharmacist", dmu_role="gatekeeper", influence=2, stance=0)
    AffiliationFactory(account=account, function="procurement", dmu_role="buyer", influence=2, stance=0)
    rows = list(dmu_for_account(account))
    assert {g.code for g in dmu_gaps(account, rows, cast.kam_a)} == {"high_influence_sceptic"}


def test_a_decision_maker_covered_only_by_medical_is_still_a_gap(cast):
    dm = AffiliationFactory(account=cast.account_a, dmu_role="decision_maker")
    CoverageFactory(affiliation=dm, user=cast.medical)
    rows = list(dmu_for_account(cast.account_a))
    assert "uncovered_decision_maker" in {g.code for g in dmu_gaps(cast.account_a, rows, cast.kam_a)}


def test_xray_quadrants():
    assert xray_quadrant(5, 2) == "Key players: keep close"
    assert xray_quadrant(4, -1) == "Sceptics to win over"
    assert xray_quadrant(2, 1) == "Supporters: keep informed"
    assert xray_quadrant(1, 0) == "Monitor"


def test_accounts_are_not_touched_by_stakeholder_writes(cast):
    before = Account.objects.get(pk=cast.account_a.pk).updated_at
    AffiliationFactory(account=cast.account_a)
    assert Account.objects.get(pk=cast.account_a.pk).updated_at == before
