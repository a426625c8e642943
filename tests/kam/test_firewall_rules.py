"""The medical/commercial firewall, tested from its rule table (``kam.firewall.RULES``).

Every rule has a probe: requests that observe, for one user, whether the page or action is
allowed or denied, or whether the field is shown, read-only or hidden. Each rule is probed for a
medical colleague with a seat on the account, one without, two commercial colleagues (the owner
and a market-access colleague with a seat) and an administrator, and the observation must be what
the table says for the user's side; a medical colleague without a seat gets a 404 for anything of
the account. The README's copy of the table must match the module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import AccountType
from kam import firewall
from kam.models import Role
from plans.models import PlanningPeriod
from stakeholders.models import Affiliation, SupportRequest, Touchpoint
from tests.factories import ContractFactory, FinancialsFactory, TeamMemberFactory, TenderFactory, UserFactory
from tests.plan_factories import ObjectiveFactory, PlanFactory
from tests.stakeholder_factories import AffiliationFactory, CoverageFactory, KolFactory, TouchpointFactory

ABSENT = "404"
SECRET = "Exchange on the subgroup analysis"
# Figures written so that each appears nowhere else on a page (intcomma in English).
REVENUE, TARGET, PROFIT, POTENTIAL = "987,654", "1,234,567", "76,543", "456,789"
MARGIN = "23.57"
TENDER, PRICE, REBATE = "Ausschreibung Biologika 2027", "86,420.13", "13.57"


@dataclass
class World:
    cast: object
    users: dict
    plan: object
    affiliation: Affiliation
    medical_tp: Touchpoint
    support: SupportRequest
    msl: object
    contract: object


@pytest.fixture
def world(cast) -> World:
    account = cast.account_a
    account.account_type = AccountType.PHARMACY
    account.gross_margin_pct = Decimal(MARGIN)
    account.save()
    TeamMemberFactory(account=account, user=cast.medical, function="msl")
    # The medical colleague whose work is probed: another MSL on the team, so that the probing
    # medical user's own name on every page proves nothing.
    msl = UserFactory(role=Role.MSL, first_name="Mira", last_name="Scientia")
    TeamMemberFactory(account=account, user=msl, function="msl")
    outsider = UserFactory(role=Role.MEDICAL_ADVISER, username="medical_out")
    period = PlanningPeriod.objects.create(name="FY 2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    plan = PlanFactory(account=account, period=period)
    ObjectiveFactory(plan=plan, title="List Oncoril", target=Decimal(1), due_date=date(2026, 9, 30))
    FinancialsFactory(
        account=account,
        year=2026,
        revenue_actual=Decimal("987654"),
        revenue_target=Decimal("1234567"),
        gross_profit=Decimal("76543"),
        estimated_potential=Decimal("456789"),
    )
    affiliation = AffiliationFactory(account=account, stance=-2, influence=4)
    medical_tp = TouchpointFactory(account=account, logged_by=msl, stakeholders=[affiliation.person], summary=SECRET)
    CoverageFactory(affiliation=affiliation, user=msl, strength=5)
    KolFactory(person=affiliation.person, set_by=msl, level="national")
    support = SupportRequest.objects.create(account=account, topic="Data on subgroup X", requested_by=cast.kam_a)
    TenderFactory(account=account, title=TENDER)
    contract = ContractFactory(account=account, price=Decimal(PRICE.replace(",", "")), rebate_pct=Decimal(REBATE))
    users = {
        "medical_seat": cast.medical,
        "medical_no_seat": outsider,
        "commercial_owner": cast.kam_a,
        "commercial_seat": cast.access,
        "admin": cast.admin,
    }
    return World(cast, users, plan, affiliation, medical_tp, support, msl, contract)


def _allowed(response, ok=(200, 302)) -> str:
    if response.status_code == 404:
        return ABSENT
    if response.status_code == 403:
        return firewall.DENIED
    assert response.status_code in ok, response.status_code
    return firewall.ALLOWED


def _shown(response, *needles: str) -> str:
    if response.status_code == 404:
        return ABSENT
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    found = [n in page for n in needles]
    assert all(found) or not any(found), (needles, found)  # one page never half-hides a field
    return firewall.SHOWN if all(found) else firewall.HIDDEN


def _account_page(client, w: World, *needles: str) -> str:
    return _shown(client.get(w.cast.account_a.get_absolute_url()), *needles)


def _form_field(client, w: World, name: str) -> str:
    """A field of the stakeholder form: shown (editable), read-only (disabled) or hidden. A
    read-only field's posted value must also be ignored."""
    url = reverse("stakeholders:affiliation-edit", args=[w.affiliation.pk])
    response = client.get(url)
    if response.status_code == 404:
        return ABSENT
    field = re.search(rf'<[^>]*name="aff-{name}"[^>]*>', response.content.decode())
    if field is None:
        return firewall.HIDDEN
    if "disabled" not in field.group(0):
        return firewall.SHOWN
    person = w.affiliation.person
    client.post(
        url,
        {
            "person-title": person.title,
            "person-first_name": person.first_name,
            "person-last_name": person.last_name,
            "person-email": person.email,
            "person-phone": person.phone,
            "person-preferred_language": person.preferred_language,
            "aff-function": w.affiliation.function,
            "aff-dmu_role": w.affiliation.dmu_role,
            "aff-influence": "1",
            "aff-stance": "2",
            "ovr-TOTAL_FORMS": "0",
            "ovr-INITIAL_FORMS": "0",
            "ovr-MIN_NUM_FORMS": "0",
            "ovr-MAX_NUM_FORMS": "1000",
        },
    )
    w.affiliation.refresh_from_db()
    assert (w.affiliation.influence, w.affiliation.stance) == (4, -2), "a read-only field was changed"
    return firewall.READ_ONLY


