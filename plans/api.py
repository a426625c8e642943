"""REST API for plans, their seven steps, objectives and actions.

Scoped by ``plans_visible_to``; the internal plan is commercial (``plan.read_internal``: medical
colleagues get a 403 here and read the joint plan on its page). Every write goes through
``plans.services.step_save`` with the step's version, as the step pages do: steps with the
``version`` the client read (a stale one is a 409), objectives under step 4 and actions under
step 5, so an editor with the step page open meanwhile gets the page's conflict rather than
overwriting what came through the API. The step forms and row forms of the pages validate.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms import BaseForm
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Account
from accounts.selectors import accounts_visible_to
from kam import compliance, firewall
from kam.api import UPDATED_SINCE, UpdatedSinceMixin
from kam.models import User
from plans import services
from plans.models import STEPS, AccountPlan, Action, Objective, PlanningPeriod, PlanStatus, PlanStep
from plans.row_forms import ActionForm, ObjectiveForm
from plans.selectors import can_edit_plan, plans_visible_to
from plans.step_forms import STEP_FORMS
from stakeholders.models import Affiliation, Person

OBJECTIVES_STEP = 4
ACTIONS_STEP = 5


class ReadInternalPlan:
    """Mixin for viewsets: the internal plan is behind the firewall (``plan.read_internal``),
    and writing takes ``plan.edit``."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        firewall.require(request.user, "plan.read_internal")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            firewall.require(request.user, "plan.edit")


def _form_errors(form: BaseForm) -> serializers.ValidationError:
    return serializers.ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})


