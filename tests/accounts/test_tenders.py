"""Tenders with their lots, and contracts: the rows, the pages that change them, who may."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Contract, LotOutcome, Tender, TenderLot, TenderStatus
from kam import firewall
from tests.factories import (
    CompetitorProductFactory,
    ContractFactory,
    ProductFactory,
    TeamMemberFactory,
    TenderFactory,
    TenderLotFactory,
)

TODAY = date.today()


def _tender_post(**overrides) -> dict:
    data = {
        "title": "Ausschreibung Biologika 2027",
        "reference": "UKM-2027-003",
        "buyer": "Einkaufsgemeinschaft, offenes Verfahren EU-weit",
        "submission_deadline": (TODAY + timedelta(days=20)).isoformat(),
        "decision_date": "",
        "award_date": "",
        "status": "preparing",
        "outcome_reason": "",
        "lots-TOTAL_FORMS": "2",
        "lots-INITIAL_FORMS": "0",
        "lots-MIN_NUM_FORMS": "0",
        "lots-MAX_NUM_FORMS": "200",
        "lots-0-number": "Los 3",
        "lots-0-name": "Adalimumab s.c.",
        "lots-0-outcome": "open",
        "lots-1-number": "",
        "lots-1-name": "",
        "lots-1-outcome": "open",
    }
    data.update(overrides)
    return data


# The rows ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_derives_the_notice_date_from_the_end_and_the_notice_period():
    contract = ContractFactory.build(
        account=ContractFactory().account, end_date=date(2027, 6, 30), notice_days=90, notice_date=None
    )
    contract.full_clean()
    assert contract.notice_date == date(2027, 4, 1)


@pytest.mark.django_db
def test_it_refuses_a_contract_that_ends_before_it_starts():
    contract = ContractFactory()
    contract.end_date = contract.start_date - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        contract.full_clean()
    assert "end_date" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(end_date=contract.start_date - timedelta(days=1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value",
    [("price", Decimal("-1")), ("volume", Decimal("-5")), ("rebate_pct", Decimal("101"))],
)
def test_the_database_refuses_negative_money_and_percent_beyond_100(field, value):
    contract = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(**{field: value})


@pytest.mark.django_db
def test_a_decision_or_award_comes_after_the_deadline():
    tender = TenderFactory()
    tender.decision_date = tender.submission_deadline - timedelta(days=1)
    with pytest.raises(ValidationError):
        tender.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Tender.objects.filter(pk=tender.pk).update(award_date=tender.submission_deadline - timedelta(days=1))


@pytest.mark.django_db
def test_a_lot_number_is_unique_per_tender():
    lot = TenderLotFactory(number="Los 1")
    with pytest.raises(IntegrityError), transaction.atomic():
        TenderLot.objects.create(tender=lot.tender, number="Los 1")


@pytest.mark.django_db
def test_lot_history_records_products():
    lot = TenderLotFactory(products=[ProductFactory()])
    assert lot.history.count() >= 1


# The pages -----------------------------------------------------------------------------------


def test_the_owner_adds_a_tender_with_its_lots(cast, login):
    product, rival = ProductFactory(brand="Inflixa"), CompetitorProductFactory(name="Hyrimoz")
    client = login(cast.kam_a)
    url = reverse("accounts:tender-create", args=[cast.account_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, _tender_post(**{"lots-0-products": [product.pk], "lots-0-competitor_products": [rival.pk]})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tender = Tender.objects.get(account=cast.account_a)
    (lot,) = tender.lots.all()
    assert lot.number == "Los 3"
    assert list(lot.products.all()) == [product]
    assert list(lot.competitor_products.all()) == [rival]
    page = client.get(cast.account_a.get_absolute_url()).content.decode()
    assert "Ausschreibung Biologika 2027" in page and "Hyrimoz" in page


def test_bad_input_is_a_400_that_keeps_what_was_typed(cast, login):
    client = login(cast.kam_a)
    url = reverse("accounts:tender-create", args=[cast.account_a.pk])
    post = _tender_post(
        submission_deadline=(TODAY + timedelta(days=20)).isoformat(),
        decision_date=(TODAY + timedelta(days=1)).isoformat(),
        **{"lots-1-number": "Los 3", "lots-1-name": "Etanercept"},
    )
    response = client.post(url, post)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The decision comes after the submission deadline." in page
    assert "A lot number appears twice: each lot once." in page
    assert "UKM-2027-003" in page and "Etanercept" in page
    assert not Tender.objects.exists()


def test_the_owner_edits_a_tender_and_decides_its_lots(cast, login):
    tender = TenderFactory(account=cast.account_a, submission_deadline=TODAY - timedelta(days=30))
    lot = TenderLotFactory(tender=tender, number="Los 1")
    client = login(cast.kam_a)
    post = _tender_post(
        submission_deadline=tender.submission_deadline.isoformat(),
        decision_date=(TODAY - timedelta(days=5)).isoformat(),
        status="partly_won",
        outcome_reason="Lot 2 lost on price",
        **{
            "lots-TOTAL_FORMS": "2",
            "lots-INITIAL_FORMS": "1",
            "lots-0-id": str(lot.pk),
            "lots-0-tender": str(tender.pk),
            "lots-0-number": "Los 1",
            "lots-0-outcome": "won",
            "lots-1-number": "Los 2",
            "lots-1-outcome": "lost",
        },
    )
    response = client.post(reverse("accounts:tender-edit", args=[cast.account_a.pk, tender.pk]), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    tender.refresh_from_db()
    assert tender.status == TenderStatus.PARTLY_WON
    assert sorted(tender.lots.values_list("number", "outcome")) == [
        ("Los 1", LotOutcome.WON),
        ("Los 2", LotOutcome.LOST),
    ]


@pytest.mark.parametrize(
    ("status", "outcomes", "message"),
    [
        ("preparing", ("won", "open"), "A tender still open has no lot won or lost yet: decide the tender first."),
        ("submitted", ("lost", "open"), "A tender still open has no lot won or lost yet: decide the tender first."),
        ("won", ("open", "not_bid"), "A tender won or partly won has at least one lot won."),
        ("partly_won", ("lost", "lost"), "A tender won or partly won has at least one lot won."),
        ("won", ("won", "lost"), "A lot is lost: the tender is partly won, not won."),
        ("lost", ("won", "lost"), "A tender lost or cancelled has no lot won."),
        ("cancelled", ("won", "cancelled"), "A tender lost or cancelled has no lot won."),
    ],
)
def test_a_status_its_lots_contradict_is_a_400_next_to_the_status_with_the_input_kept(
    cast, login, status, outcomes, message
):
    url = reverse("accounts:tender-create", args=[cast.account_a.pk])
    post = _tender_post(
        status=status,
        **{
            "lots-0-outcome": outcomes[0],
            "lots-1-number": "Los 4",
            "lots-1-name": "Etanercept",
            "lots-1-outcome": outcomes[1],
        },
    )
    response = login(cast.kam_a).post(url, post)
    assert response.status_code == 400
    assert response.context["form"].errors["status"] == [message]
    page = response.content.decode()
    assert message in page
    assert "UKM-2027-003" in page and "Etanercept" in page
    assert f'<option value="{status}" selected>' in page
    assert not Tender.objects.exists()


def test_a_decided_tender_whose_lots_agree_is_saved_and_a_deleted_lot_does_not_count(cast, login):
    tender = TenderFactory(account=cast.account_a, submission_deadline=TODAY - timedelta(days=30))
    won = TenderLotFactory(tender=tender, number="Los 1")
    post = _tender_post(
        submission_deadline=tender.submission_deadline.isoformat(),
        status="lost",
        **{
            "lots-INITIAL_FORMS": "1",
            "lots-0-id": str(won.pk),
            "lots-0-tender": str(tender.pk),
            "lots-0-number": "Los 1",
            "lots-0-outcome": "won",
            "lots-0-DELETE": "on",
            "lots-1-number": "Los 2",
            "lots-1-outcome": "lost",
        },
    )
    response = login(cast.kam_a).post(reverse("accounts:tender-edit", args=[cast.account_a.pk, tender.pk]), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    tender.refresh_from_db()
    assert tender.status == TenderStatus.LOST
    assert list(tender.lots.values_list("number", "outcome")) == [("Los 2", LotOutcome.LOST)]


def test_lots_not_bid_or_cancelled_fit_any_status():
    for status in TenderStatus.values:
        outcomes = ["not_bid", "cancelled"] + (["won"] if status in ("won", "partly_won") else [])
        Tender.check_lot_outcomes(status, outcomes)


def test_the_owner_deletes_a_tender_and_a_contract(cast, login):
    tender = TenderFactory(account=cast.account_a)
    contract = ContractFactory(account=cast.account_a)
    client = login(cast.kam_a)
    assert client.post(reverse("accounts:tender-delete", args=[cast.account_a.pk, tender.pk])).status_code == 302
    assert client.post(reverse("accounts:contract-delete", args=[cast.account_a.pk, contract.pk])).status_code == 302
    assert not Tender.objects.exists() and not Contract.objects.exists()


def test_the_owner_adds_a_contract_and_gets_its_notice_date(cast, login):
    product = ProductFactory()
    client = login(cast.kam_a)
    post = {
        "title": "Rahmenvertrag Biologika",
        "reference": "RV-1",
        "tender": "",
        "products": [product.pk],
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "notice_days": "180",
        "volume": "12000",
        "volume_unit": "Fertigspritzen",
        "price": "412.50",
        "rebate_pct": "12.5",
    }
    response = client.post(reverse("accounts:contract-create", args=[cast.account_a.pk]), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = Contract.objects.get()
    assert contract.notice_date == date(2027, 7, 4)
    assert contract.price == Decimal("412.50") and list(contract.products.all()) == [product]


def test_a_contract_ending_before_it_starts_is_a_400_with_the_input_kept(cast, login):
    client = login(cast.kam_a)
    post = {"title": "Vertrag X", "start_date": "2027-01-01", "end_date": "2026-01-01", "notice_days": "90"}
    response = client.post(reverse("accounts:contract-create", args=[cast.account_a.pk]), post)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The end is before the start." in page and "Vertrag X" in page


@pytest.mark.parametrize("name", ["tender-create", "contract-create"])
def test_another_teams_account_is_a_404(cast, login, name):
    assert login(cast.kam_a).get(reverse(f"accounts:{name}", args=[cast.account_c.pk])).status_code == 404


def test_a_tender_of_another_account_is_a_404(cast, login):
    other = TenderFactory(account=cast.account_c)
    url = reverse("accounts:tender-edit", args=[cast.account_a.pk, other.pk])
    assert login(cast.kam_a).get(url).status_code == 404


def test_a_team_member_reads_but_does_not_change(cast, login):
    tender = TenderFactory(account=cast.account_a, title="Ausschreibung Onkologie")
    client = login(cast.access)
    page = client.get(cast.account_a.get_absolute_url()).content.decode()
    assert "Ausschreibung Onkologie" in page
    assert reverse("accounts:tender-create", args=[cast.account_a.pk]) not in page
    assert client.get(reverse("accounts:tender-edit", args=[cast.account_a.pk, tender.pk])).status_code == 403


def test_a_manager_above_the_owner_changes_them(cast, login):
    url = reverse("accounts:contract-create", args=[cast.account_a.pk])
    assert login(cast.manager_a).get(url).status_code == 200


def test_the_section_kept_as_drawn_shows_a_change_at_once(cast, login):
    """The drawn section is kept under a key naming all it shows: the next view shows a change."""
    tender = TenderFactory(account=cast.account_a, title="Ausschreibung Onkologie")
    lot = TenderLotFactory(tender=tender, number="Los 7", products=[ProductFactory(brand="Oncovita")])
    contract = ContractFactory(account=cast.account_a, title="Rahmenvertrag RA", price=Decimal("98765.43"))
    client = login(cast.kam_a)
    url = cast.account_a.get_absolute_url()
    assert "Ausschreibung Onkologie" in client.get(url).content.decode()
    Tender.objects.filter(pk=tender.pk).update(title="Ausschreibung Onkologie 2027")
    TenderLot.objects.filter(pk=lot.pk).update(outcome=LotOutcome.WON)
    Contract.objects.filter(pk=contract.pk).update(price=Decimal("12345.67"))
    page = client.get(url).content.decode()
    assert "Ausschreibung Onkologie 2027" in page and "Los 7</span>: Won · Oncovita" in page
    assert "12,345.67" in page and "98,765.43" not in page


# The firewall ---------------------------------------------------------------------------------


def test_a_medical_colleague_sees_tenders_and_contracts_but_never_price_or_rebate(cast, login):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    TenderFactory(account=cast.account_a, title="Ausschreibung Biologika 2027")
    contract = ContractFactory(
        account=cast.account_a, title="Rahmenvertrag RA", price=Decimal("98765.43"), rebate_pct=Decimal("17.25")
    )
    owner_page = login(cast.kam_a).get(cast.account_a.get_absolute_url()).content.decode()
    assert "98,765.43" in owner_page and "17.25 %" in owner_page
    client = login(cast.medical)
    page = client.get(cast.account_a.get_absolute_url()).content.decode()
    assert "Ausschreibung Biologika 2027" in page and "Rahmenvertrag RA" in page
    assert "98,765.43" not in page and "98765.43" not in page and "17.25" not in page
    assert "Rebate" not in page and "Price (" not in page
    # The form is not theirs at all: the firewall's reason, not the account's.
    response = client.get(reverse("accounts:contract-edit", args=[cast.account_a.pk, contract.pk]))
    assert response.status_code == 403
    assert "firewall" in response.content.decode()


def test_the_section_kept_as_drawn_for_a_commercial_colleague_hides_the_terms_from_a_medical_one(cast, login):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    ContractFactory(account=cast.account_a, title="Rahmenvertrag RA", price=Decimal("98765.43"))
    url = cast.account_a.get_absolute_url()
    assert "98,765.43" in login(cast.access).get(url).content.decode()  # a seat, no right to change
    page = login(cast.medical).get(url).content.decode()
    assert "Rahmenvertrag RA" in page and "98,765.43" not in page


def test_the_contract_form_drops_price_and_rebate_for_a_hidden_side(cast):
    from accounts.tender_forms import ContractForm

    contract = ContractFactory(account=cast.account_a, price=Decimal("10"), rebate_pct=Decimal("5"))
    form = ContractForm(instance=contract, account=cast.account_a, user=cast.medical)
    assert "price" not in form.fields and "rebate_pct" not in form.fields
    form = ContractForm(instance=contract, account=cast.account_a, user=cast.kam_a)
    assert "price" in form.fields and "rebate_pct" in form.fields


# The account page's section -------------------------------------------------------------------


def test_open_tenders_come_first_nearest_deadline_first(cast, login):
    TenderFactory(
        account=cast.account_a, title="Won long ago", status="won", submission_deadline=TODAY - timedelta(days=200)
    )
    TenderFactory(account=cast.account_a, title="Later deadline", submission_deadline=TODAY + timedelta(days=60))
    TenderFactory(account=cast.account_a, title="Next deadline", submission_deadline=TODAY + timedelta(days=5))
    page = login(cast.kam_a).get(cast.account_a.get_absolute_url()).content.decode()
    assert page.index("Next deadline") < page.index("Later deadline") < page.index("Won long ago")


def test_the_section_costs_the_same_queries_whatever_it_holds(cast, login, django_assert_num_queries):
    client = login(cast.kam_a)
    url = cast.account_a.get_absolute_url()
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    products = [ProductFactory() for _ in range(2)]
    rivals = [CompetitorProductFactory() for _ in range(2)]
    for n in range(3):
        tender = TenderFactory(account=cast.account_a)
        for m in range(2):
            TenderLotFactory(tender=tender, products=products, competitor_products=rivals, number=f"Los {n}{m}")
        ContractFactory(account=cast.account_a, products=products)
    # Two more with tenders and contracts (the tenders with their lots and bids; the contracts
    # with their products), not one per row.
    with django_assert_num_queries(len(empty) + 2):
        client.get(url)


# The history page -----------------------------------------------------------------------------


def test_the_history_page_shows_contract_changes_but_price_and_rebate_only_to_commercial_roles(cast, login):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    contract = ContractFactory(account=cast.account_a, title="Rahmenvertrag RA", price=Decimal("100.00"))
    contract.price = Decimal("87654.32")
    contract.rebate_pct = Decimal("13.57")
    contract.volume = Decimal("4321")
    contract.save()
    url = reverse("accounts:history", args=[cast.account_a.pk])
    commercial = login(cast.kam_a).get(url).content.decode()
    assert "Contract: Rahmenvertrag RA" in commercial
    assert "87654.32" in commercial.replace(",", "") and "Price per unit</strong>" in commercial
    medical = login(cast.medical).get(url).content.decode()
    assert "Contract: Rahmenvertrag RA" in medical and "Volume</strong>" in medical
    assert "87654" not in medical.replace(",", "") and "13.57" not in medical and "Price per unit" not in medical


def _lot_rows(response) -> list[tuple]:
    """The history page's rows about lots: subject, kind of record (+ ~ -) and the changes shown."""
    return [
        (c["subject"], c["record"].history_type, [(ch.field, ch.old, ch.new) for ch in c["changes"]])
        for c in response.context["changes"]
        if c["subject"].startswith("Lot:")
    ]


