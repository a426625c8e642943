"""Form widgets written out in Python, for forms drawn many times on one page.

Django draws each widget through its templates: about 0.1 ms per input, and the same again per
``<option>`` of a select. A plan step shows a row of inputs per objective or action, each row with
a choice of every commercial colleague as owner, so at a few hundred colleagues the widgets cost
most of the page. These classes draw the same markup (the templates under
django/forms/templates/django/forms/widgets/) at a microsecond or two per input or option; the
test in tests/kam/test_widgets.py holds them to Django's output.
"""

from __future__ import annotations

import copy
import html

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe


def quick_escape(value: object) -> str:
    """Django's conditional_escape without its lazy-string wrapper, which costs more than the
    escaping for short labels: safe strings pass, everything else is escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def flatatt(attrs: dict) -> str:
    """Django's ``flatatt`` (django/forms/utils.py) without ``format_html``: the same sorted
    ``key="value"`` pairs, then the true boolean attributes, escaped alike. Through
    ``format_html`` each attribute cost a lazy-string check and two escapes, a third of drawing
    a row of inputs."""
    pairs = []
    flags = []
    for name, value in attrs.items():
        if isinstance(value, bool):
            if value:
                flags.append(name)
        elif value is not None:
            pairs.append((name, value))
    out = [f' {quick_escape(name)}="{quick_escape(value)}"' for name, value in sorted(pairs)]
    out += [f" {quick_escape(name)}" for name in sorted(flags)]
    return "".join(out)


class SharedChoices(BaseChoiceIterator):
    """Choices loaded once and shared by many fields (the rows of a formset). Being a choice
    iterator, Django takes them as they are, where a list would be normalised again, option by
    option, for each field; and the quick selects draw their options once for all fields."""

    def __init__(self, choices: list) -> None:
        self.choices = choices
        self._drawn: list[tuple[str, str, str]] | None = None
        self._options: dict[tuple[tuple[str, ...], bool], str] = {}

    def __iter__(self):
        return iter(self.choices)

    def __copy__(self) -> SharedChoices:
        # Fields are deep-copied for every form, and with them their choices: lazily translated
        # labels copied one by one, on every row. Shared choices are never changed in place, so
        # a copy shares the list; it draws its options afresh (in the language of its request).
        return SharedChoices(self.choices)

    def __deepcopy__(self, memo) -> SharedChoices:
        return self.__copy__()

    def __len__(self) -> int:
        return len(self.choices)

    def drawn(self) -> list[tuple[str, str, str]] | None:
        """(value, option, selected option) per choice, or None when there are option groups."""
        if self._drawn is None:
            if any(isinstance(label, list | tuple) for _value, label in self.choices):
                return None
            drawn = []
            for value, label in self.choices:
                value = "" if value is None else value
                head, tail = f'<option value="{quick_escape(value)}"', f">{quick_escape(label)}</option>"
                drawn.append((str(value), head + tail, f"{head} selected{tail}"))
            self._drawn = drawn
        return self._drawn

    def options(self, chosen: list[str], multiple: bool) -> str | None:
        """The ``<option>`` elements with ``chosen`` selected (the first match only, unless
        ``multiple``), or None when there are option groups. Drawn once per selection: the rows
        of a formset mostly choose the same (an owner among hundreds of colleagues)."""
        key = (tuple(chosen), multiple)
        if key not in self._options:
            drawn = self.drawn()
            if drawn is None:
                return None
            out = []
            has_selected = False
            for option_value, option, selected_option in drawn:
                selected = (not has_selected or multiple) and option_value in chosen
                has_selected |= selected
                out.append(selected_option if selected else option)
            self._options[key] = "".join(out)
        return self._options[key]


class PeopleChoices(BaseChoiceIterator):
    """The choices of a ModelChoiceField of users, read through ``UserQuerySet.as_choices`` as
    (id, label) rows: the same options as Django's iterator, without a User instance per option
    (a select of every owner an administrator sees holds several hundred). Read again each time
    it is drawn, like Django's; validation still goes through the field's queryset."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        self.field = field

    def __iter__(self):
        if self.field.empty_label is not None:
            yield "", self.field.empty_label
        if getattr(self.field, "null_label", None) is not None:  # django-filter's "none" option
            yield self.field.null_value, self.field.null_label
        yield from self.field.queryset.as_choices()


