"""The quick widgets draw what Django's widget templates draw."""

import copy
from datetime import date

import pytest
from django import forms
from django.test.html import parse_html

from kam.models import User
from kam.widgets import (
    QUICK,
    QuickCheckboxInput,
    QuickRadioSelect,
    QuickSelect,
    QuickSelectMultiple,
    SharedChoices,
    people_choices,
    quick_widgets,
)
from tests.factories import UserFactory

CHOICES = [
    ("", "—"),
    ("a", "Apotheke <Süd> & \"Nord\" 'West'"),
    ("b", "Klinikum"),
    ("Group", [("c", "Charité"), ("d", "Deutsches Herzzentrum")]),
]


class EveryWidget(forms.Form):
    pick = forms.ChoiceField(choices=CHOICES, required=False)
    must = forms.ChoiceField(choices=CHOICES)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    title = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "form-control", "maxlength": 20}))
    amount = forms.DecimalField(required=False)
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    done = forms.BooleanField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _both(data=None, initial=None) -> tuple[forms.Form, forms.Form]:
    plain = EveryWidget(data, initial=initial)
    quick = EveryWidget(data, initial=initial)
    quick_widgets(quick)
    return plain, quick


@pytest.mark.parametrize(
    "initial",
    [
        {},
        {"pick": "a", "must": "d", "many": ["b", "c"], "title": "<b>Tom & Jerry</b>", "amount": "12.50"}
        | {"due": date(2026, 3, 1), "secret": 'x"y', "done": True, "notes": "line 1\n<line 2>"},
        {"pick": None, "many": [], "title": "", "done": False, "notes": ""},
    ],
)
def test_quick_widgets_draw_what_django_draws(initial):
    plain, quick = _both(initial=initial)
    assert all(type(f.widget) in QUICK.values() for f in quick.fields.values())
    for name in plain.fields:
        assert parse_html(str(quick[name])) == parse_html(str(plain[name])), name


def test_they_draw_bound_data_and_errors_alike():
    plain, quick = _both(data={"pick": "zzz", "must": "", "many": ["a", "d"], "done": "on", "amount": "x"})
    assert not quick.is_valid() and not plain.is_valid()
    for name in plain.fields:
        assert parse_html(str(quick[name])) == parse_html(str(plain[name])), name


def test_a_single_select_marks_only_the_first_match():
    widget = QuickSelect(choices=[("1", "one"), ("1", "one again")])
    assert widget.render("n", "1").count(" selected") == 1


def test_model_choices_follow_a_later_queryset(db):
    first, second = UserFactory(last_name="First"), UserFactory(last_name="Second")

    class OwnerForm(forms.Form):
        owner = forms.ModelChoiceField(queryset=User.objects.none())
        done = forms.BooleanField(required=False)

    form = OwnerForm(initial={"owner": second.pk})
    quick_widgets(form)
    form.fields["owner"].queryset = User.objects.filter(pk__in=[first.pk, second.pk]).order_by("last_name")
    plain = OwnerForm(initial={"owner": second.pk})
    plain.fields["owner"].queryset = User.objects.filter(pk__in=[first.pk, second.pk]).order_by("last_name")
    assert parse_html(str(form["owner"])) == parse_html(str(plain["owner"]))
    assert f'value="{second.pk}" selected' in str(form["owner"])
    assert isinstance(form.fields["done"].widget, QuickCheckboxInput)


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

    plain, quick = OwnerForm(initial=initial), OwnerForm(initial=initial)
    quick_widgets(quick)
    people_choices(quick.fields["owner"])
    assert parse_html(str(quick["owner"])) == parse_html(str(plain["owner"]))
    assert [label for _value, label in quick.fields["owner"].widget.choices][1:] == [
        str(p) for p in User.objects.filter(pk__in=[p.pk for p in people.values()])
    ]


@pytest.mark.parametrize("value", [None, "", "b", ["a", "b"]])
def test_shared_choices_are_drawn_once_and_alike(value):
    flat = [choice for choice in CHOICES if not isinstance(choice[1], list)]
    shared = SharedChoices(flat)
    multiple = isinstance(value, list)
    plain = (forms.SelectMultiple if multiple else forms.Select)(choices=flat)
    quick = (QuickSelectMultiple if multiple else QuickSelect)(choices=shared)
    assert parse_html(quick.render("n", value)) == parse_html(plain.render("n", value))
    assert shared.drawn() is shared.drawn()  # drawn once, reused by every row
    assert SharedChoices(CHOICES).drawn() is None  # option groups take the general path


@pytest.mark.parametrize("value", [None, "2"])
def test_quick_radio_buttons_draw_what_django_draws(value):
    class Scores(forms.Form):
        score = forms.ChoiceField(choices=[("1", "one"), ("2", "<two>")], widget=forms.RadioSelect)

    plain, quick = Scores(initial={"score": value}), Scores(initial={"score": value})
    quick.fields["score"].widget = QuickRadioSelect(choices=quick.fields["score"].choices)
    assert [parse_html(str(r.tag())) for r in quick["score"]] == [parse_html(str(r.tag())) for r in plain["score"]]
    assert parse_html(str(quick["score"])) == parse_html(str(plain["score"]))  # the whole list, labels wrapped


def test_rows_sharing_choices_each_show_their_own_selection():
    flat = [choice for choice in CHOICES if not isinstance(choice[1], list)]
    shared = SharedChoices(flat)
    for value in ["a", "b", "a", None, ["a", "b"]]:
        multiple = isinstance(value, list)
        plain = (forms.SelectMultiple if multiple else forms.Select)(choices=flat)
        quick = (QuickSelectMultiple if multiple else QuickSelect)(choices=shared)
        assert parse_html(quick.render("n", value)) == parse_html(plain.render("n", value)), value


def test_a_copied_field_shares_the_choices_but_not_what_was_drawn():
    field = forms.ChoiceField(choices=SharedChoices([("a", "A"), ("b", "B")]))
    field.choices.drawn()
    copied = copy.deepcopy(field)
    assert copied.choices.choices is field.choices.choices
    assert copied.choices._drawn is None and copied.widget.choices._drawn is None
