"""The joint plan as a page: what the customer's export shows, to read before sending it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kam import firewall
from plans.exports.data import JOINT, plan_export_data
from plans.selectors import visible_plan_or_404


@login_required
@require_safe
def plan_joint(request: HttpRequest, pk: int) -> HttpResponse:
    """The joint (customer-safe) plan, from the same data as its PowerPoint and PDF: only the
    objectives and actions shared with the customer, and the parts the joint plan always shows."""
    plan = visible_plan_or_404(request.user, pk)
    firewall.require(request.user, "plan.read_joint")
    shared = None
    if firewall.allows(request.user, "plan.read_internal"):
        # How much is held back: a KAM sees at a glance whether they forgot to share something.
        shared = {
            **plan.objectives.aggregate(
                objectives=Count("pk"), objectives_shared=Count("pk", filter=Q(share_with_customer=True))
            ),
            **plan.actions.aggregate(
                actions=Count("pk"), actions_shared=Count("pk", filter=Q(share_with_customer=True))
            ),
        }
    return render(
        request,
        "plans/plan_joint_preview.html",
        {"plan": plan, "data": plan_export_data(plan, variant=JOINT, user=request.user), "shared": shared},
    )
