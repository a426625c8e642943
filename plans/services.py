"""Plan workflow and editing: create, save a step without lost updates, submit, review, revise,
carry over to the next period, archive."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account, ListingStatus, Product
from accounts.services import schedule_health_refresh
from kam import outbox
from kam.models import User
from plans.models import (
    EDITABLE_STATUSES,
    AccountPlan,
    AudienceKind,
    CommunicationItem,
    Objective,
    PlanningPeriod,
    PlanReview,
    PlanStatus,
    PlanStep,
    ReviewOutcome,
    WhitespaceCell,
    WhitespaceStatus,
)
from plans.notifications import enqueue_reviewed, enqueue_submitted
from plans.selectors import can_edit_plan, can_review_plan
from plans.snapshots import dmu_snapshot, plan_snapshot
from stakeholders.models import Affiliation

# Lazy: written in the language of the account's owner when a plan is made (plan_create).
DEFAULT_COMMUNICATIONS = [
    (
        AudienceKind.INTERNAL,
        gettext_lazy("Management"),
        gettext_lazy("Plan status, objectives at risk, decisions needed"),
        gettext_lazy("Review meeting"),
        gettext_lazy("Quarterly"),
    ),
    (
        AudienceKind.INTERNAL,
        gettext_lazy("Medical"),
        gettext_lazy("Support requests and scientific needs of the account"),
        gettext_lazy("Account team call"),
        gettext_lazy("Monthly"),
    ),
    (
        AudienceKind.INTERNAL,
        gettext_lazy("Market access"),
        gettext_lazy("Tender and formulary timetable"),
        gettext_lazy("Account team call"),
        gettext_lazy("Monthly"),
    ),
    (
        AudienceKind.INTERNAL,
        gettext_lazy("Supply chain"),
        gettext_lazy("Forecast and supply risks"),
        gettext_lazy("E-mail"),
        gettext_lazy("Monthly"),
    ),
    (
        AudienceKind.EXTERNAL,
        gettext_lazy("DMU members"),
        gettext_lazy("Joint objectives and progress"),
        gettext_lazy("Joint account plan meeting"),
        gettext_lazy("Twice a year"),
    ),
]


class PlanConflict(Exception):
    """Someone saved the step since this editor loaded it."""

    def __init__(self, step: PlanStep) -> None:
        super().__init__(_("This step was changed by %(who)s while you were editing.") % {"who": step.updated_by})
        self.step = step


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def enqueue_prerender(plan_id: int) -> None:
    """After commit, have a worker render the plan's exports ahead of the download (see
    plans.exports.cache.render_cached). Recorded in the outbox, so a broker outage delays it."""
    if not settings.PLAN_EXPORT_PRERENDER:
        return
    outbox.enqueue("plans.prerender_exports", plan_id, dedupe=outbox.dedupe_key("plans.prerender_exports", [plan_id]))


@transaction.atomic
def plan_create(*, account: Account, period: PlanningPeriod, therapeutic_area: str = "", by: User) -> AccountPlan:
    plan = AccountPlan(account=account, period=period, therapeutic_area=therapeutic_area.strip(), created_by=by)
    plan.full_clean()
    plan.save()
    PlanStep.objects.bulk_create([PlanStep(plan=plan, number=n, updated_by=by) for n in range(1, 8)])
    # The rows are the owner's to keep, so they are written in the owner's language (else the creator's).
    language = (account.owner.language if account.owner else "") or translation.get_language()
    with translation.override(language):
        CommunicationItem.objects.bulk_create(
            [
                CommunicationItem(
                    plan=plan,
                    audience_kind=k,
                    audience=str(a),
                    message=str(m),
                    channel=str(c),
                    frequency=str(f),
                    owner=account.owner,
                )
                for k, a, m, c, f in DEFAULT_COMMUNICATIONS
            ]
        )
    whitespace_prefill(plan=plan)
    schedule_health_refresh([account.pk])
    return plan


def whitespace_prefill(*, plan: AccountPlan) -> int:
    """Departments of the DMU × our active products the account can carry, each cell filled from the listings."""
    centres = sorted(
        {d for d in Affiliation.objects.active().filter(account=plan.account).values_list("department", flat=True) if d}
    )[:4] or [_("Whole account")]
    listings = {row.product_id: row for row in plan.account.listings.all()}
    cells = []
    for product in Product.objects.carried_by(plan.account):
        listing = listings.get(product.pk)
        if listing is None or listing.status == ListingStatus.UNDER_REVIEW:
            status = WhitespaceStatus.OPPORTUNITY
        elif listing.status in (ListingStatus.LISTED, ListingStatus.RESTRICTED):
            status = WhitespaceStatus.OURS
        else:
            status = WhitespaceStatus.COMPETITOR if listing.competitor_product_id else WhitespaceStatus.OPPORTUNITY
        cells.extend(WhitespaceCell(plan=plan, buying_centre=c, product=product, status=status) for c in centres)
    WhitespaceCell.objects.bulk_create(cells, ignore_conflicts=True)
    return len(cells)


@transaction.atomic
def step_save(
    *,
    plan: AccountPlan,
    number: int,
    content: dict,
    expected_version: int,
    by: User,
    save_rows: Callable[[], None] | None = None,
) -> PlanStep:
    """Save one step if nobody saved it since ``expected_version``; otherwise raise PlanConflict.

    The conditional UPDATE takes the row lock, so of many concurrent saves from the same version
    exactly one matches; the others see the new version and are refused.
    """
    _require(can_edit_plan(by, plan), _("This plan cannot be edited by you in its current status."))
    updated = PlanStep.objects.filter(plan=plan, number=number, version=expected_version).update(
        content=content, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    step = PlanStep.objects.select_related("updated_by").get(plan=plan, number=number)
    if not updated:
        raise PlanConflict(step)
    if save_rows is not None:
        save_rows()
    # A history row for the step, since queryset updates skip simple-history.
    step._history_user = by
    step.save(update_fields=["updated_at"])
    AccountPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
    enqueue_prerender(plan.pk)
    # Steps hold the objectives and what the plan's completeness counts.
    schedule_health_refresh([plan.account_id])
    return step


def submission_problems(plan: AccountPlan) -> list[str]:
    problems = []
    objectives = list(plan.objectives.all())
    if not objectives:
        problems.append(_("Add at least one objective (step 4)."))
    for o in objectives:
        if not o.is_measurable:
            problems.append(
                _(
                    "Objective “%(title)s” is not measurable: give it a due date, and a target (a number) or a "
                    "product and a status to reach (a listing)."
                )
                % {"title": o.title}
            )
    return problems


@dataclass(frozen=True)
class Transition:
    """One move of the plan workflow: the statuses it starts from, the status it leads to (None:
    the plan keeps its status), who may make it, the review row it writes and whether the plan's
    exports and the account's health must follow."""

    sources: Collection[str]
    target: str | None
    wrong_status: Promise  # the refusals, translated when they are raised
    allowed: Callable[[User, AccountPlan], bool]
    forbidden: Promise
    outcome: str | None = None
    follow_up: bool = True


