from decimal import Decimal

import pytest

from accounts.models import Account
from accounts.selectors import MissingExchangeRate, convert, financial_totals
from tests.factories import AccountFactory, ExchangeRateFactory, FinancialsFactory


def test_it_converts_with_the_year_rate_or_the_latest_earlier_one(db):
    ExchangeRateFactory(year=2025, currency="CHF", rate=Decimal("1.04"))
    ExchangeRateFactory(year=2026, currency="CHF", rate=Decimal("1.06"))
    assert convert(Decimal("100"), "CHF", 2026) == Decimal("106.00")
    assert convert(Decimal("100"), "CHF", 2027) == Decimal("106.00")
    assert convert(Decimal("100"), "CHF", 2025) == Decimal("104.00")
    assert convert(Decimal("100"), "EUR", 2026) == Decimal("100.00")
    with pytest.raises(MissingExchangeRate):
        convert(Decimal("100"), "GBP", 2026)


def test_sums_across_accounts_are_converted_in_sql(db):
    ExchangeRateFactory(year=2026, currency="CHF", rate=Decimal("1.05"))
    ExchangeRateFactory(year=2026, currency="GBP", rate=Decimal("1.20"))
    eur = AccountFactory(currency="EUR")
    chf = AccountFactory(currency="CHF")
    gbp = AccountFactory(currency="GBP")
    FinancialsFactory(account=eur, revenue_actual=Decimal("1000"), revenue_target=Decimal("2000"))
    FinancialsFactory(account=chf, revenue_actual=Decimal("1000"), revenue_target=Decimal("1000"))
    FinancialsFactory(account=gbp, revenue_actual=Decimal("500"), revenue_target=None)
    FinancialsFactory(account=gbp, year=2025, revenue_actual=Decimal("99999"))
    totals = financial_totals(Account.objects.all(), 2026)
    assert totals.revenue_actual == Decimal("1000") + Decimal("1050") + Decimal("600")
    assert totals.revenue_target == Decimal("2000") + Decimal("1050")
    assert totals.currency == "EUR"
    assert totals.accounts == 3
    assert totals.missing_rates is False


def test_totals_say_when_a_rate_is_missing(db):
    FinancialsFactory(account=AccountFactory(currency="SEK"), revenue_actual=Decimal("1000"))
    assert financial_totals(Account.objects.all(), 2026).missing_rates is True


def test_a_group_page_shows_converted_member_totals(cast, login):
    ExchangeRateFactory(year=2025, currency="CHF", rate=Decimal("1.10"))
    group = cast.account_a
    member = AccountFactory(owner=cast.kam_a, parent=group, currency="CHF")
    FinancialsFactory(account=group, year=2025, revenue_actual=Decimal("1000"))
    FinancialsFactory(account=member, year=2025, revenue_actual=Decimal("1000"))
    from django.utils import timezone

    if timezone.localdate().year - 1 != 2025:
        FinancialsFactory(account=group, year=timezone.localdate().year - 1, revenue_actual=Decimal("1000"))
        FinancialsFactory(account=member, year=timezone.localdate().year - 1, revenue_actual=Decimal("1000"))
    page = login(cast.kam_a).get(group.get_absolute_url()).content.decode()
    assert "2,100 EUR" in page
    assert "converted to EUR" in page
