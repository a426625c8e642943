"""The account health summary and its bands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models.account import Account

# Health bands, the one definition: green from HEALTH_GREEN, amber from HEALTH_AMBER, red below
# (kam.portfolio.health computes the score; the pages and the review deck take the bands from here).
HEALTH_GREEN, HEALTH_AMBER = 70, 40


def health_band(score: int | None) -> str:
    """The score's band: "green", "amber" or "red"; "" when there is no score."""
    if score is None:
        return ""
    return "green" if score >= HEALTH_GREEN else "amber" if score >= HEALTH_AMBER else "red"


class AccountHealth(models.Model):
    """One account's health score and the figures behind it: a summary row derived from plans,
    objectives, surveys, the DMU and the financials by ``kam.portfolio.health.refresh.refresh_health``, which
    rewrites every row in a few set-based statements. Never edited by hand; the formula is in
    ``kam/portfolio/health/`` and docs/health.md."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="health")
    score = models.PositiveSmallIntegerField(_("health score"), null=True, blank=True)
    # The five parts, each 0–100; empty where there is nothing to judge.
    plan_part = models.PositiveSmallIntegerField(null=True, blank=True)
    objectives_part = models.PositiveSmallIntegerField(null=True, blank=True)
    csat_part = models.PositiveSmallIntegerField(null=True, blank=True)
    relationships_part = models.PositiveSmallIntegerField(null=True, blank=True)
    revenue_part = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the parts are computed from, kept to explain them. Defaults in the database: the
    # refresh inserts missing rows with one INSERT … SELECT.
    period_name = models.CharField(max_length=40, blank=True, db_default="")
    plan_status = models.CharField(max_length=20, blank=True, db_default="")
    plan_completeness = models.PositiveSmallIntegerField(null=True, blank=True)
    objectives_measurable = models.PositiveIntegerField(db_default=0)
    objectives_on_track = models.PositiveIntegerField(db_default=0)
    objectives_achieved = models.PositiveIntegerField(db_default=0)
    objectives_at_risk = models.PositiveIntegerField(db_default=0)
    # Not part of the score: the current period's actions, for the dashboard's figures.
    actions_total = models.PositiveIntegerField(db_default=0)
    actions_done = models.PositiveIntegerField(db_default=0)
    actions_overdue = models.PositiveIntegerField(db_default=0)
    csat_answers = models.PositiveIntegerField(db_default=0)
    csat_satisfied = models.PositiveIntegerField(db_default=0)
    # Not part of the score: named campaigns of all time, summed from ``CsatQuarter``, for the
    # dashboard's CSAT by KAM and country.
    named_invited = models.PositiveIntegerField(db_default=0)
    named_answers = models.PositiveIntegerField(db_default=0)
    named_satisfied = models.PositiveIntegerField(db_default=0)
    key_people = models.PositiveIntegerField(db_default=0)
    key_uncovered = models.PositiveIntegerField(db_default=0)
    key_stale = models.PositiveIntegerField(db_default=0)
    key_in_touch = models.PositiveIntegerField(db_default=0)
    revenue_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # This year's revenue and target in the reporting currency.
    revenue_actual = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    revenue_target = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    revenue_attainment = models.FloatField(null=True, blank=True)
    # This year's figures are there but no exchange rate is: the amounts above stay empty.
    revenue_rate_missing = models.BooleanField(db_default=False)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("account health")
        verbose_name_plural = _("account health")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=100) | models.Q(score__isnull=True), name="health_score_0_100"
            ),
        ]
        indexes = [
            models.Index(fields=["score"]),
            # The dashboard's matrix: the key accounts of most revenue first.
            models.Index(models.F("revenue_actual").desc(nulls_last=True), "account", name="health_revenue_desc"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.score}"

    @property
    def band(self) -> str:
        return health_band(self.score)
