"""The account list's rows keep their markup and escape what people typed."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.utils import timezone, translation

from accounts.models import Account, AccountHealth, AccountStatus
from tests.factories import AccountFactory, UserFactory

# The rows as the account list has always drawn them: the include must keep this markup.
TEMPLATE = Template(
    """{% load i18n humanize %}{% for a in page %}
<tr>
  <td><a class="fw-semibold" href="{{ a.get_absolute_url }}">{{ a.name }}</a>{% if a.is_key_account %} <span class="badge text-bg-primary">{% trans "key" %}</span>{% endif %}{% if a.is_archived %} <span class="badge text-bg-secondary">{% trans "archived" %}</span>{% endif %}{% if a.parent %}<div class="small text-secondary">{{ a.parent.name }}</div>{% endif %}</td>
  <td>{{ a.get_account_type_display }}</td><td>{{ a.tier }}</td><td>{{ a.city }}</td><td>{{ a.country }}</td><td>{{ a.owner }}</td>
  <td class="text-end">{% if a.qualification_score is not None %}{{ a.qualification_score }}{% else %}<span class="text-secondary">—</span>{% endif %}</td>
  <td class="text-end">{% with h=a.health %}{% if h and h.score is not None %}<span class="health-badge health-{{ h.band }}" title="{% blocktrans with age=h.computed_at|naturaltime %}computed {{ age }}{% endblocktrans %}">{{ h.score }}</span>{% else %}<span class="text-secondary">—</span>{% endif %}{% endwith %}</td>
  <td>{% if a.quadrant %}<span class="badge badge-quadrant">{{ a.quadrant.label }}</span>{% endif %}</td>
</tr>
{% endfor %}"""
)


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
    return [by_id[pk] for pk in ids]


def account_rows(accounts: list[Account], figures: bool = True) -> str:
    return render_to_string("accounts/_account_rows.html", {"accounts": accounts, "figures": figures})


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_account_rows_keep_their_markup(accounts, language):
    with translation.override(language):
        assert parse_html(account_rows(accounts)) == parse_html(TEMPLATE.render(Context({"page": accounts})))


def test_account_rows_escape_what_people_typed(accounts):
    html = account_rows(accounts)
    assert "&lt;Ost&gt; &amp; Söhne" in html and "<Ost>" not in html
    assert "&lt;O&quot;Neil&gt; &amp; Co" in html
    assert f'href="/accounts/{accounts[0].pk}/"' in html


def test_without_figures_the_rows_leave_out_health_and_matrix(accounts):
    html = account_rows(accounts, figures=False)
    assert "health-badge" not in html and "badge-quadrant" not in html
    assert html.count("<td") == 7 * len(accounts)
