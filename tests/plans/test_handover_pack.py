"""The handover pack: one PDF per handed-over account, for whoever may see the account, through
the firewall as they stand (a medical colleague's pack has no stances, figures or internal plan;
a commercial one no medical content)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import HandoverNote
from kam.models import Role
from plans.models import ActionStatus
from stakeholders.models import STANCE_SHORT
from tests.factories import (
    CompetitorProductFactory,
    ContractFactory,
    FinancialsFactory,
    ProductFactory,
    TeamMemberFactory,
    TenderFactory,
    TenderLotFactory,
    UserFactory,
)
from tests.plan_factories import ActionFactory, ObjectiveFactory, PeriodFactory, PlanFactory
from tests.plans.test_exports import needs_pdftotext, pdf_text
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, PersonFactory, TouchpointFactory

NOTE = "Watch <script>alert(1)</script> & the P&T committee"
REVENUE = Decimal("987654.00")
MEDICAL_SUMMARY = "Scientific exchange on subgroup survival"
COMMERCIAL_SUMMARY = "Agreed the formulary dossier timeline"


@pytest.fixture(autouse=True)
def _language_reset():
    """A German reader's request leaves German active in this thread: not for the next test."""
    yield
    translation.deactivate()


@pytest.fixture
def handed(cast):
    """Account A, handed over by KAM A to KAM B, with a DMU, a plan, touchpoints of both sides and
    an MSL with a seat."""
    account = cast.account_a
    msl = UserFactory(username="msl_seat", role=Role.MSL)
    TeamMemberFactory(account=account, user=msl, function="msl")
    FinancialsFactory(account=account, year=2026, revenue_actual=REVENUE)
    fan = AffiliationFactory(account=account, person=PersonFactory(last_name="Fanning"), stance=2, influence=5)
    CoverageFactory(affiliation=fan, user=cast.kam_b)
    CoverageFactory(affiliation=fan, user=msl)
    CoverageFactory(
        affiliation=AffiliationFactory(account=account, person=PersonFactory(last_name="Leftover")), user=cast.kam_a
    )
    period = PeriodFactory(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    plan = PlanFactory(account=account, period=period)
    ObjectiveFactory(plan=plan, title="Formulary listing of Oncoril", share_with_customer=True)
    ActionFactory(plan=plan, title="Send the budget impact model", status=ActionStatus.IN_PROGRESS)
    ActionFactory(plan=plan, title="A finished action", status=ActionStatus.DONE)
    TouchpointFactory(
        account=account,
        logged_by=cast.kam_a,
        stakeholders=[fan.person],
        summary=COMMERCIAL_SUMMARY,
        next_step="Send the dossier by Friday",
        follow_up_date=date(2026, 7, 10),
    )
    TouchpointFactory(account=account, logged_by=msl, stakeholders=[fan.person], summary=MEDICAL_SUMMARY)
    account.owner = cast.kam_b
    account.save()
    cast.kam_a.is_active = False
    cast.kam_a.save()
    note = HandoverNote.objects.create(
        account=account, from_user=cast.kam_a, to_user=cast.kam_b, by=cast.manager_a, note=NOTE
    )
    return note, msl


def _pack(client, note):
    return client.get(reverse("plans:handover-pack", args=[note.pk]))


@needs_pdftotext
@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_the_successors_pack_holds_dmu_actions_plan_touchpoints_and_the_note(cast, login, handed):
    note, _msl = handed
    response = _pack(login(cast.kam_b), note)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Handover pack" in text and "Account A" in text
    # The note as typed: markup is text, not markup.
    assert "Watch <script>alert(1)</script> & the P&T committee" in text
    # The DMU with stance and coverage.
    assert "Fanning" in text and str(STANCE_SHORT[2]) in text and str(cast.kam_b) in text
    # Open actions, not done ones; the commitments from touchpoints.
    assert "Send the budget impact model" in text and "A finished action" not in text
    # What the leaver still covers or owns is marked as theirs, so the successor takes it over.
    assert f"{cast.kam_a} (has left)" in text
    assert "Send the dossier by Friday" in text
    # The current plan's executive summary, with the figures a commercial KAM may see.
    assert "At a glance" in text and "987,654" in text
    assert COMMERCIAL_SUMMARY in text
    # Medical content stays behind the firewall, and so does which medical colleague covers whom.
    assert MEDICAL_SUMMARY not in text and "Medical touchpoint" in text
    assert "msl_seat" not in text and str(_msl) not in text and "medical contact exists" in text
    # The spot the tenders and contracts will fill.
    assert "Open tenders and contracts" in text


@needs_pdftotext
@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_a_medical_colleagues_pack_has_no_stances_figures_or_internal_plan(cast, login, handed):
    note, msl = handed
    response = _pack(login(msl), note)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Fanning" in text and NOTE.split("<")[0].strip() in text
    assert not any(str(label) in text for label in STANCE_SHORT.values())
    assert "987,654" not in text and "Revenue" not in text
    assert "At a glance" not in text and "Send the budget impact model" not in text
    # They read the joint plan's objectives, and their own side's touchpoint.
    assert "Formulary listing of Oncoril" in text
    assert MEDICAL_SUMMARY in text


def test_a_pack_is_scoped_to_those_who_see_the_account(cast, login, handed):
    note, _msl = handed
    assert _pack(login(cast.kam_c), note).status_code == 404
    assert _pack(login(cast.manager_b), note).status_code == 404
    assert _pack(login(cast.medical), note).status_code == 404
    assert _pack(login(cast.manager_a), note).status_code == 200
    assert login(cast.kam_c).get(reverse("plans:handover-pack", args=[note.pk + 999])).status_code == 404


@needs_pdftotext
@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_the_pack_speaks_the_readers_language(cast, login, handed):
    note, _msl = handed
    cast.kam_b.language = "de"
    cast.kam_b.save()
    text = pdf_text(_pack(login(cast.kam_b), note).content)
    assert "Übergabepaket" in text and "Wer entscheidet und wer sie betreut" in text
    assert "Offene Ausschreibungen und Verträge" in text and "2. Juli 2026" in text


@needs_pdftotext
@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_the_pack_lists_open_tenders_and_contracts_with_their_terms_for_the_commercial_side_only(cast, login, handed):
    note, msl = handed
    lot = TenderLotFactory(
        tender=TenderFactory(
            account=cast.account_a, title="Ausschreibung Onkologie 2027", submission_deadline=date(2026, 8, 3)
        ),
        number="Los 3",
        products=[ProductFactory(brand="Oncoril")],
    )
    lot.competitor_products.set([CompetitorProductFactory(name="Keytruda")])
    TenderFactory(account=cast.account_a, title="A decided tender", status="lost", submission_deadline=date(2025, 3, 1))
    ContractFactory(
        account=cast.account_a,
        title="Rahmenvertrag PD-1",
        start_date=date(2025, 4, 1),
        end_date=date(2027, 3, 31),
        price=Decimal("999.00"),
        rebate_pct=Decimal("7.5"),
    )

    successor = pdf_text(_pack(login(cast.kam_b), note).content)
    assert "Ausschreibung Onkologie 2027" in successor and "Los 3: Oncoril / Keytruda" in successor
    assert "A decided tender" not in successor  # open tenders only
    assert "Rahmenvertrag PD-1" in successor and "31 Dec 2026" in successor  # the notice date, 90 days before the end
    assert "999 EUR" in successor and "7.5 %" in successor

    medical = pdf_text(_pack(login(msl), note).content)
    assert "Ausschreibung Onkologie 2027" in medical and "Rahmenvertrag PD-1" in medical
    assert "999 EUR" not in medical and "7.5 %" not in medical and "Rebate" not in medical
