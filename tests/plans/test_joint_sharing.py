"""Sharing with the customer: the joint plan (PowerPoint, PDF, the preview page and a medical
colleague's view of the plan) holds the objectives and actions marked "share with customer" and the
parts the joint plan always shows (the customer's strategy and needs, strengths and opportunities,
the value proposition, current contacts, our team, external communication), and nothing else.

A marker is written into every field the customer must not see; each one must be missing from every
joint format and present in the internal ones, so that a marker the internal plan does not show
either cannot make the test pass by accident."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from pptx import Presentation

from plans.exports.cache import export_key
from plans.exports.data import plan_export_data
from plans.exports.pdf import render_pdf
from plans.exports.plan_deck import render_pptx
from plans.models import AccountPlan, Action, AudienceKind, SwotKind, WhitespaceCell, WhitespaceStatus
from plans.row_forms import ActionFormSet
from plans.step_pages import STEP_PAGES
from stakeholders.models import Stance
from tests.factories import AccountFactory, FinancialsFactory, ProductFactory, TeamMemberFactory
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
from tests.plans.test_exports import STANCE_WORDS, deck_text, needs_pdftotext, pdf_text
from tests.stakeholder_factories import AffiliationFactory, PersonFactory

pytestmark = pytest.mark.django_db
TODAY = "2026-07-02 12:00 +0200"
# The preview page: session and user (2), the plan, the two shared counts, the joint data (8), whatever the rows.
QUERIES = 13


def marker(field: str) -> str:
    return f"Qz{field}Zq"


# Every text the customer must not see, by where it is written.
HIDDEN_TEXT = [
    marker(name)
    for name in (
        "commentary",
        "drivers",
        "relnotes",
        "actionnotes",
        "auditnotes",
        "comnotes",
        "weakness",
        "threat",
        "centre",
        "brand",
        "objtitle",
        "objkpi",
        "objunit",
        "acttitle",
        "custacttitle",
        "comaudience",
        "commessage",
        "comchannel",
        "comfrequency",
        "leftperson",
    )
]
# Every figure the customer must not see, as digits: budgets, financials, an unshared objective's values.
HIDDEN_NUMBERS = ["864213", "59317", "7654321", "4312987", "9182736", "617283", "271828", "314159", "299792"]
SHARED_TEXT = [
    "Shared pathway objective",
    "Pathway KPI",
    "Shared pathway workshop",
    "Shared action under a private objective",
    "Customer-owned pathway audit",
    "Strong oncology centre",
    "New day-care unit",
    "Quarterly steering letter",
    "Become the regional cancer centre",
    "Shorter time to therapy",
    "Fewer days in hospital",
]


@pytest.fixture
def plan(cast):
    account = cast.account_a
    FinancialsFactory(
        account=account,
        year=2026,
        revenue_actual=Decimal("7654321"),
        gross_profit=Decimal("4312987"),
        estimated_potential=Decimal("9182736"),
    )
    plan = PlanFactory(account=account, budget=Decimal("864213"))
    set_step(plan, 1, commentary=marker("commentary"), investment_decision="invest")
    set_step(
        plan,
        2,
        strategy="Become the regional cancer centre",
        needs="Shorter time to therapy",
        drivers=marker("drivers"),
    )
    set_step(plan, 3, notes=marker("relnotes"))
    set_step(plan, 4, value_proposition="Fewer days in hospital")
    set_step(plan, 5, notes=marker("actionnotes"))
    set_step(plan, 6, audit_notes=marker("auditnotes"))
    set_step(plan, 7, notes=marker("comnotes"))
    SwotFactory(plan=plan, kind=SwotKind.STRENGTH, text="Strong oncology centre")
    SwotFactory(plan=plan, kind=SwotKind.OPPORTUNITY, text="New day-care unit")
    SwotFactory(plan=plan, kind=SwotKind.WEAKNESS, text=marker("weakness"))
    SwotFactory(plan=plan, kind=SwotKind.THREAT, text=marker("threat"))
    WhitespaceCell.objects.create(
        plan=plan,
        buying_centre=marker("centre"),
        product=ProductFactory(brand=marker("brand")),
        status=WhitespaceStatus.OPPORTUNITY,
        estimated_value=Decimal("617283"),
    )
    # The DMU: a current contact the joint plan names (but never with a stance), and one who left,
    # named only by the internal plan's relationship objectives.
    hostile = AffiliationFactory(
        account=account, person=PersonFactory(last_name="Contactly"), stance=Stance.STRONGLY_UNFAVOURABLE
    )
    left = AffiliationFactory(
        account=account, person=PersonFactory(last_name=marker("leftperson")), end_date=date(2026, 3, 1)
    )
    RelationshipObjectiveFactory(plan=plan, affiliation=left, from_stance=-1, to_stance=1)
    RelationshipObjectiveFactory(plan=plan, affiliation=hostile, from_stance=-2, to_stance=0)
    private = ObjectiveFactory(
        plan=plan,
        title=marker("objtitle"),
        kpi=marker("objkpi"),
        unit=marker("objunit"),
        baseline=Decimal("271828"),
        target=Decimal("314159"),
        current_value=Decimal("299792"),
    )
    shared = ObjectiveFactory(plan=plan, title="Shared pathway objective", kpi="Pathway KPI", share_with_customer=True)
    ResourceFactory(
        action=ActionFactory(plan=plan, objective=shared, title="Shared pathway workshop", share_with_customer=True),
        budget=Decimal("59317"),
    )
    ActionFactory(
        plan=plan, objective=private, title="Shared action under a private objective", share_with_customer=True
    )
    ActionFactory(
        plan=plan,
        objective=shared,
        title="Customer-owned pathway audit",
        share_with_customer=True,
        customer_owner=hostile,
    )
    ActionFactory(plan=plan, objective=shared, title=marker("acttitle"))
    ActionFactory(plan=plan, title=marker("custacttitle"), customer_owner=hostile)
    CommunicationFactory(
        plan=plan,
        audience_kind=AudienceKind.INTERNAL,
        audience=marker("comaudience"),
        message=marker("commessage"),
        channel=marker("comchannel"),
        frequency=marker("comfrequency"),
    )
    CommunicationFactory(plan=plan, audience_kind=AudienceKind.EXTERNAL, message="Quarterly steering letter")
    return plan


def squeezed(text: str) -> str:
    """The text without white space: a cell may wrap a marker."""
    return re.sub(r"\s+", "", text)


def shown(text: str) -> tuple[set[str], set[str]]:
    """The hidden texts and numbers the text shows; numbers with or without thousands separators."""
    flat = squeezed(text)
    texts = {m for m in HIDDEN_TEXT if m in flat}
    figures = re.sub(r"(?<=\d)[,.\u00a0\u202f'’ ](?=\d{3}(?!\d))", "", text)
    numbers = {n for n in HIDDEN_NUMBERS if re.search(rf"(?<!\d){n}(?!\d)", figures)}
    return texts, numbers


def deck_and_notes_text(content: bytes) -> str:
    """All text python-pptx reads from a deck: its shapes and tables (``deck_text``) and its notes."""
    notes = [
        slide.notes_slide.notes_text_frame.text
        for slide in Presentation(io.BytesIO(content)).slides
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None
    ]
    return "\n".join([deck_text(content), *notes])


def package_text(content: bytes) -> str:
    """Every text of every part of an Office file, tags stripped, embedded workbooks (a chart's
    data) included: what a customer could find by unzipping the file."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for name in package.namelist():
            part = package.read(name)
            if name.endswith((".xlsx", ".xlsm")):
                texts.append(package_text(part))
            elif name.endswith((".xml", ".rels")):
                texts.append(re.sub(r"<[^>]+>", " ", part.decode("utf-8", "replace")))
    return "\n".join(texts)


