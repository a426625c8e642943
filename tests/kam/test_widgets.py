"""Shared and people choices give Django's widgets the options they would have drawn anyway."""

import copy

import pytest
from django import forms
from django.test.html import parse_html

from kam.models import User
from kam.widgets import SharedChoices, people_choices
from tests.factories import UserFactory

CHOICES = [
    ("", "—"),
    ("a", "Apotheke <Süd> & \"Nord\" 'West'"),
    ("b", "Klinikum"),
    ("Group", [("c", "Charité"), ("d", "Deutsches Herzzentrum")]),
]


@pytest.mark.parametrize("chosen", [None, "second"])
def test_people_choices_draw_the_options_django_draws(db, chosen):
    people = {
        "first": UserFactory(first_name="Anna", last_name="<Ärztin> & Co"),
        "second": UserFactory(first_name="", last_name="", username="no.name"),
        "third": UserFactory(first_name="Ben", last_name=""),
    }
    initial = {"owner": people[chosen].pk} if chosen else {}

    class OwnerForm(forms.Form):
        owner = forms.ModelChoiceField(queryset=User.objects.filter(pk__in=[p.pk for p in people.values()]))

    plain, read_as_rows = OwnerForm(initial=initial), OwnerForm(initial=initial)
    people_choices(read_as_rows.fields["owner"])
    assert parse_html(str(read_as_rows["owner"])) == parse_html(str(plain["owner"]))
    assert "&lt;Ärztin&gt; &amp; Co" in str(read_as_rows["owner"])
    assert [label for _value, label in read_as_rows.fields["owner"].widget.choices][1:] == [
        str(p) for p in User.objects.filter(pk__in=[p.pk for p in people.values()])
    ]


@pytest.mark.parametrize("value", [None, "", "b", "c", ["a", "b"]])
def test_shared_choices_draw_what_a_list_draws(value):
    multiple = isinstance(value, list)
    widget = forms.SelectMultiple if multiple else forms.Select
    assert parse_html(widget(choices=SharedChoices(CHOICES)).render("n", value)) == parse_html(
        widget(choices=CHOICES).render("n", value)
    )


def test_rows_sharing_choices_each_show_their_own_selection():
    shared = SharedChoices(CHOICES)
    for value in ["a", "b", "a", None, ["a", "b"]]:
        multiple = isinstance(value, list)
        widget = forms.SelectMultiple if multiple else forms.Select
        assert parse_html(widget(choices=shared).render("n", value)) == parse_html(
            widget(choices=CHOICES).render("n", value)
        ), value


def test_a_copied_field_shares_the_choices():
    field = forms.ChoiceField(choices=SharedChoices([("a", "A"), ("b", "B")]))
    copied = copy.deepcopy(field)
    assert copied.choices.choices is field.choices.choices
    assert copied.widget.choices.choices is field.choices.choices
