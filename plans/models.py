"""Seven-step account plans: periods, plans and their revisions, steps with versions, the rows
each step holds, and reviews."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, DateField, F, FloatField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import NON_NEGATIVE, Account, Currency, Product
from kam.lib import DayNumber
from stakeholders.models import Affiliation, Person, Stance, SupportRequest

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


class SwotKind(models.TextChoices):
    STRENGTH = "S", _("Strengths")
    WEAKNESS = "W", _("Weaknesses")
    OPPORTUNITY = "O", _("Opportunities")
    THREAT = "T", _("Threats")


class SwotItem(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="swot")
    kind = models.CharField(_("kind"), max_length=1, choices=SwotKind.choices)
    text = models.CharField(_("item"), max_length=500)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


class WhitespaceStatus(models.TextChoices):
    OURS = "ours", _("Using ours")
    COMPETITOR = "competitor", _("Using a competitor")
    OPPORTUNITY = "opportunity", _("Open opportunity")
    NOT_RELEVANT = "not_relevant", _("Not relevant")


class WhitespaceCell(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="whitespace")
    buying_centre = models.CharField(_("department / buying centre"), max_length=120)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=14, choices=WhitespaceStatus.choices)
    estimated_value = models.DecimalField(
        _("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["buying_centre", "product__brand"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "buying_centre", "product"], name="whitespace_unique_cell")
        ]

    def __str__(self) -> str:
        return f"{self.buying_centre} × {self.product}: {self.status}"


class RelationshipObjective(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="relationship_objectives")
    affiliation = models.ForeignKey(
        Affiliation, verbose_name=_("stakeholder"), on_delete=models.CASCADE, related_name="+"
    )
    from_stance = models.SmallIntegerField(_("from"), choices=Stance.choices)
    to_stance = models.SmallIntegerField(_("to"), choices=Stance.choices)
    due_date = models.DateField(_("by"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date"]

    def __str__(self) -> str:
        return f"{self.affiliation.person}: {self.from_stance} → {self.to_stance}"


class ObjectiveStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    ACHIEVED = "achieved", _("Achieved")
    # Measurable, but no current value reported yet: neither on track nor at risk.
    NO_DATA = "no_data", _("No data yet")
    NOT_MEASURABLE = "not_measurable", _("Not measurable")


class ObjectiveQuerySet(models.QuerySet):
    def with_status(self, today: date) -> ObjectiveQuerySet:
        """Annotate ``sql_status``: what ``Objective.status(today)`` says, computed in SQL, so that
        counting objectives by status over a whole portfolio is one aggregate, not a loop."""
        baseline = Coalesce(F("baseline"), Value(Decimal(0)))
        progress = Case(
            When(target=baseline, then=Case(When(current_value=F("target"), then=Value(1.0)), default=Value(0.0))),
            default=Cast(F("current_value") - baseline, FloatField()) / Cast(F("target") - baseline, FloatField()),
            output_field=FloatField(),
        )
        start, due = DayNumber("plan__period__start"), DayNumber("due_date")
        now = DayNumber(Value(today, output_field=DateField()))
        elapsed = Case(
            When(LessThanOrEqual(due - start, Value(0.0)), then=Value(1.0)),
            default=Greatest(Value(0.0), Least(Value(1.0), (now - start) / (due - start))),
            output_field=FloatField(),
        )
        return self.annotate(sql_progress=progress, sql_elapsed=elapsed).annotate(
            sql_status=Case(
                When(Q(target__isnull=True) | Q(due_date__isnull=True), then=Value(ObjectiveStatus.NOT_MEASURABLE)),
                When(current_value__isnull=True, then=Value(ObjectiveStatus.NO_DATA)),
                When(GreaterThanOrEqual(F("sql_progress"), Value(1.0)), then=Value(ObjectiveStatus.ACHIEVED)),
                When(GreaterThanOrEqual(F("sql_progress"), F("sql_elapsed")), then=Value(ObjectiveStatus.ON_TRACK)),
                default=Value(ObjectiveStatus.AT_RISK),
                output_field=models.CharField(),
            )
        )


class Objective(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=200)
    kpi = models.CharField(_("KPI"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    current_value = models.DecimalField(_("current value"), max_digits=14, decimal_places=2, null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    needs_review = models.BooleanField(_("carried over: review it"), default=False)

    objects = ObjectiveQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_measurable(self) -> bool:
        return self.target is not None and self.due_date is not None

    def progress(self) -> float | None:
        """Share of the way from baseline to target (0 = baseline, 1 = target)."""
        if not self.is_measurable or self.current_value is None:
            return None
        baseline = self.baseline if self.baseline is not None else Decimal(0)
        span = self.target - baseline
        if span == 0:
            return 1.0 if self.current_value == self.target else 0.0
        return float((self.current_value - baseline) / span)

    def status(self, today: date | None = None) -> str:
        """On track when progress is at least the share of its time elapsed; "no data yet" until a
        current value is reported, so a new objective is not "at risk" on the day it is made."""
        if not self.is_measurable:
            return ObjectiveStatus.NOT_MEASURABLE
        if self.current_value is None:
            return ObjectiveStatus.NO_DATA
        progress = self.progress() or 0.0
        if progress >= 1:
            return ObjectiveStatus.ACHIEVED
        today = today or timezone.localdate()
        start = self.plan.period.start
        total = (self.due_date - start).days
        elapsed = 1.0 if total <= 0 else min(1.0, max(0.0, (today - start).days / total))
        return ObjectiveStatus.ON_TRACK if progress >= elapsed else ObjectiveStatus.AT_RISK


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")


class Action(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="actions")
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective served"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    stakeholders = models.ManyToManyField(Person, verbose_name=_("stakeholders involved"), blank=True, related_name="+")
    support_request = models.ForeignKey(
        SupportRequest,
        verbose_name=_("medical support (accepted request)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    needs_review = models.BooleanField(_("carried over: review it"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_date and self.status != ActionStatus.DONE and self.due_date < timezone.localdate())


class SupplyingFunction(models.TextChoices):
    KAM = "kam", _("Key account management")
    MARKET_ACCESS = "market_access", _("Market access")
    MARKETING = "marketing", _("Marketing")
    MEDICAL = "medical", _("Medical")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")
    OTHER = "other", _("Other")


class Resource(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="resources")
    people_days = models.DecimalField(
        _("people-days"), max_digits=7, decimal_places=1, default=Decimal("1.0"), validators=NON_NEGATIVE
    )
    budget = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, default=0, validators=NON_NEGATIVE)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    function = models.CharField(
        _("supplied by"), max_length=14, choices=SupplyingFunction.choices, default=SupplyingFunction.KAM
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="resource_budget_non_negative"),
            models.CheckConstraint(condition=models.Q(people_days__gte=0), name="resource_days_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.people_days} d, {self.budget} {self.currency}"


class AudienceKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class CommunicationItem(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="communications")
    audience_kind = models.CharField(_("internal/external"), max_length=8, choices=AudienceKind.choices)
    audience = models.CharField(_("audience"), max_length=120)
    message = models.CharField(_("message"), max_length=300)
    channel = models.CharField(_("channel"), max_length=80)
    frequency = models.CharField(_("frequency"), max_length=60)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    next_date = models.DateField(_("next"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audience_kind", "pk"]

    def __str__(self) -> str:
        return f"{self.audience}: {self.message}"


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


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Once a week")


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
    """How often a user wants the reminder digest; no row means the default, every day."""

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
