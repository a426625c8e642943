from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account, Quadrant, matrix_quadrant
from tests.factories import AccountFactory, CompetitorProductFactory, ListingFactory, UserFactory


@pytest.mark.parametrize(
    "attractiveness,position,quadrant",
    [
        (80, 80, Quadrant.STRATEGIC),
        (80, 20, Quadrant.STAR),
        (20, 80, Quadrant.STATUS),
        (20, 20, Quadrant.STREAMLINE),
        (50, 50, Quadrant.STRATEGIC),
        (49, 50, Quadrant.STATUS),
        (None, 50, None),
    ],
)
def test_it_places_accounts_in_the_matrix(attractiveness, position, quadrant):
    assert matrix_quadrant(attractiveness, position) == quadrant


def test_the_matrix_split_is_configurable(settings):
    settings.MATRIX_ATTRACTIVENESS_SPLIT = 70
    assert matrix_quadrant(60, 80) == Quadrant.STATUS


def test_the_database_refuses_a_margin_above_100(db):
    account = AccountFactory(account_type="pharmacy")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(gross_margin_pct=Decimal("130"))


def test_the_database_refuses_duplicate_crm_ids_but_allows_many_empty(db):
    AccountFactory(crm_id=None)
    AccountFactory(crm_id=None)
    AccountFactory(crm_id="V-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountFactory(crm_id="V-1")


def test_an_account_cannot_be_its_own_parent_or_sit_in_a_cycle(db):
    group = AccountFactory()
    member = AccountFactory(parent=group)
    group.parent = group
    with pytest.raises(ValidationError) as err:
        group.full_clean()
    assert "parent" in err.value.message_dict
    group.parent = member
    with pytest.raises(ValidationError) as err:
        group.full_clean()
    assert "cycle" in str(err.value)


def test_clean_drops_the_other_types_numbers(db):
    account = AccountFactory.build(
        account_type="hospital", gross_margin_pct=Decimal("20"), beds=300, owner=UserFactory()
    )
    account.full_clean()
    assert account.gross_margin_pct is None
    assert account.beds == 300
    pharmacy = AccountFactory.build(
        account_type="pharmacy", beds=300, gross_margin_pct=Decimal("20"), owner=UserFactory()
    )
    pharmacy.full_clean()
    assert pharmacy.beds is None


def test_an_override_needs_a_reason(db):
    account = AccountFactory.build(qualification_override=True, qualification_override_reason="", owner=UserFactory())
    with pytest.raises(ValidationError) as err:
        account.full_clean()
    assert "qualification_override_reason" in err.value.message_dict


def test_a_competitor_is_recorded_only_where_ours_is_not_listed(db):
    listing = ListingFactory.build(
        account=AccountFactory(),
        product=ListingFactory().product,
        status="listed",
        competitor_product=CompetitorProductFactory(),
    )
    with pytest.raises(ValidationError):
        listing.clean()
