"""A survey campaign's results as CSV and XLSX: named campaigns one row per answer at accounts the
user sees; anonymous campaigns only what the campaign page shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kam.spreadsheet import csv_text
from stakeholders.models import CampaignStatus, InvitationStatus, QuestionKind, SurveyQuestion
from tests.export_helpers import PAYLOADS, assert_xlsx_neutralised, csv_body, csv_header, csv_rows, xlsx_rows
from tests.factories import TeamMemberFactory
from tests.stakeholder_factories import PersonFactory
from tests.survey_factories import DraftCampaignFactory, InvitationFactory, ResponseFactory
from tests.test_formula_injection import assert_no_formula_cell

DIFFERENTLY = "What should we do differently?"
RATED = "How well do we understand you?"
COMMENT = "Anything else you would like to tell us?"


def _campaign(cast, *, anonymous: bool = False):
    campaign = DraftCampaignFactory(created_by=cast.manager_a, anonymous=anonymous, status=CampaignStatus.OPEN)
    rated = SurveyQuestion.objects.create(survey=campaign.survey, kind=QuestionKind.RATING, text=RATED, order=1)
    text = SurveyQuestion.objects.create(survey=campaign.survey, kind=QuestionKind.TEXT, text=DIFFERENTLY, order=2)
    return campaign, rated, text


def _answer(campaign, account, *, score=4, rated=None, text=None, comment="", person=None, **answers):
    invitation = InvitationFactory(
        campaign=campaign,
        account=account,
        person=person or PersonFactory(),
        status=InvitationStatus.ANSWERED,
    )
    stored = {}
    if rated is not None:
        stored[str(rated[0].pk)] = rated[1]
    if text is not None:
        stored[str(text[0].pk)] = text[1]
    return ResponseFactory(invitation=invitation, csat_score=score, answers=stored, comment=comment)


def _export(client, campaign, fmt="csv"):
    return client.get(reverse("stakeholders:campaign-export", args=[campaign.pk, fmt]))


def test_a_named_campaign_exports_one_row_per_answer_with_score_and_every_answer(cast, login):
    campaign, rated, text = _campaign(cast)
    _answer(
        campaign,
        cast.account_a,
        score=2,
        rated=(rated, 3),
        text=(text, "Call back sooner"),
        comment="Thanks",
        person=PersonFactory(first_name="Eva", last_name="Brenner"),
    )
    InvitationFactory(campaign=campaign, account=cast.account_a)  # not answered: no row
    rows = csv_rows(_export(login(cast.kam_a), campaign))
    assert len(rows) == 1
    row = rows[0]
    assert (row["Account"], row["Stakeholder"], row["CSAT score (1–5)"]) == ("Account A", "Dr. Eva Brenner", "2")
    assert (row[RATED], row[DIFFERENTLY], row[COMMENT]) == ("3", "Call back sooner", "Thanks")
    xlsx = xlsx_rows(_export(login(cast.kam_a), campaign, "xlsx"))
    assert (xlsx[0]["CSAT score (1–5)"], xlsx[0][RATED], xlsx[0][DIFFERENTLY]) == (2, 3, "Call back sooner")


def test_a_named_campaign_exports_only_answers_at_accounts_the_user_sees(cast, login):
    campaign, _rated, text = _campaign(cast)
    _answer(campaign, cast.account_a, text=(text, "From A"))
    _answer(campaign, cast.account_c, text=(text, "From C"))
    assert [r[DIFFERENTLY] for r in csv_rows(_export(login(cast.kam_a), campaign))] == ["From A"]
    assert [r[DIFFERENTLY] for r in xlsx_rows(_export(login(cast.kam_c), campaign, "xlsx"))] == ["From C"]
    assert sorted(r[DIFFERENTLY] for r in csv_rows(_export(login(cast.head), campaign))) == ["From A", "From C"]
    assert "From C" not in csv_body(_export(login(cast.kam_a), campaign))


def test_a_campaign_the_user_cannot_see_is_a_404(cast, login):
    campaign, _rated, _text = _campaign(cast)
    _answer(campaign, cast.account_c)
    assert _export(login(cast.kam_a), campaign).status_code == 404
    assert _export(login(cast.kam_a), campaign, "xlsx").status_code == 404


def test_medical_colleagues_with_a_seat_export_the_answers_too(cast, login):
    # Survey answers are commercial feedback, not medical content: the page shows them to both sides.
    TeamMemberFactory(account=cast.account_a, user=cast.medical)
    campaign, _rated, text = _campaign(cast)
    _answer(campaign, cast.account_a, text=(text, "Seen"))
    assert [r[DIFFERENTLY] for r in csv_rows(_export(login(cast.medical), campaign))] == ["Seen"]


def test_an_anonymous_campaign_exports_nothing_while_its_answers_are_suppressed(cast, login):
    campaign, _rated, text = _campaign(cast, anonymous=True)
    for n in range(4):
        _answer(campaign, cast.account_a, text=(text, f"Text {n}"), comment=f"Comment {n}")
    for fmt in ("csv", "xlsx"):
        response = _export(login(cast.kam_a), campaign, fmt)
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert rows == []
    assert "Text" not in csv_body(_export(login(cast.kam_a), campaign)).replace("Written answer", "")


def test_an_anonymous_campaign_exports_texts_alone_in_alphabetical_order(cast, login):
    campaign, rated, text = _campaign(cast, anonymous=True)
    written = ["Zebra crossing", "Apples", "More visits", "Better dossiers", "Clearer prices"]
    for n, words in enumerate(written):
        _answer(
            campaign,
            cast.account_a,
            score=n % 5 + 1,
            rated=(rated, 5),
            text=(text, words),
            comment="Fine" if n == 0 else "",
            person=PersonFactory(last_name=f"Secret{n}"),
        )
    response = _export(login(cast.kam_a), campaign)
    assert csv_header(response) == ["Question", "Written answer"]
    rows = csv_rows(_export(login(cast.kam_a), campaign))
    assert [(r["Question"], r["Written answer"]) for r in rows] == [
        *((DIFFERENTLY, w) for w in sorted(written)),
        (COMMENT, "Fine"),
    ]
    body = csv_body(_export(login(cast.kam_a), campaign))
    assert "Secret" not in body and "Account A" not in body
    xlsx = xlsx_rows(_export(login(cast.kam_a), campaign, "xlsx"))
    assert list(xlsx[0]) == ["Question", "Written answer"]
    assert [r["Written answer"] for r in xlsx] == [*sorted(written), "Fine"]


def test_anonymous_suppression_counts_the_answers_the_user_sees(cast, login):
    campaign, _rated, text = _campaign(cast, anonymous=True)
    for n in range(5):
        _answer(campaign, cast.account_a, text=(text, f"A{n}"))
    for n in range(2):
        _answer(campaign, cast.account_c, text=(text, f"C{n}"))
    assert len(csv_rows(_export(login(cast.kam_a), campaign))) == 5
    assert csv_rows(_export(login(cast.kam_c), campaign)) == []  # two answers: hidden


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_neutralised_in_the_results(cast, login, payload):
    campaign, _rated, text = _campaign(cast)
    _answer(campaign, cast.account_a, text=(text, payload), comment=payload, person=PersonFactory(last_name=payload))
    client = login(cast.kam_a)
    assert_no_formula_cell(csv_body(_export(client, campaign)))
    row = csv_rows(_export(client, campaign))[0]
    assert (row[DIFFERENTLY], row[COMMENT]) == (csv_text(payload), csv_text(payload))
    assert_xlsx_neutralised(_export(client, campaign, "xlsx"), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_neutralised_in_anonymous_results(cast, login, payload):
    campaign, _rated, text = _campaign(cast, anonymous=True)
    for n in range(5):
        _answer(campaign, cast.account_a, text=(text, payload if n == 0 else f"T{n}"))
    client = login(cast.kam_a)
    assert_no_formula_cell(csv_body(_export(client, campaign)))
    assert csv_text(payload) in [r["Written answer"] for r in csv_rows(_export(client, campaign))]
    assert_xlsx_neutralised(_export(client, campaign, "xlsx"), payload)


def test_a_stored_non_character_in_an_answer_still_exports(cast, login):
    campaign, _rated, text = _campaign(cast)
    _answer(campaign, cast.account_a, text=(text, "Soon\uffff\x0b"), person=PersonFactory(last_name="Bren\uffffner"))
    row = csv_rows(_export(login(cast.kam_a), campaign))[0]
    assert row[DIFFERENTLY] == "Soon" and row["Stakeholder"].endswith("Brenner")
    assert xlsx_rows(_export(login(cast.kam_a), campaign, "xlsx"))[0][DIFFERENTLY] == "Soon"


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_results_export_costs_a_fixed_number_of_queries(cast, login, fmt, anonymous, django_assert_max_num_queries):
    campaign, rated, text = _campaign(cast, anonymous=anonymous)
    for n in range(30):
        _answer(campaign, cast.account_a, rated=(rated, 4), text=(text, f"Text {n}"), comment=f"Comment {n}")
    client = login(cast.kam_a)
    # Session, user, campaign; named: questions, responses; anonymous: suppression rows, questions, texts.
    with django_assert_max_num_queries(6 if anonymous else 5):
        response = _export(client, campaign, fmt)
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert len(rows) == (60 if anonymous else 30)


def test_an_unknown_format_is_a_404(cast, login):
    campaign, _rated, _text = _campaign(cast)
    _answer(campaign, cast.account_a)
    assert _export(login(cast.kam_a), campaign, "pdf").status_code == 404
