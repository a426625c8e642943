"""Review meetings: a manager runs the team's account review on screen.

Who: a manager starts one over their team's key accounts (the accounts the dashboard's "Manager /
team" filter gives for them: owned by them or anyone below them, active, key accounts), in the order
of health, worst first (accounts without a score after them), then name; that order is kept for the
meeting. Only the manager who started it runs it (records decisions, closes it). Participants (the
people below the manager and the colleagues with a seat on the team's key accounts that the manager
chose) and managers above the meeting's manager may open it read-only; anyone else gets a 404.
Everyone sees only the accounts ``accounts_visible_to`` gives them, on their side of the firewall.

Decisions: each is a ``ReviewDecision`` on the meeting (what, owner, due date). When the account has
a plan that can take actions (``action_plan``: a draft or a plan with changes requested in the
current period, an open revision of an approved plan included), the decision is also written to it
as a plan action through the plan's own row form and ``plans.services.step_save``, as the step page
and the API write one (history, exports and health refresh follow), and linked. An approved or
submitted plan takes no action without a revision, and an account may have no plan at all: the
decision is then kept on the meeting, said so on the page and in the minutes, so nothing typed is
lost; the manager or the decision's owner puts it on the plan from the meeting page once one is
open (``decision_to_plan``).

Closing: ``meeting_close`` records the close once and enqueues the minutes through the outbox on
commit; ``send_minutes`` (the task ``portfolio.send_meeting_minutes``) claims each participant's
e-mail on their row before handing it to the mail server, so a second close or a second run of
the task sends nobody a second e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, AccountTeamMember, health_band
from accounts.selectors import account_viewers, accounts_visible_to
from kam import outbox
from kam.models import MEDICAL_ROLES, User
from kam.owner_choices import Colleagues, colleagues
from kam.portfolio.dashboard import DashboardFilters, scoped_accounts
from kam.portfolio.models import ReviewDecision, ReviewMeeting, ReviewMeetingAccount, ReviewParticipant
from plans import services as plan_services
from plans.models import EDITABLE_STATUSES, AccountPlan, ActionStatus, PlanningPeriod, PlanStatus, PlanStep
from plans.row_forms import ActionForm
from plans.selectors import can_edit_plan

MINUTES_TASK = "portfolio.send_meeting_minutes"
# The step of a plan that holds its actions ("Get into action").
ACTIONS_STEP = 5
NOT_CURRENT = (PlanStatus.SUPERSEDED, PlanStatus.ARCHIVED)


# Reads -----------------------------------------------------------------------------------------


def team_key_accounts(manager: User) -> QuerySet[Account]:
    """The manager's team's key accounts in the order they are reviewed: health, worst first,
    those without a score after them, then by name."""
    return (
        scoped_accounts(manager, DashboardFilters(team_lead=manager.pk))
        .filter(is_key_account=True)
        .order_by(F("health__score").asc(nulls_last=True), Lower("name"), "pk")
    )


def participant_choices(manager: User) -> QuerySet[User]:
    """Whom a meeting may invite: the people below the manager and the colleagues with a seat on
    the team's key accounts, active and not administrators; never the manager (always there)."""
    seats = AccountTeamMember.objects.filter(account__in=team_key_accounts(manager).values("pk")).values("user_id")
    return (
        User.objects.assignable()
        .filter(Q(pk__in=User.objects.below(manager).values("pk")) | Q(pk__in=seats))
        .exclude(pk=manager.pk)
        .order_by("last_name", "first_name", "pk")
    )


def meeting_or_404(user: User, pk: int) -> ReviewMeeting:
    return get_object_or_404(ReviewMeeting.objects.visible_to(user).select_related("manager"), pk=pk)


def can_run(user: User, meeting: ReviewMeeting) -> bool:
    """Only the manager who started it runs it, while it is open."""
    return meeting.is_open and user.is_active and user.pk == meeting.manager_id and user.is_manager


