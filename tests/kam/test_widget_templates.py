"""Widgets drawn by the Jinja2 renderer (FORM_RENDERER) are what Django's own templates draw
(whitespace between tags aside), escaping included."""

import pytest
from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test.html import parse_html

CHOICES = [
    ("", "—"),
    ("Team <North>", [(1, 'Anna "A" & Co'), (2, "Bernd")]),
    (3, "Ça va <b>"),
]


@pytest.mark.parametrize(
    "widget",
    [
        forms.Select(choices=CHOICES, attrs={"class": "form-select", "required": True, "disabled": False}),
        forms.SelectMultiple(choices=CHOICES),
        forms.RadioSelect(choices=CHOICES, attrs={"id": "id_pick", "class": "list-unstyled"}),
        forms.CheckboxSelectMultiple(choices=CHOICES, attrs={"id": "id_many"}),
        forms.RadioSelect(choices=[(1, "one"), (2, "two")]),
    ],
    ids=["select", "select-multiple", "radio", "checkboxes", "radio-without-id"],
)
@pytest.mark.parametrize("value", [None, 2, [1, 3], "<x>"])
def test_it_draws_what_django_draws(widget, value):
    ours = widget.render("pick", value)  # the configured renderer
    djangos = widget.render("pick", value, renderer=DjangoTemplates())
    assert parse_html(ours) == parse_html(djangos)  # the same elements, attributes and text
    if widget.choices == CHOICES:
        assert "Ça va <b>" not in ours and "Ça va &lt;b&gt;" in ours


def test_widgets_django_has_in_jinja2_come_from_jinja2_and_the_rest_from_django_templates():
    renderer = get_default_renderer()
    assert renderer.get_template("django/forms/widgets/select.html").__module__.startswith(
        "django.template.backends.jinja2"
    )
    # The admin's widgets exist only as Django templates: they still render.
    assert 'class="vDateField' in AdminDateWidget().render("when", None)
    wrapper = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert type(wrapper).__module__ == "django.template.backends.django"
