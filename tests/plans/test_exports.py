"""Plan exports: the internal deck and PDF hold the whole plan; the joint plan for the customer
holds nothing internal (stances, margins, weaknesses and threats, resources, gaps, coverage)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pptx import Presentation

from accounts.models import AccountType
from plans.exports.data import plan_export_data
from plans.exports.deck import Deck
from plans.exports.pdf import render_pdf
from plans.exports.plan_deck import render_pptx
from plans.models import ActionStatus, AudienceKind, SwotKind
from stakeholders.models import STANCE_SHORT, Stance
from tests.factories import FinancialsFactory
from tests.plan_factories import (
    ActionFactory,
    CommunicationFactory,
    ObjectiveFactory,
    PlanFactory,
    RelationshipObjectiveFactory,
    ResourceFactory,
    SwotFactory,
    set_step,
)
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, PersonFactory

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="needs pdftotext (apt-get install poppler-utils) to read the PDF back"
)

OBJECTIVES = ["Listing of Oncoril in the formulary", "Biosimilar switch programme", "Joint pathway for <CLL> & co"]
WEAKNESSES = ["Slow committee decisions", "Pharmacy budget frozen"]
THREATS = ["Regional tender favours generics"]
STRENGTHS = ["Strong oncology centre"]
OPPORTUNITIES = ["New day-care unit opens in spring"]
GROSS_PROFIT = Decimal("41234.00")
COMMENTARY = "Internal view: we harvest this account"
STANCE_WORDS = sorted({str(s).lower() for s in STANCE_SHORT.values()} | {str(s.label).lower() for s in Stance})


@pytest.fixture
def rich_plan(cast):
    """Account A as a pharmacy with a margin, a DMU with stances and coverage, and every step filled."""
    account = cast.account_a
    account.account_type = AccountType.PHARMACY
    account.gross_margin_pct = Decimal("23.5")
    account.average_discount_pct = Decimal("7.25")
    account.attractiveness, account.position = 70, 40
    account.save()
    FinancialsFactory(account=account, year=2026, gross_profit=GROSS_PROFIT, estimated_potential=Decimal("250000"))
    plan = PlanFactory(account=account, budget=Decimal("20000"))
    set_step(plan, 1, commentary=COMMENTARY, investment_decision="invest")
    set_step(plan, 2, strategy="Become the regional cancer centre", needs="Shorter time to therapy", drivers="")
    set_step(plan, 3, notes="Win over the pharmacy director")
    set_step(plan, 4, value_proposition="Fewer days in hospital for patients on our therapy")
    set_step(plan, 6, audit_notes="Audit: on plan")
    for kind, texts in (
        (SwotKind.STRENGTH, STRENGTHS),
        (SwotKind.WEAKNESS, WEAKNESSES),
        (SwotKind.OPPORTUNITY, OPPORTUNITIES),
        (SwotKind.THREAT, THREATS),
    ):
        for text in texts:
            SwotFactory(plan=plan, kind=kind, text=text)
    fan = AffiliationFactory(account=account, person=PersonFactory(last_name="Fanning"), stance=2, influence=5)
    sceptic = AffiliationFactory(account=account, person=PersonFactory(last_name="Sceptell"), stance=-1, influence=4)
    CoverageFactory(affiliation=fan, user=cast.kam_a)
    RelationshipObjectiveFactory(plan=plan, affiliation=sceptic, from_stance=-1, to_stance=1)
    # Shared with the customer, as the joint plan shows only what was shared (tests/plans/test_joint_sharing.py).
    objectives = [ObjectiveFactory(plan=plan, title=t, share_with_customer=True) for t in OBJECTIVES]
    for i in range(3):
        action = ActionFactory(plan=plan, objective=objectives[i], title=f"Deliver step {i}", share_with_customer=True)
        ResourceFactory(action=action, people_days=Decimal("3.5"), budget=Decimal("1500"))
    ActionFactory(
        plan=plan,
        title="Overdue dossier",
        due_date=date(2026, 3, 1),
        status=ActionStatus.IN_PROGRESS,
        share_with_customer=True,
    )
    CommunicationFactory(plan=plan, audience_kind=AudienceKind.INTERNAL, audience="Finance controller")
    return plan


def deck_text(content: bytes) -> str:
    """All the text of a deck: text frames, table cells and grouped shapes."""
    texts: list[str] = []

    def walk(shapes) -> None:
        for shape in shapes:
            if shape.shape_type == 6:  # a group
                walk(shape.shapes)
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                texts.extend(cell.text for row in shape.table.rows for cell in row.cells)

    for slide in Presentation(io.BytesIO(content)).slides:
        walk(slide.shapes)
    return "\n".join(texts)


def pdf_text(content: bytes) -> str:
    """The PDF's text as pdftotext reads it, with line breaks in table cells joined up."""
    out = subprocess.run([PDFTOTEXT, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", out)


def export(client, plan, variant: str, fmt: str):
    return client.get(reverse("plans:export", args=[plan.pk, variant, fmt]))


@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_it_puts_every_objective_and_the_internal_numbers_in_the_internal_deck(cast, login, rich_plan):
    response = export(login(cast.kam_a), rich_plan, "internal", "pptx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    assert response["Content-Disposition"] == 'attachment; filename="plan-account-a-fy-2026-internal.pptx"'
    assert response["Cache-Control"] == "private, no-store"
    text = deck_text(response.content)
    for title in OBJECTIVES:
        assert title in text
    # What the joint plan must leave out is really there in the internal one.
    assert "23.5" in text and "Gross margin" in text and "41,234" in text
    assert "favourable" in text and "strongly favourable" in text
    assert all(w in text for w in WEAKNESSES + THREATS)
    assert "People-days planned" in text and "10.5" in text
    assert COMMENTARY in text and "Invest" in text
    assert "In progress · overdue" in text and "Star: Attractive but our position is weak" in text


@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_it_keeps_everything_internal_out_of_the_joint_deck(cast, login, rich_plan):
    response = export(login(cast.kam_a), rich_plan, "joint", "pptx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plan-account-a-fy-2026-joint.pptx"'
    text = deck_text(response.content)
    lowered = text.lower()
    assert "Joint account plan" in text
    for title in OBJECTIVES:
        assert title in text
    assert all(s in text for s in STRENGTHS + OPPORTUNITIES)
    assert "Fanning" in text and "Sceptell" in text  # the customer's team, by name only
    for word in STANCE_WORDS:
        assert word not in lowered, word
    assert "23.5" not in text and "margin" not in lowered and "discount" not in lowered and "7.25" not in text
    assert "41,234" not in text and "gross profit" not in lowered
    assert not any(w in text for w in WEAKNESSES + THREATS)
    assert "Weaknesses" not in text and "Threats" not in text
    assert "people-days" not in lowered and "1,500" not in text and "20,000" not in text
    assert COMMENTARY not in text and "Investment" not in text and "quadrant" not in lowered
    assert "Win over the pharmacy director" not in text and "Audit: on plan" not in text
    assert "covered" not in lowered and "gap" not in lowered and "influence" not in lowered
    assert "Finance controller" not in text  # internal audiences stay internal


@needs_pdftotext
@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_the_internal_pdf_is_paginated_and_holds_every_objective(cast, login, rich_plan):
    response = export(login(cast.kam_a), rich_plan, "internal", "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="plan-account-a-fy-2026-internal.pdf"'
    text = pdf_text(response.content)
    for title in OBJECTIVES:
        assert title in text  # "<CLL> & co" comes out as typed, escaped once and not as markup
    assert "Page 1 of" in text and "Account A" in text and "FY 2026" in text
    assert "favourable" in text and "23.5" in text


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page as pdftotext reads it (it ends every page with a form feed)."""
    out = subprocess.run([PDFTOTEXT, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return out.split("\f")[:-1]


@needs_pdftotext
@pytest.mark.parametrize("variant", ["internal", "joint"])
@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_the_pdf_numbers_every_page_and_lists_every_action_with_owner_due_date_and_status(cast, rich_plan, variant):
    for i in range(60):
        ActionFactory(plan=rich_plan, title=f"Follow-up visit number {i} with the ward team", share_with_customer=True)
    data = plan_export_data(rich_plan, variant=variant, user=cast.kam_a)
    content = render_pdf(data)
    pages = pdf_pages(content)
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    text = re.sub(r"\s+", " ", " ".join(pages))
    for i in range(60):
        assert f"Follow-up visit number {i} with the ward team" in text
    # Owner, due date and status share one cell in the PDF: all three are still there.
    owner = str(rich_plan.account.owner)
    assert f"{owner} · 1 Mar 2026 · In progress · overdue" in text
    assert f"{owner} · 30 Sep 2026 · Planned" in text
    assert "Owner · Due · Status" in text


@needs_pdftotext
@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_a_word_too_long_for_its_cell_wraps_in_the_pdf(cast, rich_plan):
    word = "Pharmacoeconomic" * 6
    ActionFactory(plan=rich_plan, title=f"Send the {word} dossier")
    content = render_pdf(plan_export_data(rich_plan, variant="internal", user=cast.kam_a))
    raw = "".join(pdf_pages(content))
    assert word not in raw  # not on one line: it would run across the next column
    assert word in re.sub(r"\s+", "", raw)  # but all of it is there
    assert "\u200b" not in raw  # the break points print as nothing


@needs_pdftotext
@time_machine.travel("2026-07-02 12:00 +0200", tick=False)
def test_the_joint_pdf_has_no_stances_or_margins(cast, login, rich_plan):
    response = export(login(cast.kam_a), rich_plan, "joint", "pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    lowered = text.lower()
    assert "Joint account plan" in text and "Page 1 of" in text
    for title in OBJECTIVES:
        assert title in text
    for word in STANCE_WORDS:
        assert word not in lowered, word
    assert "23.5" not in text and "margin" not in lowered
    assert not any(w in text for w in WEAKNESSES + THREATS)
    assert "people-days" not in lowered


def test_it_keeps_medical_work_out_of_the_joint_plan(cast, rich_plan):
    # Shared, yet medical work: the firewall keeps it out all the same.
    ActionFactory(plan=rich_plan, title="Scientific exchange on CLL data", owner=cast.medical, share_with_customer=True)
    internal = plan_export_data(rich_plan, variant="internal", user=cast.kam_a)
    joint = plan_export_data(rich_plan, variant="joint", user=cast.kam_a)
    assert "Scientific exchange on CLL data" in deck_text(render_pptx(internal))
    assert "Scientific exchange on CLL data" not in deck_text(render_pptx(joint))


def test_it_uses_the_dmu_snapshot_taken_at_submission(cast, rich_plan):
    rich_plan.xray_snapshot = {
        "taken_at": "2026-05-04T10:00:00+02:00",
        "stakeholders": [
            {"name": "Dr. Gone Away", "position": "CMO", "role": "Decision maker", "influence": 5, "stance": -2}
        ],
        "gaps": ["Decision maker Dr. Gone Away has no owner on our side."],
    }
    rich_plan.save(update_fields=["xray_snapshot"])
    text = deck_text(render_pptx(plan_export_data(rich_plan, variant="internal", user=cast.kam_a)))
    assert "Dr. Gone Away" in text and "strongly unfavourable" in text and "4 May 2026" in text
    assert "has no owner on our side" in text
    assert "Fanning" not in text


@pytest.mark.parametrize("variant", ["internal", "joint"])
@pytest.mark.parametrize("fmt", ["pptx", "pdf"])
def test_it_checks_visibility(cast, login, rich_plan, variant, fmt):
    assert export(login(cast.kam_c), rich_plan, variant, fmt).status_code == 404
    assert export(login(cast.manager_a), rich_plan, variant, fmt).status_code == 200


def test_it_refuses_unknown_formats_and_variants(cast, login, rich_plan):
    client = login(cast.kam_a)
    assert export(client, rich_plan, "internal", "docx").status_code == 404
    assert export(client, rich_plan, "secret", "pdf").status_code == 404
    assert client.post(reverse("plans:export", args=[rich_plan.pk, "internal", "pdf"])).status_code == 405


def test_it_sends_anonymous_users_to_the_login(client, rich_plan):
    response = export(client, rich_plan, "joint", "pdf")
    assert response.status_code == 302 and "/login" in response["Location"]


def _grow(plan, n: int, cast) -> None:
    for i in range(n):
        objective = ObjectiveFactory(plan=plan, share_with_customer=True)
        ResourceFactory(action=ActionFactory(plan=plan, objective=objective, share_with_customer=True))
        SwotFactory(plan=plan, kind=SwotKind.values[i % 4])
        CommunicationFactory(plan=plan)
        affiliation = AffiliationFactory(account=plan.account, stance=i % 5 - 2)
        CoverageFactory(affiliation=affiliation, user=cast.kam_a)
        CoverageFactory(affiliation=affiliation, user=cast.medical)
        RelationshipObjectiveFactory(plan=plan, affiliation=affiliation)


@pytest.mark.parametrize(
    "variant,queries",
    [("internal", 13), ("joint", 8)],
)
def test_it_reads_a_plan_in_a_fixed_number_of_queries(cast, django_assert_num_queries, variant, queries):
    small = PlanFactory(account=cast.account_a)
    big = PlanFactory(account=cast.account_c)
    _grow(small, 5, cast)
    _grow(big, 100, cast)
    for plan in (small, big):
        with django_assert_num_queries(queries):
            data = plan_export_data(plan, variant=variant, user=cast.kam_a)
    assert sum(len(b.get("rows", [])) for s in data["sections"] for b in s["blocks"]) >= 300


def test_a_long_table_continues_on_further_slides_with_its_header():
    deck = Deck(footer="Test")
    slides = deck.table("Actions", ["Action", "Owner"], [[f"Row {i}", "Ann"] for i in range(30)], widths=[3, 1])
    assert len(slides) == 3
    prs = Presentation(io.BytesIO(deck.to_bytes()))
    tables = [s.table for slide in prs.slides for s in slide.shapes if s.has_table]
    assert [len(t.rows) for t in tables] == [13, 13, 7]
    assert all(t.cell(0, 0).text == "Action" for t in tables)
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=0.01)


def test_it_survives_text_no_document_can_hold(cast, rich_plan):
    ObjectiveFactory(plan=rich_plan, title="Bell\x07 and\x0b form\x1b feed")
    set_step(rich_plan, 4, value_proposition="x" * 5000)
    data = plan_export_data(rich_plan, variant="internal", user=cast.kam_a)
    assert "Bell and form feed" in deck_text(render_pptx(data))
    assert render_pdf(data).startswith(b"%PDF")


def test_the_deck_helpers_split_long_lists_and_fit_pictures():
    from PIL import Image

    deck = Deck(title="Portfolio review", footer="Test", author="Helvetia Pharma")
    deck.title_slide("Portfolio review", ["Region South", "FY 2026"])
    gaps = [f"Gap {i}: no pharmacist in the DMU of hospital number {i}" for i in range(60)]
    assert len(deck.bullets("Gaps", gaps)) > 1
    png = io.BytesIO()
    Image.new("RGB", (1600, 400), "#123c5a").save(png, format="PNG")
    slide = deck.picture("Matrix", png.getvalue(), caption="Accounts by attractiveness and position")
    long_swot = [("Strengths", ["A strength that goes on and on " * 6] * 8), ("Weaknesses", [])]
    assert len(deck.grid("SWOT", long_swot)) >= 1  # falls back to flowing text
    content = deck.to_bytes()
    prs = Presentation(io.BytesIO(content))
    text = deck_text(content)
    assert all(g in text for g in gaps)
    assert prs.core_properties.author == "Helvetia Pharma" and prs.core_properties.title == "Portfolio review"
    picture = next(s for s in slide.shapes if s.shape_type == 13)
    assert picture.left >= 0 and picture.left + picture.width <= prs.slide_width
    assert picture.top + picture.height <= prs.slide_height