def joint_formats(plan, user) -> dict[str, str]:
    data = plan_export_data(plan, variant="joint", user=user)
    deck = render_pptx(data)
    return {"pptx": deck_and_notes_text(deck), "pptx package": package_text(deck), "pdf": pdf_text(render_pdf(data))}


def internal_formats(plan, user) -> dict[str, str]:
    data = plan_export_data(plan, variant="internal", user=user)
    return {"pptx": deck_and_notes_text(render_pptx(data)), "pdf": pdf_text(render_pdf(data))}


@needs_pdftotext
@time_machine.travel(TODAY, tick=False)
def test_it_shows_the_internal_plan_every_marker(cast, plan):
    for fmt, text in internal_formats(plan, cast.kam_a).items():
        assert shown(text) == (set(HIDDEN_TEXT), set(HIDDEN_NUMBERS)), fmt
        assert "strongly unfavourable" in text.lower(), fmt


@needs_pdftotext
@time_machine.travel(TODAY, tick=False)
def test_it_keeps_every_unshared_field_out_of_the_joint_exports(cast, plan):
    for fmt, text in joint_formats(plan, cast.kam_a).items():
        assert shown(text) == (set(), set()), fmt
        for word in STANCE_WORDS:
            assert word not in text.lower(), (fmt, word)
        flat = squeezed(text)
        for words in SHARED_TEXT:
            assert squeezed(words) in flat, (fmt, words)


