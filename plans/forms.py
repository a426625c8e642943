"""The repeating rows of the seven steps (objectives, actions, resources…) and the plan's other
forms. Each step's own small text form is in ``plans.step_forms``."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import ListingStatus, Product
from accounts.selectors import account_viewers
from kam.compliance import PatientDataCheckMixin
from kam.models import MEDICAL_ROLES, User
from kam.owner_choices import Colleagues, colleagues, offer
from kam.text import CleanTextMixin
from kam.widgets import PeopleChoices, SharedChoices
from plans.models import (
    LISTING_TARGETS,
    MAX_TEXT,
    STEPS,
    AccountPlan,
    Action,
    CommunicationItem,
    Objective,
    ObjectiveKind,
    Pacing,
    PlanningPeriod,
    RelationshipObjective,
    Resource,
    SwotItem,
    WhitespaceCell,
)
from stakeholders.models import Affiliation, Person

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
    team = viewers.filter(Q(pk=plan.account.owner_id) | Q(account_teams__account_id=plan.account_id))
    return colleagues(team=team, others=viewers, keep=rows.values("owner_id"))


def offer_row_owner(form: PlanRowForm, key: str, rows: QuerySet) -> None:
    """The owner field of a plan row: choices shared by the page's rows, the row's value kept."""
    offer(
        form.fields["owner"],
        form.shared(key, lambda: row_owners(form.plan, rows)),
        stored=[form.instance.owner_id],
        search=False,
    )


class SwotForm(PlanRowForm):
    class Meta:
        model = SwotItem
        fields = ["kind", "text"]


class WhitespaceForm(PlanRowForm):
    class Meta:
        model = WhitespaceCell
        fields = ["buying_centre", "product", "status", "estimated_value"]
        widgets = {"product": forms.Select(attrs={"data-search": "1"})}

    def clean(self):
        data = super().clean()
        if data.get("estimated_value") and data.get("status") != "opportunity":
            self.add_error("estimated_value", _("Estimate a value for open opportunities only."))
        return data


class RelationshipObjectiveForm(PlanRowForm):
    date_fields = ("due_date",)

    class Meta:
        model = RelationshipObjective
        fields = ["affiliation", "from_stance", "to_stance", "due_date", "owner"]
        widgets = {"due_date": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["affiliation"].queryset = self.shared(
            "affiliations",
            lambda: Affiliation.objects.active().filter(account=self.plan.account).select_related("person"),
        )
        # Labelled "person @ account" as str(affiliation) does, with the plan's account rather than
        # a copy of it joined to every choice.
        self.fields["affiliation"].label_from_instance = lambda a: f"{a.person} @ {self.plan.account}"
        offer_row_owner(self, "relationship_owners", self.plan.relationship_objectives.all())


NUMERIC, MILESTONE, LISTING = ObjectiveKind.NUMERIC, ObjectiveKind.MILESTONE, ObjectiveKind.LISTING
# What each kind of objective is told with; the others are cleared on saving, so a milestone
# keeps no target it once had as a number.
OBJECTIVE_KIND_FIELDS = {
    "kpi": (NUMERIC,),
    "unit": (NUMERIC,),
    "baseline": (NUMERIC,),
    "target": (NUMERIC,),
    "pacing": (NUMERIC,),
    "product": (LISTING,),
    "target_listing_status": (LISTING,),
}


class ObjectiveForm(PlanRowForm):
    date_fields = ("due_date",)
    field_kinds = OBJECTIVE_KIND_FIELDS
    # Only the statuses worth reaching: "not listed" is no objective.
    target_listing_status = forms.ChoiceField(
        label=_("listing to reach"),
        required=False,
        choices=[("", "---------"), *[(v, label) for v, label in ListingStatus.choices if v in LISTING_TARGETS]],
    )

    class Meta:
        model = Objective
        fields = [
            "title",
            "kind",
            "kpi",
            "unit",
            "baseline",
            "target",
            "pacing",
            "product",
            "target_listing_status",
            "due_date",
            "owner",
            "needs_review",
            "share_with_customer",
        ]
        widgets = {"due_date": DATE, "share_with_customer": SHARE}
        labels = {"needs_review": _("Review"), "share_with_customer": _("Share")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_row_owner(self, "objective_owners", self.plan.objectives.all())
        self.fields["product"].queryset = self.shared(
            "objective_products",
            lambda: Product.objects.filter(Q(active=True) | Q(pk__in=self.plan.objectives.values("product_id"))),
        )
        self.fields["product"].label_from_instance = lambda p: p.brand
        self.fields["product"].widget.attrs["data-search"] = "1"
        self.fields["kind"].widget.attrs["data-row-kind"] = ""
        # A post that names no kind or pacing (an older page, a script) means a number paced
        # linearly, as every objective was before kinds.
        self.fields["kind"].required = self.fields["pacing"].required = False

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or NUMERIC

    def clean_pacing(self) -> str:
        return self.cleaned_data.get("pacing") or Pacing.LINEAR

    def shown_kind(self) -> str | None:
        return self["kind"].value() or NUMERIC

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == NUMERIC and data.get("target") is None:
            self.add_error("target", _("A number objective needs a target."))
        elif kind == MILESTONE and data.get("due_date") is None and "due_date" not in self.errors:
            self.add_error("due_date", _("A milestone needs a due date."))
        elif kind == LISTING:
            if data.get("product") is None:
                self.add_error("product", _("A listing objective needs the product to be listed."))
            if not data.get("target_listing_status"):
                self.add_error("target_listing_status", _("A listing objective needs the listing status to reach."))
        if kind:
            for name, kinds in OBJECTIVE_KIND_FIELDS.items():
                if kind not in kinds and name in data:
                    data[name] = Pacing.LINEAR if name == "pacing" else self.fields[name].to_python(None)
        return data


class ObjectiveProgressForm(PlanRowForm):
    """Progress on an objective as its kind records it: a number's current value, a milestone's
    "done"; a listing's progress is the account's listing, recorded on the account."""

    field_kinds = {"current_value": (NUMERIC,), "done": (MILESTONE,)}

    class Meta:
        model = Objective
        fields = ["current_value", "done"]
        labels = {"done": _("Done")}

    def shown_kind(self) -> str | None:
        return self.instance.kind


class ActionForm(PlanRowForm):
    date_fields = ("due_date",)

    class Meta:
        model = Action
        fields = [
            "title",
            "objective",
            "owner",
            "due_date",
            "status",
            "stakeholders",
            "support_request",
            "needs_review",
            "share_with_customer",
            "customer_owner",
        ]
        widgets = {
            "due_date": DATE,
            "stakeholders": forms.SelectMultiple(attrs={"size": 2, "data-search": "1"}),
            "customer_owner": forms.Select(attrs={"data-search": "1"}),
            "share_with_customer": SHARE,
        }
        labels = {"needs_review": _("Review"), "share_with_customer": _("Share")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = self.shared("objectives", self.plan.objectives.all)
        # Owners are commercial colleagues who see the account (the digest names the plan and the
        # account to them); medical colleagues take part only through an accepted support request.
        # Owners already on the plan are offered too, so a row whose owner lost their seat shows
        # who it is and is refused on saving, rather than silently passing to the first choice.
        offer_row_owner(self, "action_owner_choices", self.plan.actions.all())
        self.fields["owner"].error_messages["invalid_choice"] = ACTION_OWNER_REFUSED
        self.fields["stakeholders"].queryset = self.shared(
            "people",
            lambda: Person.objects.filter(
                affiliations__account=self.plan.account, affiliations__end_date__isnull=True
            ).distinct(),
        )
        self.fields["support_request"].queryset = self.shared(
            "support_requests", lambda: self.plan.account.support_requests.filter(status="accepted")
        )
        # The account's current, not erased stakeholders, as the joint plan lists them; and whoever
        # already owns one of its actions, so that a row whose owner left still shows who it is.
        self.fields["customer_owner"].queryset = self.shared(
            "customer_owners",
            lambda: (
                Affiliation.objects.filter(account=self.plan.account)
                .filter(
                    Q(end_date__isnull=True, person__erased_at__isnull=True)
                    | Q(pk__in=self.plan.actions.values("customer_owner_id"))
                )
                .select_related("person")
                .order_by("person__last_name", "person__first_name")
            ),
        )
        self.fields["customer_owner"].label_from_instance = lambda a: str(a.person)

    def clean_owner(self) -> User | None:
        owner = self.cleaned_data.get("owner")
        allowed = self.shared("action_owner_ids", lambda: set(action_owners(self.plan).values_list("pk", flat=True)))
        if owner is not None and owner.pk not in allowed:
            raise forms.ValidationError(
                _("%(name)s cannot see this account. %(rule)s") % {"name": owner, "rule": ACTION_OWNER_REFUSED},
                code="owner_cannot_see_account",
            )
        return owner


class ResourceForm(PlanRowForm):
    class Meta:
        model = Resource
        fields = ["action", "people_days", "budget", "currency", "function"]

    def __init__(self, *args, plan: AccountPlan, **kwargs) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["action"].queryset = self.shared("actions", plan.actions.all)


class BaseResourceFormSet(PlanRowsMixin, forms.BaseModelFormSet):
    def __init__(self, *args, plan: AccountPlan, **kwargs) -> None:
        self.plan = plan
        kwargs.setdefault("queryset", Resource.objects.filter(action__plan=plan).select_related("action"))
        super().__init__(*args, **kwargs)


class CommunicationForm(PlanRowForm):
    date_fields = ("next_date",)

    class Meta:
        model = CommunicationItem
        fields = ["audience_kind", "audience", "message", "channel", "frequency", "owner", "next_date"]
        widgets = {"next_date": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_row_owner(self, "communication_owners", self.plan.communications.all())


class ObjectiveProgressRows(PlanRowFormSet):
    """Step 6 records progress on the objectives step 4 made; it never makes one. Rows beyond
    the plan's own objectives (a raised TOTAL_FORMS or INITIAL_FORMS, another plan's objective id
    in a hidden field) are refused rather than dropped, so nothing typed vanishes silently."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if form.instance.pk is None and form.has_changed():
                raise forms.ValidationError(
                    _("Step 6 records progress on the objectives of step 4; add new objectives there."),
                    code="not_an_objective_of_this_plan",
                )