def test_the_history_page_shows_lots_added_changed_and_removed_by_name(cast, login):
    client = login(cast.kam_a)
    create = reverse("accounts:tender-create", args=[cast.account_a.pk])
    response = client.post(create, _tender_post(**{"lots-1-number": "Los 4", "lots-1-name": "Etanercept"}))
    assert response.status_code == 302
    tender = Tender.objects.get(account=cast.account_a)
    adalimumab, etanercept = tender.lots.order_by("number")
    lot_fields = {"lots-TOTAL_FORMS": "2", "lots-INITIAL_FORMS": "2"}
    for i, (lot, name, outcome) in enumerate(
        [(adalimumab, "Adalimumab i.v.", "won"), (etanercept, "Etanercept", "open")]
    ):
        lot_fields |= {
            f"lots-{i}-id": str(lot.pk),
            f"lots-{i}-tender": str(tender.pk),
            f"lots-{i}-number": lot.number,
            f"lots-{i}-name": name,
            f"lots-{i}-outcome": outcome,
        }
    lot_fields["lots-1-DELETE"] = "on"
    edit = reverse("accounts:tender-edit", args=[cast.account_a.pk, tender.pk])
    assert client.post(edit, _tender_post(status="won", **lot_fields)).status_code == 302

    response = client.get(reverse("accounts:history", args=[cast.account_a.pk]))
    of = " (Ausschreibung Biologika 2027)"
    rows = _lot_rows(response)
    assert ("Lot: Los 3 · Adalimumab s.c." + of, "+", []) in rows
    assert ("Lot: Los 4 · Etanercept" + of, "+", []) in rows
    assert (
        "Lot: Los 3 · Adalimumab i.v." + of,
        "~",
        [("What is tendered", "Adalimumab s.c.", "Adalimumab i.v."), ("Outcome", "Open", "Won")],
    ) in rows
    assert ("Lot: Los 4 · Etanercept" + of, "-", []) in rows
    page = response.content.decode()
    assert "Lot: Los 3 · Adalimumab i.v." + of in page and "What is tendered</strong>" in page
    assert "Deleted" in page and str(cast.kam_a) in page


