"""Survey campaign pages: who may run and see them, the form, the audience preview, dispatch
through the outbox, progress, results and the account's follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from accounts.models import Account, AccountType
from kam.urls import urlpatterns as kam_urlpatterns
from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    LowScoreFollowUp,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
)
from stakeholders.surveys import dispatch
from tests.factories import AccountFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory
from tests.survey_factories import (
    DraftCampaignFactory,
    FollowUpFactory,
    InvitationFactory,
    ResponseFactory,
    SurveyConsentFactory,
    SurveyFactory,
    answered,
)

# The e-mails link to the public survey pages. Until those exist in this tree, the tests route
# the two names to a stub (see survey_links) so that invitations can be rendered and sent.


def _stub(request, token):
    return HttpResponse("survey page")


urlpatterns = [
    *kam_urlpatterns,
    path(
        "survey/",
        include(
            (
                [path("<str:token>/", _stub, name="answer"), path("<str:token>/opt-out/", _stub, name="opt-out")],
                "survey",
            )
        ),
    ),
]


@pytest.fixture(autouse=True)
def survey_links(settings):
    try:
        reverse("survey:answer", args=["1-x"])
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


@pytest.fixture
def key(cast):
    """Accounts A (KAM A, under manager A) and C (KAM C, under manager B) as key accounts."""
    Account.objects.filter(pk__in=[cast.account_a.pk, cast.account_c.pk]).update(is_key_account=True)
    return cast


def reachable(account, **person):
    """Someone at ``account`` who may be surveyed: e-mail, consent, nothing against it."""
    affiliation = AffiliationFactory(account=account, person=PersonFactory(**person))
    SurveyConsentFactory(person=affiliation.person)
    return affiliation.person


def tomorrow_plus(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# Who may do what ------------------------------------------------------------------------------


@pytest.fixture
def sent_campaign(key):
    """Manager A's campaign, sent to one person at account A."""
    campaign = DraftCampaignFactory(
        created_by=key.manager_a, audience={"accounts": [key.account_a.pk]}, status=CampaignStatus.OPEN
    )
    InvitationFactory(campaign=campaign, account=key.account_a, person=reachable(key.account_a))
    return campaign


# (list, new, preview, dispatch, detail): KAMs see campaigns that reached their accounts but never
# run one; a manager runs their own; a manager above sees it but does not run it; outsiders get 404.
MATRIX = {
    "kam_a": (True, 403, 403, 403, 200),
    "manager_a": (True, 200, 200, 302, 200),
    "admin": (True, 200, 200, 302, 200),
    "head": (True, 200, 403, 403, 200),
    "kam_c": (False, 403, 404, 404, 404),
    "manager_b": (False, 200, 404, 404, 404),
}


@pytest.mark.parametrize("role", MATRIX)
def test_it_scopes_every_campaign_page(role, key, login, sent_campaign):
    listed, new, preview, dispatch, detail = MATRIX[role]
    client = login(getattr(key, role))
    response = client.get(reverse("stakeholders:campaigns"))
    assert response.status_code == 200
    assert (sent_campaign.name in response.content.decode()) is listed
    assert client.get(reverse("stakeholders:campaign-new")).status_code == new
    assert client.get(reverse("stakeholders:campaign-preview", args=[sent_campaign.pk])).status_code == preview
    assert client.post(reverse("stakeholders:campaign-dispatch", args=[sent_campaign.pk])).status_code == dispatch
    assert client.get(reverse("stakeholders:campaign", args=[sent_campaign.pk])).status_code == detail
    assert client.get(reverse("stakeholders:campaign-progress", args=[sent_campaign.pk])).status_code == detail
    # Dispatching a campaign that went out already sends nothing more.
    assert sent_campaign.invitations.count() == 1