SUBMIT = Transition(
    sources=EDITABLE_STATUSES,
    target=PlanStatus.SUBMITTED,
    wrong_status=gettext_lazy("Only a draft or a plan with requested changes can be submitted."),
    allowed=can_edit_plan,
    forbidden=gettext_lazy("Only the account's owner and team can submit this plan."),
)
APPROVE = Transition(
    sources=[PlanStatus.SUBMITTED],
    target=PlanStatus.APPROVED,
    wrong_status=gettext_lazy("Only a submitted plan can be approved."),
    allowed=can_review_plan,
    forbidden=gettext_lazy("Only a manager above the owner can approve, and nobody approves their own plan."),
    outcome=ReviewOutcome.APPROVED,
)
REQUEST_CHANGES = Transition(
    sources=[PlanStatus.SUBMITTED],
    target=PlanStatus.CHANGES_REQUESTED,
    wrong_status=gettext_lazy("Changes can be requested on a submitted plan only."),
    allowed=can_review_plan,
    forbidden=gettext_lazy("Only a manager above the owner can review this plan."),
    outcome=ReviewOutcome.CHANGES_REQUESTED,
)
# Only the next review date moves: the exports and the health score do not show it.
PERIODIC_REVIEW = Transition(
    sources=[PlanStatus.APPROVED],
    target=None,
    wrong_status=gettext_lazy("Periodic reviews are for approved plans."),
    allowed=can_review_plan,
    forbidden=gettext_lazy("Only a manager above the owner can review this plan."),
    outcome=ReviewOutcome.PERIODIC,
    follow_up=False,
)