def people_choices(field: forms.ModelChoiceField) -> None:
    """Draw the options of ``field`` (a choice of users) from ``PeopleChoices``."""
    field.widget.choices = PeopleChoices(field)


class QuickSelectMixin:
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # What Select.get_context() and optgroups() work out, without a dict per option.
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        chosen = self.format_value(value)
        has_selected = False
        out = [f'<select name="{quick_escape(name)}"{flatatt(final_attrs)}>']
        shared = isinstance(self.choices, SharedChoices)
        options = self.choices.options(chosen, self.allow_multiple_selected) if shared else None
        if options is not None:
            return mark_safe(f"{out[0]}{options}</select>")  # drawn escaped
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            group = isinstance(option_label, list | tuple)
            if group:
                out.append(f'<optgroup label="{quick_escape(option_value)}">')
            for sub_value, sub_label in option_label if group else [(option_value, option_label)]:
                selected = (not has_selected or self.allow_multiple_selected) and str(sub_value) in chosen
                has_selected |= selected
                mark = " selected" if selected else ""
                out.append(f'<option value="{quick_escape(sub_value)}"{mark}>{quick_escape(sub_label)}</option>')
            if group:
                out.append("</optgroup>")
        out.append("</select>")
        return mark_safe("".join(out))  # every value above is escaped


class QuickInputMixin:
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{quick_escape(widget["value"])}"'
        return mark_safe(
            f'<input type="{quick_escape(widget["type"])}" name="{quick_escape(name)}"{shown}{flatatt(widget["attrs"])}>'
        )


class QuickTextarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        text = quick_escape(widget["value"]) if widget["value"] else ""
        return mark_safe(f'<textarea name="{quick_escape(name)}"{flatatt(widget["attrs"])}>\n{text}</textarea>')


class QuickRadioSelect(forms.RadioSelect):
    """Radio buttons whose ``{{ radio.tag }}`` is drawn in Python; the list around them, where a
    template draws it whole, still comes from Django's templates."""

    def _render(self, template_name, context, renderer=None) -> SafeString:
        widget = context["widget"]
        if template_name == self.option_template_name and not widget.get("wrap_label"):
            shown = "" if widget["value"] is None else f' value="{quick_escape(widget["value"])}"'
            return mark_safe(
                f'<input type="{quick_escape(widget["type"])}" name="{quick_escape(widget["name"])}"{shown}{flatatt(widget["attrs"])}>'
            )
        return super()._render(template_name, context, renderer)


class QuickSelect(QuickSelectMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickSelectMixin, forms.SelectMultiple):
    pass


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickNumberInput(QuickInputMixin, forms.NumberInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class QuickHiddenInput(QuickInputMixin, forms.HiddenInput):
    pass


class QuickCheckboxInput(QuickInputMixin, forms.CheckboxInput):
    pass


QUICK: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: QuickSelect,
    forms.SelectMultiple: QuickSelectMultiple,
    forms.TextInput: QuickTextInput,
    forms.NumberInput: QuickNumberInput,
    forms.DateInput: QuickDateInput,
    forms.HiddenInput: QuickHiddenInput,
    forms.CheckboxInput: QuickCheckboxInput,
    forms.Textarea: QuickTextarea,
}


def quick_widgets(form: forms.BaseForm) -> None:
    """Swap the plain Django widgets of ``form`` for the quick ones, keeping every setting (a
    later ``queryset =`` or ``choices =`` on the field updates the new widget)."""
    for field in form.fields.values():
        quick_class = QUICK.get(type(field.widget))
        if quick_class is not None:
            # The same widget (attrs, choices, format, check_test…), drawn by its quick subclass.
            quick = copy.copy(field.widget)
            quick.__class__ = quick_class
            field.widget = quick
