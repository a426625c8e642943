"""Choices for forms whose selects are drawn many times on one page, or hold hundreds of people.

The widgets themselves are Django's: these only spare the reading and copying of their choices.
"""

from __future__ import annotations

from django import forms
from django.utils.choices import BaseChoiceIterator


class SharedChoices(BaseChoiceIterator):
    """Choices loaded once and shared by many fields (the rows of a formset). Being a choice
    iterator, Django takes them as they are, where a list would be normalised again, option by
    option, for each field."""

    def __init__(self, choices: list) -> None:
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __copy__(self) -> SharedChoices:
        # Fields are deep-copied for every form, and with them their choices: lazily translated
        # labels copied one by one, on every row. Shared choices are never changed in place, so
        # a copy shares the list.
        return SharedChoices(self.choices)

    def __deepcopy__(self, memo) -> SharedChoices:
        return self.__copy__()

    def __len__(self) -> int:
        return len(self.choices)


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