def _form_data(data: dict) -> dict:
    """A serializer's values as a form's data: null as empty, objects as their ids."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            out[name] = ""
        elif isinstance(value, list):
            out[name] = [getattr(v, "pk", v) for v in value]
        else:
            out[name] = getattr(value, "pk", value)
    return out


def _conflict(exc: services.PlanConflict) -> Response:
    step = exc.step
    return Response(
        {"detail": str(exc), "current_version": step.version, "updated_by": str(step.updated_by or "")},
        status=status.HTTP_409_CONFLICT,
    )


class PlanSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    period = serializers.PrimaryKeyRelatedField(queryset=PlanningPeriod.objects.all())

    class Meta:
        model = AccountPlan
        fields = [
            "id",
            "account",
            "period",
            "therapeutic_area",
            "revision",
            "status",
            "budget",
            "budget_currency",
            "next_review_date",
            "submitted_at",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in ("account", "period", "therapeutic_area")]

    def validate_account(self, account: Account) -> Account:
        if not accounts_visible_to(self.context["request"].user).filter(pk=account.pk).exists():
            raise serializers.ValidationError(_("Unknown account."))
        return account

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        exists = AccountPlan.objects.filter(
            account=attrs["account"], period=attrs["period"], therapeutic_area=attrs.get("therapeutic_area", "").strip()
        ).first()
        if exists:
            raise serializers.ValidationError(
                _("This account already has a plan for that period: %(id)d.") % {"id": exists.pk}
            )
        return attrs


class StepSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    updated_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = PlanStep
        fields = ["number", "title", "content", "version", "updated_by", "updated_at"]
        read_only_fields = fields

    def get_title(self, step: PlanStep) -> str:
        return str(STEPS[step.number])


class StepWriteSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The version you read; a stale one gets a 409.")
    content = serializers.DictField(help_text="The step's fields, as the step page has them.")


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class PlanViewSet(
    ReadInternalPlan,
    UpdatedSinceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Account plans at the accounts you may see, with their seven steps."""

    serializer_class = PlanSerializer
    queryset = AccountPlan.objects.none()

    def get_queryset(self) -> QuerySet[AccountPlan]:
        return plans_visible_to(self.request.user).select_related("account").order_by("pk")

    def perform_create(self, serializer: PlanSerializer) -> None:
        data = serializer.validated_data
        if not can_edit_plan(self.request.user, AccountPlan(account=data["account"], status=PlanStatus.DRAFT)):
            raise PermissionDenied(_("Only the account's owner and team write its plans."))
        serializer.instance = services.plan_create(
            account=data["account"],
            period=data["period"],
            therapeutic_area=data.get("therapeutic_area", ""),
            by=self.request.user,
        )

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def steps(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        return Response(StepSerializer(plan.steps.order_by("number"), many=True).data)

    @extend_schema(
        methods=["GET"],
        responses={200: StepSerializer, 404: OpenApiResponse(description="No such step")},
    )
    @extend_schema(
        methods=["PUT"],
        request=StepWriteSerializer,
        responses={
            200: StepSerializer,
            400: OpenApiResponse(description="Invalid content"),
            403: OpenApiResponse(description="Not editable by you"),
            409: OpenApiResponse(description="Someone saved the step since your version"),
        },
    )
    @action(detail=True, methods=["get", "put"], url_path=r"steps/(?P<number>[1-7])", url_name="step")
    def step(self, request: Request, pk: str | None = None, number: str = "1") -> Response:
        plan = self.get_object()
        step = get_object_or_404(PlanStep, plan=plan, number=int(number))
        if request.method == "GET":
            return Response(StepSerializer(step).data)
        body = StepWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not can_edit_plan(request.user, plan):
            raise PermissionDenied(_("This plan cannot be edited by you in its current status."))
        # Not the pages' confirmation of patient data either: the API records none, so it confirms none.
        ignored = {"version", compliance.CONFIRM_FIELD, compliance.REASON_FIELD}
        content = {k: v for k, v in body.validated_data["content"].items() if k not in ignored}
        form = STEP_FORMS[int(number)](data={**_form_data(content), "version": body.validated_data["version"]})
        if not form.is_valid():
            raise _form_errors(form)

        try:
            saved = services.step_save(
                plan=plan,
                number=int(number),
                content=form.content(),
                expected_version=form.cleaned_data["version"],
                by=request.user,
                # Step 6 keeps the budget on the plan, as on the step page.
                save_rows=lambda: form.save_to_plan(plan),
            )
        except services.PlanConflict as exc:
            return _conflict(exc)
        return Response(StepSerializer(saved).data)


class PlanRowSerializer(serializers.ModelSerializer):
    """A row of a plan's step (objective, action), validated by the step page's row form."""

    plan = serializers.PrimaryKeyRelatedField(queryset=AccountPlan.objects.all())
    step_version = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=0,
        help_text="The version of the row's step you read; a stale one gets a 409. Without it, the current one.",
    )
    form_class: type[BaseForm]

    def validate_plan(self, plan: AccountPlan) -> AccountPlan:
        user = self.context["request"].user
        if self.instance is not None and plan.pk != self.instance.plan_id:
            raise serializers.ValidationError(_("A row stays in its plan."))
        if not plans_visible_to(user).filter(pk=plan.pk).exists():
            raise serializers.ValidationError(_("Unknown plan."))
        return plan

    def form(self, plan: AccountPlan) -> BaseForm:
        """The page's row form over the row as it would be after this write."""
        names = [f for f in self.form_class._meta.fields]
        data = {}
        for name in names:
            if name in self.validated_data:
                data[name] = self.validated_data[name]
            elif self.instance is not None:
                value = getattr(self.instance, name)
                data[name] = list(value.all()) if hasattr(value, "all") else value
            else:  # the model's default, as a new row on the page starts with it
                field = self.form_class._meta.model._meta.get_field(name)
                if field.has_default():
                    data[name] = field.get_default()
        form = self.form_class(data=_form_data(data), instance=self.instance, plan=plan)
        if not form.is_valid():
            raise _form_errors(form)
        return form