def _rows(model, form, extra=1, formset=PlanRowFormSet, **options):
    return inlineformset_factory(
        AccountPlan,
        model,
        form=form,
        formset=formset,
        extra=extra,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS,
        **options,
    )


SwotFormSet = _rows(SwotItem, SwotForm, extra=2)
WhitespaceFormSet = _rows(WhitespaceCell, WhitespaceForm, extra=1)
RelationshipObjectiveFormSet = _rows(RelationshipObjective, RelationshipObjectiveForm, extra=1)
ObjectiveFormSet = _rows(Objective, ObjectiveForm, extra=1)
ObjectiveProgressFormSet = inlineformset_factory(
    AccountPlan,
    Objective,
    form=ObjectiveProgressForm,
    formset=ObjectiveProgressRows,
    extra=0,
    can_delete=False,
    edit_only=True,  # and never creates one, whatever is posted
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)
ActionFormSet = _rows(Action, ActionForm, extra=1)
ResourceFormSet = forms.modelformset_factory(
    Resource,
    form=ResourceForm,
    formset=BaseResourceFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)
CommunicationFormSet = _rows(CommunicationItem, CommunicationForm, extra=1)

# Per step: (prefix, formset class, title) of the repeating rows it holds.
STEP_ROWS = {
    1: [],
    2: [("swot", SwotFormSet, _("SWOT")), ("ws", WhitespaceFormSet, _("Whitespace map"))],
    3: [("rel", RelationshipObjectiveFormSet, _("Relationship objectives"))],
    4: [("obj", ObjectiveFormSet, _("Objectives"))],
    5: [("act", ActionFormSet, _("Actions"))],
    6: [
        ("res", ResourceFormSet, _("Resources per action")),
        ("prog", ObjectiveProgressFormSet, _("Objective progress")),
    ],
    7: [("com", CommunicationFormSet, _("Communication plan"))],
}


