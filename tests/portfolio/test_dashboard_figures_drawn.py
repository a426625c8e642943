"""The dashboard's figures are drawn once per what they show (kam/portfolio/views.py,
``_figures_key``): a health refresh that changed nothing shown draws nothing, and any change
shown is drawn at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account, AccountHealth
from kam.portfolio.health.refresh import refresh_health
from kam.portfolio.models import FiguresVersion

pytestmark = pytest.mark.usefixtures("fresh_cache")

FIGURES = "kam/_dashboard_figures.html"


def drawn(response) -> bool:
    return FIGURES in [t.name for t in response.templates]


def at_risk(response) -> str:
    return response.content.decode().split('id="at-risk"', 1)[1].split("</ol>", 1)[0]


@pytest.fixture
def key_account(cast, time_machine):
    # The health rows' age is shown in words ("2 seconds ago"): time stands still here.
    time_machine.move_to("2026-07-02 09:00 +0000", tick=False)
    account = cast.account_a
    account.is_key_account = True
    account.save()
    refresh_health()
    return account


def test_a_refresh_that_changed_nothing_shown_draws_nothing(cast, login, key_account):
    client = login(cast.kam_a)
    assert drawn(client.get(reverse("home")))
    FiguresVersion.bump()  # as a health refresh does: the figures are computed anew
    again = client.get(reverse("home"))
    assert not drawn(again) and "Account A" in at_risk(again)


def test_a_change_shown_is_drawn_at_once(cast, login, key_account):
    client = login(cast.kam_a)
    client.get(reverse("home"))
    # A name shown only in the list of accounts at risk, then a score.
    Account.objects.filter(pk=key_account.pk).update(name="Account A <renamed>")
    FiguresVersion.bump()  # as the health refresh that follows every write does
    response = client.get(reverse("home"))
    assert drawn(response) and "Account A &lt;renamed&gt;" in at_risk(response)
    AccountHealth.objects.filter(account=key_account).update(score=12)
    FiguresVersion.bump()
    assert ">12<" in at_risk(client.get(reverse("home")))


def test_users_with_other_figures_and_languages_get_their_own_drawing(cast, login, key_account):
    mine = at_risk(login(cast.kam_a).get(reverse("home")))
    theirs = at_risk(login(cast.kam_c).get(reverse("home")))
    assert "Account A" in mine and "Account A" not in theirs
    cast.kam_a.language = "de"
    cast.kam_a.save()
    german = login(cast.kam_a).get(reverse("home"))
    assert drawn(german) and "Planabdeckung" in german.content.decode()
