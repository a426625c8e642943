"""Touchpoints with stakeholders and the transfers of value recorded on them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import NON_NEGATIVE, Account, Currency
from stakeholders.models.dmu import MAX_FREE_TEXT, Person


class TouchpointKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    EVENT = "event", _("Event")
    CONGRESS = "congress", _("Congress")
    ADVISORY_BOARD = "advisory_board", _("Advisory board")
    OTHER = "other", _("Other")


class Touchpoint(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="touchpoints")
    date = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=20, choices=TouchpointKind.choices, default=TouchpointKind.VISIT)
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The id in the company CRM, to match imported data."),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our participants"), related_name="touchpoints"
    )
    stakeholders = models.ManyToManyField(Person, verbose_name=_("stakeholders met"), related_name="touchpoints")
    summary = models.TextField(_("summary"), max_length=MAX_FREE_TEXT, blank=True)
    next_step = models.CharField(_("agreed next step"), max_length=500, blank=True)
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Medical touchpoints are behind the firewall: commercial users see that they happened, not what was said.
    is_medical = models.BooleanField(_("medical"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[stakeholders])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        indexes = [models.Index(fields=["account", "-date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="touchpoint_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date} @ {self.account}"


class TovCategory(models.TextChoices):
    DONATION_GRANT = "donation_grant", _("Donation / grant")
    EVENT_SPONSORSHIP = "event_sponsorship", _("Event sponsorship")
    REGISTRATION_FEE = "registration_fee", _("Registration fee")
    TRAVEL_ACCOMMODATION = "travel_accommodation", _("Travel and accommodation")
    FEE_FOR_SERVICE = "fee_for_service", _("Fee for service")


class TransferOfValue(models.Model):
    """A reference to a transfer of value (EFPIA) recorded in the expense system; not a ledger."""

    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="transfers")
    category = models.CharField(_("EFPIA category"), max_length=24, choices=TovCategory.choices)
    recipient_person = models.ForeignKey(
        Person,
        verbose_name=_("recipient person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    recipient_organisation = models.ForeignKey(
        Account,
        verbose_name=_("recipient organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    disclosure_consent = models.BooleanField(_("consent to individual disclosure"), default=False)
    expense_record_id = models.CharField(_("expense system id"), max_length=64)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer of value")
        verbose_name_plural = _("transfers of value")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_person__isnull=False) | models.Q(recipient_organisation__isnull=False),
                name="tov_has_recipient",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="tov_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount} {self.currency}"

    def clean(self) -> None:
        if not self.recipient_person_id and not self.recipient_organisation_id:
            raise ValidationError(_("Name the recipient: a person or an organisation."))
