"""Key accounts: the account with its type-specific numbers, its place in the portfolio matrix, and
the colleagues on its team."""

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


# Account fields behind the medical/commercial firewall, each with the rule that hides it
# (kam.firewall): the API, the CRM import and the history page leave them out alike.
FIREWALLED_FIELDS = {
    "annual_turnover": "account.revenue",
    "turnover_goal": "account.target",
    "gross_margin_pct": "account.margin",
    "average_discount_pct": "account.margin",
    "basket_penetration_pct": "account.potential",
    "market_share_pct": "account.potential",
    "attractiveness": "account.potential",
    "position": "account.potential",
}


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
    def is_pharmacy(self) -> bool:
        return self.account_type == AccountType.PHARMACY

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
