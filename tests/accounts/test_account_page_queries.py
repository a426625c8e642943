"""The account page with everything on it (a group with members, tenders with lots, bids and
competitors, contracts, named answers and open follow-ups, a team, financials in francs) costs
a fixed number of queries: more rows of any kind add none."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AccountFactory,
    CompetitorProductFactory,
    ContractFactory,
    ExchangeRateFactory,
    FinancialsFactory,
    ProductFactory,
    TeamMemberFactory,
    TenderFactory,
    TenderLotFactory,
)
from tests.survey_factories import CampaignFactory, FollowUpFactory, answered

YEAR = timezone.localdate().year - 1  # the year the group total is for
# Session, user, account, financials, group, tenders, contracts, listings, team, criteria, plans,
# history: 12 for the page with every section, as for the worst account of the large demo.
QUERIES = 12
# Its Surveys tab, read when opened: session, user, account, CSAT, the DMU's words with the
# follow-ups' answers, their questions.
SURVEYS_TAB_QUERIES = 6


def _tenders(account, products, rivals, *, count: int) -> None:
    for n in range(count):
        tender = TenderFactory(account=account, status="preparing" if n % 2 else "submitted")
        for m in range(2):
            TenderLotFactory(tender=tender, number=f"Los {m}", products=products, competitor_products=rivals)
        ContractFactory(account=account, products=products)


def _followed_up(account, campaign, *, count: int) -> None:
    for _ in range(count):
        FollowUpFactory(invitation=answered(campaign, account, 2, comment="Too slow to call back.").invitation)


@pytest.fixture
def full_account(cast):
    """KAM A's group in francs with a member of theirs and one of KAM C's, two tenders of two lots
    with products and competitors bid, two contracts, a named answer with a follow-up, a team."""
    account = cast.account_a
    account.currency = "CHF"
    account.save()
    ExchangeRateFactory(currency="CHF", year=YEAR - 2, rate=Decimal("1.05"))
    for year in (YEAR - 2, YEAR - 1, YEAR):
        FinancialsFactory(account=account, year=year)
    for owner in (cast.kam_a, cast.kam_c):
        FinancialsFactory(account=AccountFactory(owner=owner, parent=account), year=YEAR)
    products = [ProductFactory() for _ in range(2)]
    rivals = [CompetitorProductFactory() for _ in range(2)]
    _tenders(account, products, rivals, count=2)
    campaign = CampaignFactory()
    _followed_up(account, campaign, count=1)
    TeamMemberFactory(account=account, user=cast.kam_b)
    return account, products, rivals, campaign


@pytest.mark.parametrize("role", ["kam_a", "admin"])
def test_the_page_with_every_section_costs_the_same_queries_whatever_it_holds(
    cast, full_account, login, role, django_assert_num_queries
):
    account, products, rivals, campaign = full_account
    client = login(getattr(cast, role))
    url = account.get_absolute_url()
    tab = reverse("accounts:surveys", args=[account.pk])
    client.get(tab)  # the drawn survey card is cached from here on
    with django_assert_num_queries(QUERIES):
        page = client.get(url)
    with django_assert_num_queries(SURVEYS_TAB_QUERIES):
        surveys = client.get(tab)
    assert page.status_code == 200 and surveys.status_code == 200
    assert page.context["rollup"].hidden_members == (1 if role == "kam_a" else 0)
    # More of everything: members, tenders and lots, contracts, follow-ups, years of financials.
    for owner in (cast.kam_a, cast.kam_c):
        AccountFactory(owner=owner, parent=account)
    _tenders(account, [*products, ProductFactory()], [*rivals, CompetitorProductFactory()], count=3)
    _followed_up(account, campaign, count=2)
    FinancialsFactory(account=account, year=YEAR - 3)
    TeamMemberFactory(account=account, user=cast.kam_c)
    client.get(tab)
    with django_assert_num_queries(QUERIES):
        page = client.get(url)
    with django_assert_num_queries(SURVEYS_TAB_QUERIES):
        surveys = client.get(tab)
    assert len(page.context["tenders"].open_tenders) == 5 and len(surveys.context["follow_ups"]) == 3
    assert len(page.context["children"]) == (2 if role == "kam_a" else 4)


def test_each_lot_shows_its_bids_once(cast, full_account, login):
    account, products, rivals, _campaign = full_account
    section = login(cast.kam_a).get(account.get_absolute_url()).context["tenders"]
    lots = [lot for tender in section.open_tenders for lot in tender.lots_shown]
    assert [str(lot) for lot in lots] == ["Los 0", "Los 1"] * 2
    assert all(lot.brands == sorted(p.brand for p in products) for lot in lots)
    assert all(sorted(lot.rivals) == sorted(r.name for r in rivals) for lot in lots)
    assert all(contract.brands == sorted(p.brand for p in products) for contract in section.contracts)
    assert section.contracts[0].notice_passed is False


def test_the_surveys_tab_is_read_only_when_it_is_opened(cast, full_account, login):
    account, _products, _rivals, _campaign = full_account
    client = login(cast.kam_a)
    tab = reverse("accounts:surveys", args=[account.pk])
    page = client.get(account.get_absolute_url()).content.decode()
    assert f'hx-get="{tab}"' in page and "Too slow to call back." not in page
    surveys = client.get(tab).content.decode()
    assert "Too slow to call back." in surveys and 'id="follow-ups"' in surveys and "<html" not in surveys
    # Another team's KAM learns nothing from the tab either; it only reads.
    assert login(cast.kam_c).get(tab).status_code == 404
    assert client.post(tab).status_code == 405
