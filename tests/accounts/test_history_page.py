"""The account's history page: changes in the words of the pages, and nothing from behind the
medical/commercial firewall for a medical colleague."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Account, AccountType, TeamFunction
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed(cast):
    account = Account.objects.get(pk=cast.account_a.pk)
    account.is_key_account = not account.is_key_account
    account.account_type = AccountType.PHARMACY
    account.annual_turnover = Decimal("4242424.00")
    account.owner = cast.kam_b
    account.save()
    return account


def test_it_names_fields_and_values_as_the_pages_do(cast, login, changed):
    html = login(cast.manager_a).get(reverse("accounts:history", args=[changed.pk])).content.decode()
    assert "Key account</strong>" in html and "Type</strong>" in html and "Pharmacy" in html
    assert str(cast.kam_b) in html
    for raw in ("is_key_account", "account_type", "pharmacy<", "True", "False", f"→ {cast.kam_b.pk}<"):
        assert raw not in html


def test_it_hides_commercial_figures_from_a_medical_colleague(cast, login, changed):
    msl = cast.medical
    TeamMemberFactory(account=changed, user=msl, function=TeamFunction.MSL)
    commercial = login(cast.manager_a).get(reverse("accounts:history", args=[changed.pk])).content.decode()
    assert "4242424" in commercial.replace(",", "").replace(".", "").replace("\u202f", "").replace("\xa0", "")
    medical = login(msl).get(reverse("accounts:history", args=[changed.pk]))
    assert medical.status_code == 200
    page = medical.content.decode()
    assert "Annual turnover" not in page and "4242424" not in page.replace(",", "").replace(".", "")
    assert "Key account</strong>" in page
