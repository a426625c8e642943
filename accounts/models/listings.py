"""Our portfolio and the competitors' products, and which of them an account lists."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models.account import Account


class ProductQuerySet(models.QuerySet):
    def carried_by(self, account: Account) -> ProductQuerySet:
        """Our active products an account can stock and list: a pharmacy none given in hospital only."""
        products = self.filter(active=True)
        return products.filter(hospital_only=False) if account.is_pharmacy else products


class Product(models.Model):
    brand = models.CharField(_("brand"), max_length=120, unique=True)
    molecule = models.CharField(_("molecule"), max_length=120)
    therapeutic_area = models.CharField(_("therapeutic area"), max_length=100)
    hospital_only = models.BooleanField(
        _("hospital only"),
        default=False,
        help_text=_("Given in hospital (an infusion, say): community pharmacies neither stock nor list it."),
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["brand"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.brand} ({self.molecule})"

    def is_carried_by(self, account: Account) -> bool:
        """Whether ``Product.objects.carried_by(account)`` holds this product, without a query."""
        return self.active and not (self.hospital_only and account.is_pharmacy)


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
        if self.product_id and self.account_id and self.product.hospital_only and self.account.is_pharmacy:
            raise ValidationError(
                {
                    "product": _("%(brand)s is given in hospital only: a pharmacy does not list it.")
                    % {"brand": self.product.brand}
                }
            )
        if self.competitor_product_id and self.status in LISTED_STATUSES:
            raise ValidationError(
                {"competitor_product": _("A competitor product is recorded only where ours is not listed.")}
            )
