"""The repeating rows of the seven steps (objectives, actions, resources…) and their formsets
(``STEP_ROWS``). Each step's own small text form is in ``plans.step_forms``."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import ListingStatus, Product
from kam.models import User
from plans.models import (
    LISTING_TARGETS,
    AccountPlan,
    Action,
    CommunicationItem,
    Objective,
    ObjectiveKind,
    Pacing,
    RelationshipObjective,
    Resource,
    SwotItem,
    WhitespaceCell,
)
from plans.row_base import (
    ACTION_OWNER_REFUSED,
    DATE,
    MAX_ROWS,
    SHARE,
    PlanRowForm,
    PlanRowFormSet,
    PlanRowsMixin,
    action_owners,
    offer_row_owner,
)
from stakeholders.models import Affiliation, Person


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
