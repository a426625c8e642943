"""Reads about plans. Every plan query starts from the accounts the user may see."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Floor, Length
from django.db.models.lookups import Exact
from django.shortcuts import get_object_or_404

from accounts.selectors import account_access, accounts_visible_to
from kam import firewall
from kam.models import User
from plans.models import (
    EDITABLE_STATUSES,
    MEASURABLE,
    AccountPlan,
    Action,
    CommunicationItem,
    Objective,
    ObjectiveStatus,
    PlanStep,
    RelationshipObjective,
    Resource,
    SwotItem,
    WhitespaceCell,
)
from stakeholders.models import Affiliation


def plans_visible_to(user: User) -> QuerySet[AccountPlan]:
    return AccountPlan.objects.filter(account__in=accounts_visible_to(user))


def visible_plan_or_404(user: User, pk: int) -> AccountPlan:
    """One plan ``user`` may see, with its account, owner and period; anyone else's is a 404."""
    return get_object_or_404(plans_visible_to(user).select_related("account__owner", "period"), pk=pk)


def can_edit_plan(user: User, plan: AccountPlan) -> bool:
    """Drafts are edited by the account's owner and account team (and those who may edit the account);
    never by a medical colleague, seat or not (the firewall)."""
    if plan.status not in EDITABLE_STATUSES or not firewall.allows(user, "plan.edit"):
        return False
    if account_access(user, plan.account).edit:
        return True
    return plan.account.team_members.filter(user=user).exists()


def can_review_plan(user: User, plan: AccountPlan) -> bool:
    """Only a manager above the owner, or an administrator, and never for one's own plan."""
    if user.pk in (plan.account.owner_id, plan.submitted_by_id):
        return False
    return user.is_administrator or (user.is_manager and user.is_above(plan.account.owner))


def _for_plan(model: type, where: str = "", *, count: str = "") -> RawSQL:
    """EXISTS (or COUNT(DISTINCT ``count``)) over the outer plan's rows of ``model``, a table with
    a ``plan_id`` column; ``where`` narrows the rows."""
    table = model._meta.db_table
    condition = f"t.plan_id = {AccountPlan._meta.db_table}.id" + (f" AND ({where})" if where else "")
    if count:
        return RawSQL(f"SELECT COUNT(DISTINCT t.{count}) FROM {table} t WHERE {condition}", (), IntegerField())
    return RawSQL(f"EXISTS (SELECT 1 FROM {table} t WHERE {condition})", (), BooleanField())


def with_progress(plans: QuerySet[AccountPlan]) -> QuerySet[AccountPlan]:
    """Plans annotated with what ``completeness`` checks, so the step navigator costs no query
    of its own on top of fetching the plan.

    Written as SQL: as eleven ORM subqueries the annotations cost every plan page about 4 ms of
    Python to compile, more than the database takes to answer them (tests/plans/test_steps.py
    checks them against the rows). The SQL names the plan table, so evaluate the result as it
    is rather than nesting it in another query as a subquery."""
    plan = AccountPlan._meta.db_table
    resources = (
        f"EXISTS (SELECT 1 FROM {Resource._meta.db_table} r JOIN {Action._meta.db_table} a ON a.id = r.action_id"
        f" WHERE a.plan_id = {plan}.id)"
    )
    affiliations = f"EXISTS (SELECT 1 FROM {Affiliation._meta.db_table} t WHERE t.account_id = {plan}.account_id)"
    return plans.annotate(
        has_objectives=_for_plan(Objective),
        # Objective.is_measurable and MEASURABLE, per kind.
        has_unmeasurable_objectives=_for_plan(
            Objective,
            "t.due_date IS NULL OR (t.kind = 'numeric' AND t.target IS NULL)"
            " OR (t.kind = 'listing' AND (t.product_id IS NULL OR t.target_listing_status = ''))",
        ),
        has_objective_values=_for_plan(Objective, "t.current_value IS NOT NULL OR t.done"),
        has_actions=_for_plan(Action),
        has_undated_actions=_for_plan(Action, "t.due_date IS NULL"),
        has_resources=RawSQL(resources, (), BooleanField()),
        swot_kinds=_for_plan(SwotItem, count="kind"),
        has_whitespace=_for_plan(WhitespaceCell),
        has_relationship_objectives=_for_plan(RelationshipObjective),
        has_communications=_for_plan(CommunicationItem),
        has_affiliations=RawSQL(affiliations, (), BooleanField()),
    )


