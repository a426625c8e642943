"""Anonymous campaigns: no figure, and no difference of figures, narrows answers down to fewer than
five people; comments come without the account, the date or the order of answering.

The rule is ``results.anonymous_suppression``. The tests check it against an attacker who knows
which accounts belong to which type and KAM, sees every figure shown to one viewer (the total, each
group of each breakdown: type and KAM on the campaign page, account on the account page) and adds
and subtracts them at will: ``revealed`` finds every set of accounts whose answers that attacker
can compute exactly.
"""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from django.urls import reverse

from accounts.models import AccountType
from stakeholders.models import CampaignStatus
from stakeholders.surveys import results
from tests.factories import AccountFactory
from tests.survey_factories import DraftCampaignFactory, answered

MIN = results.ANONYMOUS_MIN_GROUP
PRIME = 2**61 - 1  # ranks of small 0/1 matrices are the same modulo this prime as over the rationals


def _reduce(vector: list[int], basis: list[tuple[int, list[int]]]) -> list[int]:
    vector = [x % PRIME for x in vector]
    for pivot, row in basis:
        if vector[pivot]:
            factor = vector[pivot]
            vector = [(x - factor * y) % PRIME for x, y in zip(vector, row, strict=True)]
    return vector


def _basis(vectors: list[list[int]]) -> list[tuple[int, list[int]]]:
    basis: list[tuple[int, list[int]]] = []
    for vector in vectors:
        rest = _reduce(vector, basis)
        pivot = next((i for i, x in enumerate(rest) if x), None)
        if pivot is not None:
            inverse = pow(rest[pivot], PRIME - 2, PRIME)
            basis.append((pivot, [x * inverse % PRIME for x in rest]))
    return basis


def shown_figures(rows: list[dict], suppression: results.Suppression, breakdowns) -> list[list[int]]:
    """Each figure shown, as the accounts (rows) it sums."""
    figures = []
    if not suppression.total_hidden:
        figures.append([1] * len(rows))
    for b in breakdowns:
        for key in {row[b] for row in rows}:
            if not suppression.hides(b, key):
                figures.append([int(row[b] == key) for row in rows])
    return figures


def revealed(rows: list[dict], suppression: results.Suppression, breakdowns=results.BREAKDOWNS) -> list[tuple]:
    """Sets of accounts with 1 to 4 answers in all whose sum the shown figures determine: exactly
    those whose indicator lies in the span of the figures' indicators."""
    basis = _basis(shown_figures(rows, suppression, breakdowns))
    leaks = []
    for size in range(1, len(rows) + 1):
        for subset in combinations(range(len(rows)), size):
            answers = sum(rows[i]["answers"] for i in subset)
            if 0 < answers < MIN and not any(_reduce([int(i in subset) for i in range(len(rows))], basis)):
                leaks.append(tuple(rows[i]["account_id"] for i in subset))
    return leaks


def account(pk: int, answers: int, account_type: str = "hospital", owner: str = "anna") -> dict:
    return {"account_id": pk, "account__account_type": account_type, "account__owner_id": owner, "answers": answers}


def below_five_only(rows: list[dict], breakdowns=results.BREAKDOWNS) -> results.Suppression:
    """The rule before complementary suppression: hide what has fewer than five answers."""
    total = sum(row["answers"] for row in rows)
    hidden = {}
    for b in breakdowns:
        sizes: dict = {}
        for row in rows:
            sizes[row[b]] = sizes.get(row[b], 0) + row["answers"]
        hidden[b] = frozenset(key for key, n in sizes.items() if n < MIN)
    return results.Suppression(total_hidden=total < MIN, hidden=hidden)


# One breakdown ----------------------------------------------------------------------------------

ONE = ("account__account_type",)


def test_groups_of_five_or_more_all_show():
    rows = [account(1, 7, "hospital"), account(2, 5, "pharmacy")]  # total 12
    suppression = results.anonymous_suppression(rows, ONE)
    assert not suppression.total_hidden and suppression.hidden == {ONE[0]: frozenset()}
    assert revealed(rows, suppression, ONE) == []


def test_a_lone_small_group_takes_the_next_smallest_group_with_it():
    rows = [account(1, 6, "hospital"), account(2, 3, "pharmacy")]  # total 9: 9 − 6 would give the 3
    assert revealed(rows, below_five_only(rows, ONE), ONE) == [(2,)]

    suppression = results.anonymous_suppression(rows, ONE)
    assert suppression.hidden[ONE[0]] == {"hospital", "pharmacy"}
    assert not suppression.total_hidden
    assert revealed(rows, suppression, ONE) == []


