"""Plan pages. Plans come from ``plans_visible_to``; anything else is a 404. Forbidden workflow
steps are a 403 with the reason. The medical/commercial firewall (``kam.firewall``) comes after
the scope: a medical colleague with a seat reads the joint plan and nothing internal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import accounts_visible_to
from kam import compliance, firewall
from plans import services
from plans.exports.data import JOINT, plan_export_data
from plans.forms import NextPeriodForm, PlanCreateForm
from plans.list_exports import PlanListFilterForm, plans_listed
from plans.models import (
    STEPS,
    AccountPlan,
    PlanStatus,
    PlanStep,
)
from plans.selectors import (
    can_edit_plan,
    can_review_plan,
    completeness,
    objective_counts,
    plans_visible_to,
    with_progress,
)
from plans.step_pages import STEP_PAGES


def _plan(request: HttpRequest, pk: int, *, progress: bool = False) -> AccountPlan:
    plans = plans_visible_to(request.user).select_related("account__owner", "period")
    # The step navigator's figures come along with the plan rather than as queries of their own.
    return get_object_or_404(with_progress(plans) if progress else plans, pk=pk)


def _steps(plan: AccountPlan) -> dict[int, PlanStep]:
    # Unordered: the steps' default order joins the plan, its period and account for nothing here.
    return {s.number: s for s in plan.steps.order_by()}


def _navigator(plan: AccountPlan, steps: dict[int, PlanStep]) -> list[dict]:
    done = completeness(plan, {n: s.content for n, s in steps.items()})
    return [{"number": n, "title": STEPS[n], "complete": done[n]} for n in range(1, 8)]


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    form = PlanListFilterForm(request.GET)
    # The page ignores a status it does not know (its export refuses it); both list the same plans.
    status = form.cleaned_data["status"] if form.is_valid() else ""
    plans = plans_listed(request.user, form)
    return render(
        request,
        "plans/plan_list.html",
        {"plans": plans[:500], "status": status, "statuses": PlanStatus.choices, "today": timezone.localdate()},
    )


@login_required
def plan_create(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = get_object_or_404(accounts_visible_to(request.user), pk=account_pk)
    firewall.require(request.user, "plan.edit")
    form = PlanCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not can_edit_plan(request.user, AccountPlan(account=account, status=PlanStatus.DRAFT)):
            raise PermissionDenied(_("Only the account's owner and team write its plans."))
        exists = AccountPlan.objects.filter(
            account=account,
            period=form.cleaned_data["period"],
            therapeutic_area=form.cleaned_data["therapeutic_area"].strip(),
        ).first()
        if exists:
            messages.info(request, _("This account already has a plan for that period; here it is."))
            return HttpResponseRedirect(exists.get_absolute_url())
        plan = services.plan_create(account=account, by=request.user, **form.cleaned_data)
        return HttpResponseRedirect(reverse("plans:step", args=[plan.pk, 1]))
    return render(
        request,
        "plans/plan_create.html",
        {"account": account, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not firewall.allows(request.user, "plan.read_internal"):
        return _joint_detail(request, pk)
    plan = _plan(request, pk, progress=True)
    steps = _steps(plan)
    objectives = list(plan.objectives.select_related("owner", "plan__period", "product").with_listing_status())
    actions = list(plan.actions.select_related("owner", "objective"))
    revisions = AccountPlan.objects.filter(
        account=plan.account, period=plan.period, therapeutic_area=plan.therapeutic_area
    ).order_by("-revision")
    next_form = NextPeriodForm()
    next_form.fields["period"].queryset = next_form.fields["period"].queryset.filter(start__gt=plan.period.start)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "nav": _navigator(plan, steps),
            "objectives": objectives,
            "objective_counts": objective_counts(objectives),
            "actions": actions,
            "overdue": [a for a in actions if a.is_overdue],
            "done_share": round(100 * sum(a.status == "done" for a in actions) / len(actions)) if actions else 0,
            "reviews": plan.reviews.select_related("reviewer")[:10],
            "revisions": revisions,
            "can_edit": can_edit_plan(request.user, plan),
            "can_review": can_review_plan(request.user, plan),
            "can_revise": plan.status == PlanStatus.APPROVED
            and can_edit_plan(request.user, AccountPlan(account=plan.account, status=PlanStatus.DRAFT)),
            "problems": services.submission_problems(plan) if plan.is_editable else [],
            "next_form": next_form,
        },
    )


def _joint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as its joint (customer-safe) version: what a medical colleague may read."""
    plan = _plan(request, pk)
    firewall.require(request.user, "plan.read_joint")
    return render(
        request,
        "plans/plan_joint.html",
        {"plan": plan, "data": plan_export_data(plan, variant=JOINT, user=request.user)},
    )


