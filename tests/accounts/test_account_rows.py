"""The account list's rows: what each shows, in the user's language, escaped."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.utils import timezone, translation

from accounts.models import Account, AccountHealth, AccountStatus
from tests.factories import AccountFactory, UserFactory


@pytest.fixture
def accounts(db):
    owner = UserFactory(first_name="Eva", last_name='<O"Neil> & Co')
    nameless = UserFactory(first_name="", last_name="", username="no.name")
    group = AccountFactory(owner=owner, name="Gruppe <Süd>")
    full = AccountFactory(
        owner=owner,
        name='Klinikum "Nord" <Ost> & Söhne',
        parent=group,
        city="Köln & Bonn",
        is_key_account=True,
        qualification_score=0,
        attractiveness=80,
        position=30,
    )
    archived = AccountFactory(
        owner=nameless, account_type="pharmacy", status=AccountStatus.ARCHIVED, tier="C", qualification_score=73
    )
    AccountHealth.objects.create(account=full, score=64, computed_at=timezone.now() - timedelta(hours=3))
    AccountHealth.objects.create(account=archived, score=None, computed_at=timezone.now())
    AccountHealth.objects.create(account=group, score=0, computed_at=timezone.now() - timedelta(days=40))
    ids = [full.pk, archived.pk, group.pk, AccountFactory(owner=owner, attractiveness=10, position=90).pk]
    by_id = Account.objects.select_related("owner", "parent", "health").in_bulk(ids)
    for account in by_id.values():
        account.parent_visible = True  # as the list annotates it for a parent the user sees
    return [by_id[pk] for pk in ids]


def account_rows(accounts: list[Account], figures: bool = True) -> str:
    return render_to_string("accounts/_account_rows.html", {"accounts": accounts, "figures": figures})


@pytest.mark.parametrize(
    ("language", "computed", "key", "archived"),
    [("en", "computed 3\xa0hours ago", "key", "archived"), ("de", "berechnet vor 3 Stunden", "Key", "archiviert")],
)
def test_each_row_shows_the_account_in_the_users_language(accounts, language, computed, key, archived):
    with translation.override(language):
        rows = parse_html(account_rows(accounts))
        html = account_rows(accounts)
    assert rows.count(parse_html("<tr>")) == 0 and html.count("<tr>") == len(accounts)
    full, archived_row, group, _plain = html.split("<tr>")[1:]
    assert (
        computed in full
        and f">{key}</span>" in full
        and "health-amber" in full
        and ">64<" in full
        and "Gruppe &lt;Süd&gt;" in full
    )
    assert f">{archived}</span>" in archived_row and ">73<" in archived_row and "health-badge" not in archived_row
    assert "health-red" in group and ">0<" in group


def test_account_rows_escape_what_people_typed(accounts):
    html = account_rows(accounts)
    assert "&lt;Ost&gt; &amp; Söhne" in html and "<Ost>" not in html
    assert "&lt;O&quot;Neil&gt; &amp; Co" in html
    assert f'href="/accounts/{accounts[0].pk}/"' in html


def test_without_figures_the_rows_leave_out_health_and_matrix(accounts):
    html = account_rows(accounts, figures=False)
    assert "health-badge" not in html and "badge-quadrant" not in html
    assert html.count("<td") == 7 * len(accounts)


def test_a_parent_the_user_cannot_see_is_not_named(accounts):
    accounts[0].parent_visible = False
    html = account_rows(accounts[:1])
    assert "Gruppe" not in html and "a parent account you cannot see" in html
