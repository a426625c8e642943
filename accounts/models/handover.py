"""A territory handover as it happened, one row per account: who handed it over to whom, who
decided it, when, and the note for the successor."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.account import Account

# The handover note stays on the account page this long after the handover: long enough for the
# successor's first round of visits, short enough not to outlive its news.
HANDOVER_NOTE_DAYS = 90
# A note holds what a leaver would say in a handover meeting, not a dossier.
HANDOVER_NOTE_MAX = 4000


def handovers_shown_since(now: datetime | None = None) -> datetime:
    """The start of the last ``HANDOVER_NOTE_DAYS`` days: the account page shows the handovers since."""
    return (now or timezone.now()) - timedelta(days=HANDOVER_NOTE_DAYS)


class HandoverNoteQuerySet(models.QuerySet):
    def recent(self, now=None) -> HandoverNoteQuerySet:
        """Handovers of the last ``HANDOVER_NOTE_DAYS`` days: those the account page still shows."""
        return self.filter(created_at__gte=handovers_shown_since(now))


class HandoverNote(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="handover_notes")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handed over by"), on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        related_name="handovers_received",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("handed over on"), default=timezone.now)
    note = models.TextField(_("handover note"), max_length=HANDOVER_NOTE_MAX, blank=True)
    # Set when the successor's e-mail went out (claimed in the transaction that sends it).
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = HandoverNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("handover note")
        verbose_name_plural = _("handover notes")
        indexes = [models.Index(fields=["account", "-created_at"]), models.Index(fields=["to_user", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_user=models.F("to_user")), name="handover_not_to_self")
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_user} → {self.to_user}"
