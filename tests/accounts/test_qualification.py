from decimal import Decimal

from django.urls import reverse

from accounts.models import QualificationCriterion
from accounts.services import account_qualify, account_recompute, account_scores
from tests.factories import AccountFactory, ListingFactory, ProductFactory


def _criteria(account_type="hospital"):
    return {c.code: c for c in QualificationCriterion.objects.filter(account_type=account_type)}


def test_default_criteria_exist_for_every_type(db):
    for account_type in ("hospital", "pharmacy", "wholesaler"):
        codes = set(_criteria(account_type))
        assert {"dmu_exists", "strategic_importance", "revenue_potential", "current_position", "openness"} <= codes
    assert "professional_management" in _criteria("hospital")
    assert "professional_management" not in _criteria("pharmacy")


def test_it_scores_weighted_and_decides(cast, settings):
    settings.QUALIFICATION_THRESHOLD = 60
    c = _criteria()
    account = cast.account_a
    # weights: dmu 3, strategic 3, revenue 3, openness 2, professional 2, position 2 → max 75 points
    scores = {
        c["dmu_exists"].pk: 5,
        c["strategic_importance"].pk: 5,
        c["revenue_potential"].pk: 4,
        c["openness"].pk: 3,
        c["professional_management"].pk: 5,
        c["current_position"].pk: 2,
    }
    account_qualify(account=account, scores=scores, override=None, reason="", by=cast.kam_a)
    account.refresh_from_db()
    points = 5 * 3 + 5 * 3 + 4 * 3 + 3 * 2 + 5 * 2 + 2 * 2
    assert account.qualification_score == round(points * 100 / 75)
    assert account.qualifies is True and account.is_key_account is True
    # attractiveness leaves out the position criterion; position comes from it alone here
    assert account.attractiveness == round((15 + 15 + 12 + 6 + 10) * 100 / 65)
    assert account.position == 40
    assert account.quadrant == "star"


def test_a_traditionally_managed_hospital_without_dmu_does_not_qualify(cast):
    c = _criteria()
    scores = {
        c["dmu_exists"].pk: 1,
        c["strategic_importance"].pk: 3,
        c["revenue_potential"].pk: 3,
        c["openness"].pk: 2,
        c["professional_management"].pk: 1,
        c["current_position"].pk: 3,
    }
    account_qualify(account=cast.account_a, scores=scores, override=None, reason="", by=cast.kam_a)
    cast.account_a.refresh_from_db()
    assert cast.account_a.qualifies is False
    assert cast.account_a.is_key_account is False


def test_an_override_wins_and_is_shown_with_its_reason(cast, login):
    c = _criteria()
    account_qualify(
        account=cast.account_a,
        scores={c["dmu_exists"].pk: 0},
        override=True,
        reason="Reference site for the region",
        by=cast.kam_a,
    )
    cast.account_a.refresh_from_db()
    assert cast.account_a.qualifies is False
    assert cast.account_a.is_key_account is True
    page = login(cast.manager_a).get(reverse("accounts:detail", args=[cast.account_a.pk]))
    assert "Reference site for the region" in page.content.decode()


def test_the_form_requires_a_reason_for_an_override_and_keeps_the_scores(cast, login):
    c = _criteria()
    client = login(cast.kam_a)
    response = client.post(
        reverse("accounts:qualification", args=[cast.account_a.pk]),
        {f"c{c['dmu_exists'].pk}": "4", "override": "yes", "reason": ""},
    )
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert response.context["form"][f"c{c['dmu_exists'].pk}"].value() == "4"


def test_the_form_rejects_a_score_outside_0_to_5(cast, login):
    c = _criteria()
    response = login(cast.kam_a).post(
        reverse("accounts:qualification", args=[cast.account_a.pk]), {f"c{c['dmu_exists'].pk}": "9"}
    )
    assert response.status_code == 400


def test_basket_penetration_comes_from_listings(db):
    products = [ProductFactory() for _ in range(4)]
    pharmacy = AccountFactory(account_type="pharmacy", market_share_pct=Decimal("30"))
    ListingFactory(account=pharmacy, product=products[0], status="listed")
    ListingFactory(account=pharmacy, product=products[1], status="restricted")
    ListingFactory(account=pharmacy, product=products[2], status="delisted")
    account_recompute(pharmacy)
    pharmacy.refresh_from_db()
    assert pharmacy.basket_penetration_pct == Decimal("50")
    # position blends market share (30) and listing share (50) when there is no assessment
    assert account_scores(pharmacy)["position"] == 40


def test_the_cap_warns_when_exceeded(cast, login, settings):
    settings.KEY_ACCOUNT_CAP_DEFAULT = 1
    c = _criteria()
    second = AccountFactory(owner=cast.kam_a)
    for account in (cast.account_a, second):
        account_qualify(account=account, scores={c["dmu_exists"].pk: 5}, override=None, reason="", by=cast.kam_a)
    client = login(cast.kam_a)
    response = client.post(
        reverse("accounts:qualification", args=[second.pk]), {f"c{c['dmu_exists'].pk}": "5"}, follow=True
    )
    assert "more than the cap of 1" in response.content.decode()
