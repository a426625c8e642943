"""The rows the steps hold: SWOT items, whitespace cells, relationship objectives, objectives,
actions with their resources, and communication items."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import DEFERRED, Case, DateField, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import NON_NEGATIVE, Currency, Listing, ListingStatus, Product
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


class ObjectiveKind(models.TextChoices):
    NUMERIC = "numeric", _("Number")
    MILESTONE = "milestone", _("Milestone")
    LISTING = "listing", _("Listing")


class Pacing(models.TextChoices):
    # Linear: on track while progress keeps pace with the time elapsed.
    LINEAR = "linear", _("Linear")
    AT_DUE = "at_due", _("At the due date")


# How far a listing has come: reaching a target means reaching its rank or a higher one, so a
# product "listed" has also reached "restricted" and "under review".
LISTING_RANK = {
    ListingStatus.LISTED: 3,
    ListingStatus.RESTRICTED: 2,
    ListingStatus.UNDER_REVIEW: 1,
    ListingStatus.NOT_LISTED: 0,
    ListingStatus.DELISTED: 0,
}
# The listing statuses an objective may aim at (reaching "not listed" is no objective).
LISTING_TARGETS = (ListingStatus.LISTED, ListingStatus.RESTRICTED, ListingStatus.UNDER_REVIEW)

# What each kind needs before its progress can be judged (``Objective.is_measurable`` in SQL).
MEASURABLE = (
    Q(kind=ObjectiveKind.NUMERIC, target__isnull=False, due_date__isnull=False)
    | Q(kind=ObjectiveKind.MILESTONE, due_date__isnull=False)
    | (Q(kind=ObjectiveKind.LISTING, due_date__isnull=False, product__isnull=False) & ~Q(target_listing_status=""))
)


def _listing_rank(field: str) -> Case:
    return Case(
        *[When(**{field: status}, then=Value(rank)) for status, rank in LISTING_RANK.items()],
        default=Value(-1),
        output_field=models.IntegerField(),
    )


class ObjectiveQuerySet(models.QuerySet):
    def measurable(self) -> ObjectiveQuerySet:
        """Objectives whose progress can be judged: the ones the dashboard and health count."""
        return self.filter(MEASURABLE)

    def with_listing_status(self) -> ObjectiveQuerySet:
        """Annotate ``account_listing_status``: the account's listing of a listing objective's
        product (what ``Objective.listing_status`` reads), so a list of objectives needs no query
        per objective."""
        listing = Listing.objects.filter(account=OuterRef("plan__account_id"), product=OuterRef("product_id"))
        return self.annotate(account_listing_status=Subquery(listing.values("status")[:1]))

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
        listing = Listing.objects.filter(account=OuterRef("plan__account_id"), product=OuterRef("product_id"))
        listing_rank = Subquery(
            listing.annotate(rank=_listing_rank("status")).values("rank")[:1], output_field=models.IntegerField()
        )
        listing_reached = Q(kind=ObjectiveKind.LISTING) & Q(
            GreaterThanOrEqual(Coalesce(listing_rank, Value(-1)), _listing_rank("target_listing_status"))
        )
        by_date = Q(kind__in=[ObjectiveKind.MILESTONE, ObjectiveKind.LISTING])
        past_due = Q(due_date__lt=today)
        return self.annotate(sql_progress=progress, sql_elapsed=elapsed).annotate(
            sql_status=Case(
                When(~MEASURABLE, then=Value(ObjectiveStatus.NOT_MEASURABLE)),
                # Milestones and listings: reached, or judged by their date.
                When(
                    Q(kind=ObjectiveKind.MILESTONE, done=True) | listing_reached, then=Value(ObjectiveStatus.ACHIEVED)
                ),
                When(by_date & past_due, then=Value(ObjectiveStatus.AT_RISK)),
                When(by_date, then=Value(ObjectiveStatus.ON_TRACK)),
                # Numbers.
                When(current_value__isnull=True, then=Value(ObjectiveStatus.NO_DATA)),
                When(GreaterThanOrEqual(F("sql_progress"), Value(1.0)), then=Value(ObjectiveStatus.ACHIEVED)),
                When(Q(pacing=Pacing.AT_DUE) & past_due, then=Value(ObjectiveStatus.AT_RISK)),
                When(pacing=Pacing.AT_DUE, then=Value(ObjectiveStatus.ON_TRACK)),
                When(GreaterThanOrEqual(F("sql_progress"), F("sql_elapsed")), then=Value(ObjectiveStatus.ON_TRACK)),
                default=Value(ObjectiveStatus.AT_RISK),
                output_field=models.CharField(),
            )
        )


class Objective(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=200)
    kind = models.CharField(_("kind"), max_length=9, choices=ObjectiveKind.choices, default=ObjectiveKind.NUMERIC)
    kpi = models.CharField(_("KPI"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    current_value = models.DecimalField(_("current value"), max_digits=14, decimal_places=2, null=True, blank=True)
    pacing = models.CharField(_("pacing"), max_length=6, choices=Pacing.choices, default=Pacing.LINEAR)
    done = models.BooleanField(_("done"), default=False)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_listing_status = models.CharField(
        _("listing to reach"), max_length=14, choices=ListingStatus.choices, blank=True
    )
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

    @classmethod
    def from_db(cls, db, field_names, values):
        # The stored values, so that an edit can tell what it changed (``clear_stale_progress``).
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = {
            name: value for name, value in zip(field_names, values, strict=True) if value is not DEFERRED
        }
        return instance

    @property
    def is_measurable(self) -> bool:
        if self.due_date is None:
            return False
        if self.kind == ObjectiveKind.MILESTONE:
            return True
        if self.kind == ObjectiveKind.LISTING:
            return self.product_id is not None and bool(self.target_listing_status)
        return self.target is not None

    @property
    def listing_status(self) -> str | None:
        """The account's listing of the product now (None: no listing recorded), for a listing
        objective: its "current value" is the account's, never typed on the plan."""
        if self.kind != ObjectiveKind.LISTING or self.product_id is None:
            return None
        if "account_listing_status" not in self.__dict__:
            # One query per plan, however many listing objectives it holds (its rows share the plan).
            statuses = self.plan.__dict__.get("_listing_statuses")
            if statuses is None:
                statuses = self.plan._listing_statuses = dict(
                    Listing.objects.filter(account_id=self.plan.account_id).values_list("product_id", "status")
                )
            self.account_listing_status = statuses.get(self.product_id)
        return self.account_listing_status

    @property
    def listing_status_label(self) -> str:
        status = self.listing_status
        return str(ListingStatus(status).label) if status else str(_("no listing recorded"))

    @property
    def listing_reached(self) -> bool:
        current = self.listing_status
        return current is not None and LISTING_RANK.get(current, -1) >= LISTING_RANK.get(self.target_listing_status, -1)

    def progress(self) -> float | None:
        """Share of the way from baseline to target (0 = baseline, 1 = target), for a number."""
        if self.kind != ObjectiveKind.NUMERIC or not self.is_measurable or self.current_value is None:
            return None
        baseline = self.baseline if self.baseline is not None else Decimal(0)
        span = self.target - baseline
        if span == 0:
            return 1.0 if self.current_value == self.target else 0.0
        return float((self.current_value - baseline) / span)

    def status(self, today: date | None = None) -> str:
        """What "on track" means follows the kind (``ObjectiveQuerySet.with_status`` says the same
        in SQL). A number paced linearly is on track when its progress is at least the share of
        its time elapsed; one judged at the due date is on track until then; both say "no data
        yet" until a current value is reported, so a new objective is not "at risk" on the day it
        is made. A milestone or a listing is achieved when done or reached, else on track until
        its due date and at risk after it."""
        if not self.is_measurable:
            return ObjectiveStatus.NOT_MEASURABLE
        today = today or timezone.localdate()
        if self.kind in (ObjectiveKind.MILESTONE, ObjectiveKind.LISTING):
            reached = self.done if self.kind == ObjectiveKind.MILESTONE else self.listing_reached
            if reached:
                return ObjectiveStatus.ACHIEVED
            return ObjectiveStatus.AT_RISK if today > self.due_date else ObjectiveStatus.ON_TRACK
        if self.current_value is None:
            return ObjectiveStatus.NO_DATA
        progress = self.progress() or 0.0
        if progress >= 1:
            return ObjectiveStatus.ACHIEVED
        if self.pacing == Pacing.AT_DUE:
            return ObjectiveStatus.AT_RISK if today > self.due_date else ObjectiveStatus.ON_TRACK
        start = self.plan.period.start
        total = (self.due_date - start).days
        elapsed = 1.0 if total <= 0 else min(1.0, max(0.0, (today - start).days / total))
        return ObjectiveStatus.ON_TRACK if progress >= elapsed else ObjectiveStatus.AT_RISK

    def clear_stale_progress(self) -> str | None:
        """Clear the progress reported under what this edit changes, and say why (None: kept).

        A value reported for one measure says nothing about another: it is cleared ("no data
        yet") when the kind or the unit changes, and when a new target or baseline would
        make the objective achieved by a value reported before that change (target 60 % made
        "4 brands", current 60: achieved by a stale number). A target moved with the same unit
        keeps its value, which is judged against the new target. A value reported in the same
        edit is fresh and kept. The reason is the history row's change reason."""
        before = getattr(self, "_loaded_values", None)
        if not before or self.pk is None:
            return None

        def changed(name: str) -> bool:
            return name in before and before[name] != getattr(self, name)

        reason = None
        if changed("kind"):
            labels = dict(ObjectiveKind.choices)
            reason = _("Kind changed (%(old)s → %(new)s): progress cleared.") % {
                "old": labels.get(before["kind"], before["kind"]),
                "new": labels.get(self.kind, self.kind),
            }
        elif self.kind == ObjectiveKind.NUMERIC and changed("unit"):
            reason = _("Unit changed (“%(old)s” → “%(new)s”): current value cleared.") % {
                "old": before["unit"] or "—",
                "new": self.unit or "—",
            }
        elif self.kind == ObjectiveKind.NUMERIC and (changed("target") or changed("baseline")):
            earlier = copy.copy(self)
            earlier.target, earlier.baseline = before.get("target"), before.get("baseline")
            newly_achieved = (self.progress() or 0.0) >= 1 and (earlier.progress() or 0.0) < 1
            if newly_achieved and not changed("current_value"):
                reason = _("Target changed (%(old)s → %(new)s): current value, reported before, cleared.") % {
                    "old": before.get("target"),
                    "new": self.target,
                }
        if reason is None:
            return None
        if not changed("current_value"):
            self.current_value = None
        if changed("kind") and not changed("done"):
            self.done = False
        # The history's change reason holds 100 characters; a long unit name must not fail the save.
        self._change_reason = str(reason)[:100]
        return self._change_reason

    def clean(self) -> None:
        self.clear_stale_progress()


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