def _transition(
    plan: AccountPlan,
    by: User,
    move: Transition,
    *,
    change: Callable[[AccountPlan], list[str]],
    comment: str = "",
    step_comments: dict | None = None,
) -> tuple[AccountPlan, PlanReview | None]:
    """Make ``move`` on the plan, locked for the rest of the caller's transaction.

    ``change`` checks what the move needs (raising ValidationError) and sets the fields it changes
    besides the status, returning their names. The review row holds the plan as it now stands;
    the exports' pre-render and the health refresh are enqueued on commit."""
    plan = AccountPlan.objects.select_for_update().select_related("account__owner").get(pk=plan.pk)
    _require(plan.status in move.sources, str(move.wrong_status))
    _require(move.allowed(by, plan), str(move.forbidden))
    fields = change(plan)
    if move.target is not None:
        plan.status = move.target
        fields.append("status")
    plan._history_user = by
    plan.save(update_fields=[*fields, "updated_at"])
    review = None
    if move.outcome is not None:
        review = PlanReview.objects.create(
            plan=plan,
            reviewer=by,
            outcome=move.outcome,
            comment=comment,
            step_comments={str(k): v for k, v in (step_comments or {}).items() if v},
            snapshot=plan_snapshot(plan),
        )
    if move.follow_up:
        enqueue_prerender(plan.pk)
        schedule_health_refresh([plan.account_id])
    return plan, review


@transaction.atomic
def plan_submit(*, plan: AccountPlan, by: User) -> AccountPlan:
    def change(plan: AccountPlan) -> list[str]:
        problems = submission_problems(plan)
        if problems:
            raise ValidationError(problems)
        plan.submitted_at = timezone.now()
        plan.submitted_by = by
        plan.xray_snapshot = dmu_snapshot(plan.account, by)
        return ["submitted_at", "submitted_by", "xray_snapshot"]

    plan = _transition(plan, by, SUBMIT, change=change)[0]
    enqueue_submitted(plan=plan, by=by)
    return plan


@transaction.atomic
def plan_approve(*, plan: AccountPlan, by: User, comment: str = "", step_comments: dict | None = None) -> AccountPlan:
    def change(plan: AccountPlan) -> list[str]:
        plan.approved_at = timezone.now()
        plan.approved_by = by
        plan.next_review_date = timezone.localdate() + relativedelta(months=plan.review_cadence_months)
        if plan.previous_id:
            AccountPlan.objects.filter(pk=plan.previous_id).update(status=PlanStatus.SUPERSEDED)
        return ["approved_at", "approved_by", "next_review_date"]

    plan, review = _transition(plan, by, APPROVE, change=change, comment=comment, step_comments=step_comments)
    enqueue_reviewed(review=review)
    return plan


@transaction.atomic
def plan_request_changes(
    *, plan: AccountPlan, by: User, comment: str, step_comments: dict | None = None
) -> AccountPlan:
    def change(plan: AccountPlan) -> list[str]:
        if not comment.strip() and not any((step_comments or {}).values()):
            raise ValidationError(_("Say what should change."))
        return []

    plan, review = _transition(plan, by, REQUEST_CHANGES, change=change, comment=comment, step_comments=step_comments)
    enqueue_reviewed(review=review)
    return plan


