from django.urls import reverse

from accounts.models import Account, AccountTeamMember
from tests.factories import AccountFactory, TeamMemberFactory


def test_a_manager_hands_over_a_leavers_accounts_in_one_step(cast, login):
    second = AccountFactory(owner=cast.kam_a)
    seat = TeamMemberFactory(account=cast.account_c, user=cast.kam_a, function="kam", therapeutic_area="Oncology")
    client = login(cast.manager_a)
    response = client.post(
        reverse("people-handover", args=[cast.kam_a.pk]), {"new_owner": cast.kam_b.pk, "confirm": "on"}
    )
    assert response.status_code == 302
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.is_active is False
    assert set(Account.objects.filter(owner=cast.kam_b)) == {cast.account_a, second}
    seat.refresh_from_db()
    assert seat.user == cast.kam_b
    assert not AccountTeamMember.objects.filter(user=cast.kam_a).exists()
    latest = cast.account_a.history.first()
    assert latest.history_user == cast.manager_a
    assert "handover" in latest.history_change_reason
    # The history still knows who owned the account before.
    assert cast.account_a.history.filter(owner=cast.kam_a).exists()


def test_only_managers_above_the_leaver_may_hand_over(cast, login):
    url = reverse("people-handover", args=[cast.kam_a.pk])
    assert login(cast.kam_b).get(url).status_code == 404
    assert login(cast.manager_b).get(url).status_code == 404
    assert login(cast.head).get(url).status_code == 200
    assert login(cast.admin).get(url).status_code == 200


def test_handover_needs_a_confirmation_and_a_new_owner_in_scope(cast, login):
    client = login(cast.manager_a)
    url = reverse("people-handover", args=[cast.kam_a.pk])
    assert client.post(url, {"new_owner": cast.kam_b.pk}).status_code == 400
    assert client.post(url, {"new_owner": cast.kam_c.pk, "confirm": "on"}).status_code == 400
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.is_active


def test_people_pages_are_scoped(cast, login):
    client = login(cast.manager_a)
    assert client.get(reverse("people-list")).status_code == 200
    assert client.get(reverse("people-detail", args=[cast.kam_a.pk])).status_code == 200
    assert client.get(reverse("people-detail", args=[cast.kam_c.pk])).status_code == 404
    assert login(cast.kam_a).get(reverse("people-detail", args=[cast.kam_b.pk])).status_code == 404
