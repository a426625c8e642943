"""Medical support requests: commercial colleagues ask, medical colleagues decide."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Account
from stakeholders.models.dmu import Person


class SupportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class SupportRequest(models.Model):
    """A commercial colleague asks medical for support; medical decides. Commercial never assigns."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="support_requests")
    person = models.ForeignKey(
        Person, verbose_name=_("stakeholder"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=SupportStatus.choices, default=SupportStatus.OPEN)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = models.CharField(_("response"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("medical support request")
        verbose_name_plural = _("medical support requests")

    def __str__(self) -> str:
        return self.topic