@transaction.atomic
def plan_periodic_review(
    *, plan: AccountPlan, by: User, comment: str = "", step_comments: dict | None = None
) -> PlanReview:
    def change(plan: AccountPlan) -> list[str]:
        plan.next_review_date = timezone.localdate() + relativedelta(months=plan.review_cadence_months)
        return ["next_review_date"]

    return _transition(plan, by, PERIODIC_REVIEW, change=change, comment=comment, step_comments=step_comments)[1]


def _copy_rows(source: AccountPlan, target: AccountPlan, *, mark_review: bool) -> None:
    for step in source.steps.all():
        PlanStep.objects.filter(plan=target, number=step.number).update(content=step.content)
    objective_map: dict[int, Objective] = {}
    for o in source.objectives.all():
        old_pk = o.pk
        o.pk = None
        o.plan = target
        o.needs_review = mark_review
        o.save()
        objective_map[old_pk] = o
    for a in source.actions.prefetch_related("stakeholders", "resources"):
        people = list(a.stakeholders.all())
        resources = list(a.resources.all())
        a.pk = None
        a.plan = target
        a.objective = objective_map.get(a.objective_id)
        a.needs_review = mark_review
        if mark_review:
            a.status = "planned"
        a.save()
        a.stakeholders.set(people)
        for r in resources:
            r.pk = None
            r.action = a
            r.save()
    for related in ("swot", "whitespace", "relationship_objectives"):
        for row in getattr(source, related).all():
            row.pk = None
            row.plan = target
            row.save()
    target.communications.all().delete()
    for c in source.communications.all():
        c.pk = None
        c.plan = target
        c.save()


@transaction.atomic
def plan_revise(*, plan: AccountPlan, by: User) -> AccountPlan:
    """Open a new draft revision of an approved plan; the approved one stays as it is."""
    plan = AccountPlan.objects.select_for_update().get(pk=plan.pk)
    _require(plan.status == PlanStatus.APPROVED, _("Only an approved plan can be revised."))
    _require(
        can_edit_plan(by, AccountPlan(account=plan.account, status=PlanStatus.DRAFT)),
        _("Only the account's owner and team can revise this plan."),
    )
    if AccountPlan.objects.filter(previous=plan).exists():
        raise ValidationError(_("A revision of this plan is already open."))
    revision = AccountPlan.objects.create(
        account=plan.account,
        period=plan.period,
        therapeutic_area=plan.therapeutic_area,
        revision=plan.revision + 1,
        previous=plan,
        budget=plan.budget,
        budget_currency=plan.budget_currency,
        review_cadence_months=plan.review_cadence_months,
        next_review_date=plan.next_review_date,
        created_by=by,
    )
    PlanStep.objects.bulk_create([PlanStep(plan=revision, number=n, updated_by=by) for n in range(1, 8)])
    _copy_rows(plan, revision, mark_review=False)
    enqueue_prerender(revision.pk)
    schedule_health_refresh([plan.account_id])
    return revision


@transaction.atomic
def plan_start_next_period(*, plan: AccountPlan, period: PlanningPeriod, by: User) -> AccountPlan:
    """Next period's plan from this one: objectives and actions come along marked for review."""
    _require(
        can_edit_plan(by, AccountPlan(account=plan.account, status=PlanStatus.DRAFT)),
        _("Only the account's owner and team can start the next plan."),
    )
    if period.start <= plan.period.start:
        raise ValidationError(_("Choose a later period."))
    new = plan_create(account=plan.account, period=period, therapeutic_area=plan.therapeutic_area, by=by)
    new.whitespace.all().delete()
    _copy_rows(plan, new, mark_review=True)
    new.budget = plan.budget
    new.budget_currency = plan.budget_currency
    new.save(update_fields=["budget", "budget_currency"])
    enqueue_prerender(new.pk)
    return new


def plans_archive_ended(*, today: date | None = None) -> int:
    """Archive plans whose period has ended. Idempotent."""
    today = today or timezone.localdate()
    return (
        AccountPlan.objects.filter(period__end__lt=today)
        .exclude(status__in=[PlanStatus.ARCHIVED])
        .update(status=PlanStatus.ARCHIVED, updated_at=timezone.now())
    )