@dataclass(frozen=True)
class AgendaItem:
    position: int
    account_id: int
    name: str
    score: int | None

    @property
    def band(self) -> str:
        return health_band(self.score)


def agenda_for(user: User, meeting: ReviewMeeting) -> list[AgendaItem]:
    """The meeting's accounts ``user`` may see, in the meeting's order: one query."""
    rows = (
        ReviewMeetingAccount.objects.filter(meeting=meeting, account__in=accounts_visible_to(user))
        .order_by("position")
        .values_list("position", "account_id", "account__name", "account__health__score")
    )
    return [AgendaItem(*row) for row in rows]


def current_plans(account: Account, today: date) -> list[AccountPlan]:
    """The account's plans of the current period that are still worked with, the most advanced
    first (approved, submitted, changes requested, draft), the latest revision first."""
    period = PlanningPeriod.current(today)
    if period is None:
        return []
    rank = {PlanStatus.APPROVED: 0, PlanStatus.SUBMITTED: 1, PlanStatus.CHANGES_REQUESTED: 2, PlanStatus.DRAFT: 3}
    plans = list(
        AccountPlan.objects.filter(account=account, period=period)
        .exclude(status__in=NOT_CURRENT)
        .select_related("period", "account__owner")
    )
    return sorted(plans, key=lambda p: (rank.get(p.status, 9), -p.revision, p.pk))


def action_plan(plans: list[AccountPlan], user: User) -> AccountPlan | None:
    """Of the current plans, the one a decision goes to: an editable one (a draft, an open revision
    of an approved plan, one with changes requested) that ``user`` may edit; the latest revision."""
    editable = [p for p in plans if p.status in EDITABLE_STATUSES]
    editable.sort(key=lambda p: (-p.revision, p.pk))
    return next((p for p in editable if can_edit_plan(user, p)), None)


def owner_colleagues(account: Account) -> Colleagues:
    """Who may own a decision: commercial colleagues who see the account (a plan action's owners,
    ``plans.row_base.action_owners``), its owner and account team first."""
    viewers = account_viewers(account).exclude(role__in=MEDICAL_ROLES)
    team = viewers.filter(Q(pk=account.owner_id) | Q(account_teams__account_id=account.pk))
    return colleagues(team=team, others=viewers)


# Writes ----------------------------------------------------------------------------------------


@transaction.atomic
def meeting_start(*, manager: User, participants: list[User], today: date | None = None) -> ReviewMeeting:
    """Start a review meeting over the manager's team's key accounts as they stand now."""
    if not manager.is_manager or not manager.is_active:
        raise PermissionDenied(_("Only a manager runs a review meeting with their team."))
    accounts = list(team_key_accounts(manager).values_list("pk", flat=True))
    if not accounts:
        raise ValidationError(_("Your team has no active key accounts to review."))
    meeting = ReviewMeeting.objects.create(manager=manager, date=today or timezone.localdate())
    people = {manager.pk, *(u.pk for u in participants)}
    ReviewParticipant.objects.bulk_create([ReviewParticipant(meeting=meeting, user_id=pk) for pk in sorted(people)])
    ReviewMeetingAccount.objects.bulk_create(
        [ReviewMeetingAccount(meeting=meeting, account_id=pk, position=n) for n, pk in enumerate(accounts, start=1)]
    )
    return meeting


def _require_running(meeting: ReviewMeeting, by: User) -> None:
    if not can_run(by, meeting):
        if not meeting.is_open:
            raise PermissionDenied(_("This meeting is closed."))
        raise PermissionDenied(_("Only the manager who started this meeting runs it."))


