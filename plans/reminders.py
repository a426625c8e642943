"""The reminder digest: one e-mail per person per day (or per week, on their weekday) bundling
what needs them, each item reported once per due date.

What needs a person:
- plan reviews due within 7 days or overdue, on approved plans of accounts they own or whose
  account team they are on;
- their own actions due within 3 days or overdue, not done, on accounts they can still see;
- open low-score follow-ups on accounts they own;
- for managers, their team's plans (accounts owned by anyone below them) 14 or more days overdue
  for review;
- plan news (submitted, sent back, approved: plans.notifications) for those who want it in the
  digest rather than at once, while unread in the app;
- submission deadlines of open tenders and contract notice dates within ``KEY_DATE_DAYS`` (30), on
  accounts they own or whose account team they are on.

Delivery guarantees. Every reported item leaves a ``ReminderLog`` row (user, item key, due date)
under a unique constraint. Per user, the rows are claimed with ``get_or_create`` in one
transaction and only the items whose row this run created go into the e-mail; the e-mail is sent
on commit. So a rerun finds every row taken and sends nothing, and two processes running at once
split the items between them instead of both sending them: on PostgreSQL the second insert of
the same row waits for the first transaction and then fails the constraint, and ``get_or_create``
turns that into "not created". Items are claimed in a fixed order in both processes, so neither
waits on a row the other holds while holding one it wants (no deadlock).

The e-mail is handed to the mail server inside the claiming transaction, just before its commit:
a process killed during the hand-over (a slow server, a SIGKILL) leaves no committed claim, so
the next run sends those items (tests/kam/test_outbox_faults.py). Only a kill between the mail
server's acceptance and the commit, a few milliseconds, would send them twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import KEY_DATE_DAYS, AccountStatus, AccountTeamMember, Contract, Tender
from kam import firewall
from kam.models import User
from plans.models import (
    AccountPlan,
    Action,
    ActionStatus,
    DigestFrequency,
    Notification,
    NotificationEvent,
    PlanNewsDelivery,
    PlanStatus,
    ReminderLog,
)
from stakeholders.models import LowScoreFollowUp

logger = logging.getLogger(__name__)

REVIEW_WINDOW = timedelta(days=7)
ACTION_WINDOW = timedelta(days=3)
TEAM_REVIEW_OVERDUE = timedelta(days=14)
# Plan news older than this is not reported any more (a weekly digest reaches back a week).
NEWS_WINDOW = timedelta(days=8)

REVIEW = "review"
ACTION = "action"
FOLLOW_UP = "followup"
TEAM_REVIEW = "team-review"
NEWS = "news"
TENDER = "tender"
CONTRACT = "contract"

# Section order and headings of the e-mail.
SECTIONS = {
    NEWS: gettext_lazy("News about plans"),
    REVIEW: gettext_lazy("Plan reviews due"),
    ACTION: gettext_lazy("Your actions due"),
    FOLLOW_UP: gettext_lazy("Low satisfaction scores to follow up"),
    TEAM_REVIEW: gettext_lazy("Your team's plans overdue for review"),
    TENDER: gettext_lazy("Tender submission deadlines"),
    CONTRACT: gettext_lazy("Contract notice dates"),
}


@dataclass(frozen=True)
class DigestItem:
    kind: str
    object_id: int
    due_date: date
    title: str
    context: str
    url: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    def sort_key(self) -> tuple:
        return (list(SECTIONS).index(self.kind), self.due_date, self.title, self.object_id)


@dataclass(frozen=True)
class DigestLine:
    item: DigestItem
    when: str


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[DigestLine]


def _when(item: DigestItem, today: date) -> str:
    day = date_format(item.due_date, "DATE_FORMAT")
    if item.kind == FOLLOW_UP:
        return _("opened %(date)s") % {"date": day}
    if item.kind == NEWS:
        return _("on %(date)s") % {"date": day}
    if item.due_date < today:
        days = (today - item.due_date).days
        return ngettext("overdue since %(date)s (%(days)d day)", "overdue since %(date)s (%(days)d days)", days) % {
            "date": day,
            "days": days,
        }
    if item.due_date == today:
        return _("due today")
    return _("due %(date)s") % {"date": day}


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# Who and what --------------------------------------------------------------------------------


def digest_recipients(*, today: date) -> QuerySet[User]:
    """Active users with an address whose digest is due today: daily ones (the default, also
    without a preference row) every day, weekly ones on their weekday."""
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(digest_preference__isnull=True)
            | Q(digest_preference__frequency=DigestFrequency.DAILY)
            | Q(digest_preference__frequency=DigestFrequency.WEEKLY, digest_preference__weekday=today.weekday())
        )
        .order_by("pk")
    )


def _plan_item(kind: str, plan: AccountPlan) -> DigestItem:
    return DigestItem(
        kind=kind,
        object_id=plan.pk,
        due_date=plan.next_review_date,
        title=str(plan),
        context=str(plan.account.owner) if kind == TEAM_REVIEW else "",
        url=_absolute(plan.get_absolute_url()),
    )


def digest_candidates(*, today: date) -> list[tuple[User, list[DigestItem]]]:
    """Everything that needs each recipient today, before looking at what was already reported.

    A fixed number of queries whatever the number of users and items (at most ten): each kind of
    item is fetched once for everybody and grouped by person in Python. Every item names a plan
    or an account; it goes only to someone who sees that account today (``sees``), since seats
    and owners change between the day an action was given and the day it is reported.
    """
    recipients = digest_recipients(today=today)
    users = {u.pk: u for u in recipients}
    if not users:
        return []
    found: dict[int, dict[str, DigestItem]] = defaultdict(dict)

    def add(user_id: int, item: DigestItem) -> None:
        if user_id in users:
            found[user_id].setdefault(item.key, item)

    approved_active = AccountPlan.objects.filter(
        status=PlanStatus.APPROVED, next_review_date__isnull=False, account__status=AccountStatus.ACTIVE
    ).select_related("account__owner", "period")

    reviews = list(approved_active.filter(next_review_date__lte=today + REVIEW_WINDOW))

    # Superseded revisions and plans with an open revision carry copies of the same actions; only
    # the newest revision's are reported. Recipients as a subquery keeps old actions of people who
    # get no digest today out of the result.
    actions = list(
        Action.objects.filter(owner__in=recipients.values("pk"), due_date__lte=today + ACTION_WINDOW)
        .exclude(status=ActionStatus.DONE)
        .exclude(plan__status__in=[PlanStatus.SUPERSEDED, PlanStatus.ARCHIVED])
        .filter(plan__next_revision__isnull=True, plan__account__status=AccountStatus.ACTIVE)
        .select_related("plan__account", "plan__period")
    )

    # Plan news of those who want it here: unread, not e-mailed at once, recent.
    news = list(
        Notification.objects.unread()
        .filter(
            recipient__in=recipients.filter(digest_preference__plan_news=PlanNewsDelivery.DIGEST).values("pk"),
            emailed_at__isnull=True,
            created_at__gte=timezone.now() - NEWS_WINDOW,
        )
        .select_related("plan__account", "plan__period")
    )

    # Tender deadlines and contract notice dates soon, for the account's owner and team.
    soon = (today, today + timedelta(days=KEY_DATE_DAYS))
    tenders = list(
        Tender.objects.open()
        .filter(account__status=AccountStatus.ACTIVE, submission_deadline__range=soon)
        .select_related("account")
    )
    contracts = list(
        Contract.objects.filter(account__status=AccountStatus.ACTIVE, notice_date__range=soon).select_related("account")
    )

    # Account-team seats of every account named so far, read once: reviews go to the team, and
    # an action is reported only to an owner who still sees its account.
    team_of: dict[int, set[int]] = defaultdict(set)
    named = {p.account_id for p in reviews} | {a.plan.account_id for a in actions} | {n.plan.account_id for n in news}
    named |= {t.account_id for t in tenders} | {c.account_id for c in contracts}
    if named:
        for account_id, user_id in AccountTeamMember.objects.filter(account_id__in=named).values_list(
            "account_id", "user_id"
        ):
            team_of[account_id].add(user_id)
    for plan in reviews:
        item = _plan_item(REVIEW, plan)
        for user_id in [plan.account.owner_id, *team_of[plan.account_id]]:
            # A review is workflow: none of a medical team member's business (the firewall).
            if user_id in users and firewall.allows(users[user_id], "plan.workflow"):
                add(user_id, item)

    for row, kind, day in [(t, TENDER, t.submission_deadline) for t in tenders] + [
        (c, CONTRACT, c.notice_date) for c in contracts
    ]:
        item = DigestItem(
            kind=kind,
            object_id=row.pk,
            due_date=day,
            title=str(row),
            context=row.account.name,
            url=_absolute(row.account.get_absolute_url() + "#tenders"),
        )
        for user_id in [row.account.owner_id, *team_of[row.account_id]]:
            # Dates and titles only (never a contract's terms): both sides read tenders (kam.firewall).
            if user_id in users and firewall.allows(users[user_id], "tender.read"):
                add(user_id, item)

    hierarchy: dict[int, int] | None = None

    def manager_of() -> dict[int, int]:
        # The same "below" as kam.models.subordinate_ids, walked upwards in Python from one
        # query of the whole hierarchy, so the cost does not grow with the number of managers.
        nonlocal hierarchy
        if hierarchy is None:
            hierarchy = dict(User.objects.filter(manager__isnull=False).values_list("pk", "manager_id"))
        return hierarchy

    def above(owner_id: int) -> list[int]:
        chain: list[int] = []
        up = manager_of().get(owner_id)
        while up is not None and up not in chain:
            chain.append(up)
            up = manager_of().get(up)
        return chain

    def sees(user: User, account) -> bool:
        """``accounts_visible_to`` asked now, in bulk: an action's owner may have lost their seat
        (or been given the action by mistake), and the digest must not name a plan or account
        they cannot open."""
        if user.is_administrator or user.pk == account.owner_id or user.pk in team_of[account.pk]:
            return True
        return user.is_manager and user.pk in above(account.owner_id)

    for action in actions:
        owner = users.get(action.owner_id)
        if owner is None or not sees(owner, action.plan.account):
            continue
        add(
            action.owner_id,
            DigestItem(
                kind=ACTION,
                object_id=action.pk,
                due_date=action.due_date,
                title=action.title,
                context=str(action.plan),
                url=_absolute(reverse("plans:step", args=[action.plan_id, 5])),
            ),
        )

    for notification in news:
        recipient = users.get(notification.recipient_id)
        if recipient is None or not sees(recipient, notification.plan.account):
            continue
        add(
            notification.recipient_id,
            DigestItem(
                kind=NEWS,
                object_id=notification.pk,
                due_date=timezone.localdate(notification.created_at),
                title=str(notification.plan),
                # Lazy: the label is drawn in the recipient's language when the e-mail is.
                context=NotificationEvent(notification.event).label,
                url=_absolute(reverse("plans:detail", args=[notification.plan_id])),
            ),
        )

    # Only the account is named: the e-mail leaves the system, the stakeholder's name need not.
    follow_ups = LowScoreFollowUp.objects.filter(
        closed_at__isnull=True, account__owner__in=recipients.values("pk"), account__status=AccountStatus.ACTIVE
    ).select_related("account")
    for follow_up in follow_ups:
        add(
            follow_up.account.owner_id,
            DigestItem(
                kind=FOLLOW_UP,
                object_id=follow_up.pk,
                # A follow-up has no due date; the day it opened makes it reported once.
                due_date=timezone.localdate(follow_up.opened_at),
                title=_("Low satisfaction score at %(account)s") % {"account": follow_up.account.name},
                context="",
                url=_absolute(follow_up.account.get_absolute_url()),
            ),
        )

    managers = {pk for pk, u in users.items() if u.is_manager}
    if managers:
        overdue = list(approved_active.filter(next_review_date__lte=today - TEAM_REVIEW_OVERDUE))
        for plan in overdue:
            item = _plan_item(TEAM_REVIEW, plan)
            for manager_id in above(plan.account.owner_id):
                if manager_id in managers:
                    add(manager_id, item)

    return [(users[pk], sorted(items.values(), key=DigestItem.sort_key)) for pk, items in sorted(found.items())]


# Sending -------------------------------------------------------------------------------------


def digest_message(*, user: User, items: list[DigestItem], today: date) -> EmailMultiAlternatives:
    # In the recipient's own language (the app's default when they chose none): the worker has no browser to ask.
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return _digest_message(user=user, items=items, today=today)


def _digest_message(*, user: User, items: list[DigestItem], today: date) -> EmailMultiAlternatives:
    by_kind: dict[str, list[DigestLine]] = defaultdict(list)
    for item in sorted(items, key=DigestItem.sort_key):
        by_kind[item.kind].append(DigestLine(item, _when(item, today)))
    context = {
        "user": user,
        "today": today,
        "sections": [DigestSection(str(title), by_kind[kind]) for kind, title in SECTIONS.items() if by_kind[kind]],
        "count": len(items),
        "site_url": settings.SITE_URL.rstrip("/"),
        "settings_url": _absolute(reverse("plans:digest-settings")),
    }
    subject = ngettext("KAM Planner: %(count)d item needs you", "KAM Planner: %(count)d items need you", len(items)) % {
        "count": len(items)
    }
    message = EmailMultiAlternatives(subject, render_to_string("emails/digest.txt", context), to=[user.email])
    message.attach_alternative(render_to_string("emails/digest.html", context), "text/html")
    return message


def digest_send(*, user: User, items: list[DigestItem], today: date) -> bool:
    """Claim the items not yet reported to ``user`` and e-mail them; True when a digest went out.

    The e-mail is sent inside the claiming transaction, before the commit: had it been sent on
    commit, a process killed (or a connection lost) between the commit and the mail server's
    acceptance would leave the items claimed and never e-mailed. A send that fails rolls the
    claims back, so the next run reports those items. A second process claiming the same items
    meanwhile waits for this commit on the unique rows, and then finds them taken.
    """
    try:
        # Durable: the rows must be committed, not merely saved in a caller's transaction, once
        # the e-mail says they were reported.
        with transaction.atomic(durable=True):
            claimed = []
            for item in sorted(items, key=lambda i: (i.key, i.due_date)):
                _row, created = ReminderLog.objects.get_or_create(user=user, item_key=item.key, due_date=item.due_date)
                if created:
                    claimed.append((item.key, item.due_date))
            if not claimed:
                return False  # Nobody gets an empty digest.
            fresh = [i for i in items if (i.key, i.due_date) in set(claimed)]
            digest_message(user=user, items=fresh, today=today).send()
    except (smtplib.SMTPException, OSError):
        logger.exception("Digest for user %s not sent; its items are released for the next run", user.pk)
        return False
    return True


def send_digests(*, today: date | None = None) -> int:
    """Send today's digests; returns how many e-mails were sent. Safe to run again or in two
    processes at once: only items nobody has reported yet go out."""
    today = today or timezone.localdate()
    candidates = digest_candidates(today=today)
    if not candidates:
        return 0
    # One query for what was already reported, so a rerun costs no writes at all; the claim in
    # digest_send still decides, in case another process reported something since.
    keys = {item.key for _user, items in candidates for item in items}
    logged = set(
        ReminderLog.objects.filter(user__in=[u.pk for u, _items in candidates], item_key__in=keys).values_list(
            "user_id", "item_key", "due_date"
        )
    )
    sent = 0
    for user, items in candidates:
        new = [i for i in items if (user.pk, i.key, i.due_date) not in logged]
        if new and digest_send(user=user, items=new, today=today):
            sent += 1
    return sent