def _latest_step_comment(plan: AccountPlan, number: int):
    if plan.submitted_at is None:  # never submitted, never reviewed: no query
        return None
    review = plan.reviews.filter(outcome="changes_requested").select_related("reviewer").first()
    if review and (review.step_comments.get(str(number)) or review.comment):
        return {"review": review, "text": review.step_comments.get(str(number), "")}
    return None


@login_required
def plan_step(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _plan(request, pk, progress=True)
    if number not in STEP_PAGES:
        return HttpResponse(status=404)
    page = STEP_PAGES[number](plan, request.user)
    steps = _steps(plan)
    step = steps[number]
    editable = can_edit_plan(request.user, plan)
    posted = request.method == "POST"
    firewall.require(request.user, "plan.edit" if posted else "plan.read_internal")
    if posted and not editable:
        raise PermissionDenied(
            _("This plan is not open for editing (it is %(status)s).") % {"status": plan.get_status_display()}
        )
    form = page.form(step, request.POST if posted else None)
    formsets = page.formsets(request.POST if posted else None)
    conflict = None
    status = 200
    if posted:
        if form.is_valid() and all(fs.is_valid() for _t, fs in formsets):

            def save_rows() -> None:
                for _title, fs in formsets:
                    fs.save()
                form.save_to_plan(plan)
                compliance.confirmations_record(
                    by=request.user,
                    items=[(form, step), *(row for _t, fs in formsets for row in compliance.rows(fs))],
                    url=reverse("plans:step", args=[plan.pk, number]),
                )

            try:
                services.step_save(
                    plan=plan,
                    number=number,
                    content=form.content(),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    save_rows=save_rows,
                )
            except services.PlanConflict as exc:
                conflict = exc.step
                status = 409
            else:
                page.saved(request)
                messages.success(request, _("Step %(n)d saved.") % {"n": number})
                target = request.POST.get("go")
                # Compared as text: "²".isdigit() holds and int() refuses it (a 500).
                if target in {str(n) for n in STEPS}:
                    return HttpResponseRedirect(reverse("plans:step", args=[plan.pk, int(target)]))
                return HttpResponseRedirect(reverse("plans:step", args=[plan.pk, number]))
        else:
            status = 400
    return render(
        request,
        "plans/plan_step.html",
        {
            "plan": plan,
            "step": step,
            "number": number,
            "title": STEPS[number],
            "nav": _navigator(plan, steps),
            "form": form,
            "formsets": formsets,
            "rows": page.rows(formsets, editable),
            "editable": editable,
            "conflict": conflict,
            "formsets_invalid": posted and not all(fs.is_valid() for _t, fs in formsets),
            "patient_data": compliance.page_confirmation(request.POST, [form, *(fs for _t, fs in formsets)])
            if posted
            else None,
            "reviewer_comment": _latest_step_comment(plan, number),
            **page.context({fs.prefix: fs for _t, fs in formsets}),
        },
        status=status,
    )


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    firewall.require(request.user, "plan.workflow")
    try:
        services.plan_submit(plan=plan, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return HttpResponseRedirect(plan.get_absolute_url())
    messages.success(request, _("Plan submitted for review."))
    return HttpResponseRedirect(plan.get_absolute_url())


@login_required
@require_POST
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    firewall.require(request.user, "plan.workflow")
    try:
        revision = services.plan_revise(plan=plan, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(plan.get_absolute_url())
    messages.success(
        request, _("Revision %(n)d opened as a draft; the approved plan stays as it is.") % {"n": revision.revision}
    )
    return HttpResponseRedirect(revision.get_absolute_url())


@login_required
@require_POST
def plan_next_period(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    firewall.require(request.user, "plan.workflow")
    form = NextPeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next period."))
        return HttpResponseRedirect(plan.get_absolute_url())
    try:
        new = services.plan_start_next_period(plan=plan, period=form.cleaned_data["period"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(plan.get_absolute_url())
    messages.success(request, _("Next period's plan started: objectives and actions are marked for review."))
    return HttpResponseRedirect(new.get_absolute_url())