def _touchpoint(client, w: World, participants: list) -> str:
    response = client.post(
        reverse("stakeholders:touchpoint-add", args=[w.cast.account_a.pk]),
        {
            "date": date.today().isoformat(),
            "kind": "visit",
            "stakeholders": [w.affiliation.person_id],
            "participants": [u.pk for u in participants],
            "summary": "Met",
        },
    )
    return _allowed(response, ok=(302, 400)) if response.status_code != 400 else firewall.DENIED


def _other_side_participant(client, w: World, user) -> str:
    # A colleague with a seat on the account's team, from the other side than the user's records.
    other = w.cast.access if user.is_medical else w.msl
    return _touchpoint(client, w, [other])


def _dmu_stance(client, w: World) -> str:
    table = _shown(client.get(reverse("stakeholders:dmu", args=[w.cast.account_a.pk])), "stance-")
    if table == ABSENT:
        return ABSENT
    form = _form_field(client, w, "stance")
    assert form in (table, firewall.SHOWN if table == firewall.SHOWN else firewall.HIDDEN), (table, form)
    return table


def _tender_edit(client, w: World) -> str:
    """The contract form: a 403 that names the firewall is the rule's; a 403 for another reason
    (a market-access colleague may not change the account at all) is not."""
    response = client.get(reverse("accounts:contract-create", args=[w.cast.account_a.pk]))
    if response.status_code == 403 and "firewall" not in response.content.decode():
        return firewall.ALLOWED
    return _allowed(response, ok=(200,))


def _contract_terms(client, w: World) -> str:
    page = _account_page(client, w, PRICE, f"{REBATE} %")
    form = client.get(reverse("accounts:contract-edit", args=[w.cast.account_a.pk, w.contract.pk]))
    if form.status_code == 200:
        assert ('name="price"' in form.content.decode()) is (page == firewall.SHOWN), page
    return page


def _portfolio(client, w: World) -> str:
    deck = _allowed(client.get(reverse("portfolio-review")))
    export = _allowed(client.get(reverse("accounts:export", args=["csv"])))
    home = client.get(reverse("home")).content.decode()
    assert deck == export
    assert ("Revenue" in home) is (deck == firewall.ALLOWED)
    return deck


