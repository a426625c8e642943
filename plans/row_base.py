"""What every repeating row of the plan steps shares: its cells (``RowCellsMixin``), its formset's
rules (``PlanRowsMixin``: a cap on rows, choices shared by all rows), the base form with the
patient-data check and the owners a row may name. The rows themselves are in ``plans.row_forms``."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountTeamMember
from accounts.selectors import account_viewers
from kam.compliance import PatientDataCheckMixin
from kam.models import MEDICAL_ROLES, User
from kam.owner_choices import Colleagues, colleagues, offer
from kam.text import CleanTextMixin
from kam.widgets import PeopleChoices, SharedChoices
from plans.models import (
    AccountPlan,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The sharing checkbox's column is headed "Share": the title says with whom.
SHARE = forms.CheckboxInput(attrs={"title": _("Show in the joint plan for the customer")})
NO_PATIENT_DATA = _("No patient data.")
# Rows per section of a step, and the most forms a post may make Django build: without them a
# raised TOTAL_FORMS made Django build up to 2,000 forms per formset and save every one filled in.
MAX_ROWS = 200


def _model_choices(field: forms.ModelChoiceField) -> list:
    """The field's choices as its ModelChoiceIterator yields them, from one plain query: the
    iterator asks for a COUNT first and then reads through a server-side cursor. Colleagues come
    as (pk, label) pairs: the choices are only drawn, the field validates against its queryset."""
    if getattr(field, "grouped_choices", None) is not None:
        return list(field.grouped_choices)
    if field.queryset.model is User:
        return list(PeopleChoices(field))
    choices = [] if field.empty_label is None else [("", field.empty_label)]
    iterator = field.iterator(field)
    choices.extend(iterator.choice(obj) for obj in field.queryset)
    return choices


class RowCellsMixin:
    """A formset row drawn in Python: its hidden inputs, a cell per visible field with the field's
    errors, and a cell with the row's own errors. The template loops this replaces cost about as
    much as the inputs they drew, on pages of dozens of rows."""

    def row_name(self) -> str:
        """How a screen reader names this row: "row 3", or "new row" for the "Add row" template."""
        index = self.prefix.rsplit("-", 1)[-1]
        return _("row %(n)d") % {"n": int(index) + 1} if index.isdigit() else _("new row")

    # Fields that belong to some kinds of row only (an objective's target, its product): their
    # cell names the kinds, and their input is hidden while the row is of another kind.
    field_kinds: dict[str, tuple[str, ...]] = {}

    def shown_kind(self) -> str | None:
        return None

    def cells(self) -> SafeString:
        errors = self.errors if self.is_bound else {}
        hidden, cells = [], []
        row = self.row_name()
        kind = self.shown_kind() if self.field_kinds else None
        for field in self:
            if field.is_hidden:
                hidden.append(str(field))
                continue
            # A cell's input has no <label>: its name says column and row (WCAG 1.3.1, 4.1.2).
            attrs = {"aria-label": f"{field.label}, {row}"}
            kinds = self.field_kinds.get(field.name)
            if kinds and kind not in kinds:
                attrs["hidden"] = True
            widget = field.as_widget(attrs=attrs)
            notes = "".join(
                f'<div class="invalid-feedback d-block">{conditional_escape(e)}</div>'
                for e in errors.get(field.name, ())
            )
            td = f'<td data-kinds="{" ".join(kinds)}">' if kinds else "<td>"
            cells.append(f"{td}{widget}{notes}</td>")
        if own := errors.get(NON_FIELD_ERRORS):
            cells.append(f'<td class="text-danger small">{" ".join(conditional_escape(e) for e in own)}</td>')
        return mark_safe("".join(hidden + cells))  # inputs are drawn escaped, messages escaped here


class PlanRowsMixin:
    """Row formsets of a plan: every row (and the "Add row" template) gets the plan, and every row
    offers the same choices, loaded once per formset instead of once per row."""

    @cached_property
    def forms(self):
        forms_ = super().forms
        self._share_choices([*forms_])
        return forms_

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "plan": self.plan}

    @cached_property
    def empty_form(self):
        # The row template cloned by "Add row": built with the plan, like every other row (and
        # once: the page reads it for the column headings and for the template).
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            plan=self.plan,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        self._share_choices([form])
        return form

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def _share_choices(self, forms_) -> None:
        cache = getattr(self, "_choice_cache", None)
        if cache is None:
            cache = self._choice_cache = {}
        for form in forms_:
            for name, field in form.fields.items():
                # Hidden primary-key fields render no choices; listing them would cost a query per row.
                if not isinstance(field, forms.ChoiceField) or field.widget.is_hidden:
                    continue
                if name not in cache:
                    # Fixed choices (a status) are shared too, so their options are drawn once.
                    choices = _model_choices(field) if isinstance(field, forms.ModelChoiceField) else field.choices
                    cache[name] = SharedChoices(list(choices))
                field.choices = cache[name]


class PlanRowFormSet(PlanRowsMixin, BaseInlineFormSet):
    """Row formsets get the plan so they can limit choices and check dates against its period."""

    def __init__(self, *args, plan: AccountPlan, **kwargs) -> None:
        self.plan = plan
        super().__init__(*args, instance=plan, **kwargs)


def _share_fixed_choices(form_class: type[forms.BaseForm]) -> None:
    """Turn the fixed choices of a form class (a status, a kind) into SharedChoices, once per
    class: every form deep-copies its class's fields, and copying a list of lazily translated
    labels cost more per row than drawing the row's inputs."""
    if "_fixed_choices_shared" in form_class.__dict__:
        return
    for field in form_class.base_fields.values():
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.choices = SharedChoices(list(field.choices))
    form_class._fixed_choices_shared = True