def test_the_smallest_shown_group_is_the_one_hidden_with_it():
    rows = [account(1, 10, "hospital"), account(2, 6, "wholesaler"), account(3, 3, "pharmacy")]
    suppression = results.anonymous_suppression(rows, ONE)
    assert suppression.hidden[ONE[0]] == {"pharmacy", "wholesaler"}
    assert revealed(rows, suppression, ONE) == []


def test_small_groups_that_together_have_five_need_no_more_hiding():
    rows = [account(1, 10, "hospital"), account(2, 3, "pharmacy"), account(3, 2, "wholesaler")]
    suppression = results.anonymous_suppression(rows, ONE)
    assert suppression.hidden[ONE[0]] == {"pharmacy", "wholesaler"}
    assert revealed(rows, suppression, ONE) == []


def test_a_group_without_answers_reveals_nothing_and_hides_nothing_else():
    rows = [account(1, 8, "hospital"), account(2, 0, "pharmacy")]
    suppression = results.anonymous_suppression(rows, ONE)
    assert suppression.hidden[ONE[0]] == {"pharmacy"}
    assert revealed(rows, suppression, ONE) == []


def test_a_total_below_five_hides_everything():
    rows = [account(1, 3, "hospital"), account(2, 1, "pharmacy")]
    suppression = results.anonymous_suppression(rows, ONE)
    assert suppression.total_hidden
    assert suppression.hides(ONE[0], "hospital") and suppression.hides(ONE[0], "pharmacy")
    assert shown_figures(rows, suppression, ONE) == []


# Breakdowns side by side ------------------------------------------------------------------------

TWO = ("account__account_type", "account__owner_id")


def test_subtracting_one_breakdown_from_another_reveals_nothing():
    # Anna's only account is a pharmacy: pharmacies (8) − Anna (6) = Ben's pharmacy, 2 answers,
    # though every group on its own has five or more.
    rows = [account(1, 6, "pharmacy", "anna"), account(2, 2, "pharmacy", "ben"), account(3, 10, "hospital", "ben")]
    assert revealed(rows, below_five_only(rows, TWO), TWO) == [(2,)]

    suppression = results.anonymous_suppression(rows, TWO)
    assert revealed(rows, suppression, TWO) == []
    # Per KAM stays readable; per type goes.
    assert suppression.hidden == {TWO[0]: {"pharmacy", "hospital"}, TWO[1]: frozenset()}


def test_the_account_page_figure_cannot_be_subtracted_from_the_campaign_page():
    # One KAM, two hospitals: the account page would show hospital 1's 6 answers, the campaign page
    # the KAM's 8, and 8 − 6 = hospital 2's 2.
    rows = [account(1, 6), account(2, 2)]
    assert revealed(rows, below_five_only(rows)) == [(2,)]

    suppression = results.anonymous_suppression(rows)
    assert suppression.hides("account_id", 1) and suppression.hides("account_id", 2)
    assert not suppression.hides("account__owner_id", "anna")  # the campaign page keeps the 8
    assert revealed(rows, suppression) == []


def test_an_account_with_five_shows_when_its_neighbours_have_five_too():
    rows = [account(1, 6), account(2, 5), account(3, 3, "pharmacy", "ben"), account(4, 4, "pharmacy", "ben")]
    suppression = results.anonymous_suppression(rows)
    assert not suppression.hides("account_id", 1) and not suppression.hides("account_id", 2)
    assert suppression.hides("account_id", 3) and suppression.hides("account_id", 4)
    assert revealed(rows, suppression) == []


@pytest.mark.parametrize("seed", range(300))
def test_no_figures_ever_reveal_fewer_than_five_answers(seed):
    rng = random.Random(seed)
    rows = [
        account(pk, rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12]), rng.choice("HPW"), rng.choice(["anna", "ben", "carl"]))
        for pk in range(1, rng.randint(2, 7) + 1)
    ]
    suppression = results.anonymous_suppression(rows)
    assert revealed(rows, suppression) == [], rows
    if not any(0 < row["answers"] < MIN for row in rows):
        # Nothing small to cover: every account with five answers shows. The rule does not just
        # hide everything.
        assert not any(suppression.hides("account_id", row["account_id"]) for row in rows if row["answers"] >= MIN)


# The pages --------------------------------------------------------------------------------------


@pytest.fixture
def two_types(cast):
    """Total 9: six answers at a hospital of KAM A, three at a pharmacy of KAM B."""
    pharmacy = AccountFactory(name="Stadt-Apotheke", owner=cast.kam_b, account_type=AccountType.PHARMACY)
    return cast, pharmacy