def test_a_deleted_tenders_lots_stay_in_the_history_with_its_title(cast, login):
    tender = TenderFactory(account=cast.account_a, title="Ausschreibung Onkologie")
    TenderLotFactory(tender=tender, number="Los 1", name="Trastuzumab")
    client = login(cast.kam_a)
    assert client.post(reverse("accounts:tender-delete", args=[cast.account_a.pk, tender.pk])).status_code == 302
    rows = _lot_rows(client.get(reverse("accounts:history", args=[cast.account_a.pk])))
    assert ("Lot: Los 1 · Trastuzumab (Ausschreibung Onkologie)", "-", []) in rows


def test_the_history_page_shows_only_the_lots_of_the_accounts_own_tenders(cast, login):
    mine = TenderLotFactory(
        tender=TenderFactory(account=cast.account_a, status="lost"), number="Los 1", name="Unser Los"
    )
    theirs = TenderLotFactory(
        tender=TenderFactory(account=cast.account_c, status="lost"), number="Los 1", name="Fremdes Los"
    )
    for lot in (mine, theirs):
        lot.outcome = LotOutcome.LOST
        lot.save()
    page = login(cast.kam_a).get(reverse("accounts:history", args=[cast.account_a.pk])).content.decode()
    assert "Unser Los" in page and "Fremdes Los" not in page
    # Another team's account, lots and all, stays a 404.
    assert login(cast.kam_a).get(reverse("accounts:history", args=[cast.account_c.pk])).status_code == 404


