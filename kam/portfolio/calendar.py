"""Key dates: one calendar of the dates the field works towards, for the calendar page and the
iCalendar feed alike (``calendar_views``), so both show the same events.

Each kind of date is a ``Source``: a kind, a label, the firewall rule a user needs to see that
kind at all, and one small function that reads that kind's dates from the accounts in scope.
``SOURCES`` is the list the collector walks; a new kind of date is one more function and one more
line there. Tenders (deadline, decision, award) and contracts (notice date, end) are five kinds,
``TENDER_KINDS``: with the team filter they are a team's tender calendar. The medical/commercial firewall
(``kam.firewall``): plan reviews are workflow, none of a medical colleague's business (the
source's rule); within a kind, a source keeps to the user's side itself: a medical colleague gets
only the actions they own, linked to the joint plan; touchpoint follow-ups stay on their own side.

Each source reads at most ``Window.limit`` dates, the earliest, so an administrator's year of
actions over ten thousand accounts is cut rather than drawn; the page says when it was.

Every source reads one query over ``accounts``, the accounts ``user`` may see
(``accounts_visible_to``, through the dashboard's ``scoped_accounts`` and its filters): four
queries for the whole calendar (nine with the tenders and contracts), one more for a manager
(the people below).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from accounts.models import Account, Contract, Listing, Tender
from kam import firewall
from kam.models import User
from kam.portfolio.dashboard import DashboardFilters, scoped_accounts
from plans.models import AccountPlan, Action, ActionStatus, PlanStatus
from stakeholders.models import Touchpoint

# The page's default range, and the longest it draws (a year and a bit either way is plenty).
DEFAULT_DAYS = 90
MAX_DAYS = 800
# The most dates a page lists (filters narrow it); the feed takes more.
PAGE_LIMIT = 500


@dataclass(frozen=True)
class KeyDate:
    """One dated entry: what, when, at which account, and where it is handled."""

    kind: str
    object_id: int
    day: date
    title: str
    account_id: int
    account_name: str
    url: str
    owner: str = ""

    @property
    def uid(self) -> str:
        """Stable across fetches and across a moved date: a calendar updates the event rather than
        adding a second one."""
        return f"{self.kind}-{self.object_id}"

    @property
    def label(self) -> str:
        return str(BY_KIND[self.kind].label)

    def sort_key(self) -> tuple:
        return (self.day, KINDS.index(self.kind), self.account_name, self.object_id)


@dataclass(frozen=True)
class CalendarFilters:
    """What the calendar shows: a range of days, the dashboard's filters (owner, team, type…) and
    the kinds of date (all when empty)."""

    start: date
    end: date
    accounts: DashboardFilters
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Window:
    """The days a source reads (both ends included), and at most how many dates."""

    start: date
    end: date
    limit: int


Collect = Callable[[User, QuerySet[Account], Window], Iterable[KeyDate]]


@dataclass(frozen=True)
class Source:
    kind: str
    label: str | Promise
    collect: Collect
    # The firewall rule (``kam.firewall``) without which the user gets none of this kind.
    rule: str = ""

    def allowed(self, user: User) -> bool:
        return not self.rule or firewall.allows(user, self.rule)


def _name(user: User | None) -> str:
    return str(user) if user else ""


def _url(name: str, pk: int, anchor: str = "") -> str:
    return reverse(name, args=[pk]) + anchor


# Sources ------------------------------------------------------------------------------------


def committee_dates(user: User, accounts: QuerySet[Account], window: Window) -> Iterable[KeyDate]:
    """The next formulary/committee meeting per listing: for both sides (the DMU's business)."""
    rows = Listing.objects.filter(
        account__in=accounts, next_committee_date__range=(window.start, window.end)
    ).select_related("account__owner", "product")
    for listing in rows.order_by("next_committee_date", "pk")[: window.limit]:
        yield KeyDate(
            kind="committee",
            object_id=listing.pk,
            day=listing.next_committee_date,
            title=listing.product.brand,
            account_id=listing.account_id,
            account_name=listing.account.name,
            url=_url("accounts:detail", listing.account_id, "#listings"),
            owner=_name(listing.account.owner),
        )


def plan_reviews(user: User, accounts: QuerySet[Account], window: Window) -> Iterable[KeyDate]:
    """Approved plans' next review."""
    rows = AccountPlan.objects.filter(
        account__in=accounts, status=PlanStatus.APPROVED, next_review_date__range=(window.start, window.end)
    ).select_related("account__owner", "period")
    for plan in rows.order_by("next_review_date", "pk")[: window.limit]:
        yield KeyDate(
            kind="review",
            object_id=plan.pk,
            day=plan.next_review_date,
            title=" · ".join(part for part in (str(plan.period), plan.therapeutic_area) if part),
            account_id=plan.account_id,
            account_name=plan.account.name,
            url=_url("plans:detail", plan.pk),
            owner=_name(plan.account.owner),
        )


def action_due_dates(user: User, accounts: QuerySet[Account], window: Window) -> Iterable[KeyDate]:
    """Open actions of the plans in force (as the digest reads them). A medical colleague reads
    only the joint plan: they get the actions they own, linked there, and no one else's."""
    rows = (
        Action.objects.filter(plan__account__in=accounts, due_date__range=(window.start, window.end))
        .exclude(status=ActionStatus.DONE)
        .exclude(plan__status__in=[PlanStatus.SUPERSEDED, PlanStatus.ARCHIVED])
        .filter(plan__next_revision__isnull=True)
        .select_related("plan__account", "owner")
    )
    internal = firewall.allows(user, "plan.read_internal")
    if not internal:
        rows = rows.filter(owner=user)
    for action in rows.order_by("due_date", "pk")[: window.limit]:
        yield KeyDate(
            kind="action",
            object_id=action.pk,
            day=action.due_date,
            title=action.title,
            account_id=action.plan.account_id,
            account_name=action.plan.account.name,
            url=reverse("plans:step", args=[action.plan_id, 5]) if internal else _url("plans:detail", action.plan_id),
            owner=_name(action.owner),
        )


def touchpoint_follow_ups(user: User, accounts: QuerySet[Account], window: Window) -> Iterable[KeyDate]:
    """Open follow-ups of touchpoints, each on its own side of the firewall: a medical touchpoint's
    next step is medical content, and a commercial one is none of a medical colleague's work."""
    rows = Touchpoint.objects.filter(
        account__in=accounts, follow_up_date__range=(window.start, window.end), follow_up_done=False
    ).select_related("account", "logged_by")
    if not user.is_administrator:
        rows = rows.filter(is_medical=user.is_medical)
    for touchpoint in rows.order_by("follow_up_date", "pk")[: window.limit]:
        yield KeyDate(
            kind="follow_up",
            object_id=touchpoint.pk,
            day=touchpoint.follow_up_date,
            title=touchpoint.next_step or touchpoint.get_kind_display(),
            account_id=touchpoint.account_id,
            account_name=touchpoint.account.name,
            url=_url("stakeholders:touchpoint", touchpoint.pk),
            owner=_name(touchpoint.logged_by),
        )


def _tender_dates(kind: str, field: str) -> Collect:
    """A tender date (submission deadline, decision, award): for both sides (rule
    ``tender.read``: the DMU's business). A deadline is worked towards only while the tender is
    open; a decision or award date stays in the calendar whatever the outcome."""

    def collect(user: User, accounts: QuerySet[Account], window: Window) -> Iterable[KeyDate]:
        rows = Tender.objects.filter(account__in=accounts, **{f"{field}__range": (window.start, window.end)})
        if field == "submission_deadline":
            rows = rows.open()
        for tender in rows.select_related("account__owner").order_by(field, "pk")[: window.limit]:
            yield KeyDate(
                kind=kind,
                object_id=tender.pk,
                day=getattr(tender, field),
                title=str(tender),
                account_id=tender.account_id,
                account_name=tender.account.name,
                url=_url("accounts:detail", tender.account_id, "#tenders"),
                owner=_name(tender.account.owner),
            )

    return collect


def _contract_dates(kind: str, field: str) -> Collect:
    """A contract's notice date or end: dates and titles only, never its terms (``contract.terms``)."""

    def collect(user: User, accounts: QuerySet[Account], window: Window) -> Iterable[KeyDate]:
        rows = Contract.objects.filter(account__in=accounts, **{f"{field}__range": (window.start, window.end)})
        for contract in rows.select_related("account__owner").order_by(field, "pk")[: window.limit]:
            yield KeyDate(
                kind=kind,
                object_id=contract.pk,
                day=getattr(contract, field),
                title=str(contract),
                account_id=contract.account_id,
                account_name=contract.account.name,
                url=_url("accounts:detail", contract.account_id, "#tenders"),
                owner=_name(contract.account.owner),
            )

    return collect


# The kinds of the tender calendar (its link selects these).
TENDER_KINDS = ("tender", "tender_decision", "tender_award", "contract_notice", "contract_end")


def tender_calendar_url(account_query: str = "") -> str:
    """The calendar of tenders and contracts only, over the accounts ``account_query`` (the
    dashboard's and account list's filters, e.g. a team) selects."""
    kinds = urlencode([("kind", kind) for kind in TENDER_KINDS])
    return f"{reverse('calendar')}?{kinds}" + (f"&{account_query}" if account_query else "")


SOURCES: tuple[Source, ...] = (
    Source("committee", gettext_lazy("Formulary committee"), committee_dates),
    Source("review", gettext_lazy("Plan review"), plan_reviews, rule="plan.workflow"),
    Source("action", gettext_lazy("Action due"), action_due_dates),
    Source("follow_up", gettext_lazy("Touchpoint follow-up"), touchpoint_follow_ups),
    Source("tender", gettext_lazy("Tender deadline"), _tender_dates("tender", "submission_deadline"), "tender.read"),
    Source(
        "tender_decision",
        gettext_lazy("Tender decision"),
        _tender_dates("tender_decision", "decision_date"),
        "tender.read",
    ),
    Source("tender_award", gettext_lazy("Tender award"), _tender_dates("tender_award", "award_date"), "tender.read"),
    Source(
        "contract_notice",
        gettext_lazy("Contract notice date"),
        _contract_dates("contract_notice", "notice_date"),
        "tender.read",
    ),
    Source("contract_end", gettext_lazy("Contract end"), _contract_dates("contract_end", "end_date"), "tender.read"),
)
BY_KIND: dict[str, Source] = {s.kind: s for s in SOURCES}
KINDS: list[str] = [s.kind for s in SOURCES]


# The collector -------------------------------------------------------------------------------


def sources_for(user: User) -> list[Source]:
    """The kinds of date ``user`` may see at all (the page offers only these)."""
    return [s for s in SOURCES if s.allowed(user)]


@dataclass(frozen=True)
class Agenda:
    entries: list[KeyDate]
    # More dates matched than ``limit``: the latest were left out.
    truncated: bool


def key_dates(user: User, filters: CalendarFilters, *, limit: int | None = None) -> Agenda:
    """The first ``limit`` (``PAGE_LIMIT``) key dates in ``filters``' range that ``user`` may see,
    in order of day."""
    limit = limit or PAGE_LIMIT
    accounts = scoped_accounts(user, filters.accounts).values("pk")
    # One more than shown, to tell whether any were left out.
    window = Window(filters.start, filters.end, limit + 1)
    found: list[KeyDate] = []
    for source in sources_for(user):
        if not filters.kinds or source.kind in filters.kinds:
            found.extend(source.collect(user, accounts, window))
    found.sort(key=KeyDate.sort_key)
    return Agenda(found[:limit], truncated=len(found) > limit)


def default_range(today: date) -> tuple[date, date]:
    return today, today + timedelta(days=DEFAULT_DAYS)


@dataclass(frozen=True)
class Group:
    """A heading of the agenda (a week or a month) and its entries."""

    start: date
    end: date
    entries: list[KeyDate]


def grouped(entries: list[KeyDate], *, by: str) -> list[Group]:
    """``entries`` (in order of day) under one heading per week (Monday to Sunday) or month."""
    groups: list[Group] = []
    for entry in entries:
        if by == "month":
            first = entry.day.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        else:
            first = entry.day - timedelta(days=entry.day.weekday())
            last = first + timedelta(days=6)
        if not groups or groups[-1].start != first:
            groups.append(Group(first, last, []))
        groups[-1].entries.append(entry)
    return groups
