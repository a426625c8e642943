"""My work: what needs the user now, each item linking to the page where it is done.

Every section starts from the scoping selectors (``accounts_visible_to``, ``plans_visible_to``,
``touchpoints_visible_to``) and the firewall: the commercial sections (plan approvals, plan
actions, stale high-influence contacts, low-score follow-ups) are empty for a medical colleague,
whose touchpoint follow-ups are their medical ones; a commercial colleague's are the commercial
ones. "My" accounts are those the user owns or has a seat on. Each section is one query (the
low-score follow-ups two: the survey questions come prefetched), so the page costs the same
whatever is on it; each shows at most ``SECTION_LIMIT`` rows and says how many there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, AccountStatus, Contract, Listing, Tender
from accounts.selectors import accounts_visible_to
from accounts.tender_selectors import contract_notices, tender_deadlines
from kam import firewall
from kam.models import User, subordinate_ids
from kam.portfolio.health import KEY_INFLUENCE, met_within_cadence
from plans.models import AccountPlan, Action, ActionStatus, PlanStatus
from plans.selectors import plans_visible_to
from stakeholders.models import Affiliation, LowScoreFollowUp, Touchpoint
from stakeholders.selectors import touchpoints_visible_to

# My actions and touchpoint follow-ups due within this many days (overdue ones always).
DUE_SOON_DAYS = 14
# Formulary and committee dates this many days ahead (tender deadlines and contract notice dates:
# accounts.models.KEY_DATE_DAYS).
COMMITTEE_DAYS = 30
# Rows shown per section; the heading gives the full count.
SECTION_LIMIT = 50

REVIEWS = "reviews"
ACTIONS_OVERDUE = "actions_overdue"
ACTIONS_DUE = "actions_due"
FOLLOW_UPS = "follow_ups"
STALE = "stale"
LOW_SCORES = "low_scores"
COMMITTEES = "committees"
TENDERS = "tenders"
CONTRACT_NOTICES = "contract_notices"

TITLES = {
    REVIEWS: _("Plans awaiting my approval"),
    ACTIONS_OVERDUE: _("My actions overdue"),
    ACTIONS_DUE: _("My actions due soon"),
    FOLLOW_UPS: _("Touchpoint follow-ups due"),
    STALE: _("High-influence contacts past their cadence"),
    LOW_SCORES: _("Low satisfaction scores to follow up"),
    COMMITTEES: _("Committee dates coming up"),
    TENDERS: _("Tender deadlines coming up"),
    CONTRACT_NOTICES: _("Contract notice dates coming up"),
}


@dataclass
class WorkSection:
    key: str
    title: str
    rows: list
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)


@dataclass
class MyWork:
    sections: list[WorkSection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    def count(self, key: str) -> int:
        return next((s.total for s in self.sections if s.key == key), 0)


def _limited(rows: QuerySet) -> tuple[list, int]:
    """The first ``SECTION_LIMIT`` rows and how many there are, in one query (one more only when
    the section is cut)."""
    first = list(rows[: SECTION_LIMIT + 1])
    if len(first) <= SECTION_LIMIT:
        return first, len(first)
    return first[:SECTION_LIMIT], rows.count()


def my_accounts(user: User) -> QuerySet[Account]:
    """Active accounts the user owns or has a seat on, among those they may see."""
    return (
        accounts_visible_to(user).filter(status=AccountStatus.ACTIVE).filter(Q(owner=user) | Q(team_members__user=user))
    )


def plans_awaiting(user: User) -> QuerySet[AccountPlan]:
    """Submitted plans ``user`` may approve, as ``can_review_plan`` decides for one plan: an
    administrator any, a manager those of people below them; never one's own or one's submission."""
    plans = plans_visible_to(user).filter(status=PlanStatus.SUBMITTED)
    if not firewall.allows(user, "plan.workflow"):
        return plans.none()
    if not user.is_administrator:
        if not user.is_manager:
            return plans.none()
        plans = plans.filter(account__owner_id__in=subordinate_ids(user))
    return plans.exclude(account__owner=user).exclude(submitted_by=user)


def my_open_actions(user: User, *, until: date) -> QuerySet[Action]:
    """The user's open actions due by ``until``, on current plans of accounts they see; the same
    plans the digest reports from (no superseded, archived or revised copy)."""
    if not firewall.allows(user, "plan.read_internal"):
        return Action.objects.none()
    return (
        Action.objects.filter(owner=user, due_date__lte=until, plan__in=plans_visible_to(user))
        .exclude(status=ActionStatus.DONE)
        .exclude(plan__status__in=[PlanStatus.SUPERSEDED, PlanStatus.ARCHIVED])
        .filter(plan__next_revision__isnull=True, plan__account__status=AccountStatus.ACTIVE)
    )


def my_follow_ups(user: User, *, until: date) -> QuerySet[Touchpoint]:
    """Touchpoints the user logged or took part in whose follow-up is due by ``until`` and not
    done; only their own side's (the firewall)."""
    rows = (
        touchpoints_visible_to(user)
        .filter(follow_up_date__lte=until, follow_up_done=False)
        .filter(
            Exists(Touchpoint.participants.through.objects.filter(touchpoint=OuterRef("pk"), user=user))
            | Q(logged_by=user)
        )
    )
    if not user.is_administrator:
        rows = rows.filter(is_medical=user.is_medical)
    return rows


