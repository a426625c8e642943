"""One character that XML cannot hold, stored in an account name, a plan or a stakeholder's name,
must not take down any export: every file is written, for the KAM and the whole management chain.
Typing such a character into a form drops it."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pptx import Presentation

from accounts.models import Account
from kam.text import UNUSABLE, xml_safe
from plans.models import Objective
from stakeholders.models import Person
from tests.health_data import refreshed_portfolio
from tests.plan_factories import set_step

ROLES = ["kam_a", "manager_a", "head", "admin"]
# A non-character, a vertical tab (Word's pasted line break), a byte-order non-character, DEL, and
# the non-character at the end of the first astral plane. PostgreSQL stores them all (it refuses NUL
# and lone surrogates itself, so those can only arrive through a form).
STORED = ["\uffff", "\x0b", "\ufffe", "\x7f", "\U0001ffff", "\x1b"]


@pytest.fixture
def poisoned(cast):
    """Account A, its approved plan, an objective, a step and a stakeholder, each holding every
    character in ``STORED``, written straight into the database as an import might."""
    with refreshed_portfolio(cast) as data:
        bad = "".join(STORED)
        Account.objects.filter(pk=data["a"].pk).update(name=f"Klinik{bad}um Nord", city=f"Köln{bad}")
        Objective.objects.filter(plan=data["plan"]).update(title=f"Listing{bad} Oncoril")
        set_step(data["plan"], 4, value_proposition=f"Fewer{bad} infusion hours.")
        Person.objects.filter(affiliations__account=data["a"]).update(last_name=f"Fann{bad}ing")
        yield data


def _no_unusable(text: str) -> None:
    assert not UNUSABLE.search(text), repr(text)


@pytest.mark.parametrize("role", ROLES)
def test_the_account_exports_are_written_and_clean(cast, poisoned, login, role):
    client = login(getattr(cast, role))
    response = client.get(reverse("accounts:export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Klinikum Nord" in names
    response = client.get(reverse("accounts:export", args=["csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    _no_unusable(body)
    assert "Klinikum Nord" in [r["Account"] for r in csv.DictReader(io.StringIO(body.removeprefix("\ufeff")))]


@pytest.mark.parametrize("role", ROLES)
def test_the_portfolio_review_is_written(cast, poisoned, login, role):
    response = login(getattr(cast, role)).get(reverse("portfolio-review"))
    assert response.status_code == 200
    deck = Presentation(io.BytesIO(response.content))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    texts += [
        cell.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    assert any("Klinikum Nord" in t for t in texts)


@pytest.mark.parametrize("role", ROLES)
def test_the_plan_exports_are_written(cast, poisoned, login, role):
    client = login(getattr(cast, role))
    plan = poisoned["plan"]
    for variant in ("internal", "joint"):
        response = client.get(reverse("plans:export", args=[plan.pk, variant, "pptx"]))
        assert response.status_code == 200, (variant, response.status_code)
        Presentation(io.BytesIO(response.content))
    response = client.get(reverse("plans:export", args=[plan.pk, "internal", "pdf"]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_shared_helper_drops_what_xml_cannot_hold_and_keeps_the_rest():
    kept = "Tab\there, line\nbreak\r, Ümlaut, עברית, 😀, \U0010fffd"
    assert xml_safe(kept) == kept
    assert xml_safe("a\x00b\x08c\x0bd\x0ce\x1ff\x7fg\ud800h\udfffi\ufdd0j\ufffek\uffffl\U0010ffffm") == "abcdefghijklm"
    assert xml_safe(None) == ""


VALID_ACCOUNT = {
    "account_type": "hospital",
    "tier": "A",
    "country": "DE",
    "region": "Bayern",
    "currency": "EUR",
    "beds": "420",
    "ownership": "public",
    "management_model": "professional",
    "has_formal_dmu": "true",
}


def test_typing_them_into_the_account_form_drops_them(cast, login):
    response = login(cast.kam_a).post(
        reverse("accounts:create"),
        {**VALID_ACCOUNT, "owner": cast.kam_a.pk, "name": "Klinik\uffff\x0bum Süd\x1b", "city": "\x0b"},
    )
    assert response.status_code == 302
    account = Account.objects.get(name="Klinikum Süd")
    assert account.city == ""


def test_a_required_text_of_nothing_but_them_is_refused_and_kept(cast, login):
    response = login(cast.kam_a).post(
        reverse("accounts:create"), {**VALID_ACCOUNT, "owner": cast.kam_a.pk, "name": "\uffff\x0b", "city": "Köln"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert b'value="K\xc3\xb6ln"' in response.content  # what was typed is still there


def test_a_nul_byte_is_refused_with_a_clear_message(cast, login):
    response = login(cast.kam_a).post(
        reverse("accounts:create"), {**VALID_ACCOUNT, "owner": cast.kam_a.pk, "name": "Klinik\x00um"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["Null characters are not allowed."]


def test_the_stakeholder_and_plan_forms_drop_them_too(cast, login, poisoned):
    client = login(cast.kam_a)
    response = client.post(
        reverse("stakeholders:add", args=[cast.account_a.pk]),
        {
            "person-first_name": "Ma\x0bria",
            "person-last_name": "Bra\uffffndt",
            "person-email": "maria.brandt@example.org",
            "person-preferred_language": "de",
            "aff-position_title": "Chief\x7f Pharmacist",
            "aff-function": "hospital_pharmacist",
            "aff-dmu_role": "gatekeeper",
            "aff-influence": "5",
            "aff-stance": "1",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(last_name="Brandt", affiliations__account=cast.account_a)
    assert (person.first_name, person.affiliations.get().position_title) == ("Maria", "Chief Pharmacist")

    from plans.models import PlanStatus, PlanStep

    plan = poisoned["plan"]
    plan.status = PlanStatus.DRAFT
    plan.save(update_fields=["status"])
    response = client.post(reverse("plans:step", args=[plan.pk, 1]), {"version": 0, "commentary": "Harv\ufffeest\x0b"})
    assert response.status_code == 302
    assert PlanStep.objects.get(plan=plan, number=1).content["commentary"] == "Harvest"


def test_the_mixin_also_drops_lone_surrogates_which_only_python_callers_can_send():
    from django import forms

    from kam.text import CleanTextMixin

    class NoteForm(CleanTextMixin, forms.Form):
        note = forms.CharField()
        optional = forms.CharField(required=False)

    form = NoteForm({"note": "a\ud800b\udfff ", "optional": "\ud800"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"note": "ab", "optional": ""}
    assert not NoteForm({"note": "\ud83d"}).is_valid()
