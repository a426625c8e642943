"""Plan news: the manager is told when a plan is submitted, the KAM when it is sent back or
approved, in the app and by e-mail (at once, or in the digest: ``DigestPreference.plan_news``).

The workflow services enqueue a task on commit (``enqueue_submitted``, ``enqueue_reviewed``),
through the outbox like every side effect. The task works out the recipients when it runs, so a
person who lost their seat in between hears nothing about a plan they can no longer see, and
writes one ``Notification`` per recipient under a unique constraint (event, plan, round,
recipient): a second run, or a second delivery of the same message, finds every row taken. An
immediate e-mail is claimed on its row (``emailed_at``) in the transaction that hands it to the
mail server, as the digest claims its items (plans.reminders.digest_send).

Who is told:
- a plan submitted: the owner's own manager, the first active one up the chain who may review it
  (``can_review_plan``). Not every manager above: a national head would hear of every plan in the
  country, and approves only when asked.
- sent back or approved: the account's owner and whoever submitted the plan, if another person,
  never the reviewer, and never a medical colleague (the workflow is commercial: kam.firewall).
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam import firewall, outbox
from kam.models import User
from plans.models import (
    AccountPlan,
    DigestPreference,
    Notification,
    NotificationEvent,
    PlanNewsDelivery,
    PlanReview,
    ReviewOutcome,
)
from plans.selectors import can_review_plan, plans_visible_to

logger = logging.getLogger(__name__)

SUBMITTED_TASK = "plans.notify_submitted"
REVIEWED_TASK = "plans.notify_reviewed"
# The nav's unread count is kept this long per user; a write in another process (the worker's
# locmem cache is not the web's) shows at the latest this late.
UNREAD_CACHE_SECONDS = 60
# The list page shows this many, newest first.
LIST_LIMIT = 100

_OUTCOME_EVENTS = {
    ReviewOutcome.APPROVED: NotificationEvent.APPROVED,
    ReviewOutcome.CHANGES_REQUESTED: NotificationEvent.CHANGES_REQUESTED,
}


# Enqueued by the workflow ------------------------------------------------------------------


def submission_round(plan: AccountPlan) -> int:
    """Which submission of ``plan`` comes next (or is under review): one more than the requests
    for changes so far."""
    return 1 + plan.reviews.filter(outcome=ReviewOutcome.CHANGES_REQUESTED).count()


def enqueue_submitted(*, plan: AccountPlan, by: User) -> None:
    """In the submitting transaction: tell the approving manager once it commits. The round is
    counted now, before a later review can change the count."""
    args = [plan.pk, submission_round(plan), by.pk]
    outbox.enqueue(SUBMITTED_TASK, *args, dedupe=outbox.dedupe_key(SUBMITTED_TASK, args))


def enqueue_reviewed(*, review: PlanReview | None) -> None:
    """In the reviewing transaction: tell the KAM once it commits (approvals and requests for
    changes only; periodic reviews are nobody's news)."""
    if review is None or review.outcome not in _OUTCOME_EVENTS:
        return
    outbox.enqueue(REVIEWED_TASK, review.pk, dedupe=outbox.dedupe_key(REVIEWED_TASK, [review.pk]))


# Run by the tasks ------------------------------------------------------------------------------


def _sees(user: User, plan: AccountPlan) -> bool:
    return (
        user.is_active and firewall.allows(user, "plan.workflow") and plans_visible_to(user).filter(pk=plan.pk).exists()
    )


def _approver(plan: AccountPlan, by: User) -> User | None:
    seen: set[int] = set()
    up = plan.account.owner.manager
    while up is not None and up.pk not in seen:
        seen.add(up.pk)
        if up.pk != by.pk and can_review_plan(up, plan) and _sees(up, plan):
            return up
        up = up.manager
    return None


def notify_submitted(*, plan_id: int, round: int, by_id: int) -> int:
    """Tell the approving manager that submission ``round`` of the plan awaits them; returns how
    many were told now (0 on a rerun)."""
    plan = AccountPlan.objects.select_related("account__owner__manager").filter(pk=plan_id).first()
    by = User.objects.filter(pk=by_id).first()
    if plan is None or by is None:
        return 0
    approver = _approver(plan, by)
    recipients = [approver] if approver else []
    return _notify(NotificationEvent.SUBMITTED, plan=plan, round=round, actor=by, recipients=recipients)


def notify_reviewed(*, review_id: int) -> int:
    """Tell the plan's KAM (and its submitter) that it was approved or sent back."""
    reviews = PlanReview.objects.select_related("plan__account__owner", "plan__submitted_by", "reviewer")
    review = reviews.filter(pk=review_id).first()
    if review is None or review.outcome not in _OUTCOME_EVENTS:
        return 0
    plan = review.plan
    # The requests for changes before this review: this one answers the submission after them.
    round = 1 + plan.reviews.filter(outcome=ReviewOutcome.CHANGES_REQUESTED, pk__lt=review.pk).count()
    people = {u.pk: u for u in (plan.account.owner, plan.submitted_by) if u is not None}
    recipients = [u for pk, u in sorted(people.items()) if pk != review.reviewer_id and _sees(u, plan)]
    return _notify(
        _OUTCOME_EVENTS[review.outcome],
        plan=plan,
        round=round,
        actor=review.reviewer,
        recipients=recipients,
        review=review,
    )


def _notify(
    event: str,
    *,
    plan: AccountPlan,
    round: int,
    actor: User,
    recipients: list[User],
    review: PlanReview | None = None,
) -> int:
    if not recipients:
        return 0
    rows = [
        Notification(recipient=u, event=event, plan=plan, round=round, actor=actor, review=review) for u in recipients
    ]
    # ignore_conflicts: a row already there (a rerun, a second worker) stands for this one.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    for user in recipients:
        forget_unread(user.pk)
    immediate = {u.pk for u in recipients if _delivery(u) == PlanNewsDelivery.IMMEDIATE and u.email}
    waiting = Notification.objects.filter(
        event=event, plan=plan, round=round, recipient_id__in=immediate, emailed_at__isnull=True
    ).select_related("recipient", "actor", "plan__account", "plan__period", "review")
    return sum(1 for row in waiting if send_immediately(row))


def _delivery(user: User) -> str:
    preference = DigestPreference.objects.filter(user=user).only("plan_news").first()
    return preference.plan_news if preference else PlanNewsDelivery.IMMEDIATE


# The e-mail ------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notification_url(notification: Notification) -> str:
    """Where the notification's work is done: the review page for the approver, the plan for
    its KAM."""
    if notification.event == NotificationEvent.SUBMITTED:
        return reverse("plans:review", args=[notification.plan_id])
    return reverse("plans:detail", args=[notification.plan_id])


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail, in the recipient's language (the app's default when they chose none)."""
    user = notification.recipient
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "n": notification,
            "plan": notification.plan,
            "url": _absolute(notification_url(notification)),
            "settings_url": _absolute(reverse("plans:digest-settings")),
        }
        # One line: a plan's name may hold anything a header may not.
        subject = " ".join(f"{notification.get_event_display()}: {notification.plan}".split())
        message = EmailMultiAlternatives(
            subject, render_to_string("emails/plan_notification.txt", context), to=[user.email]
        )
        message.attach_alternative(render_to_string("emails/plan_notification.html", context), "text/html")
        return message


def send_immediately(notification: Notification) -> bool:
    """Claim the row's e-mail and send it; False when someone else claimed it or the mail server
    refused (then the claim rolls back and a rerun of the task sends it)."""
    try:
        with transaction.atomic(durable=True):
            claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                return False
            notification_message(notification).send()
    except (smtplib.SMTPException, OSError):
        logger.exception("Notification %s not e-mailed; a rerun of its task sends it", notification.pk)
        return False
    return True


# The app's side --------------------------------------------------------------------------------


def notifications_for(user: User):
    """The user's notifications about plans they can still see, newest first."""
    return Notification.objects.filter(recipient=user, plan__in=plans_visible_to(user))


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def forget_unread(user_id: int) -> None:
    cache.delete(_unread_key(user_id))


def unread_count(user: User) -> int:
    """The nav's figure: one query per user and minute, not per page."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = notifications_for(user).unread().count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (only ``ids`` when given); returns how many."""
    rows = Notification.objects.filter(recipient=user).unread()
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    marked = rows.update(read_at=timezone.now())
    forget_unread(user.pk)
    return marked


def event_text(notification: Notification) -> str:
    """The notification in one sentence, in the active language."""
    who = str(notification.actor) if notification.actor_id else _("Someone")
    values = {"who": who, "plan": str(notification.plan)}
    if notification.event == NotificationEvent.SUBMITTED:
        return _("%(who)s submitted %(plan)s for your approval.") % values
    if notification.event == NotificationEvent.CHANGES_REQUESTED:
        return _("%(who)s requested changes to %(plan)s.") % values
    return _("%(who)s approved %(plan)s.") % values
