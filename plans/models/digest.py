"""The reminder digest: how often each user wants it, and which items it has reported."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Once a week")


class PlanNewsDelivery(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, in an e-mail of its own")
    DIGEST = "digest", _("In the digest")


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering, so the job compares without translating.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DigestPreference(models.Model):
    """How often a user wants the reminder digest, and whether plan news waits for it; no row means
    the defaults: every day, plan news at once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference")
    frequency = models.CharField(
        _("send the digest"), max_length=6, choices=DigestFrequency.choices, default=DigestFrequency.DAILY
    )
    weekday = models.PositiveSmallIntegerField(
        _("on (when weekly)"),
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        validators=[MinValueValidator(0), MaxValueValidator(6)],
    )
    # A plan submitted, sent back or approved: someone waits on the reader, so at once by default.
    plan_news = models.CharField(
        _("tell me about plans submitted, sent back or approved"),
        max_length=9,
        choices=PlanNewsDelivery.choices,
        default=PlanNewsDelivery.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__gte=0, weekday__lte=6), name="digest_weekday_0_6")
        ]

    def __str__(self) -> str:
        if self.frequency == DigestFrequency.WEEKLY:
            return f"{self.user}: {self.get_frequency_display()} ({self.get_weekday_display()})"
        return f"{self.user}: {self.get_frequency_display()}"


class ReminderLog(models.Model):
    """One digest item reported to one user for one due date.

    The unique constraint is what makes the digest job idempotent and safe to run in two processes
    at once: whoever inserts the row reports the item; everyone else sees it already taken. A new
    due date (a rescheduled review, a moved action) is a new row, so the item is reported again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item_key = models.CharField(max_length=100, help_text=_('e.g. "review:12", "action:7"'))
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "item_key", "due_date"], name="reminder_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.item_key} ({self.due_date})"
