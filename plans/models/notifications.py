"""What the app tells people about plans: a plan submitted (to the manager who approves it), sent
back or approved (to its KAM). One row per event and recipient, shown in the app until read and
e-mailed at once or in the digest, as the recipient prefers (``DigestPreference.plan_news``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models.plan import AccountPlan, PlanReview


class NotificationEvent(models.TextChoices):
    SUBMITTED = "submitted", _("Plan submitted for your approval")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested on your plan")
    APPROVED = "approved", _("Your plan was approved")


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event told to one person.

    ``round`` is the submission the event is about: the plan's first submission is 1, the one
    after the first request for changes 2, and so on; its approval or request for changes has the
    same round. With the event, plan and recipient it is unique, so a task run twice (the outbox
    may deliver twice) finds the row taken and tells nobody twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=20, choices=NotificationEvent.choices)
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="notifications")
    round = models.PositiveSmallIntegerField(_("submission"))
    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the immediate e-mail went out; a digest reader's notifications are reported through
    # the digest's own log (ReminderLog).
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event", "plan", "round", "recipient"], name="notification_once"),
            models.CheckConstraint(condition=models.Q(round__gte=1), name="notification_round_positive"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.get_event_display()} ({self.plan})"
