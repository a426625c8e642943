"""Who may see and do what with an account: URL × role → status."""

import pytest
from django.urls import reverse

from accounts.models import Account, AccountStatus
from accounts.selectors import account_owners_visible_to, accounts_visible_to
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory

ROLES = ["kam_a", "kam_b", "manager_a", "head", "manager_b", "access", "medical", "admin"]

# For account A (owned by KAM A, under manager A and the head; market access on its team).
EXPECTED = {
    #             detail edit archive reassign
    "kam_a": (200, 200, 302, 403),
    "kam_b": (404, 404, 404, 404),
    "manager_a": (200, 200, 302, 200),
    "head": (200, 200, 302, 200),
    "manager_b": (404, 404, 404, 404),
    "access": (200, 403, 403, 403),
    "medical": (404, 404, 404, 404),
    "admin": (200, 200, 302, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_it_scopes_every_account_page(role, cast, login):
    client = login(getattr(cast, role))
    pk = cast.account_a.pk
    detail, edit, archive, reassign = EXPECTED[role]
    assert client.get(reverse("accounts:detail", args=[pk])).status_code == detail
    assert client.get(reverse("accounts:edit", args=[pk])).status_code == edit
    assert client.get(reverse("accounts:qualification", args=[pk])).status_code == edit
    assert client.get(reverse("accounts:listings", args=[pk])).status_code == edit
    assert client.get(reverse("accounts:financials", args=[pk])).status_code == edit
    assert client.get(reverse("accounts:team", args=[pk])).status_code == edit
    assert client.get(reverse("accounts:history", args=[pk])).status_code == detail
    assert client.get(reverse("accounts:reassign", args=[pk])).status_code == reassign
    assert client.post(reverse("accounts:archive", args=[pk])).status_code == archive
    archived = Account.objects.get(pk=pk).status == AccountStatus.ARCHIVED
    assert archived == (archive == 302)


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_only_visible_accounts(role, cast, login):
    client = login(getattr(cast, role))
    content = client.get(reverse("accounts:list")).content.decode()
    sees_a = EXPECTED[role][0] == 200
    sees_c = role in {"kam_c", "manager_b", "head", "admin"}
    assert ("Account A" in content) == sees_a
    assert ("Account C" in content) == sees_c


def test_anonymous_users_are_sent_to_login_everywhere(client, cast):
    pk = cast.account_a.pk
    for name in ["detail", "edit", "qualification", "listings", "financials", "team", "history", "reassign"]:
        response = client.get(reverse(f"accounts:{name}", args=[pk]))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert client.post(reverse("accounts:archive", args=[pk])).status_code == 302
    assert Account.objects.get(pk=pk).status == AccountStatus.ACTIVE


def test_a_deactivated_user_sees_nothing(cast):
    cast.kam_a.is_active = False
    assert not accounts_visible_to(cast.kam_a).exists()


@pytest.mark.parametrize("role", [*ROLES, "kam_c"])
def test_the_owners_on_offer_are_the_owners_of_the_visible_accounts(role, cast):
    # A seat outside one's own scope, an owner who left, a KAM who owns nothing, an archived account.
    TeamMemberFactory(account=cast.account_c, user=cast.manager_a)
    TeamMemberFactory(account=cast.account_c, user=cast.kam_b)
    AccountFactory(owner=UserFactory(manager=cast.manager_b, is_active=False), status=AccountStatus.ARCHIVED)
    UserFactory(manager=cast.manager_a)
    user = getattr(cast, role)
    expected = set(accounts_visible_to(user).values_list("owner_id", flat=True))
    assert set(account_owners_visible_to(user).values_list("pk", flat=True)) == expected


def test_the_selector_costs_a_fixed_number_of_queries_at_any_depth(cast, django_assert_num_queries):
    with django_assert_num_queries(1):  # a KAM: the scoped list
        list(accounts_visible_to(cast.kam_a))
    for manager in (cast.manager_a, cast.head):  # one and two levels of people below
        with django_assert_num_queries(2):  # the people below (one recursive query), the scoped list
            list(accounts_visible_to(manager))


def test_reassigning_keeps_the_previous_owner_on_the_team(cast, login):
    client = login(cast.manager_a)
    response = client.post(reverse("accounts:reassign", args=[cast.account_a.pk]), {"new_owner": cast.kam_b.pk})
    assert response.status_code == 302
    account = Account.objects.get(pk=cast.account_a.pk)
    assert account.owner == cast.kam_b
    assert account.team_members.filter(user=cast.kam_b).exists()
    assert account.history.first().history_user == cast.manager_a


def test_a_manager_cannot_reassign_to_someone_outside_their_scope(cast, login):
    client = login(cast.manager_a)
    response = client.post(reverse("accounts:reassign", args=[cast.account_a.pk]), {"new_owner": cast.kam_c.pk})
    assert response.status_code == 400
    assert Account.objects.get(pk=cast.account_a.pk).owner == cast.kam_a


def test_archived_accounts_can_be_restored(cast, login):
    client = login(cast.kam_a)
    client.post(reverse("accounts:archive", args=[cast.account_a.pk]))
    assert cast.account_a not in client.get(reverse("accounts:list")).context["page"]
    assert cast.account_a in client.get(reverse("accounts:list") + "?status=archived").context["page"]
    client.post(reverse("accounts:restore", args=[cast.account_a.pk]))
    assert Account.objects.get(pk=cast.account_a.pk).status == AccountStatus.ACTIVE
