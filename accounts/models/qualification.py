"""The qualification rules: criteria and weights per account type, and each account's scores."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models.account import Account, AccountType


class CriterionDimension(models.TextChoices):
    ATTRACTIVENESS = "attractiveness", _("Attractiveness (their potential)")
    POSITION = "position", _("Our current position")


class QualificationCriterion(models.Model):
    """A criterion of the key-account assessment; administrators set criteria and weights per type."""

    account_type = models.CharField(_("account type"), max_length=20, choices=AccountType.choices)
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("criterion"), max_length=200)
    help_text = models.CharField(_("guidance"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MaxValueValidator(10)])
    dimension = models.CharField(
        _("matrix dimension"),
        max_length=20,
        choices=CriterionDimension.choices,
        default=CriterionDimension.ATTRACTIVENESS,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["account_type", "order", "pk"]
        verbose_name = _("qualification criterion")
        verbose_name_plural = _("qualification criteria")
        constraints = [
            models.UniqueConstraint(fields=["account_type", "code"], name="criterion_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.get_account_type_display()}: {self.label} (×{self.weight})"


class QualificationScore(models.Model):
    """One criterion's score (0–5) for one account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="qualification_scores")
    criterion = models.ForeignKey(QualificationCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(5)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("qualification score")
        verbose_name_plural = _("qualification scores")
        constraints = [
            models.UniqueConstraint(fields=["account", "criterion"], name="qualification_score_unique"),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="qualification_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.label}: {self.score}"
