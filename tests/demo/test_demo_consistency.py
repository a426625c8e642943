"""The demo reads true to someone from the field: each account type has its own people, plans and
texts, competitors share the therapeutic area of the product they compete with, hospitals buy
through their committees and departments, nothing that happened is dated after today, and
German accounts have German people. Checked on the small demo and a slice of the large one."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, CompetitorProduct, Listing, Product
from kam.demo.data import COMPETITOR_AREA, HOSPITAL_ONLY, PRODUCTS
from kam.demo.dmu_data import DMU_TEMPLATES, EXTRAS, NAMES, gendered
from kam.demo.texts import SHARED_ACTIONS, SHARED_OBJECTIVES, TEXTS
from kam.portfolio.upcoming import UPCOMING_DAYS
from plans.models import AccountPlan, Action, Objective, PlanReview, PlanStep, WhitespaceCell
from stakeholders.models import (
    Affiliation,
    LowScoreFollowUp,
    SurveyConsent,
    SurveyInvitation,
    SurveyResponse,
    Touchpoint,
)

pytestmark = pytest.mark.django_db

TYPES = ("hospital", "pharmacy", "wholesaler")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo and the large one at a small scale, once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", large=True, scale=0.002, verbosity=0)
        yield
        transaction.set_rollback(True)


def _titles(kind: str, part: str) -> set[str]:
    return {spec[0] if part != "objectives" else spec[1] for lang in ("en", "de") for spec in TEXTS[(kind, lang)][part]}


def _action_titles(kind: str) -> set[str]:
    return _titles(kind, "actions") | _titles(kind, "more_actions")


def _both_forms(title: str) -> set[str]:
    return {gendered(title, False), gendered(title, True)}


def _rows(language: str, table: dict) -> list[tuple]:
    return [row for (_kind, lang), rows in table.items() if lang == language for row in rows]


def test_it_shares_only_titles_that_exist_for_the_account_type():
    functions = {
        kind: {row[1] for (k, _lang), rows in DMU_TEMPLATES.items() if k == kind for row in rows} for kind in TYPES
    }
    for kind in TYPES:
        assert SHARED_OBJECTIVES[kind] and SHARED_OBJECTIVES[kind] <= _titles(kind, "objectives")
        assert set(SHARED_ACTIONS[kind]) <= _action_titles(kind)
        assert {f for f in SHARED_ACTIONS[kind].values() if f} <= functions[kind]
        for other in set(TYPES) - {kind}:
            assert not SHARED_OBJECTIVES[kind] & _titles(other, "objectives")
    # A hospital's objectives are never a pharmacy's or a wholesaler's (those two share basket penetration).
    assert not _titles("hospital", "objectives") & (
        _titles("pharmacy", "objectives") | _titles("wholesaler", "objectives")
    )
    assert not _action_titles("hospital") & (_action_titles("pharmacy") | _action_titles("wholesaler"))


def test_every_plan_uses_the_objectives_and_actions_of_its_account_type(demo):
    plans = AccountPlan.objects.select_related("account")
    assert {p.account.account_type for p in plans} == set(TYPES)
    kinds = dict(plans.values_list("pk", "account__account_type"))
    for plan, title, shared in Objective.objects.values_list("plan", "title", "share_with_customer"):
        # The large demo numbers repeated objectives, and shares only the first of each.
        title, repeated = re.subn(r" \(\d+\)$", "", title)
        assert title in _titles(kinds[plan], "objectives"), (kinds[plan], title)
        assert shared == (not repeated and title in SHARED_OBJECTIVES[kinds[plan]])
    for plan, title in Action.objects.values_list("plan", "title"):
        assert title in _action_titles(kinds[plan]), (kinds[plan], title)
    # The joint plan is demonstrated at every account type, with customer-owned actions.
    for kind in TYPES:
        assert Objective.objects.filter(plan__account__account_type=kind, share_with_customer=True).exists()
        assert Action.objects.filter(plan__account__account_type=kind, share_with_customer=True).exists()
    assert Action.objects.filter(customer_owner__isnull=False).exists()
    # A listing objective is about a product the account keeps a listing of.
    kept = set(Listing.objects.values_list("account", "product"))
    for account, product in Objective.objects.filter(kind="listing").values_list("plan__account", "product"):
        assert (account, product) in kept


def test_german_accounts_have_german_plans_and_people(demo):
    women, men, last_names = NAMES["de"]
    german_titles = {form for row in _rows("de", DMU_TEMPLATES) for form in _both_forms(row[3])}
    german_titles |= {form for row in _rows("de", EXTRAS) for form in _both_forms(row[2])}
    active = Affiliation.objects.filter(account__country="DE", end_date__isnull=True).select_related("person")
    assert active.count() > 100
    for affiliation in active:
        person = affiliation.person
        assert person.first_name in women + men and person.last_name in last_names, person
        assert person.title in ("", "Dr.", "Prof. Dr."), person.title
        assert affiliation.position_title in german_titles, affiliation.position_title
    assert Affiliation.objects.filter(account__country="DE", person__title="Prof. Dr.").exists()
    assert Affiliation.objects.filter(account__country="DE", position_title__startswith="Chefärztin").exists()
    # The plan is written in the KAM's language: German in Germany, English in Britain.
    for country, lang in (("DE", "de"), ("GB", "en")):
        steps = PlanStep.objects.filter(plan__account__country=country, number=2)
        assert steps.exists()
        for kind, content in steps.values_list("plan__account__account_type", "content"):
            assert content["strategy"] == TEXTS[(kind, lang)]["steps"][2]["strategy"]


def test_each_account_type_has_the_people_it_really_has(demo):
    by_type = {kind: set() for kind in TYPES}
    for kind, function, title in Affiliation.objects.filter(end_date__isnull=True).values_list(
        "account__account_type", "function", "position_title"
    ):
        by_type[kind].add(function)
        assert "Oncolog" not in title or kind == "hospital"
    assert {"physician", "head_of_department", "hospital_pharmacist", "formulary_committee", "procurement"} <= by_type[
        "hospital"
    ]
    assert not by_type["pharmacy"] & {
        "physician",
        "head_of_department",
        "nurse",
        "hospital_pharmacist",
        "formulary_committee",
    }
    assert not by_type["wholesaler"] & {
        "physician",
        "head_of_department",
        "nurse",
        "hospital_pharmacist",
        "formulary_committee",
    }
    assert Affiliation.objects.filter(account__account_type="pharmacy", position_title__contains="Apotheker").exists()
    assert Affiliation.objects.filter(account__account_type="wholesaler", position_title="Leitung Einkauf").exists()
    # Touchpoint notes fit the account type: no category review at a hospital, no committee at a wholesaler.
    assert not Touchpoint.objects.filter(account__account_type="hospital", summary__icontains="basket").exists()
    assert (
        not Touchpoint.objects.exclude(account__account_type="hospital").filter(summary__icontains="committee").exists()
    )
    assert (
        not Touchpoint.objects.exclude(account__account_type="hospital")
        .filter(summary__icontains="kommission")
        .exists()
    )


def test_every_competitor_shares_the_therapeutic_area_of_the_product_it_competes_with(demo):
    ours = {area for _brand, _molecule, area in PRODUCTS}
    assert set(COMPETITOR_AREA.values()) <= ours
    assert set(CompetitorProduct.objects.values_list("name", flat=True)) <= set(COMPETITOR_AREA)
    listings = Listing.objects.filter(competitor_product__isnull=False).select_related("product", "competitor_product")
    assert listings.count() > 10
    for listing in listings:
        assert COMPETITOR_AREA[listing.competitor_product.name] == listing.product.therapeutic_area, listing


def test_no_pharmacy_lists_or_plans_for_an_infusion_given_in_hospital_only(demo):
    hospital_only = set(Product.objects.filter(hospital_only=True).values_list("brand", flat=True))
    assert hospital_only == HOSPITAL_ONLY
    assert not Listing.objects.filter(account__account_type="pharmacy", product__hospital_only=True).exists()
    assert not WhitespaceCell.objects.filter(
        plan__account__account_type="pharmacy", product__hospital_only=True
    ).exists()
    # Hospitals list them, and pharmacies the rest of the range.
    assert Listing.objects.filter(account__account_type="hospital", product__hospital_only=True).exists()
    assert Listing.objects.filter(account__account_type="pharmacy").count() > 10


def test_hospitals_buy_through_committees_and_departments_not_a_board(demo):
    forbidden = {"Board", "Finance", "Finanzen", "Geschäftsführung", "Executive Management", "Direction", "Finances"}
    centres = set(
        WhitespaceCell.objects.filter(plan__account__account_type="hospital").values_list("buying_centre", flat=True)
    )
    assert centres and not centres & forbidden, centres
    departments = set(Affiliation.objects.filter(account__account_type="hospital").values_list("department", flat=True))
    assert not departments & forbidden
    assert {"Arzneimittelkommission", "Einkauf", "Drugs and Therapeutics Committee", "Procurement"} <= departments


def test_nothing_that_has_happened_is_dated_after_today(demo):
    now, today = timezone.now(), timezone.localdate()
    assert not Touchpoint.objects.filter(date__gt=today).exists()
    assert not Touchpoint.objects.filter(created_at__gt=now).exists()
    assert not SurveyResponse.objects.filter(submitted_at__gt=now).exists()
    for field in ("sent_at", "reminder_sent_at", "answered_at", "created_at"):
        assert not SurveyInvitation.objects.filter(**{f"{field}__gt": now}).exists(), field
    assert not SurveyConsent.objects.filter(given_at__gt=now).exists()
    assert not LowScoreFollowUp.objects.filter(opened_at__gt=now).exists()
    assert not LowScoreFollowUp.objects.filter(closed_at__gt=now).exists()
    assert not PlanReview.objects.filter(reviewed_at__gt=now).exists()
    for field in ("submitted_at", "approved_at", "created_at"):
        assert not AccountPlan.objects.filter(**{f"{field}__gt": now}).exists(), field
    assert not Affiliation.objects.filter(start_date__gt=today).exists()
    assert not Affiliation.objects.filter(end_date__gt=today).exists()
    assert not Account.objects.filter(created_at__gt=now).exists()
    # Upcoming committee dates are ahead, not stale.
    assert not Listing.objects.filter(next_committee_date__lt=today).exists()


def test_demo_tenders_and_contracts_are_believable(demo):
    """Every demo hospital has a decided tender in the past and an open one ahead, lots bid against
    competitors of the same therapeutic area, some won and some lost; contracts run after the award
    and in the account's currency; the large seed adds none (its size stays as it was)."""
    from accounts.models import Contract, LotOutcome, Tender, TenderLot

    today = timezone.localdate()
    hospitals = Account.objects.filter(account_type="hospital", crm_id__startswith="DEMO-")
    assert set(Tender.objects.values_list("account_id", flat=True)) == set(hospitals.values_list("pk", flat=True))
    for tender in Tender.objects.prefetch_related("lots"):
        # Its status agrees with its lots' outcomes, as the tender page demands.
        Tender.check_lot_outcomes(tender.status, [lot.outcome for lot in tender.lots.all()])
        if tender.is_open:
            assert tender.submission_deadline > today and tender.decision_date is None
        else:
            assert tender.submission_deadline < tender.decision_date < tender.award_date < today
    outcomes = set(TenderLot.objects.values_list("outcome", flat=True))
    assert {LotOutcome.WON, LotOutcome.LOST, LotOutcome.OPEN} <= outcomes
    for lot in TenderLot.objects.prefetch_related("products", "competitor_products"):
        areas = {p.therapeutic_area for p in lot.products.all()}
        assert {COMPETITOR_AREA[c.name] for c in lot.competitor_products.all()} <= areas
    for contract in Contract.objects.select_related("tender"):
        assert contract.tender.award_date < contract.start_date < contract.end_date
        assert contract.notice_date == Contract.notice_date_for(contract.end_date, contract.notice_days)
    # Frameworks run years: the dashboard's next 90 days shows a few notice dates and ends, not most.
    horizon = today + timedelta(days=UPCOMING_DAYS)
    contracts = Contract.objects.all()
    soon = [c for c in contracts if today <= c.notice_date <= horizon or today <= c.end_date <= horizon]
    assert 1 <= len(soon) <= len(contracts) // 4
