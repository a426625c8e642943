"""Survey campaigns' progress and results (CSAT, anonymity, what a KAM may see, the person page,
the campaign page's queries) and the account's Surveys tab with its follow-ups. Who may run a
campaign, the form, the preview and dispatch are in test_campaigns.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountType
from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    LowScoreFollowUp,
    SurveyInvitation,
)
from tests.factories import AccountFactory
from tests.survey_factories import (
    DraftCampaignFactory,
    FollowUpFactory,
    InvitationFactory,
    ResponseFactory,
    answered,
)

# Progress and results -------------------------------------------------------------------------


def test_the_progress_partial_counts_and_polls_while_invitations_wait(key, login, sent_campaign):
    a = key.account_a
    InvitationFactory(campaign=sent_campaign, account=a)
    answered(sent_campaign, a, 5)
    InvitationFactory(
        campaign=sent_campaign, account=a, status=InvitationStatus.FAILED, sent_at=None, error="550 mailbox unavailable"
    )
    waiting = InvitationFactory(campaign=sent_campaign, account=a, status=InvitationStatus.QUEUED, sent_at=None)
    client = login(key.kam_a)
    url = reverse("stakeholders:campaign-progress", args=[sent_campaign.pk])
    response = client.get(url)
    counts = response.context["counts"]
    assert (counts["total"], counts["sent"], counts["failed"], counts["queued"], counts["answered"]) == (5, 3, 1, 1, 1)
    assert response.context["result"].response_rate == 33.3
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html and f'hx-get="{url}"' in html
    assert "550 mailbox unavailable" in html and '<div class="stat-value" data-count="sent">3</div>' in html

    SurveyInvitation.objects.filter(pk=waiting.pk).update(status=InvitationStatus.SENT, sent_at=timezone.now())
    html = client.get(url).content.decode()
    assert "hx-trigger" not in html and '<div class="stat-value" data-count="sent">4</div>' in html


def test_csat_is_the_share_of_fours_and_fives_and_indicative_below_thirty(key, login, sent_campaign):
    scores = [5, 5, 4, 4, 3, 2, 1, 5, 4, 3]
    for score in scores:
        answered(sent_campaign, key.account_a, score, comment="Fast replies" if score == 5 else "")
    InvitationFactory(campaign=sent_campaign, account=key.account_a)  # sent_campaign has one unanswered already
    response = login(key.manager_a).get(sent_campaign.get_absolute_url())
    result = response.context["result"]
    assert (result.answers, result.satisfied, result.invited) == (10, 6, 12)
    assert result.pct == 60.0 and result.response_rate == 83.3 and result.indicative
    html = response.content.decode()
    assert 'id="csat-pct">60.0 %<' in html and "indicative (fewer than 30 answers)" in html
    [hospital] = response.context["by_type"]
    assert hospital["label"] == "Hospital" and hospital["csat"].pct == 60.0
    [owner] = response.context["by_owner"]
    assert owner["label"] == str(key.kam_a) and owner["csat"].answers == 10
    # Named campaign: comments show who said it.
    assert html.count("Fast replies") == 3 and "score 5" in html


def test_anonymous_results_hide_groups_below_five_and_never_name_anyone(key, login):
    pharmacy = AccountFactory(
        name="Stadt-Apotheke", owner=key.kam_b, account_type=AccountType.PHARMACY, is_key_account=True
    )
    campaign = DraftCampaignFactory(created_by=key.manager_a, anonymous=True, status=CampaignStatus.OPEN)
    for score in [5, 4, 4, 2, 1]:
        answered(campaign, key.account_a, score)
    small = [answered(campaign, pharmacy, 2, comment="Deliveries are late"), answered(campaign, pharmacy, 5)]
    response = login(key.manager_a).get(campaign.get_absolute_url())
    assert response.context["result"].answers == 7 and not response.context["hide_result"]
    # The pharmacy's two answers are hidden, and so is the hospital's five: 7 − 5 would give them.
    by_type = {g["label"]: g["hidden"] for g in response.context["by_type"]}
    assert by_type == {"Hospital": True, "Pharmacy": True}
    by_owner = {g["label"]: g["hidden"] for g in response.context["by_owner"]}
    assert by_owner == {str(key.kam_a): True, str(key.kam_b): True}
    html = response.content.decode()
    assert html.count("hidden to keep answers anonymous") == 4
    assert "60.0 %" not in html
    # The comment is there, but not where it came from.
    assert "Deliveries are late" in html and "Stadt-Apotheke" not in html
    assert str(small[0].invitation.person) not in html
    # No follow-up for a low score in an anonymous campaign, and no score on the person's page.
    person_page = login(key.manager_a).get(reverse("stakeholders:person", args=[small[0].invitation.person_id]))
    history = person_page.context["survey_history"]
    assert history[0]["anonymous"] and history[0]["score"] is None and history[0]["comment"] == ""
    assert "anonymous campaign" in person_page.content.decode()
    assert "Deliveries are late" not in person_page.content.decode()


def test_anonymous_totals_below_five_are_hidden(key, login):
    campaign = DraftCampaignFactory(created_by=key.manager_a, anonymous=True, status=CampaignStatus.OPEN)
    for score in [5, 1]:
        answered(campaign, key.account_a, score)
    response = login(key.manager_a).get(campaign.get_absolute_url())
    assert response.context["hide_result"]
    assert "Anonymous campaign: fewer than 5 answers — hidden." in response.content.decode()
    assert 'id="csat-pct"' not in response.content.decode()


def test_a_kam_sees_only_the_figures_of_accounts_they_can_see(key, login):
    campaign = DraftCampaignFactory(created_by=key.admin, status=CampaignStatus.OPEN)
    answered(campaign, key.account_a, 5)
    answered(campaign, key.account_c, 1, comment="Never see our KAM")
    response = login(key.kam_a).get(campaign.get_absolute_url())
    assert response.context["result"].answers == 1
    assert "Never see our KAM" not in response.content.decode()
    assert login(key.admin).get(campaign.get_absolute_url()).context["result"].answers == 2


def test_the_person_page_shows_their_named_answers(key, login, sent_campaign):
    response = answered(sent_campaign, key.account_a, 2, comment="Too many visits")
    page = login(key.kam_a).get(reverse("stakeholders:person", args=[response.invitation.person_id]))
    [row] = page.context["survey_history"]
    assert row["score"] == 2 and row["comment"] == "Too many visits"
    assert sent_campaign.name in page.content.decode()


def _fill(campaign, account, start: int, stop: int) -> None:
    for n in range(start, stop):
        if n % 3 == 0:
            InvitationFactory(campaign=campaign, account=account, status=InvitationStatus.FAILED, error="550 unknown")
        else:
            answered(campaign, account, 1 + n % 5, comment=f"comment {n}")


def test_the_campaign_page_costs_the_same_queries_at_5_and_50_invitations(key, login, django_assert_max_num_queries):
    pharmacy = AccountFactory(owner=key.kam_b, account_type=AccountType.PHARMACY, is_key_account=True)
    campaign = DraftCampaignFactory(
        created_by=key.manager_a,
        audience={"accounts": [key.account_a.pk, pharmacy.pk], "owners": [key.kam_a.pk, key.kam_b.pk]},
        status=CampaignStatus.OPEN,
    )
    client = login(key.manager_a)
    counts = []
    for start, stop in ((0, 5), (5, 50)):
        _fill(campaign, key.account_a if start == 0 else pharmacy, start, stop)
        client.get(campaign.get_absolute_url())  # the session is read once and cached
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as ctx:
            response = client.get(campaign.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert response.context["counts"]["total"] == 50
    assert counts[0] == counts[1], counts


# The account's Surveys tab ---------------------------------------------------------------------


@pytest.fixture
def follow_up(key, sent_campaign):
    response = answered(sent_campaign, key.account_a, 1, comment="Nobody called back about the shortage")
    return FollowUpFactory(invitation=response.invitation)


def test_the_account_tab_shows_csat_and_open_follow_ups(key, login, follow_up):
    ResponseFactory(invitation=InvitationFactory(campaign=follow_up.invitation.campaign, account=key.account_a))
    response = login(key.kam_a).get(reverse("accounts:surveys", args=[key.account_a.pk]))
    html = response.content.decode()
    assert str(follow_up.invitation.person) in html
    assert "Nobody called back about the shortage" in html
    assert reverse("stakeholders:follow-up-close", args=[follow_up.pk]) in html
    [row] = response.context["csat_history"]
    assert row["csat"].answers == 2 and row["csat"].pct == 50.0
    assert "signal" in html


def test_the_owner_closes_a_follow_up_with_a_note(key, login, follow_up):
    client = login(key.kam_a)
    response = client.post(
        reverse("stakeholders:follow-up-close", args=[follow_up.pk]), {"note": "Called back, shortage explained"}
    )
    assert response.status_code == 302
    assert response["Location"] == key.account_a.get_absolute_url() + "#surveys"
    follow_up.refresh_from_db()
    assert follow_up.closed_at is not None and follow_up.closed_by == key.kam_a
    assert follow_up.note == "Called back, shortage explained"
    html = client.get(reverse("accounts:surveys", args=[key.account_a.pk])).content.decode()
    card = html[html.index('id="follow-ups"') : html.index('id="csat-history"')]
    assert "Nobody called back about the shortage" not in card
    # Closing twice keeps the first note.
    client.post(reverse("stakeholders:follow-up-close", args=[follow_up.pk]), {"note": "Again"})
    assert LowScoreFollowUp.objects.get(pk=follow_up.pk).note == "Called back, shortage explained"


def test_closing_needs_a_note_and_the_right_to_edit_the_account(key, login, follow_up):
    url = reverse("stakeholders:follow-up-close", args=[follow_up.pk])
    empty = login(key.kam_a).post(url, {"note": ""})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    # The account team sees the follow-up but does not close it; outsiders do not see it.
    team_page = login(key.access).get(reverse("accounts:surveys", args=[key.account_a.pk])).content.decode()
    assert "Nobody called back about the shortage" in team_page and url not in team_page
    assert login(key.access).post(url, {"note": "done"}).status_code == 403
    assert login(key.kam_c).post(url, {"note": "done"}).status_code == 404
    assert login(key.manager_a).post(url, {"note": "Manager called"}).status_code == 302
    assert LowScoreFollowUp.objects.get(pk=follow_up.pk).closed_by == key.manager_a