def completeness(plan: AccountPlan, steps: dict[int, dict] | None = None) -> dict[int, int]:
    """Per step, the share (0–100) of its parts that are filled in. Reads the annotations of
    ``with_progress`` (fetched here, in one query, for a plan that lacks them)."""
    steps = steps if steps is not None else {s.number: s.content for s in plan.steps.all()}
    if not hasattr(plan, "has_objectives"):
        plan = with_progress(AccountPlan.objects.filter(pk=plan.pk)).get()

    def share(*parts: bool) -> int:
        return round(100 * sum(1 for p in parts if p) / len(parts))

    c1, c2, c4 = steps.get(1, {}), steps.get(2, {}), steps.get(4, {})
    return {
        1: share(bool(c1.get("commentary")), bool(c1.get("investment_decision"))),
        2: share(
            bool(c2.get("strategy")),
            bool(c2.get("needs")),
            bool(c2.get("drivers")),
            plan.swot_kinds == 4,
            plan.has_whitespace,
        ),
        3: share(plan.xray_snapshot is not None or plan.has_affiliations, plan.has_relationship_objectives),
        4: share(
            bool(c4.get("value_proposition")),
            plan.has_objectives,
            plan.has_objectives and not plan.has_unmeasurable_objectives,
        ),
        5: share(plan.has_actions, plan.has_actions and not plan.has_undated_actions),
        6: share(plan.budget is not None, plan.has_resources, plan.has_objective_values),
        7: share(plan.has_communications),
    }


def overall_completeness(plan: AccountPlan, steps: dict[int, dict] | None = None) -> int:
    """The plan's completeness as one number: the mean of the seven steps' shares."""
    return round(sum(completeness(plan, steps).values()) / 7)


def _flag(condition) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _share(*conditions) -> Expression:
    # Rounded as completeness() rounds: the shares are k/n of 100 with n in 1, 2, 3 or 5, never
    # exactly half-way, so half-up here and Python's round() there always agree.
    total = sum((_flag(c) for c in conditions[1:]), _flag(conditions[0]))
    return Floor(total * Value(100.0) / Value(float(len(conditions))) + Value(0.5))


def _step_text(number: int, key: str) -> Exists:
    """Whether step ``number`` holds something under ``key``, as ``bool(content.get(key))``: not
    missing, not empty, not JSON null or false (SQLite reads those two out as text)."""
    return Exists(
        PlanStep.objects.filter(plan=OuterRef("pk"), number=number)
        .annotate(_length=Length(KT(f"content__{key}")))
        .filter(_length__gt=0)
        .exclude(**{f"content__{key}": None})
        .exclude(**{f"content__{key}": False})
    )


def completeness_sql() -> Expression:
    """``overall_completeness`` as an SQL expression for an ``AccountPlan`` queryset, so that the
    completeness of every plan in a portfolio is computed in one statement."""
    objectives = Objective.objects.filter(plan=OuterRef("pk"))
    actions = Action.objects.filter(plan=OuterRef("pk"))
    swot_kinds = Coalesce(
        Subquery(
            SwotItem.objects.filter(plan=OuterRef("pk"))
            .order_by()
            .values("plan")
            .annotate(kinds=Count("kind", distinct=True))
            .values("kinds")
        ),
        Value(0),
    )
    steps = [
        _share(_step_text(1, "commentary"), _step_text(1, "investment_decision")),
        _share(
            _step_text(2, "strategy"),
            _step_text(2, "needs"),
            _step_text(2, "drivers"),
            Exact(swot_kinds, Value(4)),
            Exists(WhitespaceCell.objects.filter(plan=OuterRef("pk"))),
        ),
        _share(
            Q(xray_snapshot__isnull=False) | Exists(Affiliation.objects.filter(account=OuterRef("account_id"))),
            Exists(RelationshipObjective.objects.filter(plan=OuterRef("pk"))),
        ),
        _share(
            _step_text(4, "value_proposition"),
            Exists(objectives),
            Exists(objectives) & ~Exists(objectives.exclude(MEASURABLE)),
        ),
        _share(Exists(actions), Exists(actions) & ~Exists(actions.filter(due_date__isnull=True))),
        _share(
            Q(budget__isnull=False),
            Exists(Resource.objects.filter(action__plan=OuterRef("pk"))),
            Exists(objectives.filter(Q(current_value__isnull=False) | Q(done=True))),
        ),
        _share(Exists(CommunicationItem.objects.filter(plan=OuterRef("pk")))),
    ]
    total = sum(steps[1:], steps[0])
    return Floor(total / Value(7.0) + Value(0.5))


def objective_counts(objectives: list[Objective]) -> dict[str, int]:
    """Objectives by status, each judged as its kind says (``Objective.status``); a plan's
    listing objectives read the account's listings in one query (``Objective.listing_status``)."""
    counts = {s.value: 0 for s in ObjectiveStatus}
    for o in objectives:
        counts[o.status()] += 1
    return counts
