"""An account's yearly numbers and the exchange rates that bring them into the reporting currency."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models.account import NON_NEGATIVE, Account, Currency


class AccountFinancials(models.Model):
    """One year of an account's numbers, in the account's currency."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="financials")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    revenue_actual = models.DecimalField(
        _("revenue actual"), max_digits=16, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    revenue_target = models.DecimalField(
        _("revenue target"), max_digits=16, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    gross_profit = models.DecimalField(_("gross profit"), max_digits=16, decimal_places=2, null=True, blank=True)
    estimated_potential = models.DecimalField(
        _("estimated potential"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Where our revenue is not visible, e.g. hospital sales through wholesalers."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("yearly financials")
        verbose_name_plural = _("yearly financials")
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="financials_unique_year"),
            models.CheckConstraint(
                condition=models.Q(revenue_actual__gte=0) | models.Q(revenue_actual__isnull=True),
                name="financials_revenue_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.year}"

    @property
    def target_attainment_pct(self) -> Decimal | None:
        if self.revenue_actual is None or not self.revenue_target:
            return None
        return (self.revenue_actual / self.revenue_target * 100).quantize(Decimal("0.1"))


class ExchangeRate(models.Model):
    """How much one unit of ``currency`` is worth in the reporting currency, for a year."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    rate = models.DecimalField(
        _("rate to reporting currency"),
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["year", "currency"], name="exchange_rate_unique"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 1 {self.currency} = {self.rate} {settings.REPORTING_CURRENCY}"
