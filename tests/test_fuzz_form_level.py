"""Every form of the app under 1,000 hostile examples each, at the level of the form.

Posting over HTTP costs 0.05–0.2 s an example (tests/test_fuzz_forms.py, 30 a form by default):
1,000 examples for each of its 33 forms would take about 25 minutes. Here the forms themselves take
the thousand, as their views build them:

- The forms a view builds are caught, not written down a second time: each case of
  tests/test_fuzz_forms.py (``CASES``, held to the POST routes of the authorisation matrix) posts its
  page's valid submission once while every form and formset class's ``__init__`` is watched. What a
  view passed to a form bound to the posted data (``user``, ``account``, ``instance``, ``plan``,
  ``initial``, ``prefix``, ``request``…) is kept, an instance as it was before the form changed it.
  A route whose view builds no such form, or none of whose page controls belongs to one, fails.
- Each example builds again the form or formset that holds one of the page's controls, with the
  same arguments and the page's values, that control's replaced by hostile input (``HOSTILE``: the
  strategies of ``tests.fuzz``), as Django reads it from a request body. Then: ``is_valid()`` never
  raises; the field as the page draws it (crispy's ``as_crispy_field``, through the project's form
  renderer) and the form's errors render, with nothing typed shown raw, and a refused form shows
  what was typed in a text field again, escaped (a password excepted); an accepted form's text is
  what exports can hold (nothing of ``kam.text.UNUSABLE`` left in ``cleaned_data``).
- One example in ``THROUGH_VIEW``, if the form accepts it, is also posted to the view in a
  savepoint rolled back afterwards, so that its services store it: never a 500. (Every example of
  the HTTP module does that, and follows the redirect to the page that shows the text.)

Not replayed: what a view does to a form after building it (``firewall.restrict_form``, which
changes nothing for the KAM and manager who post here): the test checks that the forms rebuilt have
the fields, required and disabled alike, of those the view built. Controls that no form holds (the
buttons "go", "another", a touchpoint's "next") are the HTTP module's.

Budget: ``KAM_FUZZ_FORM_LEVEL_EXAMPLES`` examples per form, 1,000 by default (the forms of a route
share them, as the fields do); one in fifty is 10k–1M characters long, one in twenty broken UTF-8.
An example costs a few milliseconds of Python and a few queries. Measured on the shared 2-core
machine at a load of 11–19 (other sessions' test runs): 33 × 1,000 examples in 19 minutes, of which
3 minutes 46 s of this process's own CPU time; from 4–6 ms an example (the password reset, the
digest settings) to 100 ms (the account form, whose model checks each of its constraints with a
query) and 60 ms (plan step 7, whose formsets validate every row). That is more than the 3–4
minutes the suite can spare at such a load: ``KAM_FUZZ_FORM_LEVEL_EXAMPLES`` sets the number.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import Model
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet, ManagementForm
from django.http import QueryDict
from django.template import engines
from hypothesis import given
from hypothesis import strategies as st

from kam.text import UNUSABLE
from tests.fuzz import BROKEN_BYTES, FUZZ, LONG, as_django_reads_it
from tests.test_fuzz_forms import (  # noqa: F401 (fixtures)
    CASES,
    REFUSED_WITH_200,
    FormCase,
    Target,
    body,
    fuzz_settings,
    no_flood_limit,
    quiet,
    shown_escaped,
    target,
    world,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

EXAMPLES = int(os.environ.get("KAM_FUZZ_FORM_LEVEL_EXAMPLES", "1000"))
THROUGH_VIEW = 40
# One example in fifty very long (10k–1M characters), one in twenty broken bytes, the rest FUZZ.
HOSTILE = st.integers(0, 99).flatmap(lambda i: LONG if i < 2 else st.sampled_from(BROKEN_BYTES) if i < 7 else FUZZ)
# Forms that write while they validate (django-axes records a failed login), in a savepoint rolled
# back after each example; the others write nothing before the view saves (a savepoint each is two
# queries more an example).
WRITES_ON_CLEAN = {"login"}
# Forms whose accepted text is not stored: a password is checked, an address only looked up.
NOT_STORED = {"login", "password_reset"}
FIELD = engines["django"].from_string(
    "{% load crispy_forms_filters %}{{ form|as_crispy_errors }}{{ field|as_crispy_field }}"
)


@dataclass
class Built:
    """One form or formset a view built from the posted data: how to build it again."""

    cls: type
    args: tuple
    kwargs: dict
    data: QueryDict  # the posted data it was given (replaced in each example)

    def rebuild(self, data: QueryDict) -> BaseForm | BaseFormSet:
        def swap(value):
            if value is self.data:
                return data
            # A fresh copy of an instance each time: a model form writes the data onto it.
            return copy.deepcopy(value) if isinstance(value, Model) else value

        return self.cls(*[swap(a) for a in self.args], **{k: swap(v) for k, v in self.kwargs.items()})


def _classes(base: type) -> list[type]:
    found, stack = [], [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                stack.append(sub)
    return [base, *found]


@contextmanager
def watching_forms() -> Iterator[list[tuple[object, Built]]]:
    """Every form and formset built meanwhile, with the arguments of the outermost ``__init__``
    (a subclass's, before it hands its own on to Django's)."""
    built: list[tuple[object, Built]] = []
    depth = [0]

    def watched(original):
        def __init__(self, *args, **kwargs):
            outermost = depth[0] == 0
            if outermost:
                kept = {k: copy.deepcopy(v) if isinstance(v, Model) else v for k, v in kwargs.items()}
                kept_args = tuple(copy.deepcopy(a) if isinstance(a, Model) else a for a in args)
            depth[0] += 1
            try:
                original(self, *args, **kwargs)
            finally:
                depth[0] -= 1
            if outermost and isinstance(self.data, QueryDict):
                built.append((self, Built(type(self), kept_args, kept, self.data)))

        return __init__

    with ExitStack() as stack:
        for cls in [*_classes(BaseForm), *_classes(BaseFormSet)]:
            stack.enter_context(mock.patch.object(cls, "__init__", watched(cls.__init__)))
        yield built


class _Rollback(Exception):
    pass


def _post(t: Target, data: bytes):
    """One submission to the view in a savepoint rolled back afterwards; redirects not followed."""
    try:
        with transaction.atomic():
            response = t.client.generic("POST", t.url, data, content_type="application/x-www-form-urlencoded")
            raise _Rollback
    except _Rollback:
        pass
    return response


def forms_of(case: FormCase, t: Target) -> list[tuple[BaseForm | BaseFormSet, Built]]:
    """The forms the view builds from the page's valid submission (as the view left them, and how
    to build them again), its formsets' own forms left to the formsets."""
    with watching_forms() as built:
        response = _post(t, body(t.pairs, "csrfmiddlewaretoken", ""))
    assert response.status_code < 500, (case.id, response.status_code)
    names = {n for n, _v in t.pairs}
    bound = [(obj, b) for obj, b in built if set(b.data) & names]
    prefixes = [obj.prefix for obj, _b in bound if isinstance(obj, BaseFormSet)]
    return [
        (obj, b)
        for obj, b in bound
        if isinstance(obj, BaseFormSet)
        or not (isinstance(obj, ManagementForm) or any((obj.prefix or "").startswith(p + "-") for p in prefixes))
    ]