def decision_record(
    *, meeting: ReviewMeeting, account: Account, title: str, owner: User, due_date: date, by: User
) -> ReviewDecision:
    """Record a decision on ``account`` and, where the account has a plan that can take it, write
    it there as an action linked to the decision. Raises ValidationError (by field) when the plan
    refuses the action (an owner who cannot see the account, a due date outside its period): then
    nothing is stored, and the form shows why."""
    _require_running(meeting, by)
    plan = action_plan(current_plans(account, timezone.localdate()), by)
    with transaction.atomic():
        # Locked as closing locks it: a decision is in the minutes, or refused because the meeting
        # closed meanwhile, never recorded after the minutes were read.
        _require_running(ReviewMeeting.objects.select_for_update().get(pk=meeting.pk), by)
        decision = ReviewDecision(
            meeting=meeting, account=account, title=title, owner=owner, due_date=due_date, recorded_by=by
        )
        decision.full_clean()
        decision.save()
        if plan is not None:
            decision.action = _add_action(plan, title=title, owner=owner, due_date=due_date, by=by)
            decision.save(update_fields=["action"])
    return decision


def _add_action(plan: AccountPlan, *, title: str, owner: User, due_date: date, by: User):
    """The plan's own row form validates the action, ``step_save`` writes it under step 5."""
    form = ActionForm(
        data={"title": title, "owner": owner.pk, "due_date": due_date.isoformat(), "status": ActionStatus.PLANNED},
        plan=plan,
    )
    if not form.is_valid():
        raise ValidationError(
            {
                name if name in ("title", "owner", "due_date") else NON_FIELD_ERRORS: errors
                for name, errors in form.errors.items()
            }
        )
    saved = []

    def write() -> None:
        action = form.save(commit=False)
        action.plan = plan
        action.save()
        form.save_m2m()
        saved.append(action)

    for attempt in range(2):  # someone saved step 5 in between: once more with their version
        step = PlanStep.objects.get(plan=plan, number=ACTIONS_STEP)
        try:
            plan_services.step_save(
                plan=plan,
                number=ACTIONS_STEP,
                content=step.content,
                expected_version=step.version,
                by=by,
                save_rows=write,
            )
        except plan_services.PlanConflict:
            if attempt:
                raise ValidationError(_("The plan's actions were being saved by someone else; try again.")) from None
            continue
        break
    return saved[0]


def may_place(user: User, meeting: ReviewMeeting, decision: ReviewDecision) -> bool:
    """Who may put a kept decision on the plan later: the meeting's manager and the decision's owner."""
    return user.is_active and user.pk in (meeting.manager_id, decision.owner_id)


def decision_to_plan(*, decision: ReviewDecision, by: User) -> ReviewDecision:
    """Put a decision that was kept on the meeting (no plan could take it then) on the account's
    plan now that one can, as an action linked to it. Idempotent: a decision already on a plan
    stays as it is. Raises ValidationError when still no plan can take it, or the plan refuses it."""
    if not may_place(by, decision.meeting, decision):
        raise PermissionDenied(_("Only the meeting's manager and the decision's owner put it on the plan."))
    with transaction.atomic():
        decision = ReviewDecision.objects.select_for_update().select_related("account", "owner").get(pk=decision.pk)
        if decision.action_id is not None:
            return decision
        plan = action_plan(current_plans(decision.account, timezone.localdate()), by)
        if plan is None:
            raise ValidationError(_("No plan of this account can take actions now."))
        decision.action = _add_action(
            plan, title=decision.title, owner=decision.owner, due_date=decision.due_date, by=by
        )
        decision.save(update_fields=["action"])
    return decision


@transaction.atomic
def meeting_close(*, meeting: ReviewMeeting, by: User) -> bool:
    """Close the meeting and have its minutes sent once it commits. False when it was closed
    already (a second click, a second tab): nothing more is enqueued."""
    locked = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.closed_at is not None:
        return False
    _require_running(locked, by)
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at"])
    outbox.enqueue(MINUTES_TASK, locked.pk, dedupe=outbox.dedupe_key(MINUTES_TASK, [locked.pk]))
    meeting.closed_at = locked.closed_at
    return True
