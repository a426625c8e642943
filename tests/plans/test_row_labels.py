"""Inputs in the plan steps' tables have no <label>: each is named for its column and row, so a
screen reader says "Owner, row 2" instead of nothing (WCAG 2.1: 1.3.1, 4.1.2)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.plan_factories import ActionFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", [2, 3, 4, 5, 6, 7])
def test_every_table_input_of_a_step_has_a_name(cast, plan, login, number):
    ObjectiveFactory(plan=plan)
    ActionFactory(plan=plan)
    html = login(cast.kam_a).get(reverse("plans:step", args=[plan.pk, number])).content.decode()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S)
    controls = [
        tag
        for row in rows
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", row)
        if 'type="hidden"' not in tag
    ]
    unnamed = [tag for tag in controls if "aria-label=" not in tag]
    assert not unnamed, unnamed[:3]


def test_the_names_say_column_and_row(cast, plan, login):
    ActionFactory(plan=plan, title="Hospital pharmacy visit")
    ActionFactory(plan=plan, title="P&T committee dossier")
    html = login(cast.kam_a).get(reverse("plans:step", args=[plan.pk, 5])).content.decode()
    assert 'aria-label="Action, row 1"' in html and 'aria-label="Owner, row 2"' in html
    assert 'aria-label="Action, new row"' in html  # the "Add row" template
