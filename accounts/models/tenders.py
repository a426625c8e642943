"""Tenders and contracts: how a European hospital buys. A tender is split into lots, each bid with
our products against the competitors' and decided on its own; a contract runs from a start to an
end date, and its renewal notice period makes the date that matters, the notice date.

Money is in the account's currency, as the account's financials are. Price and rebate are
commercial (``CONTRACT_FIREWALLED_FIELDS``, rule ``contract.terms`` in kam.firewall)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models.account import NON_NEGATIVE, PERCENT, Account
from accounts.models.listings import CompetitorProduct, Product

# Tender submission deadlines and contract notice dates this many days ahead reach My work and
# the digest.
KEY_DATE_DAYS = 30
# The longest renewal notice period a contract takes (two years).
MAX_NOTICE_DAYS = 730
# Dates a tender or contract can sanely have: a typo of a year ("0226", "20266") is refused.
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)
SANE_DATE = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


class TenderStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    SUBMITTED = "submitted", _("Submitted")
    WON = "won", _("Won")
    PARTLY_WON = "partly_won", _("Partly won")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")


# Tenders still to be decided: the account page lists them first, plans show them.
OPEN_TENDER_STATUSES = (TenderStatus.PREPARING, TenderStatus.SUBMITTED)


class LotOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    NOT_BID = "not_bid", _("Not bid")
    CANCELLED = "cancelled", _("Cancelled")


# Lots counted in "won/lost by product and by competitor".
DECIDED_LOT_OUTCOMES = (LotOutcome.WON, LotOutcome.LOST)


class TenderQuerySet(models.QuerySet):
    def open(self) -> TenderQuerySet:
        return self.filter(status__in=OPEN_TENDER_STATUSES)


class Tender(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tenders")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    buyer = models.CharField(
        _("buyer and procedure"),
        max_length=300,
        blank=True,
        help_text=_("Who buys, and how: e.g. the purchasing consortium, open procedure EU-wide."),
    )
    submission_deadline = models.DateField(_("submission deadline"), validators=SANE_DATE)
    decision_date = models.DateField(
        _("decision date"),
        null=True,
        blank=True,
        validators=SANE_DATE,
        help_text=_("When the buyer tells the bidders its award decision."),
    )
    award_date = models.DateField(
        _("award date"),
        null=True,
        blank=True,
        validators=SANE_DATE,
        help_text=_("When the contract is awarded (after the standstill)."),
    )
    status = models.CharField(_("status"), max_length=12, choices=TenderStatus.choices, default=TenderStatus.PREPARING)
    outcome_reason = models.CharField(_("reason for the outcome"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = TenderQuerySet.as_manager()

    class Meta:
        ordering = ["-submission_deadline", "pk"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        indexes = [models.Index(fields=["submission_deadline"], name="tender_deadline")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision_date__isnull=True)
                | models.Q(decision_date__gte=models.F("submission_deadline")),
                name="tender_decision_after_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(award_date__isnull=True) | models.Q(award_date__gte=models.F("submission_deadline")),
                name="tender_award_after_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(award_date__isnull=True)
                | models.Q(decision_date__isnull=True)
                | models.Q(award_date__gte=models.F("decision_date")),
                name="tender_award_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return " · ".join(part for part in (self.title, self.reference) if part)

    def get_absolute_url(self) -> str:
        return reverse("accounts:tender-edit", args=[self.account_id, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TENDER_STATUSES

    def clean(self) -> None:
        errors = {}
        deadline = self.submission_deadline
        if deadline and self.decision_date and self.decision_date < deadline:
            errors["decision_date"] = _("The decision comes after the submission deadline.")
        if deadline and self.award_date and self.award_date < deadline:
            errors["award_date"] = _("The award comes after the submission deadline.")
        elif self.decision_date and self.award_date and self.award_date < self.decision_date:
            errors["award_date"] = _("The award comes after the decision.")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def check_lot_outcomes(status: str, outcomes: Iterable[str]) -> None:
        """Refuse a status its lots' outcomes contradict (one message, for the status field): a
        tender still open has no lot decided, a won one has a lot won (and, fully won, none lost),
        a lost or cancelled one has no lot won. Lots not bid, cancelled or still open fit any."""
        outcomes = set(outcomes)
        if status in OPEN_TENDER_STATUSES and outcomes & set(DECIDED_LOT_OUTCOMES):
            raise ValidationError(_("A tender still open has no lot won or lost yet: decide the tender first."))
        if status in (TenderStatus.WON, TenderStatus.PARTLY_WON) and LotOutcome.WON not in outcomes:
            raise ValidationError(_("A tender won or partly won has at least one lot won."))
        if status == TenderStatus.WON and LotOutcome.LOST in outcomes:
            raise ValidationError(_("A lot is lost: the tender is partly won, not won."))
        if status in (TenderStatus.LOST, TenderStatus.CANCELLED) and LotOutcome.WON in outcomes:
            raise ValidationError(_("A tender lost or cancelled has no lot won."))


class TenderLot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.CharField(_("lot"), max_length=30, help_text=_("e.g. Lot 3"))
    name = models.CharField(_("what is tendered"), max_length=200, blank=True)
    products = models.ManyToManyField(Product, verbose_name=_("our products bid"), blank=True, related_name="lots")
    competitor_products = models.ManyToManyField(
        CompetitorProduct, verbose_name=_("competitors bid"), blank=True, related_name="lots"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=LotOutcome.choices, default=LotOutcome.OPEN)
    history = HistoricalRecords(m2m_fields=[products, competitor_products])

    class Meta:
        ordering = ["number", "pk"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="tender_lot_unique")]

    def __str__(self) -> str:
        return " · ".join(part for part in (self.number, self.name) if part)


class ContractQuerySet(models.QuerySet):
    def current(self, today: date) -> ContractQuerySet:
        """Contracts not yet ended on ``today`` (those still to start included)."""
        return self.filter(end_date__gte=today)


# Contract fields behind the medical/commercial firewall, each with the rule that hides it.
CONTRACT_FIREWALLED_FIELDS = {"price": "contract.terms", "rebate_pct": "contract.terms"}


class Contract(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contracts")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    tender = models.ForeignKey(
        Tender,
        verbose_name=_("from tender"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
    )
    products = models.ManyToManyField(Product, verbose_name=_("products"), blank=True, related_name="contracts")
    start_date = models.DateField(_("start"), validators=SANE_DATE)
    end_date = models.DateField(_("end"), validators=SANE_DATE)
    volume = models.DecimalField(
        _("volume"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    volume_unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("e.g. packs, vials, mg"))
    price = models.DecimalField(
        _("price per unit"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    rebate_pct = models.DecimalField(
        _("rebate %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    notice_days = models.PositiveSmallIntegerField(
        _("renewal notice period (days)"), default=90, validators=[MaxValueValidator(MAX_NOTICE_DAYS)]
    )
    # Derived in clean() (end − notice period), stored so that lists and calendars can ask for it.
    notice_date = models.DateField(_("notice date"), editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[products])

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["end_date", "pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            models.Index(fields=["end_date"], name="contract_end"),
            models.Index(fields=["notice_date"], name="contract_notice"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="contract_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(notice_date__lte=models.F("end_date")), name="contract_notice_before_end"
            ),
            models.CheckConstraint(
                condition=models.Q(volume__gte=0) | models.Q(volume__isnull=True), name="contract_volume_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0) | models.Q(price__isnull=True), name="contract_price_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(rebate_pct__gte=0, rebate_pct__lte=100) | models.Q(rebate_pct__isnull=True),
                name="contract_rebate_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(notice_days__lte=MAX_NOTICE_DAYS), name="contract_notice_days_max"
            ),
        ]

    def __str__(self) -> str:
        return " · ".join(part for part in (self.title, self.reference) if part)

    def get_absolute_url(self) -> str:
        return reverse("accounts:contract-edit", args=[self.account_id, self.pk])

    @staticmethod
    def notice_date_for(end: date, notice_days: int) -> date:
        return end - timedelta(days=notice_days)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end is before the start.")})
        if (
            self.end_date
            and FIRST_DAY <= self.end_date <= LAST_DAY
            and self.notice_days is not None
            and 0 <= self.notice_days <= MAX_NOTICE_DAYS
        ):
            self.notice_date = self.notice_date_for(self.end_date, self.notice_days)
