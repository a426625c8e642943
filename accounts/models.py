"""Key accounts, their numbers, our portfolio and its listings, and the qualification rules."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kam.lib import chain_reaches
from kam.models import Country, Role, subordinate_ids

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Currency(models.TextChoices):
    EUR = "EUR", "EUR"
    CHF = "CHF", "CHF"
    GBP = "GBP", "GBP"
    USD = "USD", "USD"
    SEK = "SEK", "SEK"
    DKK = "DKK", "DKK"
    PLN = "PLN", "PLN"


class AccountType(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    PHARMACY = "pharmacy", _("Pharmacy")
    WHOLESALER = "wholesaler", _("Wholesaler")


class Tier(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    UNIVERSITY = "university", _("University")


class ManagementModel(models.TextChoices):
    TRADITIONAL = "traditional", _("Traditional (each clinician decides)")
    PROFESSIONAL = "professional", _("Professionally managed")


class Quadrant(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    STAR = "star", _("Star")
    STATUS = "status", _("Status")
    STREAMLINE = "streamline", _("Streamline")


QUADRANT_ADVICE = {
    Quadrant.STRATEGIC: _("Attractive and we are strong: invest to keep and grow the partnership."),
    Quadrant.STAR: _("Attractive but our position is weak: invest selectively to build position."),
    Quadrant.STATUS: _("We are strong in a less attractive account: maintain efficiently."),
    Quadrant.STREAMLINE: _("Less attractive and we are weak: serve at low cost or step back."),
}

HOSPITAL_FIELDS = ("beds", "ownership", "management_model", "has_formal_dmu")
TRADE_FIELDS = (
    "annual_turnover",
    "turnover_goal",
    "gross_margin_pct",
    "average_discount_pct",
    "basket_penetration_pct",
    "market_share_pct",
)


class AccountSearchText(models.Func):
    """The text the account search matches words against: " name city region", upper-cased,
    hyphens as spaces, so that " WORD" finds a word's beginning anywhere in it.

    Written out as plain SQL (the columns are NOT NULL, so no COALESCE) because on PostgreSQL a
    trigram index is built on exactly this expression (migration 0009): the planner uses it only
    for a query whose expression is the same, and tests/accounts/test_list.py checks it does."""

    template = "UPPER(REPLACE(' ' || %(expressions)s, '-', ' '))"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self) -> None:
        super().__init__(models.F("name"), models.F("city"), models.F("region"))


class AccountQuerySet(models.QuerySet):
    def active(self) -> AccountQuerySet:
        return self.filter(status=AccountStatus.ACTIVE)

    def key_accounts(self) -> AccountQuerySet:
        return self.filter(is_key_account=True)

    def in_team_of(self, lead_id: int) -> AccountQuerySet:
        """Accounts owned by ``lead_id`` or by anyone below them in the hierarchy."""
        return self.filter(models.Q(owner_id=lead_id) | models.Q(owner_id__in=subordinate_ids(lead_id)))


class Account(models.Model):
    name = models.CharField(_("name"), max_length=200)
    account_type = models.CharField(_("type"), max_length=20, choices=AccountType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        help_text=_("Hospital group, purchasing consortium, pharmacy cooperation or head office."),
    )
    crm_id = models.CharField(
        _("CRM id"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("The account's id in the company CRM (e.g. Veeva), to match imported data."),
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (lead KAM)"),
        on_delete=models.PROTECT,
        related_name="owned_accounts",
    )
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, default=Tier.B)
    status = models.CharField(_("status"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)

    # Hospitals.
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    ownership = models.CharField(_("ownership"), max_length=12, choices=Ownership.choices, blank=True)
    management_model = models.CharField(
        _("management model"), max_length=12, choices=ManagementModel.choices, blank=True
    )
    has_formal_dmu = models.BooleanField(
        _("formal decision-making unit"),
        null=True,
        blank=True,
        help_text=_("Decisions are taken by a group (committee, DMU) rather than by one prescriber."),
    )

    # Pharmacies and wholesalers; money in the account's currency.
    annual_turnover = models.DecimalField(
        _("annual turnover"), max_digits=16, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    turnover_goal = models.DecimalField(
        _("turnover goal"), max_digits=16, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    gross_margin_pct = models.DecimalField(
        _("gross margin %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    average_discount_pct = models.DecimalField(
        _("average discount %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    basket_penetration_pct = models.DecimalField(
        _("basket penetration %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("Share of our portfolio they list. Computed from listings when listings are kept."),
    )
    market_share_pct = models.DecimalField(
        _("market share %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )

    # Qualification and matrix position, kept current by accounts.services.
    qualification_score = models.PositiveSmallIntegerField(_("qualification score"), null=True, blank=True)
    qualifies = models.BooleanField(_("qualifies as key account"), null=True, blank=True)
    qualification_override = models.BooleanField(
        _("override: key account"),
        null=True,
        blank=True,
        help_text=_("Set to decide against the score; a reason is required and managers see it."),
    )
    qualification_override_reason = models.TextField(_("override reason"), blank=True, max_length=2000)
    is_key_account = models.BooleanField(_("key account"), default=False, db_index=True)
    attractiveness = models.PositiveSmallIntegerField(
        _("attractiveness"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(
        _("our position"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(fields=["crm_id"], name="account_crm_id_unique"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="account_not_own_parent"),
            models.CheckConstraint(condition=models.Q(account_type__in=AccountType.values), name="account_type_valid"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{f}__gte": 0, f"{f}__lte": 100}) | models.Q(**{f"{f}__isnull": True}),
                    name=f"account_{f}_range",
                )
                for f in ("gross_margin_pct", "average_discount_pct", "basket_penetration_pct", "market_share_pct")
            ],
            models.CheckConstraint(
                condition=models.Q(qualification_override__isnull=True) | ~models.Q(qualification_override_reason=""),
                name="account_override_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["country", "region"]),
            models.Index(fields=["account_type", "tier"]),
            # The search's CRM id match (crm_id__iexact), beside the trigram index on the text.
            models.Index(Upper("crm_id"), name="account_crm_id_upper"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", args=[self.pk])

    @property
    def is_hospital(self) -> bool:
        return self.account_type == AccountType.HOSPITAL

    @property
    def is_archived(self) -> bool:
        return self.status == AccountStatus.ARCHIVED

    @property
    def quadrant(self) -> Quadrant | None:
        return matrix_quadrant(self.attractiveness, self.position)

    @property
    def quadrant_advice(self) -> str:
        return QUADRANT_ADVICE.get(self.quadrant, "") if self.quadrant else ""

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.crm_id == "":
            self.crm_id = None
        # Type-specific numbers: the other type's fields must stay empty so they cannot mislead.
        if self.account_type == AccountType.HOSPITAL:
            for f in TRADE_FIELDS:
                setattr(self, f, None)
        elif self.account_type in (AccountType.PHARMACY, AccountType.WHOLESALER):
            self.beds = None
            self.ownership = ""
            self.management_model = ""
            self.has_formal_dmu = None
        if self.parent_id is not None:
            if self.pk is not None and self.parent_id == self.pk:
                errors.setdefault("parent", []).append(_("An account cannot be its own parent."))
            elif self.pk is not None and chain_reaches(Account, self.parent_id, "parent", self.pk):
                errors.setdefault("parent", []).append(
                    _("This parent would create a cycle: it already sits below this account.")
                )
        if self.qualification_override is not None and not self.qualification_override_reason.strip():
            errors.setdefault("qualification_override_reason", []).append(
                _("Give a reason for overriding the qualification.")
            )
        if errors:
            raise ValidationError(errors)


def matrix_quadrant(attractiveness: int | None, position: int | None) -> Quadrant | None:
    """Place an account in the key-account portfolio matrix (split at configurable thresholds)."""
    if attractiveness is None or position is None:
        return None
    attractive = attractiveness >= settings.MATRIX_ATTRACTIVENESS_SPLIT
    strong = position >= settings.MATRIX_POSITION_SPLIT
    if attractive and strong:
        return Quadrant.STRATEGIC
    if attractive:
        return Quadrant.STAR
    if strong:
        return Quadrant.STATUS
    return Quadrant.STREAMLINE


class TeamFunction(models.TextChoices):
    KAM = Role.KAM.value, Role.KAM.label
    MARKET_ACCESS = Role.MARKET_ACCESS.value, Role.MARKET_ACCESS.label
    MARKETING = Role.MARKETING.value, Role.MARKETING.label
    MSL = Role.MSL.value, Role.MSL.label
    MEDICAL_ADVISER = Role.MEDICAL_ADVISER.value, Role.MEDICAL_ADVISER.label
    MANAGER = Role.MANAGER.value, Role.MANAGER.label


class AccountTeamMember(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("colleague"), on_delete=models.CASCADE, related_name="account_teams"
    )
    function = models.CharField(_("function"), max_length=20, choices=TeamFunction.choices)
    therapeutic_area = models.CharField(
        _("therapeutic area"),
        max_length=100,
        blank=True,
        help_text=_("For KAMs of other business units serving the same account."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        constraints = [
            models.UniqueConstraint(fields=["account", "user", "therapeutic_area"], name="team_member_unique"),
        ]
        indexes = [models.Index(fields=["user", "account"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_function_display()})"


class Product(models.Model):
    brand = models.CharField(_("brand"), max_length=120, unique=True)
    molecule = models.CharField(_("molecule"), max_length=120)
    therapeutic_area = models.CharField(_("therapeutic area"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["brand"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.brand} ({self.molecule})"


class CompetitorKind(models.TextChoices):
    ORIGINATOR = "originator", _("Originator")
    BIOSIMILAR = "biosimilar", _("Biosimilar")
    GENERIC = "generic", _("Generic")


class CompetitorProduct(models.Model):
    name = models.CharField(_("product"), max_length=120)
    company = models.CharField(_("company"), max_length=120)
    molecule = models.CharField(_("molecule"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=CompetitorKind.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("competitor product")
        verbose_name_plural = _("competitor products")
        constraints = [models.UniqueConstraint(fields=["name", "company"], name="competitor_product_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.company}, {self.get_kind_display()})"


class ListingStatus(models.TextChoices):
    LISTED = "listed", _("Listed")
    RESTRICTED = "restricted", _("Restricted")
    UNDER_REVIEW = "under_review", _("Under review")
    NOT_LISTED = "not_listed", _("Not listed")
    DELISTED = "delisted", _("Delisted")


# Listings that count as "they list it" for basket penetration.
LISTED_STATUSES = (ListingStatus.LISTED, ListingStatus.RESTRICTED)


class Listing(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="listings")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="listings")
    status = models.CharField(_("status"), max_length=14, choices=ListingStatus.choices)
    next_committee_date = models.DateField(_("next formulary/committee date"), null=True, blank=True)
    competitor_product = models.ForeignKey(
        CompetitorProduct,
        verbose_name=_("competitor used instead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["product__brand"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [models.UniqueConstraint(fields=["account", "product"], name="listing_unique")]
        # The dashboard's "upcoming committees": the next few dates in order, not a scan of all listings.
        indexes = [models.Index(fields=["next_committee_date"], name="listing_next_committee")]

    def __str__(self) -> str:
        return f"{self.product.brand} @ {self.account}: {self.get_status_display()}"

    def clean(self) -> None:
        if self.competitor_product_id and self.status in LISTED_STATUSES:
            raise ValidationError(
                {"competitor_product": _("A competitor product is recorded only where ours is not listed.")}
            )


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
        indexes = [models.Index(fields=["score"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.score}"

    @property
    def band(self) -> str:
        return health_band(self.score)