class ObjectiveSerializer(PlanRowSerializer):
    form_class = ObjectiveForm
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "plan",
            "title",
            "kind",
            "kpi",
            "unit",
            "baseline",
            "target",
            "current_value",
            "pacing",
            "done",
            "product",
            "target_listing_status",
            "due_date",
            "owner",
            "needs_review",
            "share_with_customer",
            "step_version",
        ]


class ActionSerializer(PlanRowSerializer):
    form_class = ActionForm
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    objective = serializers.PrimaryKeyRelatedField(queryset=Objective.objects.all(), required=False, allow_null=True)
    stakeholders = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    # Any affiliation's id is taken here; the step page's form then holds it to the plan's account,
    # with the same words for an unknown id, so that the answer tells nothing of other accounts.
    customer_owner = serializers.PrimaryKeyRelatedField(
        queryset=Affiliation.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": forms.ModelChoiceField.default_error_messages["invalid_choice"]},
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
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
            "step_version",
        ]
        extra_kwargs = {"support_request": {"read_only": True}}


class PlanRowViewSet(
    ReadInternalPlan,
    UpdatedSinceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    step_number: int

    def get_queryset(self) -> QuerySet:
        model = self.serializer_class.Meta.model
        rows = model.objects.filter(plan__in=plans_visible_to(self.request.user)).order_by("pk")
        plan = self.request.query_params.get("plan", "")
        return rows.filter(plan_id=int(plan)) if plan.isdigit() else rows

    def _save(self, plan: AccountPlan, expected: int | None, write) -> Response | None:
        """``write`` inside ``step_save`` of this row's step; a Response for a conflict."""
        if not can_edit_plan(self.request.user, plan):
            raise PermissionDenied(_("This plan cannot be edited by you in its current status."))
        step = PlanStep.objects.get(plan=plan, number=self.step_number)
        try:
            services.step_save(
                plan=plan,
                number=self.step_number,
                content=step.content,
                expected_version=step.version if expected is None else expected,
                by=self.request.user,
                save_rows=write,
            )
        except services.PlanConflict as exc:
            return _conflict(exc)
        return None

    def _write(self, request: Request, serializer: PlanRowSerializer, ok_status: int) -> Response:
        serializer.is_valid(raise_exception=True)
        plan = serializer.validated_data.get("plan") or serializer.instance.plan
        form = serializer.form(plan)
        saved: list = []

        def write() -> None:
            row = form.save(commit=False)
            row.plan = plan
            # Progress (step 6's fields) is written beside the row form's fields. A value sent back
            # as it was stored is no fresh report: it stays cleared if the edit made it stale
            # (Objective.clear_stale_progress), as a client echoing the row it read would restore it.
            stored = getattr(row, "_loaded_values", {})
            for name in ("current_value", "done"):
                value = serializer.validated_data.get(name, stored.get(name))
                if name in serializer.validated_data and (name not in stored or value != stored[name]):
                    setattr(row, name, value)
            row.save()
            form.save_m2m()
            saved.append(row)

        conflict = self._save(plan, serializer.validated_data.get("step_version"), write)
        if conflict is not None:
            return conflict
        return Response(type(serializer)(saved[0], context=self.get_serializer_context()).data, status=ok_status)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._write(request, self.get_serializer(data=request.data), status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        return self._write(request, serializer, status.HTTP_200_OK)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        version = request.query_params.get("step_version", "")
        conflict = self._save(row.plan, int(version) if version.isdigit() else None, row.delete)
        return conflict or Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class ObjectiveViewSet(PlanRowViewSet):
    """Objectives of the plans you may see (``?plan=`` for one plan's); written under step 4."""

    serializer_class = ObjectiveSerializer
    queryset = Objective.objects.none()
    step_number = OBJECTIVES_STEP


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class ActionViewSet(PlanRowViewSet):
    """Actions of the plans you may see (``?plan=`` for one plan's); written under step 5."""

    serializer_class = ActionSerializer
    queryset = Action.objects.none()
    step_number = ACTIONS_STEP
