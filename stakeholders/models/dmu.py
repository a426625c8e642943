"""People and their place in accounts' decision-making units: affiliations, therapeutic-area
overrides, key-opinion-leader status, and who on our side covers them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Account
from kam.lib import chain_reaches

ERASED = "[erased]"
MAX_FREE_TEXT = 5000


class Language(models.TextChoices):
    EN = "en", _("English")
    DE = "de", _("German")
    FR = "fr", _("French")
    IT = "it", _("Italian")


# The language a new stakeholder is written to in, from their account's country; changeable per person.
# Belgium, Spain and the Netherlands get English: the survey pages offer neither Dutch nor Spanish.
LANGUAGE_BY_COUNTRY = {"DE": Language.DE, "AT": Language.DE, "CH": Language.DE, "FR": Language.FR, "IT": Language.IT}


def language_for_country(country: str) -> str:
    """The preferred language a new stakeholder at an account in ``country`` starts with."""
    return LANGUAGE_BY_COUNTRY.get(country, Language.EN)


class Person(models.Model):
    """A customer-side person. Their history follows them from account to account."""

    title = models.CharField(_("title"), max_length=40, blank=True, help_text=_("e.g. Dr., Prof."))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    survey_opt_out_at = models.DateTimeField(_("opted out of surveys"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The id in the company CRM, to match imported data."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        indexes = [models.Index(fields=["email"])]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="person_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:person", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    @property
    def salutation_name(self) -> str:
        """How a letter addresses them: "Dr. Brenner" with a title, else the full name. No gender is
        recorded, so no Mr or Ms; the greeting around it is translated with the e-mail."""
        return f"{self.title} {self.last_name}" if self.title else self.full_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Function(models.TextChoices):
    PHYSICIAN = "physician", _("Physician")
    HEAD_OF_DEPARTMENT = "head_of_department", _("Head of department")
    HOSPITAL_PHARMACIST = "hospital_pharmacist", _("Hospital pharmacist")
    NURSE = "nurse", _("Nurse")
    PROCUREMENT = "procurement", _("Procurement / purchasing")
    MANAGEMENT = "management", _("Hospital management / administration")
    FINANCE = "finance", _("Finance / controlling")
    FORMULARY_COMMITTEE = "formulary_committee", _("Formulary / P&T committee member")
    MARKET_ACCESS = "market_access", _("Market access / reimbursement")
    OWNER_BUYER = "owner_buyer", _("Owner or buyer (pharmacy, wholesaler)")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    MANAGERIAL = "managerial", _("Managerial")


MEDICAL_FUNCTIONS = {
    Function.PHYSICIAN,
    Function.HEAD_OF_DEPARTMENT,
    Function.HOSPITAL_PHARMACIST,
    Function.NURSE,
}


def category_for(function: str) -> str:
    return Category.MEDICAL if function in MEDICAL_FUNCTIONS else Category.MANAGERIAL


class DmuRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    USER = "user", _("User")
    BUYER = "buyer", _("Buyer")


class Stance(models.IntegerChoices):
    # Neutral wording: a person may read these under a data-access request.
    STRONGLY_UNFAVOURABLE = -2, _("Strongly unfavourable towards our proposals")
    UNFAVOURABLE = -1, _("Unfavourable towards our proposals")
    NEUTRAL = 0, _("Neutral towards our proposals")
    FAVOURABLE = 1, _("Favourable towards our proposals")
    STRONGLY_FAVOURABLE = 2, _("Strongly favourable towards our proposals")


STANCE_SHORT = {
    -2: _("strongly unfavourable"),
    -1: _("unfavourable"),
    0: _("neutral"),
    1: _("favourable"),
    2: _("strongly favourable"),
}

# Labels by value, for pages that draw every stakeholder several times: get_FOO_display builds its
# choices dict anew on each call. The labels stay lazy, so they follow the request's language.
_ROLE_LABELS = dict(DmuRole.choices)
_STANCE_LABELS = dict(Stance.choices)
_FUNCTION_LABELS = dict(Function.choices)


class AffiliationQuerySet(models.QuerySet):
    def active(self) -> AffiliationQuerySet:
        return self.filter(end_date__isnull=True)


class Affiliation(models.Model):
    """A person's position at one account, with how they weigh in on its decisions."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="affiliations")
    position_title = models.CharField(_("position / title"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=150, blank=True)
    function = models.CharField(_("function"), max_length=30, choices=Function.choices, default=Function.PHYSICIAN)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, blank=True)
    dmu_role = models.CharField(_("DMU role"), max_length=20, choices=DmuRole.choices, default=DmuRole.INFLUENCER)
    influence = models.PositiveSmallIntegerField(
        _("influence (1–5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    stance = models.SmallIntegerField(_("stance"), choices=Stance.choices, default=Stance.NEUTRAL)
    reports_to = models.ForeignKey(
        "self", verbose_name=_("reports to"), on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AffiliationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-influence", "person__last_name"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(influence__gte=1, influence__lte=5), name="affiliation_influence_1_5"
            ),
            models.CheckConstraint(condition=models.Q(stance__gte=-2, stance__lte=2), name="affiliation_stance_range"),
            models.CheckConstraint(condition=~models.Q(reports_to=models.F("id")), name="affiliation_not_own_manager"),
            models.UniqueConstraint(
                fields=["person", "account"], condition=models.Q(end_date__isnull=True), name="affiliation_one_active"
            ),
        ]
        indexes = [models.Index(fields=["account", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.account}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None

    @property
    def stance_short(self) -> str:
        return STANCE_SHORT[self.stance]

    @property
    def role_label(self) -> str:
        return _ROLE_LABELS.get(self.dmu_role, self.dmu_role)

    @property
    def stance_label(self) -> str:
        return _STANCE_LABELS.get(self.stance, self.stance)

    @property
    def function_label(self) -> str:
        return _FUNCTION_LABELS.get(self.function, self.function)

    def clean(self) -> None:
        if not self.category:
            self.category = category_for(self.function)
        errors: dict[str, str] = {}
        if self.reports_to_id:
            if self.reports_to.account_id != self.account_id:
                errors["reports_to"] = _("Reports-to must be someone at the same account.")
            elif self.pk and chain_reaches(Affiliation, self.reports_to_id, "reports_to", self.pk):
                errors["reports_to"] = _("This would make a reporting cycle.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The leaving date is before the start date.")
        if errors:
            raise ValidationError(errors)


class AffiliationOverride(models.Model):
    """Where a person's role or stance differs for one therapeutic area."""

    affiliation = models.ForeignKey(Affiliation, on_delete=models.CASCADE, related_name="overrides")
    therapeutic_area = models.CharField(_("therapeutic area"), max_length=100)
    dmu_role = models.CharField(_("DMU role"), max_length=20, choices=DmuRole.choices, blank=True)
    stance = models.SmallIntegerField(_("stance"), choices=Stance.choices, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("therapeutic-area override")
        verbose_name_plural = _("therapeutic-area overrides")
        constraints = [
            models.UniqueConstraint(fields=["affiliation", "therapeutic_area"], name="override_unique_area"),
        ]

    def __str__(self) -> str:
        return f"{self.affiliation} [{self.therapeutic_area}]"

    @property
    def stance_short(self) -> str:
        return STANCE_SHORT[self.stance] if self.stance is not None else ""


class KolLevel(models.TextChoices):
    INTERNATIONAL = "international", _("International")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class KolClassification(models.Model):
    """Key-opinion-leader status: a medical classification, set and seen by medical colleagues only."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="kol")
    level = models.CharField(_("KOL level"), max_length=14, choices=KolLevel.choices)
    therapeutic_areas = models.CharField(_("therapeutic areas"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("KOL classification")
        verbose_name_plural = _("KOL classifications")

    def __str__(self) -> str:
        return f"{self.person}: {self.get_level_display()}"


class Coverage(models.Model):
    """Who on our side holds the relationship with a stakeholder at an account."""

    affiliation = models.ForeignKey(Affiliation, on_delete=models.CASCADE, related_name="coverage")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coverage")
    strength = models.PositiveSmallIntegerField(
        _("relationship strength (1–5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    is_medical = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverage")
        constraints = [
            models.UniqueConstraint(fields=["affiliation", "user"], name="coverage_unique"),
            models.CheckConstraint(condition=models.Q(strength__gte=1, strength__lte=5), name="coverage_strength_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.affiliation.person} ({self.strength})"
