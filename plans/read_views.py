"""The plan as a document: the read view (all seven steps as text and tables, printable) and the
review page, which shows the same document with the decision beside it.

Both describe the plan with the exports' data (``plans.exports.data``), so the page, the PDF and
the deck never disagree. A medical colleague with a seat reads the joint variant and nothing else
(``kam.firewall``); plans outside ``plans_visible_to`` are a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kam import compliance, firewall
from kam.models import User
from plans import services
from plans.exports.data import INTERNAL, JOINT, plan_export_data
from plans.forms import ReviewForm
from plans.models import AccountPlan, PlanReview
from plans.selectors import can_edit_plan, can_review_plan, visible_plan_or_404


def _document(plan: AccountPlan, user: User, *, form: ReviewForm | None = None) -> dict:
    """The plan's sections as the exports describe them, each with what goes beside it: the last
    review's comment on that step, the review form's field for it, and whether the reader may edit it."""
    internal = firewall.allows(user, "plan.read_internal")
    data = plan_export_data(plan, variant=INTERNAL if internal else JOINT, user=user)
    review: PlanReview | None = None
    if internal:
        review = plan.reviews.select_related("reviewer").first()
    comments = review.step_comments if review else {}
    editable = internal and firewall.allows(user, "plan.edit") and can_edit_plan(user, plan)
    # Joint parts and the executive summary (number 0) are not one of the seven steps: nothing
    # to edit or comment on there.
    numbers = [section["number"] if internal and section["number"] else None for section in data["sections"]]
    sections = [
        {
            "section": section,
            "number": number,
            "comment": comments.get(str(number), "") if number else "",
            "field": form[f"step_{number}"] if form is not None and number else None,
        }
        for section, number in zip(data["sections"], numbers, strict=True)
    ]
    return {"plan": plan, "data": data, "sections": sections, "review": review, "editable": editable}


@login_required
def plan_read(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plan_or_404(request.user, pk)
    if not firewall.allows(request.user, "plan.read_internal"):
        firewall.require(request.user, "plan.read_joint")
    return render(request, "plans/plan_read.html", _document(plan, request.user))


@login_required
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plan_or_404(request.user, pk)
    firewall.require(request.user, "plan.workflow")
    if not can_review_plan(request.user, plan):
        raise PermissionDenied(_("Only a manager above the owner reviews this plan, and nobody reviews their own."))
    posted = request.method == "POST"
    form = ReviewForm(request.POST if posted else None)
    if posted and form.is_valid():
        decision = form.cleaned_data["decision"]
        args = {
            "plan": plan,
            "by": request.user,
            "comment": form.cleaned_data["comment"],
            "step_comments": form.step_comments(),
        }
        try:
            with transaction.atomic():
                if decision == "approve":
                    services.plan_approve(**args)
                    said = _("Plan approved.")
                elif decision == "changes":
                    services.plan_request_changes(**args)
                    said = _("Changes requested; the plan is back with the KAM.")
                else:
                    services.plan_periodic_review(**args)
                    said = _("Review recorded.")
                review = plan.reviews.order_by("-pk").first()  # the one just recorded
                compliance.confirmations_record(
                    by=request.user, items=[(form, review)], url=reverse("plans:read", args=[plan.pk])
                )
            messages.success(request, said)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return HttpResponseRedirect(plan.get_absolute_url())
    context = {
        **_document(plan, request.user, form=form),
        "form": form,
        "editable": False,
        "patient_data": compliance.page_confirmation(request.POST, [form]) if posted else None,
    }
    return render(request, "plans/plan_review.html", context, status=400 if posted else 200)
