"""The portfolio review deck, read back with python-pptx: its slides, its figures, and only the
accounts the user may see, with the dashboard's filters."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pptx import Presentation

from kam.portfolio.health.refresh import refresh_health
from tests.factories import AccountFactory, FinancialsFactory
from tests.health_data import TODAY, refreshed_portfolio


@pytest.fixture
def portfolio(cast):
    with refreshed_portfolio(cast) as data:
        yield data


def _deck(response) -> Presentation:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return Presentation(io.BytesIO(response.content))


def _texts(slide) -> list[str]:
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame and shape.text_frame.text.strip():
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return texts


def _slide(deck, title: str):
    return next(s for s in deck.slides if any(t.endswith(title) or title in t.split("\n") for t in _texts(s)))


def _table(slide) -> list[list[str]]:
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_deck_holds_the_headline_figures_the_matrix_and_the_accounts_at_risk(cast, portfolio, login):
    response = login(cast.head).get(reverse("portfolio-review"))
    assert response["Content-Disposition"] == f'attachment; filename="portfolio-review-{TODAY.isoformat()}.pptx"'
    assert response["Cache-Control"] == "private, no-store"
    deck = _deck(response)
    cover = "\n".join(_texts(deck.slides[0]))
    assert "Portfolio review" in cover and "All accounts you can see" in cover and "FY 2026" in cover
    assert len(deck.slides) == 7

    headline = dict(row for row in _table(_slide(deck, "Headline figures")))
    assert headline["Key accounts"] == "2: 2 hospitals, 0 pharmacies, 0 wholesalers"
    assert headline["Health of the key accounts"] == "50 on average; 0 healthy, 1 needs attention, 1 at risk"
    assert headline["Revenue 2026"] == "91,100 EUR of 120,880 EUR target (75.4 %)"
    assert headline["Objectives"] == "1 on track, 1 at risk, 1 achieved"

    matrix = _slide(deck, "Portfolio matrix")
    bubbles = {shape.name: shape for shape in matrix.shapes if shape.name in ("Account A", "Account C")}
    assert str(bubbles["Account A"].fill.fore_color.rgb) == "E08E0B"  # amber: 64
    assert str(bubbles["Account C"].fill.fore_color.rgb) == "B02A37"  # red: 36
    # Attractiveness up, our position right: A (80 / 30) sits higher and further left than C (40 / 70).
    assert bubbles["Account A"].top < bubbles["Account C"].top
    assert bubbles["Account A"].left < bubbles["Account C"].left
    assert {"healthy: 70 and above", "at risk: below 40"} <= set(_texts(matrix))
    rows = _table(_slide(deck, "Portfolio matrix: the accounts"))
    assert rows[1:] == [
        ["Account A", "Star", "80", "30", "90,000", "64 · needs attention"],
        # This year's revenue in the reporting currency: C's 1,000 USD at the year's rate of 1.1.
        ["Account C", "Status", "40", "70", "1,100", "36 · at risk"],
    ]

    at_risk = _table(_slide(deck, "Key accounts most at risk"))
    assert [r[0] for r in at_risk[1:]] == ["Account C", "Account A"]
    assert at_risk[1][2:4] == ["36 · at risk", "Account plan: 0"]
    assert at_risk[1][4] == "Start the plan for FY 2026 and work through its seven steps."
    assert at_risk[2][3] == "Relationships: 33"

    revenue = _table(_slide(deck, "Revenue 2026 against target by KAM (EUR)"))
    assert sorted(r[1:] for r in revenue[1:]) == [["1,100", "880", "125.0 %"], ["90,000", "120,000", "75.0 %"]]
    assert not any(
        "furthest behind target" in t for t in _texts(_slide(deck, "Revenue 2026 against target by KAM (EUR)"))
    )


def test_a_cut_revenue_table_says_it_is_cut(cast, portfolio, login, monkeypatch):
    monkeypatch.setattr("kam.portfolio.dashboard.BY_KAM_LIMIT", 1)
    deck = _deck(login(cast.head).get(reverse("portfolio-review")))
    slide = _slide(deck, "Revenue 2026 against target by KAM (EUR)")
    # The KAM furthest behind target (75 %), and a kicker saying the table holds 1 of 2 KAMs.
    assert _table(slide)[1:] == [[_table(slide)[1][0], "90,000", "120,000", "75.0 %"]]
    assert any("the 1 KAMs furthest behind target, of 2" in t for t in _texts(slide))


def test_a_kam_never_gets_another_teams_accounts(cast, portfolio, login):
    deck = _deck(login(cast.kam_a).get(reverse("portfolio-review")))
    text = "\n".join(t for slide in deck.slides for t in _texts(slide))
    assert "Account A" in text
    assert "Account C" not in text and "1,100" not in text
    assert login(cast.kam_a).get(reverse("portfolio-review"), {"owner": cast.kam_c.pk}).status_code == 400


def test_the_dashboard_filters_apply_and_are_named_on_the_title_slide(cast, portfolio, login):
    deck = _deck(login(cast.head).get(reverse("portfolio-review"), {"owner": cast.kam_c.pk}))
    assert f"KAM: {cast.kam_c}" in "\n".join(_texts(deck.slides[0]))
    rows = _table(_slide(deck, "Key accounts most at risk"))
    assert [r[0] for r in rows[1:]] == ["Account C"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("kam_a", 200), ("kam_c", 200), ("manager_b", 200), ("access", 200), ("medical", 403), ("admin", 200)],
)
def test_every_role_gets_a_deck_of_its_own_scope(cast, portfolio, login, role, status):
    response = login(getattr(cast, role)).get(reverse("portfolio-review"))
    assert response.status_code == status
    if status == 403:  # the medical/commercial firewall: revenue and health are commercial figures
        return
    text = "\n".join(t for slide in _deck(response).slides for t in _texts(slide))
    assert ("Account A" in text) == (role in {"kam_a", "access", "admin"})
    assert ("Account C" in text) == (role in {"kam_c", "manager_b", "admin"})


def test_anonymous_users_are_sent_to_login(client, cast):
    response = client.get(reverse("portfolio-review"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_deck_costs_the_same_queries_for_more_accounts(cast, portfolio, login, django_assert_max_num_queries):
    client = login(cast.admin)
    counts = []
    for extra in (0, 30):
        for _i in range(extra):
            account = AccountFactory(owner=cast.kam_a, is_key_account=True, attractiveness=55, position=45)
            FinancialsFactory(account=account, year=TODAY.year)
        refresh_health(today=TODAY)
        with django_assert_max_num_queries(15) as ctx:
            assert client.get(reverse("portfolio-review")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
