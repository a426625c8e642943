"""Planning periods, account plans and their revisions, the seven steps with versions, and reviews."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import NON_NEGATIVE, Account, Currency

MAX_TEXT = 5000

STEPS = {
    1: _("Portfolio vis-à-vis profits"),
    2: _("Understanding the customer"),
    3: _("Relationship X-ray"),
    4: _("Plan blueprint"),
    5: _("Get into action"),
    6: _("Resource planning and audit"),
    7: _("Communication"),
}


class PlanningPeriodQuerySet(models.QuerySet):
    def containing(self, day: date) -> PlanningPeriodQuerySet:
        return self.filter(start__lte=day, end__gte=day)


class PlanningPeriod(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True, help_text=_("e.g. FY 2027"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    objects = PlanningPeriodQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("planning period")
        verbose_name_plural = _("planning periods")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="period_end_after_start")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls, today: date | None = None) -> PlanningPeriod | None:
        return cls.objects.containing(today or timezone.localdate()).first()

    def elapsed_share(self, today: date | None = None) -> float:
        today = today or timezone.localdate()
        total = (self.end - self.start).days or 1
        return min(1.0, max(0.0, (today - self.start).days / total))


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded by a revision")
    ARCHIVED = "archived", _("Archived")


EDITABLE_STATUSES = (PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED)


class InvestmentDecision(models.TextChoices):
    INVEST = "invest", _("Invest")
    MAINTAIN = "maintain", _("Maintain")
    HARVEST = "harvest", _("Harvest")
    EXIT = "exit", _("Exit")


class AccountPlan(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plans")
    period = models.ForeignKey(PlanningPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="plans")
    therapeutic_area = models.CharField(
        _("therapeutic area"), max_length=100, blank=True, help_text=_("Only where several KAMs plan one account.")
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_revision", editable=False
    )
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    budget = models.DecimalField(
        _("plan budget"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    budget_currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    review_cadence_months = models.PositiveSmallIntegerField(
        _("review every (months)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    xray_snapshot = models.JSONField(_("DMU snapshot"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period__start", "account__name", "-revision"]
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period", "therapeutic_area", "revision"], name="plan_unique_revision"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0) | models.Q(budget__isnull=True), name="plan_budget_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_review_date"])]

    def __str__(self) -> str:
        area = f" · {self.therapeutic_area}" if self.therapeutic_area else ""
        rev = f" (rev. {self.revision})" if self.revision > 1 else ""
        return f"{self.account} · {self.period}{area}{rev}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def review_overdue(self) -> bool:
        return bool(self.next_review_date and self.next_review_date < timezone.localdate())


class PlanStep(models.Model):
    """One of the seven steps; its ``version`` guards against lost updates."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)])
    content = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_step_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=7), name="plan_step_number_1_7"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.number}. {STEPS[self.number]}"

    @property
    def title(self) -> str:
        return STEPS[self.number]


class ReviewOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PERIODIC = "periodic", _("Periodic review")


class PlanReview(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices)
    comment = models.TextField(_("overall comment"), max_length=MAX_TEXT, blank=True)
    step_comments = models.JSONField(_("comments per step"), default=dict, blank=True)
    # What the plan looked like at the review, for "since last review".
    snapshot = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_outcome_display()} by {self.reviewer}"