def _fill(campaign, cast, pharmacy) -> None:
    for score in [5, 5, 4, 4, 4, 1]:
        answered(campaign, cast.account_a, score, comment="Zebra crossing at the entrance" if score == 1 else "")
    for score in [2, 1, 1]:
        answered(campaign, pharmacy, score, comment="Always late" if score == 2 else "")


def test_the_campaign_page_hides_the_group_a_hidden_one_could_be_subtracted_from(two_types, login):
    cast, pharmacy = two_types
    campaign = DraftCampaignFactory(created_by=cast.manager_a, anonymous=True, status=CampaignStatus.OPEN)
    _fill(campaign, cast, pharmacy)
    response = login(cast.manager_a).get(campaign.get_absolute_url())
    assert response.context["result"].answers == 9 and not response.context["hide_result"]
    assert [(g["label"], g["hidden"], g["csat"]) for g in response.context["by_type"]] == [
        ("Hospital", True, None),
        ("Pharmacy", True, None),
    ]
    assert all(g["hidden"] and g["csat"] is None for g in response.context["by_owner"])
    html = response.content.decode()
    assert "83.3 %" not in html  # the hospital's 5 of 6


def test_the_same_answers_in_a_named_campaign_show_every_group(two_types, login):
    cast, pharmacy = two_types
    campaign = DraftCampaignFactory(created_by=cast.manager_a, status=CampaignStatus.OPEN)
    _fill(campaign, cast, pharmacy)
    response = login(cast.manager_a).get(campaign.get_absolute_url())
    by_type = {g["label"]: g["csat"].pct for g in response.context["by_type"]}
    assert by_type == {"Hospital": 83.3, "Pharmacy": 0.0}


def test_anonymous_comments_come_without_account_or_date_in_text_order(two_types, login):
    cast, pharmacy = two_types
    campaign = DraftCampaignFactory(created_by=cast.manager_a, anonymous=True, status=CampaignStatus.OPEN)
    _fill(campaign, cast, pharmacy)
    response = login(cast.manager_a).get(campaign.get_absolute_url())
    comments = response.context["written"][-1]
    assert [text for _, text in comments.texts] == ["Always late", "Zebra crossing at the entrance"]
    html = response.content.decode()
    comments = html[html.index('id="comments"') :]
    assert "Always late" in comments and "Zebra crossing" in comments
    assert "Stadt-Apotheke" not in comments and cast.account_a.name not in comments
    assert "score" not in comments


def test_anonymous_comments_stay_hidden_below_five_answers(cast, login):
    campaign = DraftCampaignFactory(created_by=cast.manager_a, anonymous=True, status=CampaignStatus.OPEN)
    for score in [5, 4, 2]:
        answered(campaign, cast.account_a, score, comment=f"Comment with score {score}")
    response = login(cast.manager_a).get(campaign.get_absolute_url())
    html = response.content.decode()
    assert response.context["written"] == [] and response.context["written_hidden"]
    assert "Comment with score" not in html
    assert "fewer than 5 answers — written answers hidden" in html


def test_the_account_page_hides_a_figure_the_campaign_page_could_be_subtracted_from(cast, login):
    campaign = DraftCampaignFactory(created_by=cast.manager_a, anonymous=True, status=CampaignStatus.OPEN)
    second = AccountFactory(name="Klinik Zwei", owner=cast.kam_a)
    for score in [5, 5, 5, 4, 4, 4]:
        answered(campaign, cast.account_a, score)
    for score in [1, 1]:
        answered(campaign, second, score)
    client = login(cast.kam_a)
    assert client.get(campaign.get_absolute_url()).context["result"].answers == 8
    tab = reverse("accounts:surveys", args=[cast.account_a.pk])
    [row] = client.get(tab).context["csat_history"]
    assert row["hidden"] and row["csat"] is None
    assert "100.0 %" not in client.get(tab).content.decode()

    # With five answers at the second hospital too, both accounts show.
    for score in [3, 3, 4]:
        answered(campaign, second, score)
    [row] = client.get(tab).context["csat_history"]
    assert not row["hidden"] and row["csat"].pct == 100.0


def test_the_account_page_shows_a_named_campaign_whatever_the_numbers(cast, login):
    campaign = DraftCampaignFactory(created_by=cast.manager_a, status=CampaignStatus.OPEN)
    answered(campaign, cast.account_a, 5)
    [row] = login(cast.kam_a).get(reverse("accounts:surveys", args=[cast.account_a.pk])).context["csat_history"]
    assert not row["hidden"] and row["csat"].answers == 1