def test_it_answers_404_for_ids_that_do_not_exist(key, login):
    client = login(key.admin)
    for name in ("campaign", "campaign-preview", "campaign-progress"):
        assert client.get(reverse(f"stakeholders:{name}", args=[999999])).status_code == 404
    assert client.post(reverse("stakeholders:campaign-dispatch", args=[999999])).status_code == 404
    assert client.post(reverse("stakeholders:follow-up-close", args=[999999]), {"note": "x"}).status_code == 404


def test_a_draft_stays_with_the_manager_who_set_it_up(key, login):
    draft = DraftCampaignFactory(created_by=key.manager_a, audience={"accounts": [key.account_a.pk]})
    assert login(key.kam_a).get(reverse("stakeholders:campaign", args=[draft.pk])).status_code == 404
    assert login(key.manager_a).get(reverse("stakeholders:campaign", args=[draft.pk])).status_code == 200


def test_anonymous_visitors_go_to_login(client, sent_campaign):
    response = client.get(reverse("stakeholders:campaign", args=[sent_campaign.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_navigation_links_to_surveys(key, login):
    page = login(key.kam_a).get(reverse("stakeholders:campaigns")).content.decode()
    assert f'href="{reverse("stakeholders:campaigns")}">Surveys</a>' in page


# The form -------------------------------------------------------------------------------------


def _campaign_post(survey, **overrides):
    data = {
        "name": "Spring CSAT 2027",
        "survey": survey.pk,
        "send_mode": "now",
        "close_date": tomorrow_plus(30),
        "throttle_days": "90",
        "reminder_after_days": "7",
    }
    data.update(overrides)
    return data


def test_it_preselects_the_default_survey(key, login):
    default = SurveyFactory(name="Default CSAT", is_default=True)
    Survey.objects.exclude(pk=default.pk).update(is_default=False)
    form = login(key.manager_a).get(reverse("stakeholders:campaign-new")).context["form"]
    assert form["survey"].value() == default.pk
    assert form["throttle_days"].value() == 90 and form["reminder_after_days"].value() == 7


def test_a_manager_campaign_is_pinned_to_the_accounts_they_can_see(key, login):
    AccountFactory(name="Foreign key account", owner=key.kam_c, is_key_account=True)
    response = login(key.manager_a).post(
        reverse("stakeholders:campaign-new"),
        _campaign_post(SurveyFactory(), account_types=["hospital"], tiers=["A"]),
    )
    campaign = SurveyCampaign.objects.get(name="Spring CSAT 2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:campaign-preview", args=[campaign.pk])
    assert campaign.audience == {"account_types": ["hospital"], "tiers": ["A"], "accounts": [key.account_a.pk]}
    assert campaign.created_by == key.manager_a and campaign.status == CampaignStatus.DRAFT
    assert abs((campaign.send_at - timezone.now()).total_seconds()) < 60


def test_an_administrator_campaign_follows_the_filters_only(key, login):
    response = login(key.admin).post(
        reverse("stakeholders:campaign-new"), _campaign_post(SurveyFactory(), countries=["DE"])
    )
    assert response.status_code == 302
    assert SurveyCampaign.objects.get().audience == {"countries": ["DE"]}


def test_a_scheduled_campaign_keeps_its_time(key, login):
    when = timezone.localtime() + timedelta(days=2)
    login(key.manager_a).post(
        reverse("stakeholders:campaign-new"),
        _campaign_post(SurveyFactory(), send_mode="later", send_at=when.strftime("%Y-%m-%dT%H:%M")),
    )
    campaign = SurveyCampaign.objects.get()
    assert campaign.send_at == when.replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"close_date": tomorrow_plus(-1)}, "close_date", "The close date must be in the future."),
        ({"close_date": tomorrow_plus(0)}, "close_date", "The close date must be in the future."),
        (
            {"send_mode": "later", "send_at": "2099-06-01T09:00", "close_date": tomorrow_plus(5)},
            "close_date",
            "The close date must be after the send date",
        ),
        ({"send_mode": "later", "send_at": "2001-01-01T09:00"}, "send_at", "The scheduled time must be in the future."),
        ({"send_mode": "later", "send_at": ""}, "send_at", "Choose the time to send, or send now."),
        ({"recurrence_months": "0"}, "recurrence_months", "greater than or equal to 1"),
        ({"recurrence_months": "25"}, "recurrence_months", "less than or equal to 24"),
        ({"throttle_days": "10"}, "throttle_days", "greater than or equal to 30"),
        ({"reminder_after_days": "0"}, "reminder_after_days", "greater than or equal to 1"),
        ({"name": ""}, "name", "This field is required."),
        ({"account_types": ["clinic"]}, "account_types", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_kept(key, login, overrides, field, message):
    response = login(key.manager_a).post(
        reverse("stakeholders:campaign-new"), _campaign_post(SurveyFactory(), **overrides)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    if field != "name":
        assert 'value="Spring CSAT 2027"' in response.content.decode()
    assert not SurveyCampaign.objects.exists()


def test_owners_are_limited_to_the_managers_people(key, login):
    response = login(key.manager_a).post(
        reverse("stakeholders:campaign-new"), _campaign_post(SurveyFactory(), owners=[key.kam_c.pk])
    )
    assert response.status_code == 400
    assert "owners" in response.context["form"].errors


def test_the_owner_region_and_country_pickers_search_as_one_types(key, login):
    form = login(key.manager_a).get(reverse("stakeholders:campaign-new")).context["form"]
    for name in ("owners", "regions", "countries"):
        assert "data-search" in form.fields[name].widget.attrs, name
    offered = set(form.fields["owners"].queryset.values_list("pk", flat=True))
    assert key.kam_a.pk in offered and key.kam_c.pk not in offered


def test_filters_that_match_none_of_the_managers_accounts_are_refused(key, login):
    response = login(key.manager_b).post(
        reverse("stakeholders:campaign-new"), _campaign_post(SurveyFactory(), tiers=["C"])
    )
    assert response.status_code == 400
    assert "None of your active key accounts matches these filters." in response.content.decode()


# The preview ----------------------------------------------------------------------------------


@pytest.fixture
def audience(key):
    """One person who receives the campaign and one for every reason to leave someone out."""
    a = key.account_a
    other = DraftCampaignFactory(name="Autumn wave", created_by=key.admin)
    throttled = reachable(a, last_name="Recent")
    InvitationFactory(campaign=other, person=throttled, account=a)
    people = {
        "Ok": reachable(a, last_name="Ok"),
        "Noconsent": AffiliationFactory(account=a, person=PersonFactory(last_name="Noconsent")).person,
        "Optedout": reachable(a, last_name="Optedout", survey_opt_out_at=timezone.now()),
        "Nomail": reachable(a, last_name="Nomail", email=""),
        "Dnc": reachable(a, last_name="Dnc", do_not_contact=True),
        "Recent": throttled,
    }
    left = AffiliationFactory(
        account=a, person=PersonFactory(last_name="Left"), end_date=timezone.localdate() - timedelta(days=20)
    )
    SurveyConsentFactory(person=left.person)
    withdrawn = AffiliationFactory(account=a, person=PersonFactory(last_name="Withdrawn"))
    SurveyConsentFactory(person=withdrawn.person, withdrawn_at=timezone.now())
    # Someone at an account outside manager A's scope never shows up.
    reachable(key.account_c, last_name="Elsewhere")
    campaign = DraftCampaignFactory(created_by=key.manager_a, audience={"accounts": [a.pk]}, throttle_days=60)
    return campaign, people


def test_the_preview_lists_who_receives_it_and_who_is_left_out_and_why(key, login, audience):
    campaign, _people = audience
    response = login(key.manager_a).get(reverse("stakeholders:campaign-preview", args=[campaign.pk]))
    assert response.status_code == 200
    included = [row.affiliation.person.last_name for row in response.context["in_page"]]
    reasons = {row.affiliation.person.last_name: row.reason for row in response.context["out_page"]}
    assert included == ["Ok"]
    assert reasons == {
        "Noconsent": "no consent",
        "Withdrawn": "no consent",
        "Optedout": "opted out",
        "Nomail": "no e-mail",
        "Dnc": "do not contact",
        "Recent": "surveyed within 60 days",
        "Left": "left the account",
    }
    page = response.content.decode()
    assert "Elsewhere" not in page
    assert 'id="included-count">1<' in page and 'id="excluded-count">7<' in page
    assert "Send to 1 person now" in page


def test_the_preview_pages_through_hundreds_of_people(key, login):
    campaign = DraftCampaignFactory(created_by=key.manager_a, audience={"accounts": [key.account_a.pk]})
    for n in range(55):
        reachable(key.account_a, last_name=f"Person{n:03d}")
    client = login(key.manager_a)
    first = client.get(reverse("stakeholders:campaign-preview", args=[campaign.pk]))
    assert len(first.context["in_page"].object_list) == 50
    assert "1–50 of 55" in first.content.decode()
    second = client.get(reverse("stakeholders:campaign-preview", args=[campaign.pk]) + "?in=2&out=1")
    assert len(second.context["in_page"].object_list) == 5


# Dispatch -------------------------------------------------------------------------------------


def test_dispatch_invites_each_person_once_and_sends_after_commit(
    key, login, django_capture_on_commit_callbacks, audience
):
    campaign, people = audience
    # The same person in the DMU of a second account of KAM A: invited once.
    second = AccountFactory(owner=key.kam_a, is_key_account=True)
    AffiliationFactory(account=second, person=people["Ok"])
    also = reachable(second, last_name="Also")
    campaign.audience = {"accounts": [key.account_a.pk, second.pk]}
    campaign.save()
    client = login(key.manager_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("stakeholders:campaign-dispatch", args=[campaign.pk]))
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert len(callbacks) == 1
    invitations = SurveyInvitation.objects.filter(campaign=campaign)
    assert sorted(invitations.values_list("person_id", flat=True)) == sorted([people["Ok"].pk, also.pk])
    assert set(invitations.values_list("status", flat=True)) == {InvitationStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people["Ok"].email, also.email])
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING and campaign.dispatched_at is not None

    # A second press sends nothing more.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("stakeholders:campaign-dispatch", args=[campaign.pk]))
    assert callbacks == [] and invitations.count() == 2 and len(mail.outbox) == 2


def test_a_future_send_time_schedules_the_campaign(key, login, django_capture_on_commit_callbacks, audience):
    campaign, _people = audience
    campaign.send_at = timezone.now() + timedelta(days=3)
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = login(key.manager_a).post(reverse("stakeholders:campaign-dispatch", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    assert callbacks == [] and not campaign.invitations.exists() and mail.outbox == []
    detail = login(key.manager_a).get(campaign.get_absolute_url()).content.decode()
    assert "The invitations are created then." in detail and 'hx-trigger="every' not in detail  # no progress polling


def test_nobody_to_invite_sends_nothing(key, login):
    campaign = DraftCampaignFactory(created_by=key.manager_a, audience={"accounts": [key.account_a.pk]})
    response = login(key.manager_a).post(reverse("stakeholders:campaign-dispatch", args=[campaign.pk]), follow=True)
    assert "Nobody would receive this campaign" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_rolled_back_dispatch_leaves_no_invitations_and_sends_no_mail(
    key, django_capture_on_commit_callbacks, audience
):
    campaign, _people = audience
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert dispatch.campaign_dispatch(campaign=campaign, by=key.manager_a) == 1
        raise RuntimeError("something after the dispatch failed")
    assert callbacks == []
    assert not SurveyInvitation.objects.filter(campaign=campaign).exists()
    assert mail.outbox == []
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


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