class PlanCreateForm(CleanTextMixin, forms.Form):
    period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.all(), label=_("Planning period"))
    therapeutic_area = forms.CharField(max_length=100, required=False, label=_("Therapeutic area (optional)"))


class ReviewForm(PatientDataCheckMixin, CleanTextMixin, forms.Form):
    # The reviewer's comments are the plan's free text too (kam.compliance).
    # Radio buttons with nothing chosen: a reviewer decides, the form never does it for them.
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("changes", _("Request changes")),
            ("periodic", _("Record a periodic review")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    comment = forms.CharField(
        required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for n in STEPS:
            self.fields[f"step_{n}"] = forms.CharField(
                required=False,
                max_length=2000,
                label=_("Your comment on step %(n)d") % {"n": n},
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def step_comments(self) -> dict[int, str]:
        return {n: self.cleaned_data.get(f"step_{n}", "") for n in range(1, 8)}

    def clean(self) -> dict:
        cleaned = super().clean()
        said = cleaned.get("comment", "").strip() or any(text.strip() for text in self.step_comments().values())
        if cleaned.get("decision") == "changes" and not said:
            self.add_error("comment", _("Say what should change: a comment, or one beside the step it concerns."))
        return cleaned


class NextPeriodForm(forms.Form):
    period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.all(), label=_("Next period"))