def test_a_medical_colleague_sees_the_lots_changes_but_no_commercial_figure_in_the_history(cast, login):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    tender = TenderFactory(account=cast.account_a, title="Ausschreibung Biologika 2027", status="won")
    lot = TenderLotFactory(tender=tender, number="Los 3", name="Adalimumab s.c.")
    lot.outcome = LotOutcome.WON
    lot.save()
    # The lot won became a contract: its terms are the commercial figures the firewall hides.
    contract = ContractFactory(account=cast.account_a, tender=tender, title="Rahmenvertrag RA", price=Decimal("100.00"))
    contract.price = Decimal("87654.32")
    contract.rebate_pct = Decimal("13.57")
    contract.save()
    url = reverse("accounts:history", args=[cast.account_a.pk])
    commercial = login(cast.kam_a).get(url)
    assert "87654.32" in commercial.content.decode().replace(",", "")
    medical = login(cast.medical).get(url)
    assert medical.status_code == 200
    # A lot holds no terms: the medical colleague reads its changes as the owner does.
    assert _lot_rows(medical) == _lot_rows(commercial)
    assert ("Lot: Los 3 · Adalimumab s.c. (Ausschreibung Biologika 2027)", "~", [("Outcome", "Open", "Won")]) in (
        _lot_rows(medical)
    )
    page = medical.content.decode()
    assert "Contract: Rahmenvertrag RA" in page
    assert "87654" not in page.replace(",", "").replace(".", "") and "13.57" not in page and "1357" not in page
    assert "Price per unit" not in page and "Rebate" not in page


def test_the_history_leaves_tenders_and_lots_out_for_a_side_that_may_not_read_them(cast, login, monkeypatch):
    lot = TenderLotFactory(
        tender=TenderFactory(account=cast.account_a, title="Ausschreibung Biologika 2027", status="won")
    )
    lot.outcome = LotOutcome.WON
    lot.save()
    allows = firewall.allows
    monkeypatch.setattr(firewall, "allows", lambda user, key: key != "tender.read" and allows(user, key))
    response = login(cast.kam_a).get(reverse("accounts:history", args=[cast.account_a.pk]))
    assert response.status_code == 200
    assert not [c for c in response.context["changes"] if c["subject"]]
    assert "Ausschreibung Biologika 2027" not in response.content.decode()
