"""A product given in hospital only (an infusion) is nothing a community pharmacy stocks or lists:
no listing of it at a pharmacy, no white-space cell for it in a pharmacy's plan, and a pharmacy's
listing share is counted over the range it can carry."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AccountType, Listing, ListingStatus, Product
from accounts.services import listing_share_of, listing_share_pct, listings_with_portfolio
from plans.models import PlanningPeriod, WhitespaceCell
from plans.services import plan_create
from tests.factories import AccountFactory, ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def infusion():
    return ProductFactory(brand="Infusimab", hospital_only=True)


def test_a_pharmacy_cannot_list_a_hospital_only_product(infusion):
    pharmacy = AccountFactory(account_type=AccountType.PHARMACY, beds=None)
    listing = Listing(account=pharmacy, product=infusion, status=ListingStatus.LISTED)
    with pytest.raises(ValidationError) as refused:
        listing.full_clean()
    assert "Infusimab is given in hospital only" in str(refused.value.message_dict["product"])
    Listing(account=AccountFactory(), product=infusion, status=ListingStatus.LISTED).full_clean()


def test_a_pharmacys_listing_share_counts_only_what_it_can_carry(infusion):
    tablet = ProductFactory(brand="Tablettin")
    pharmacy = AccountFactory(account_type=AccountType.PHARMACY, beds=None)
    Product.objects.exclude(pk__in=[infusion.pk, tablet.pk]).update(active=False)
    ListingFactory(account=pharmacy, product=tablet)
    assert listing_share_pct(pharmacy) == 100
    hospital = AccountFactory()
    ListingFactory(account=hospital, product=tablet)
    assert listing_share_pct(hospital) == 50


def test_the_account_page_counts_the_listing_share_from_its_listings_as_the_database_does(infusion):
    """The page counts the share from the listings it shows (no query of its own): the same
    figure, with an inactive product's listing, a listing that lists nothing and none at all."""
    tablet, retired, syrup = (ProductFactory(brand=b) for b in ("Tablettin", "Retiron", "Sirupan"))
    Product.objects.exclude(pk__in=[infusion.pk, tablet.pk, retired.pk, syrup.pk]).update(active=False)
    pharmacy = AccountFactory(account_type=AccountType.PHARMACY, beds=None)
    hospital = AccountFactory()
    for account in (pharmacy, hospital):
        ListingFactory(account=account, product=tablet, status=ListingStatus.LISTED)
        ListingFactory(account=account, product=retired, status=ListingStatus.LISTED)
        ListingFactory(account=account, product=syrup, status=ListingStatus.NOT_LISTED)
    ListingFactory(account=hospital, product=infusion, status=ListingStatus.LISTED)
    retired.active = False
    retired.save()
    for account in (pharmacy, hospital, AccountFactory()):
        shown = list(listings_with_portfolio(account))
        assert listing_share_of(account, shown) == listing_share_pct(account)
    assert listing_share_pct(pharmacy) == 50  # tablet of tablet and syrup
    assert listing_share_pct(hospital) == 67  # tablet and infusion of three


def test_a_pharmacys_plan_has_no_white_space_for_a_hospital_only_product(cast, infusion):
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    ProductFactory(brand="Tablettin")
    pharmacy = AccountFactory(account_type=AccountType.PHARMACY, beds=None, owner=cast.kam_a)
    plan = plan_create(account=pharmacy, period=period, by=cast.kam_a)
    products = set(WhitespaceCell.objects.filter(plan=plan).values_list("product__brand", flat=True))
    assert "Tablettin" in products and "Infusimab" not in products
    hospital_plan = plan_create(account=cast.account_a, period=period, by=cast.kam_a)
    assert WhitespaceCell.objects.filter(plan=hospital_plan, product=infusion).exists()