class PlanRowForm(PatientDataCheckMixin, CleanTextMixin, RowCellsMixin, forms.ModelForm):
    # Every text the row shows is checked for patient data (kam.compliance); the confirmation is
    # the step page's, one for all rows of a submit.
    date_fields: tuple[str, ...] = ()

    def __init__(self, *args, plan: AccountPlan, **kwargs) -> None:
        self.plan = plan
        _share_fixed_choices(type(self))
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            widget = f.widget
            if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")

    def shared(self, key: str, build: Callable[[], QuerySet]) -> QuerySet:
        """The plan's queryset for a choice, built once for all rows of the page: building a
        filtered queryset per row and field cost more than drawing the rows."""
        cache = self.plan.__dict__.setdefault("_row_choice_querysets", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def clean(self):
        data = super().clean()
        period = self.plan.period
        for name in self.date_fields:
            value = data.get(name)
            if value and not (period.start <= value <= period.end):
                self.add_error(
                    name,
                    _("Choose a date within %(period)s (%(start)s – %(end)s).")
                    % {
                        "period": period,
                        "start": date_format(period.start, "SHORT_DATE_FORMAT"),
                        "end": date_format(period.end, "SHORT_DATE_FORMAT"),
                    },
                )
        return data


ACTION_OWNER_REFUSED = _(
    "An action's owner must see the account: its owner, a member of its account team or a manager "
    "above the owner (medical colleagues take part through a support request)."
)


def action_owners(plan: AccountPlan) -> QuerySet[User]:
    """Who may own an action of ``plan``: commercial colleagues who see its account."""
    return account_viewers(plan.account).exclude(role__in=MEDICAL_ROLES)


def row_owners(plan: AccountPlan, rows: QuerySet) -> Colleagues:
    """Whom a row of ``plan`` may name as owner: the action owners (commercial colleagues who see
    the account), its account team first, and whoever already owns one of ``rows``, so that a row
    whose owner has left the account still shows who it is. Not the whole company's staff: a KAM
    sees only the people who work on the account (and a select of hundreds of names per row is
    not a choice). Never an inactive colleague or an administrator, unless a row stores them."""
    viewers = action_owners(plan)
    # Seats as a subquery: joining them under the OR made PostgreSQL scan every seat (3.7 ms, now 0.6).
    seats = AccountTeamMember.objects.filter(account_id=plan.account_id).values("user_id")
    team = viewers.filter(Q(pk=plan.account.owner_id) | Q(pk__in=seats))
    return colleagues(team=team, others=viewers, keep=rows.values("owner_id"))


def offer_row_owner(form: PlanRowForm, key: str, rows: QuerySet) -> None:
    """The owner field of a plan row: choices shared by the page's rows, the row's value kept."""
    offer(
        form.fields["owner"],
        form.shared(key, lambda: row_owners(form.plan, rows)),
        stored=[form.instance.owner_id],
        search=False,
    )
