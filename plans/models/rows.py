"""The rows the steps hold: SWOT items, whitespace cells, relationship objectives, objectives,
actions with their resources, and communication items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, DateField, F, FloatField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import NON_NEGATIVE, Currency, Product
from kam.lib import DayNumber
from plans.models.plan import AccountPlan
from stakeholders.models import Affiliation, Person, Stance, SupportRequest


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
    # Off by default: the joint plan holds only what the KAM chose to show the customer.
    share_with_customer = models.BooleanField(_("share with customer"), default=False, db_default=False)

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
    share_with_customer = models.BooleanField(_("share with customer"), default=False, db_default=False)
    # A customer-owned action of the joint plan; ``owner`` stays the colleague accountable for it.
    customer_owner = models.ForeignKey(
        Affiliation,
        verbose_name=_("customer owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.customer_owner_id and self.plan_id and self.customer_owner.account_id != self.plan.account_id:
            raise ValidationError(
                {"customer_owner": _("Choose one of this account's stakeholders.")}, code="customer_owner_elsewhere"
            )

    def owner_label(self, *, joint: bool = False) -> str:
        """Who owns the action as a plan export names it. The joint plan names the customer's
        owner where there is one (the colleague accountable is ours to know); the internal plan
        names our colleague, and the customer's owner beside them."""
        customer = self.customer_owner.person if self.customer_owner_id else None
        if customer is not None and customer.is_erased:
            customer = None
        if customer is None:
            return str(self.owner)
        if joint:
            return str(customer)
        return _("%(owner)s (customer: %(customer)s)") % {"owner": self.owner, "customer": customer}

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