def _owners(objs: list[BaseForm | BaseFormSet]) -> dict[str, tuple[BaseForm | BaseFormSet, BaseForm]]:
    """Posted name -> (the form or formset built, the form holding the field)."""
    owners = {}
    for obj in objs:
        forms = [obj.management_form, *obj.forms] if isinstance(obj, BaseFormSet) else [obj]
        for form in forms:
            for name in form.fields:
                owners[form.add_prefix(name)] = (obj, form)
    return owners


def _shape(objs: list[BaseForm | BaseFormSet]) -> list[tuple]:
    return sorted(
        (name, type(form.fields[field]).__name__, form.fields[field].required, form.fields[field].disabled)
        for name, (_obj, form) in _owners(objs).items()
        for field in [name.removeprefix(form.prefix + "-") if form.prefix else name]
    )


def _cleaned(objs: list[BaseForm | BaseFormSet]) -> Iterator[tuple[str, str]]:
    for obj in objs:
        forms = obj.forms if isinstance(obj, BaseFormSet) else [obj]
        for form in forms:
            for name, value in getattr(form, "cleaned_data", {}).items():
                if isinstance(value, str):
                    yield form.add_prefix(name), value


def _data(pairs: list[tuple[str, str]], name: str, value: str) -> QueryDict:
    data = QueryDict(mutable=True)
    for n, v in pairs:
        if n != name:
            data.appendlist(n, v)
    data.appendlist(name, value)
    data._mutable = False
    return data


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_no_form_breaks_on_hostile_input_and_none_shows_it_raw(case, world, quiet, no_flood_limit):  # noqa: F811
    t = target(case, world)
    caught = forms_of(case, t)
    assert caught, f"{case.id}: the view built no form from the posted data"
    built = [b for _obj, b in caught]
    with transaction.atomic():
        rebuilt = [b.rebuild(_data(t.pairs, "csrfmiddlewaretoken", "")) for b in built]
        # The view's later changes to its forms are not replayed: there must be none that matter.
        assert _shape(rebuilt) == _shape([obj for obj, _b in caught]), f"{case.id}: the view changes its forms"
        transaction.set_rollback(True)
    # Which form or formset holds each control: only that one is built and checked in an example.
    # The others get the page's values, the same in every example, which the view accepts
    # (test_the_base_submission_of_each_form_is_accepted); checking them again would double the
    # cost of a step page (its formsets query their rows and choices) and find nothing new.
    holder = {name: built[i] for i, obj in enumerate(rebuilt) for name in _owners([obj])}
    fields = [n for n in t.fields if n in holder]
    assert fields, f"{case.id}: none of the page's controls {t.fields} belongs to a form the view built"

    @fuzz_settings(EXAMPLES)
    @given(name=st.sampled_from(fields), value=HOSTILE, through_view=st.integers(0, THROUGH_VIEW - 1))
    def check(name: str, value: str | bytes, through_view: int) -> None:
        typed = as_django_reads_it(value)
        with transaction.atomic() if case.route in WRITES_ON_CLEAN else nullcontext():
            obj = holder[name].rebuild(_data(t.pairs, name, typed))
            valid = obj.is_valid()
            _obj, form = _owners([obj])[name]
            field = form[name.removeprefix(form.prefix + "-") if form.prefix else name]
            html = FIELD.render({"form": obj, "field": field})
            if case.route in WRITES_ON_CLEAN:
                transaction.set_rollback(True)
        if "<" in typed and len(typed) >= 6:
            assert typed not in html, ("unescaped", name, typed[:80])
        # A password is never drawn again (Django's PasswordInput), on the page as here.
        password = getattr(field.field.widget, "input_type", "") == "password"
        if not valid and name in t.echoed and not password and "\x00" not in typed and typed.strip():
            assert shown_escaped(typed, html) or shown_escaped(typed.strip(), html), ("not shown again", typed[:80])
        if valid and case.route not in NOT_STORED:
            unusable = {n: v[:80] for n, v in _cleaned([obj]) if UNUSABLE.search(v)}
            assert not unusable, ("text exports cannot hold", unusable)
        if valid and through_view == 0:
            response = _post(t, body(t.pairs, name, value))
            assert response.status_code < 500, (response.status_code, name, typed[:80])
            if case.route not in REFUSED_WITH_200:
                assert response.status_code != 200, ("a refused form answered 200", name, typed[:80])

    check()
