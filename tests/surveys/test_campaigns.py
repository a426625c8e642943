"""Survey campaign pages: who may run and see them, the form, the audience preview, dispatch
through the outbox, progress, results and the account's follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from kam.urls import urlpatterns as kam_urlpatterns
from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
)
from stakeholders.surveys import dispatch
from tests.factories import AccountFactory
from tests.stakeholder_factories import AffiliationFactory, PersonFactory
from tests.survey_factories import (
    DraftCampaignFactory,
    InvitationFactory,
    SurveyConsentFactory,
    SurveyFactory,
    consenting_person,
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


def tomorrow_plus(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# Who may do what ------------------------------------------------------------------------------


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
    throttled = consenting_person(a, last_name="Recent")
    InvitationFactory(campaign=other, person=throttled, account=a)
    people = {
        "Ok": consenting_person(a, last_name="Ok"),
        "Noconsent": AffiliationFactory(account=a, person=PersonFactory(last_name="Noconsent")).person,
        "Optedout": consenting_person(a, last_name="Optedout", survey_opt_out_at=timezone.now()),
        "Nomail": consenting_person(a, last_name="Nomail", email=""),
        "Dnc": consenting_person(a, last_name="Dnc", do_not_contact=True),
        "Recent": throttled,
    }
    left = AffiliationFactory(
        account=a, person=PersonFactory(last_name="Left"), end_date=timezone.localdate() - timedelta(days=20)
    )
    SurveyConsentFactory(person=left.person)
    withdrawn = AffiliationFactory(account=a, person=PersonFactory(last_name="Withdrawn"))
    SurveyConsentFactory(person=withdrawn.person, withdrawn_at=timezone.now())
    # Someone at an account outside manager A's scope never shows up.
    consenting_person(key.account_c, last_name="Elsewhere")
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
        consenting_person(key.account_a, last_name=f"Person{n:03d}")
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
    also = consenting_person(second, last_name="Also")
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