PROBES = {
    "plan.read_joint": lambda c, w, u: _allowed(c.get(reverse("plans:detail", args=[w.plan.pk])), ok=(200,)),
    "plan.read_internal": lambda c, w, u: _allowed(c.get(reverse("plans:step", args=[w.plan.pk, 1])), ok=(200,)),
    "plan.edit": lambda c, w, u: _allowed(
        c.post(
            reverse("plans:step", args=[w.plan.pk, 1]),
            {"version": 0, "commentary": "x", "investment_decision": "invest"},
        ),
        ok=(302,),
    ),
    "plan.workflow": lambda c, w, u: _allowed(c.post(reverse("plans:submit", args=[w.plan.pk])), ok=(302,)),
    "plan.export_internal": lambda c, w, u: _allowed(
        c.get(reverse("plans:export", args=[w.plan.pk, "internal", "pptx"])), ok=(200,)
    ),
    "plan.export_joint": lambda c, w, u: _allowed(
        c.get(reverse("plans:export", args=[w.plan.pk, "joint", "pptx"])), ok=(200,)
    ),
    "portfolio.figures": lambda c, w, u: _portfolio(c, w),
    "account.create": lambda c, w, u: _allowed(c.get(reverse("accounts:create")), ok=(200,)),
    "account.revenue": lambda c, w, u: _account_page(c, w, REVENUE),
    "account.target": lambda c, w, u: _account_page(c, w, TARGET),
    "account.margin": lambda c, w, u: _account_page(c, w, MARGIN, PROFIT),
    "account.potential": lambda c, w, u: _account_page(c, w, POTENTIAL, "Portfolio matrix"),
    "account.health": lambda c, w, u: _account_page(c, w, 'id="health"'),
    "tender.read": lambda c, w, u: {firewall.SHOWN: firewall.ALLOWED, firewall.HIDDEN: firewall.DENIED}.get(
        _account_page(c, w, TENDER), ABSENT
    ),
    "tender.edit": lambda c, w, u: _tender_edit(c, w),
    "contract.terms": lambda c, w, u: _contract_terms(c, w),
    "dmu.read": lambda c, w, u: _allowed(c.get(reverse("stakeholders:dmu", args=[w.cast.account_a.pk])), ok=(200,)),
    "affiliation.stance": lambda c, w, u: _dmu_stance(c, w),
    "affiliation.influence": lambda c, w, u: _form_field(c, w, "influence"),
    "touchpoint.log": lambda c, w, u: _touchpoint(c, w, []),
    "touchpoint.other_side_participant": lambda c, w, u: _other_side_participant(c, w, u),
    "touchpoint.medical_participants": lambda c, w, u: _shown(
        c.get(reverse("stakeholders:touchpoint", args=[w.medical_tp.pk])), "Scientia"
    ),
    "touchpoint.medical_notes": lambda c, w, u: _shown(
        c.get(reverse("stakeholders:touchpoint", args=[w.medical_tp.pk])), SECRET
    ),
    "coverage.medical": lambda c, w, u: _shown(
        c.get(reverse("stakeholders:xray", args=[w.cast.account_a.pk])), "Scientia"
    ),
    "person.kol": lambda c, w, u: _shown(
        c.get(reverse("stakeholders:person", args=[w.affiliation.person_id])), "KOL · National"
    ),
    "kol.set": lambda c, w, u: _allowed(c.get(reverse("stakeholders:kol", args=[w.affiliation.person_id])), ok=(200,)),
    "support.raise": lambda c, w, u: _allowed(
        c.get(reverse("stakeholders:support-add", args=[w.cast.account_a.pk])), ok=(200,)
    ),
    "support.respond": lambda c, w, u: _allowed(
        c.get(reverse("stakeholders:support-respond", args=[w.support.pk])), ok=(200,)
    ),
}
# Rules about no account in particular: a medical colleague without a seat meets the rule itself.
NOT_OF_AN_ACCOUNT = {"portfolio.figures", "account.create"}


def test_every_rule_has_a_probe_and_every_probe_a_rule():
    assert set(PROBES) == set(firewall.BY_KEY)


@pytest.mark.parametrize("who", ["medical_seat", "medical_no_seat", "commercial_owner", "commercial_seat", "admin"])
@pytest.mark.parametrize("key", [r.key for r in firewall.RULES])
def test_each_side_gets_what_the_table_says(key, who, world, login):
    user = world.users[who]
    expected = firewall.access(user, key)
    if who == "medical_no_seat" and key not in NOT_OF_AN_ACCOUNT:
        expected = ABSENT
    assert PROBES[key](login(user), world, user) == expected


def test_the_sides(cast):
    assert firewall.side(cast.medical) == firewall.MEDICAL
    assert firewall.side(UserFactory(role=Role.MEDICAL_ADVISER)) == firewall.MEDICAL
    for user in (cast.kam_a, cast.manager_a, cast.head, cast.access, UserFactory(role=Role.MARKETING)):
        assert firewall.side(user) == firewall.COMMERCIAL
    assert firewall.side(cast.admin) == firewall.ADMIN
    assert firewall.side(UserFactory(role=Role.MSL, is_superuser=True)) == firewall.ADMIN


def test_an_unknown_rule_is_an_error_not_a_permission(cast):
    with pytest.raises(KeyError):
        firewall.allows(cast.kam_a, "plan.edti")


def test_every_value_in_the_table_is_a_known_one():
    for rule in firewall.RULES:
        values = {rule.medical, rule.commercial, rule.admin}
        if rule.is_field:
            assert values <= {firewall.SHOWN, firewall.READ_ONLY, firewall.HIDDEN}, rule.key
        else:
            assert values <= {firewall.ALLOWED, firewall.DENIED}, rule.key


def test_the_readme_table_is_the_modules_table():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- firewall-table -->\n(.*?)\n<!-- /firewall-table -->", readme, re.S)
    assert found, "README.md lost its firewall table markers"
    assert found.group(1).strip() == firewall.markdown_table()