@time_machine.travel(TODAY, tick=False)
def test_the_joint_preview_shows_only_what_is_shared(cast, login, plan):
    response = login(cast.kam_a).get(reverse("plans:joint", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert shown(html) == (set(), set())
    for words in SHARED_TEXT:
        assert words in html, words
    assert "Shared: 1 of 2 objectives (step 4), 3 of 5 actions (step 5)." in html
    assert "{#" not in html and "{%" not in html  # no template comment shown as text


@time_machine.travel(TODAY, tick=False)
def test_a_medical_colleague_reads_the_same_filtered_plan(cast, login, plan):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    client = login(cast.medical)
    for url in (reverse("plans:detail", args=[plan.pk]), reverse("plans:joint", args=[plan.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert shown(html) == (set(), set()), url
        assert "Shared pathway workshop" in html and "Shared: " not in html


@time_machine.travel(TODAY, tick=False)
def test_the_joint_plan_names_the_customer_owner_and_the_internal_one_both(cast, plan):
    def owners(variant: str) -> dict[str, str]:
        data = plan_export_data(plan, variant=variant, user=cast.kam_a)
        table = next(b for s in data["sections"] for b in s["blocks"] if b.get("title") in ("Joint actions", "Actions"))
        return {row[0]: row[1] for row in table["rows"]}

    customer, kam = str(plan.actions.get(title="Customer-owned pathway audit").customer_owner.person), str(cast.kam_a)
    joint = owners("joint")
    assert joint["Customer-owned pathway audit"] == customer
    assert joint["Shared pathway workshop"] == kam
    assert owners("internal")["Customer-owned pathway audit"] == f"{kam} (customer: {customer})"


@time_machine.travel(TODAY, tick=False)
def test_a_shared_action_does_not_name_its_unshared_objective(cast, plan):
    data = plan_export_data(plan, variant="joint", user=cast.kam_a)
    table = next(b for s in data["sections"] for b in s["blocks"] if b.get("title") == "Joint actions")
    groups = dict(zip((row[0] for row in table["rows"]), table["groups"], strict=True))
    assert groups["Shared action under a private objective"] == "Not tied to an objective"
    assert groups["Shared pathway workshop"] == "Objective: Shared pathway objective"
    # Only in memory: the action still serves its objective.
    assert Action.objects.get(title="Shared action under a private objective").objective.title == marker("objtitle")


def test_sharing_an_item_makes_a_new_export(cast, plan):
    """The export cache keys a file by a digest of its content: sharing changes the content."""
    before = export_key(plan_export_data(plan, variant="joint", user=cast.kam_a), "pdf")
    plan.actions.filter(title=marker("acttitle")).update(share_with_customer=True)
    after = export_key(plan_export_data(plan, variant="joint", user=cast.kam_a), "pdf")
    assert before != after
    plan.actions.filter(title=marker("acttitle")).update(share_with_customer=False)
    assert export_key(plan_export_data(plan, variant="joint", user=cast.kam_a), "pdf") == before


def _action_post(plan, **row) -> dict:
    data = {"act-TOTAL_FORMS": "1", "act-INITIAL_FORMS": "0", "act-MIN_NUM_FORMS": "0", "act-MAX_NUM_FORMS": "200"}
    values = {"title": "Joint visit", "owner": plan.account.owner.pk, "status": "planned", **row}
    data.update({f"act-0-{k}": v for k, v in values.items()})
    return data


def test_it_offers_the_accounts_current_stakeholders_as_customer_owners(cast, plan):
    other = AffiliationFactory(account=AccountFactory(owner=cast.kam_a), person=PersonFactory(last_name="Elsewhere"))
    offered = {
        str(a.person) for a in ActionFormSet(plan=plan, prefix="act").empty_form.fields["customer_owner"].queryset
    }
    assert any("Contactly" in name for name in offered)
    # Someone who left the account is not offered, nor another account's stakeholder.
    assert not any(marker("leftperson") in name or "Elsewhere" in name for name in offered)
    refused = ActionFormSet(_action_post(plan, customer_owner=other.pk), plan=plan, prefix="act")
    assert not refused.is_valid()
    assert "customer_owner" in refused.forms[0].errors


def test_it_saves_sharing_and_the_customer_owner_from_the_step_rows(cast, plan):
    hostile = plan.actions.get(title="Customer-owned pathway audit").customer_owner
    formset = ActionFormSet(
        _action_post(plan, share_with_customer="on", customer_owner=hostile.pk), plan=plan, prefix="act"
    )
    assert formset.is_valid(), formset.errors
    formset.save()
    saved = plan.actions.get(title="Joint visit")
    assert saved.share_with_customer and saved.customer_owner == hostile
    unshared = ActionFormSet(_action_post(plan, title="Private visit"), plan=plan, prefix="act")
    assert unshared.is_valid(), unshared.errors
    unshared.save()
    assert plan.actions.get(title="Private visit").share_with_customer is False


def test_an_action_refuses_another_accounts_stakeholder(cast, plan):
    other = AffiliationFactory(account=AccountFactory(owner=cast.kam_a))
    action = ActionFactory(plan=plan, customer_owner=other)
    with pytest.raises(ValidationError, match="this account's stakeholders"):
        action.full_clean()


def test_the_plan_page_links_the_preview(cast, login, plan):
    html = login(cast.kam_a).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert reverse("plans:joint", args=[plan.pk]) in html


@time_machine.travel(TODAY, tick=False)
def test_the_preview_reads_a_fixed_number_of_queries(cast, login, plan, django_assert_max_num_queries):
    client = login(cast.kam_a)
    client.get(reverse("plans:joint", args=[plan.pk]))  # the session's first reads
    for i in range(20):
        ActionFactory(plan=plan, title=f"Shared visit {i}", share_with_customer=True)
        ObjectiveFactory(plan=plan, share_with_customer=True)
    with django_assert_max_num_queries(QUERIES):
        response = client.get(reverse("plans:joint", args=[plan.pk]))
    assert response.status_code == 200


def test_the_step_rows_are_drawn_afresh_when_sharing_changes(cast, plan):
    """The drawn rows of steps 4 and 5 are cached by what they show, sharing and the customer owner included."""

    def key(number: int) -> str:
        page = STEP_PAGES[number](AccountPlan.objects.get(pk=plan.pk), cast.kam_a)
        return page.rows_key(page.formsets(), True)

    objectives, actions = key(4), key(5)
    plan.objectives.filter(title=marker("objtitle")).update(share_with_customer=True)
    assert key(4) != objectives
    plan.actions.filter(title=marker("acttitle")).update(customer_owner=None, share_with_customer=True)
    changed = key(5)
    assert changed != actions
    plan.actions.filter(title=marker("acttitle")).update(
        customer_owner=plan.actions.get(title="Customer-owned pathway audit").customer_owner
    )
    assert key(5) != changed