def stale_key_contacts(user: User, *, today: date, mine: QuerySet[Account] | None = None) -> QuerySet[Affiliation]:
    """High-influence contacts on my accounts past their contact cadence (``mine``: my_accounts,
    when the caller has it)."""
    if not firewall.allows(user, "plan.read_internal"):
        return Affiliation.objects.none()
    mine = my_accounts(user) if mine is None else mine
    return Affiliation.objects.filter(
        end_date__isnull=True, influence__gte=KEY_INFLUENCE, account__in=mine.values("pk")
    ).exclude(met_within_cadence(today))


def open_low_scores(user: User, *, mine: QuerySet[Account] | None = None) -> QuerySet[LowScoreFollowUp]:
    """Open low-score follow-ups on accounts the user owns (whose owner closes them)."""
    if not firewall.allows(user, "plan.read_internal"):
        return LowScoreFollowUp.objects.none()
    mine = my_accounts(user) if mine is None else mine
    return LowScoreFollowUp.objects.filter(closed_at__isnull=True, account__in=mine.filter(owner=user).values("pk"))


def committee_dates(user: User, *, today: date, mine: QuerySet[Account] | None = None) -> QuerySet[Listing]:
    mine = my_accounts(user) if mine is None else mine
    return Listing.objects.filter(
        account__in=mine.values("pk"),
        next_committee_date__gte=today,
        next_committee_date__lte=today + timedelta(days=COMMITTEE_DAYS),
    )


def build(user: User, *, today: date | None = None) -> MyWork:
    """Every section of My work for ``user``, empty ones included (the page says "nothing")."""
    today = today or timezone.localdate()
    work = MyWork()
    # Scoped once: for a manager, each call of accounts_visible_to reads the people below.
    mine = my_accounts(user)

    def section(key: str, rows: QuerySet, link) -> None:
        shown, total = _limited(rows)
        for row in shown:
            row.work_url = link(row)
        work.sections.append(WorkSection(key, str(TITLES[key]), shown, total))

    section(
        REVIEWS,
        plans_awaiting(user).select_related("account__owner", "period", "submitted_by").order_by("submitted_at", "pk"),
        lambda p: reverse("plans:review", args=[p.pk]),
    )
    actions = my_open_actions(user, until=today + timedelta(days=DUE_SOON_DAYS)).select_related(
        "plan__account", "plan__period"
    )
    step5 = lambda a: reverse("plans:step", args=[a.plan_id, 5])  # noqa: E731
    section(ACTIONS_OVERDUE, actions.filter(due_date__lt=today).order_by("due_date", "pk"), step5)
    section(ACTIONS_DUE, actions.filter(due_date__gte=today).order_by("due_date", "pk"), step5)
    section(
        FOLLOW_UPS,
        my_follow_ups(user, until=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("account")
        .order_by("follow_up_date", "pk"),
        lambda t: reverse("stakeholders:touchpoint", args=[t.pk]),
    )
    section(
        STALE,
        stale_key_contacts(user, today=today, mine=mine)
        .select_related("person", "account")
        .order_by("-influence", "account__name", "pk"),
        lambda a: reverse("stakeholders:touchpoint-add", args=[a.account_id]) + f"?person={a.person_id}",
    )
    section(
        LOW_SCORES,
        open_low_scores(user, mine=mine)
        .select_related("account", "invitation__person", "invitation__campaign__survey", "invitation__response")
        .prefetch_related("invitation__campaign__survey__questions")
        .order_by("opened_at", "pk"),
        # The account's Surveys tab, which opens with its follow-ups first (static/kam/app.js).
        lambda f: reverse("accounts:detail", args=[f.account_id]) + "#surveys",
    )
    section(
        COMMITTEES,
        committee_dates(user, today=today, mine=mine)
        .select_related("account", "product")
        .order_by("next_committee_date", "pk"),
        lambda listing: reverse("accounts:detail", args=[listing.account_id]),
    )
    # Tenders are for both sides to see (kam.firewall, tender.read); a contract's dates and title
    # carry none of its terms.
    tenders_shown = firewall.allows(user, "tender.read")
    section(
        TENDERS,
        tender_deadlines(mine, today=today).select_related("account").order_by("submission_deadline", "pk")
        if tenders_shown
        else Tender.objects.none(),
        lambda t: reverse("accounts:detail", args=[t.account_id]) + "#tenders",
    )
    section(
        CONTRACT_NOTICES,
        contract_notices(mine, today=today).select_related("account").order_by("notice_date", "pk")
        if tenders_shown
        else Contract.objects.none(),
        lambda c: reverse("accounts:detail", args=[c.account_id]) + "#tenders",
    )
    return work


def counts(user: User, *, today: date | None = None) -> dict[str, int]:
    """How many items each section holds, for the home page's summary."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    actions = my_open_actions(user, until=soon)
    mine = my_accounts(user)
    return {
        REVIEWS: plans_awaiting(user).count(),
        ACTIONS_OVERDUE: actions.filter(due_date__lt=today).count(),
        ACTIONS_DUE: actions.filter(due_date__gte=today).count(),
        FOLLOW_UPS: my_follow_ups(user, until=soon).count(),
        STALE: stale_key_contacts(user, today=today, mine=mine).count(),
        LOW_SCORES: open_low_scores(user, mine=mine).count(),
        COMMITTEES: committee_dates(user, today=today, mine=mine).count(),
        TENDERS: tender_deadlines(mine, today=today).count() if firewall.allows(user, "tender.read") else 0,
        CONTRACT_NOTICES: contract_notices(mine, today=today).count() if firewall.allows(user, "tender.read") else 0,
    }
