"""The plan deck on slide layouts: every slide's title in its title placeholder, a typical plan in
at most twelve slides with nothing outside its slide, native charts holding the plan's numbers, the
org chart as a picture, and the company template an administrator uploads used by every deck."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from accounts.models import AccountType
from plans.exports.cache import export_key
from plans.exports.data import plan_export_data
from plans.exports.pdf import render_pdf
from plans.exports.plan_deck import render_pptx
from plans.exports.template import MAX_TEMPLATE_BYTES, TemplateError, check_template, house_template
from plans.models import ActionStatus, DeckTemplate, SwotKind, WhitespaceCell, WhitespaceStatus
from tests.factories import FinancialsFactory, ProductFactory
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
from tests.plans.test_exports import needs_pdftotext, pdf_text
from tests.stakeholder_factories import AffiliationFactory, PersonFactory

NOW = "2026-07-02 12:00 +0200"
TEXT = (
    "The hospital wants to become the regional reference centre for haemato-oncology and to shorten the time "
    "from diagnosis to therapy, while keeping its drug budget flat. "
)


@pytest.fixture
def typical(cast):
    """A typical plan: 4 objectives, 15 actions, a DMU of 12 with reporting lines, every step filled."""
    account = cast.account_a
    account.account_type = AccountType.HOSPITAL
    account.attractiveness, account.position = 72, 38
    account.save()
    FinancialsFactory(account=account, year=2026, gross_profit=Decimal("41000"))
    FinancialsFactory(account=account, year=2025)
    plan = PlanFactory(account=account, budget=Decimal("40000"))
    set_step(plan, 1, commentary=TEXT, investment_decision="invest")
    set_step(plan, 2, strategy=TEXT * 2, needs="Shorter stays.\nPredictable supply.", drivers=TEXT)
    set_step(plan, 3, notes="Bring the pharmacy director to the steering meeting.")
    set_step(plan, 4, value_proposition=TEXT * 2)
    set_step(plan, 5, notes="Reviewed in the monthly account team call.")
    set_step(plan, 6, audit_notes="Half-year audit in July.")
    set_step(plan, 7, notes="Steering meeting twice a year.")
    for kind in SwotKind.values:
        for n in range(3):
            SwotFactory(plan=plan, kind=kind, text=f"{kind} point {n}: {TEXT[:70]}")
    products = [ProductFactory() for _ in range(3)]
    for n, centre in enumerate(["Oncology", "Haematology", "Pharmacy", "Day care"]):
        for m, product in enumerate(products):
            WhitespaceCell.objects.create(
                plan=plan,
                buying_centre=centre,
                product=product,
                status=WhitespaceStatus.values[(n + m) % 4],
                estimated_value=Decimal(10000 * (n + 1)) if m == 0 else None,
            )
    head = None
    people = []
    for i in range(12):
        a = AffiliationFactory(
            account=account,
            person=PersonFactory(last_name=f"Person{i}"),
            influence=1 + i % 5,
            stance=i % 5 - 2,
            reports_to=head if i else None,
        )
        head = head or a
        people.append(a)
    for a in people[:2]:
        RelationshipObjectiveFactory(plan=plan, affiliation=a, from_stance=-1, to_stance=1)
    objectives = [ObjectiveFactory(plan=plan, title=f"Objective {n}: more patients on pathway {n}") for n in range(4)]
    for n in range(15):
        action = ActionFactory(
            plan=plan,
            objective=objectives[n % 4],
            title=f"Action {n}: workshop with department {n}",
            due_date=date(2026, 3 + n % 9, 10),
            status=ActionStatus.values[n % len(ActionStatus.values)],
        )
        ResourceFactory(action=action)
    for n in range(3):
        CommunicationFactory(plan=plan, audience=f"Department {n}")
    return plan


def deck_of(plan, cast, variant: str = "internal") -> Presentation:
    with time_machine.travel(NOW, tick=False):
        data = plan_export_data(plan, variant=variant, user=cast.kam_a)
        return Presentation(io.BytesIO(render_pptx(data)))


def shapes(prs):
    for slide in prs.slides:
        yield from ((slide, shape) for shape in slide.shapes)


@pytest.mark.parametrize("variant", ["internal", "joint"])
def test_it_fits_a_typical_plan_in_twelve_slides_on_title_placeholders(cast, typical, variant):
    prs = deck_of(typical, cast, variant)
    assert len(prs.slides) <= 12
    for slide in prs.slides:
        title = slide.shapes.title
        assert title is not None and title.is_placeholder and title.text_frame.text.strip()


@pytest.mark.parametrize("variant", ["internal", "joint"])
def test_every_shape_stays_within_its_slide(cast, typical, variant):
    prs = deck_of(typical, cast, variant)
    for slide, shape in shapes(prs):
        assert shape.left >= 0 and shape.top >= 0, shape.name
        assert shape.left + shape.width <= prs.slide_width, shape.name
        assert shape.top + shape.height <= prs.slide_height, (shape.name, slide.shapes.title.text_frame.text)


def test_the_charts_are_native_and_hold_the_plans_numbers(cast, typical):
    prs = deck_of(typical, cast)
    charts = {shape.chart.chart_type: shape.chart for _slide, shape in shapes(prs) if shape.has_chart}
    position = charts[XL_CHART_TYPE.XY_SCATTER]
    (series,) = position.plots[0].series
    assert list(series.iter_values()) == [72.0]
    x_values = series._element.xpath("./c:xVal//c:v")
    assert [float(v.text) for v in x_values] == [38.0]

    xray = charts[XL_CHART_TYPE.BUBBLE]
    points = []
    for s in xray.plots[0].series:
        xs = [float(v.text) for v in s._element.xpath("./c:xVal//c:v")]
        ys = [float(v.text) for v in s._element.xpath("./c:yVal//c:v")]
        sizes = [float(v.text) for v in s._element.xpath("./c:bubbleSize//c:v")]
        points += [(x, y, n) for x, y, n in zip(xs, ys, sizes, strict=True)]
    expected: dict[tuple[float, float], int] = {}
    for a in typical.account.affiliations.all():
        key = (float(a.stance), float(a.influence))
        expected[key] = expected.get(key, 0) + 1
    assert sorted(points) == sorted((x, y, float(n)) for (x, y), n in expected.items())


def test_the_org_chart_is_a_picture_and_the_whitespace_one_grid(cast, typical):
    prs = deck_of(typical, cast)
    pictures = [shape for _slide, shape in shapes(prs) if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert [p.image.content_type for p in pictures] == ["image/png"]
    assert pictures[0].width > Inches(6)
    grids = [
        shape.table
        for _slide, shape in shapes(prs)
        if shape.has_table and shape.table.cell(0, 0).text == "Department / buying centre"
    ]
    assert len(grids) == 1 and len(grids[0].rows) == 5 and len(grids[0].columns) == 4


def test_the_executive_summary_is_one_slide(cast, typical):
    prs = deck_of(typical, cast)
    titles = [slide.shapes.title.text_frame.text for slide in prs.slides]
    assert titles.count("Executive summary") == 1 and titles[1] == "Executive summary"
    assert not any(t.startswith("Executive summary (") for t in titles)


@needs_pdftotext
def test_the_pdf_prints_the_summary_and_the_org_chart(cast, typical):
    with time_machine.travel(NOW, tick=False):
        content = render_pdf(plan_export_data(typical, variant="internal", user=cast.kam_a))
    assert b"/Subtype /Image" in content
    text = pdf_text(content)
    assert "Executive summary" in text and "Org chart: who reports to whom" in text


def test_the_joint_deck_has_no_charts_or_summary(cast, typical):
    prs = deck_of(typical, cast, "joint")
    assert not any(shape.has_chart or shape.shape_type == MSO_SHAPE_TYPE.PICTURE for _s, shape in shapes(prs))
    assert "Executive summary" not in [slide.shapes.title.text_frame.text for slide in prs.slides]


def test_hostile_text_still_exports_with_its_titles(cast, typical):
    bad = "".join(["\uffff", "\x0b", "\ufffe", "\x7f", "\U0001ffff", "\x1b", "<&>\"'"])
    typical.account.__class__.objects.filter(pk=typical.account_id).update(name=f"Klinik{bad}um")
    ObjectiveFactory(plan=typical, title=f"Listing{bad} Oncoril")
    set_step(typical, 4, value_proposition=f"Fewer{bad} hours " * 200)
    WhitespaceCell.objects.filter(plan=typical, buying_centre="Oncology").update(buying_centre=f"Ward{bad}")
    prs = deck_of(typical, cast)
    text = "\n".join(s.text_frame.text for _sl, s in shapes(prs) if s.has_text_frame)
    assert "Fewer<&>\"' hours" in text
    assert all(slide.shapes.title is not None for slide in prs.slides)


# -- The company template ---------------------------------------------------------------------------

MASTER_MARK = "ACME master frame"


def company_template() -> bytes:
    """The house template at 4:3 with a named shape on its master: easy to recognise in a deck."""
    from lxml import etree

    prs = Presentation(io.BytesIO(house_template()))
    prs.slide_width, prs.slide_height = Inches(10), Inches(7.5)
    tree = prs.slide_master.shapes._spTree
    bar = next(e for e in tree if e.tag.endswith("}sp") and e.xpath("./p:nvSpPr/p:cNvPr/@name")[0] == "Title bar")
    mark = etree.fromstring(etree.tostring(bar))
    mark.xpath("./p:nvSpPr/p:cNvPr", namespaces={"p": mark.nsmap["p"]})[0].set("name", MASTER_MARK)
    mark.xpath("./p:nvSpPr/p:cNvPr", namespaces={"p": mark.nsmap["p"]})[0].set("id", "99")
    tree.append(mark)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def upload(client, content: bytes, name: str = "template.pptx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("admin:plans_decktemplate_add"),
        {"name": "ACME 2026", "is_active": "on", "upload": SimpleUploadedFile(name, content)},
    )


def uses_company_master(content: bytes) -> bool:
    prs = Presentation(io.BytesIO(content))
    marked = any(s.name == MASTER_MARK for s in prs.slide_master.shapes)
    return marked and prs.slide_width == Inches(10) and len(prs.slides) > 0


@pytest.fixture
def admin_client(cast, login):
    cast.admin.is_staff = cast.admin.is_superuser = True
    cast.admin.save()
    return login(cast.admin)


def test_an_uploaded_template_is_used_by_the_plan_deck_and_the_portfolio_review(cast, typical, admin_client, login):
    with time_machine.travel(NOW, tick=False):
        before = export_key(plan_export_data(typical, variant="internal", user=cast.kam_a), "pptx")
    response = upload(admin_client, company_template())
    assert response.status_code == 302, response.content[:2000]
    assert DeckTemplate.objects.get().is_active
    with time_machine.travel(NOW, tick=False):
        after = export_key(plan_export_data(typical, variant="internal", user=cast.kam_a), "pptx")
    assert before != after  # the export cache renders anew
    kam = login(cast.kam_a)
    deck = kam.get(reverse("plans:export", args=[typical.pk, "internal", "pptx"]))
    assert deck.status_code == 200 and uses_company_master(deck.content)
    prs = Presentation(io.BytesIO(deck.content))
    for slide in prs.slides:
        assert slide.shapes.title is not None
        for shape in slide.shapes:
            assert shape.left + shape.width <= prs.slide_width and shape.top + shape.height <= prs.slide_height
    review = login(cast.head).get(reverse("portfolio-review"))
    assert review.status_code == 200 and uses_company_master(review.content)
    prs = Presentation(io.BytesIO(review.content))
    for slide in prs.slides:
        assert slide.shapes.title is not None and slide.shapes.title.text_frame.text
        for shape in slide.shapes:
            assert shape.left + shape.width <= prs.slide_width and shape.top + shape.height <= prs.slide_height


def test_a_second_upload_replaces_the_active_template(admin_client):
    assert upload(admin_client, company_template()).status_code == 302
    response = upload(admin_client, house_template())
    assert response.status_code == 302, (
        response.status_code,
        response.content.decode()[:300],
        getattr(response.context_data or {}, "get", lambda k: None)("errors"),
    )
    assert DeckTemplate.objects.count() == 2 and DeckTemplate.objects.filter(is_active=True).count() == 1


def _no_title_layouts() -> bytes:
    prs = Presentation(io.BytesIO(house_template()))
    for layout in prs.slide_layouts:
        for ph in list(layout.placeholders):
            if ph.placeholder_format.type in (1, 3):  # title, centre title
                ph._element.getparent().remove(ph._element)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"%PDF-1.7 not a deck", "not a PowerPoint file"),
        (b"PK\x03\x04 broken zip", "not a PowerPoint file"),
        ("no_titles", "title placeholder"),
    ],
)
def test_a_bad_upload_is_refused_with_a_reason(admin_client, content, message):
    if content == "no_titles":
        content = _no_title_layouts()
    response = upload(admin_client, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert not DeckTemplate.objects.exists()


def test_a_too_large_upload_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr("plans.admin.MAX_TEMPLATE_BYTES", 1000)
    response = upload(admin_client, house_template())
    assert response.status_code == 200 and "larger than" in response.content.decode()
    with pytest.raises(TemplateError):
        check_template(b"x" * (MAX_TEMPLATE_BYTES + 1))


def test_the_admin_pages_of_the_template_open(admin_client):
    assert upload(admin_client, company_template()).status_code == 302
    template = DeckTemplate.objects.get()
    assert template.uploaded_by is not None and len(template.sha256) == 64
    for url in (
        reverse("admin:plans_decktemplate_changelist"),
        reverse("admin:plans_decktemplate_add"),
        reverse("admin:plans_decktemplate_change", args=[template.pk]),
    ):
        assert admin_client.get(url).status_code == 200
    # Renaming keeps the file: the upload is optional on a change.
    response = admin_client.post(
        reverse("admin:plans_decktemplate_change", args=[template.pk]), {"name": "ACME 2027", "is_active": "on"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "ACME 2027" and uses_company_master(render_with(template))


def render_with(template: DeckTemplate) -> bytes:
    from plans.exports.deck import Deck

    deck = Deck(template=bytes(template.content))
    deck.slide("A slide")
    return deck.to_bytes()
