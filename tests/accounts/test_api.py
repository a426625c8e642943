"""The accounts API: the same scope as the pages (accounts_visible_to), the firewall's hidden
figures for medical colleagues, writes through accounts.services, updated_since."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account, AccountTeamMember
from tests.factories import AccountFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/accounts/"
FIGURES = ("annual_turnover", "turnover_goal", "gross_margin_pct", "market_share_pct", "health_score")


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_it_scopes_the_list_as_the_pages_do(cast, login):
    a, c = cast.account_a.pk, cast.account_c.pk
    assert _ids(login(cast.kam_a).get(LIST)) == {a}
    assert _ids(login(cast.kam_c).get(LIST)) == {c}
    assert _ids(login(cast.manager_a).get(LIST)) == {a}
    assert _ids(login(cast.head).get(LIST)) == {a, c}
    assert _ids(login(cast.access).get(LIST)) == {a}
    assert _ids(login(cast.admin).get(LIST)) == {a, c}
    assert _ids(login(cast.medical).get(LIST)) == set()


def test_it_answers_404_for_another_teams_account(cast, login):
    assert login(cast.kam_a).get(f"{LIST}{cast.account_c.pk}/").status_code == 404
    assert login(cast.manager_a).get(f"{LIST}{cast.account_c.pk}/").status_code == 404
    assert login(cast.manager_b).get(f"{LIST}{cast.account_c.pk}/").status_code == 200


def test_it_wants_credentials(client, cast):
    response = client.get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_hides_the_figures_from_medical_colleagues(cast, login):
    TeamMemberFactory(account=cast.account_a, user=cast.medical, function="msl")
    Account.objects.filter(pk=cast.account_a.pk).update(annual_turnover=1000, market_share_pct=12)
    medical = login(cast.medical).get(f"{LIST}{cast.account_a.pk}/").json()
    assert medical["name"] == "Account A"
    assert not set(FIGURES) & set(medical)
    kam = login(cast.kam_a).get(f"{LIST}{cast.account_a.pk}/").json()
    assert kam["annual_turnover"] == "1000.00"
    assert set(FIGURES) <= set(kam)


def test_it_refuses_medical_colleagues_an_account(cast, login):
    response = login(cast.medical).post(
        LIST, {"name": "X", "account_type": "hospital", "country": "DE"}, "application/json"
    )
    assert response.status_code == 403
    assert not Account.objects.filter(name="X").exists()


def test_it_creates_through_the_service(cast, login):
    response = login(cast.kam_a).post(
        LIST, {"name": "Klinikum Nord", "account_type": "hospital", "country": "DE", "beds": 400}, "application/json"
    )
    assert response.status_code == 201, response.content
    account = Account.objects.get(pk=response.json()["id"])
    assert account.owner == cast.kam_a
    # account_save puts the owner on the team and records why in the history.
    assert AccountTeamMember.objects.filter(account=account, user=cast.kam_a).exists()
    assert account.history.first().history_change_reason == "create"
    assert account.history.first().history_user == cast.kam_a


def test_it_refuses_an_owner_the_user_may_not_assign(cast, login):
    response = login(cast.kam_a).post(
        LIST, {"name": "Y", "account_type": "hospital", "country": "DE", "owner": cast.kam_c.pk}, "application/json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()


def test_an_administrator_makes_no_administrator_or_inactive_colleague_owner(cast, login):
    cast.kam_b.is_active = False
    cast.kam_b.save(update_fields=["is_active"])
    for owner in (cast.admin, cast.kam_b):
        body = {"name": "Y", "account_type": "hospital", "country": "DE", "owner": owner.pk}
        response = login(cast.admin).post(LIST, body, "application/json")
        assert response.status_code == 400, owner
        assert "owner" in response.json()
    body = {"name": "Y", "account_type": "hospital", "country": "DE", "owner": cast.kam_c.pk}
    assert login(cast.admin).post(LIST, body, "application/json").status_code == 201


def test_it_lets_only_owner_and_managers_edit(cast, login):
    url = f"{LIST}{cast.account_a.pk}/"
    assert login(cast.access).patch(url, {"city": "Bonn"}, "application/json").status_code == 403
    assert login(cast.kam_c).patch(url, {"city": "Bonn"}, "application/json").status_code == 404
    assert login(cast.manager_a).patch(url, {"city": "Köln"}, "application/json").status_code == 200
    cast.account_a.refresh_from_db()
    assert cast.account_a.city == "Köln"


def test_it_refuses_a_parent_the_user_cannot_see(cast, login):
    url = f"{LIST}{cast.account_a.pk}/"
    response = login(cast.kam_a).patch(url, {"parent": cast.account_c.pk}, "application/json")
    assert response.status_code == 400
    cast.account_a.refresh_from_db()
    assert cast.account_a.parent_id is None


def test_it_lists_only_what_changed_since(cast, login):
    old = AccountFactory(owner=cast.kam_a)
    Account.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    Account.objects.filter(pk=cast.account_a.pk).update(updated_at=timezone.now())
    since = (timezone.now() - timedelta(days=1)).isoformat()
    client = login(cast.kam_a)
    assert _ids(client.get(LIST, {"updated_since": since})) == {cast.account_a.pk}
    assert _ids(client.get(LIST)) == {cast.account_a.pk, old.pk}
    assert client.get(LIST, {"updated_since": "yesterday"}).status_code == 400


def test_it_pages_with_a_maximum(cast, login):
    for _n in range(3):
        AccountFactory(owner=cast.kam_a)
    body = login(cast.kam_a).get(LIST, {"page_size": 2}).json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    assert login(cast.kam_a).get(LIST, {"page_size": 10_000}).status_code == 200


def test_it_takes_any_utc_offset_python_reads(cast, login):
    # PostgreSQL refuses offsets beyond ±15:59 that Python accepts: a 500 until the time went in as UTC.
    response = login(cast.kam_a).get(LIST, {"updated_since": "2026-09-09T20:33:11+20:36"})
    assert response.status_code == 200
    assert login(cast.kam_a).get(LIST, {"updated_since": "9999-12-31T23:59:59-20:00"}).status_code == 400
