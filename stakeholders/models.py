"""The decision-making unit: people, their affiliations with accounts, our coverage of them,
touchpoints with them, transfers of value, and medical support requests."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import NON_NEGATIVE, Account, Currency
from kam.lib import chain_reaches
from stakeholders.survey_texts import COMMENT_LABEL

ERASED = "[erased]"
MAX_FREE_TEXT = 5000


class Language(models.TextChoices):
    EN = "en", _("English")
    DE = "de", _("German")
    FR = "fr", _("French")
    IT = "it", _("Italian")


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


class TouchpointKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    EVENT = "event", _("Event")
    CONGRESS = "congress", _("Congress")
    ADVISORY_BOARD = "advisory_board", _("Advisory board")
    OTHER = "other", _("Other")


class Touchpoint(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="touchpoints")
    date = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=20, choices=TouchpointKind.choices, default=TouchpointKind.VISIT)
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The id in the company CRM, to match imported data."),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our participants"), related_name="touchpoints"
    )
    stakeholders = models.ManyToManyField(Person, verbose_name=_("stakeholders met"), related_name="touchpoints")
    summary = models.TextField(_("summary"), max_length=MAX_FREE_TEXT, blank=True)
    next_step = models.CharField(_("agreed next step"), max_length=500, blank=True)
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Medical touchpoints are behind the firewall: commercial users see that they happened, not what was said.
    is_medical = models.BooleanField(_("medical"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[stakeholders])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        indexes = [models.Index(fields=["account", "-date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="touchpoint_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date} @ {self.account}"


class TovCategory(models.TextChoices):
    DONATION_GRANT = "donation_grant", _("Donation / grant")
    EVENT_SPONSORSHIP = "event_sponsorship", _("Event sponsorship")
    REGISTRATION_FEE = "registration_fee", _("Registration fee")
    TRAVEL_ACCOMMODATION = "travel_accommodation", _("Travel and accommodation")
    FEE_FOR_SERVICE = "fee_for_service", _("Fee for service")


class TransferOfValue(models.Model):
    """A reference to a transfer of value (EFPIA) recorded in the expense system; not a ledger."""

    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="transfers")
    category = models.CharField(_("EFPIA category"), max_length=24, choices=TovCategory.choices)
    recipient_person = models.ForeignKey(
        Person,
        verbose_name=_("recipient person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    recipient_organisation = models.ForeignKey(
        Account,
        verbose_name=_("recipient organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    disclosure_consent = models.BooleanField(_("consent to individual disclosure"), default=False)
    expense_record_id = models.CharField(_("expense system id"), max_length=64)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer of value")
        verbose_name_plural = _("transfers of value")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_person__isnull=False) | models.Q(recipient_organisation__isnull=False),
                name="tov_has_recipient",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="tov_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount} {self.currency}"

    def clean(self) -> None:
        if not self.recipient_person_id and not self.recipient_organisation_id:
            raise ValidationError(_("Name the recipient: a person or an organisation."))


class SupportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class SupportRequest(models.Model):
    """A commercial colleague asks medical for support; medical decides. Commercial never assigns."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="support_requests")
    person = models.ForeignKey(
        Person, verbose_name=_("stakeholder"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=SupportStatus.choices, default=SupportStatus.OPEN)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = models.CharField(_("response"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("medical support request")
        verbose_name_plural = _("medical support requests")

    def __str__(self) -> str:
        return self.topic


# CSAT surveys --------------------------------------------------------------------------------------


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")


class ConsentMethod(models.TextChoices):
    FORM = "form", _("Signed form")
    EMAIL = "email", _("By e-mail")
    VERBAL = "verbal", _("Verbally at a meeting")
    IMPORTED = "imported", _("Imported")


class SurveyConsent(models.Model):
    """A stakeholder's consent to feedback e-mails, with its source and the exact wording agreed to.
    In Germany a feedback e-mail counts as advertising (BGH VI ZR 225/17): without a consent row
    that is not withdrawn, nobody is surveyed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(
        _("channel"), max_length=10, choices=ConsentChannel.choices, default=ConsentChannel.EMAIL
    )
    method = models.CharField(_("how"), max_length=10, choices=ConsentMethod.choices, default=ConsentMethod.FORM)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    source = models.CharField(_("source"), max_length=200, help_text=_("Where and how consent was given."))
    wording = models.TextField(_("wording agreed to"), max_length=2000)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("survey consent")
        verbose_name_plural = _("survey consents")

    def __str__(self) -> str:
        return f"{self.person}: {self.source} ({self.given_at:%Y-%m-%d})"


class Survey(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    languages = models.CharField(
        _("languages"), max_length=40, default="en", help_text=_("Comma-separated, e.g. en,de")
    )
    intro_text = models.TextField(_("intro text"), max_length=2000, blank=True)
    csat_question = models.CharField(
        _("CSAT question"), max_length=300, default=_("How satisfied are you with our collaboration overall?")
    )
    # Per language: {"de": {"intro_text": "...", "csat_question": "..."}}; English is the fields above.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    is_default = models.BooleanField(_("default survey"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    def text(self, field: str, language: str) -> str:
        return (self.translations.get(language) or {}).get(field) or getattr(self, field)


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    CHOICE = "choice", _("Single choice")
    TEXT = "text", _("Free text")


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("For single choice: a list of options.")
    )
    translations = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SurveyCampaign(models.Model):
    name = models.CharField(_("name"), max_length=150)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="campaigns")
    # Which accounts: {"account_types": [...], "tiers": [...], "owners": [ids], "regions": [...], "countries": [...]}
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    send_at = models.DateTimeField(_("send at"), default=timezone.now)
    close_date = models.DateField(_("closes on"))
    recurrence_months = models.PositiveSmallIntegerField(_("repeat every (months)"), null=True, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    throttle_days = models.PositiveSmallIntegerField(_("do not survey anyone surveyed within (days)"), default=90)
    reminder_after_days = models.PositiveSmallIntegerField(_("remind non-responders after (days)"), default=7)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-send_at"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:campaign", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_on(timezone.localdate())

    def closed_on(self, day: date) -> bool:
        return self.status == CampaignStatus.CLOSED or self.close_date < day


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")


class SurveyInvitation(models.Model):
    """One person invited by one campaign; the row is also the outbox entry for its e-mail."""

    campaign = models.ForeignKey(SurveyCampaign, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    language = models.CharField(max_length=5, default="en")
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.QUEUED)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField()
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="invitation_one_per_person")]
        indexes = [
            models.Index(fields=["status", "lease_until"]),
            models.Index(fields=["person", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.person}"

    @property
    def message_id(self) -> str:
        # Fixed per invitation, so duplicate deliveries can be counted at the receiving end.
        return f"<survey-invitation-{self.pk}@kam-planner>"


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="response")
    csat_score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    answers = models.JSONField(default=dict, blank=True)
    comment = models.TextField(max_length=MAX_FREE_TEXT, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(csat_score__gte=1, csat_score__lte=5), name="csat_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.invitation}: {self.csat_score}"

    def written_answers(self) -> list[tuple[str, str]]:
        """(question, text) for everything the person wrote: the survey's free-text questions in
        their order, then the closing comment. Reads the questions through
        ``invitation.campaign.survey.questions``: prefetch that when listing many responses."""
        written = [
            (question.text, str(self.answers.get(str(question.pk), "")))
            for question in self.invitation.campaign.survey.questions.all()
            if question.kind == QuestionKind.TEXT
        ]
        written.append((str(COMMENT_LABEL), self.comment))
        return [(question, text) for question, text in written if text.strip()]


class CsatQuarter(models.Model):
    """Named campaigns' delivered invitations, answers and satisfied answers (4 or 5) per account and
    calendar quarter of the campaign's send date, in the server's time zone.

    A summary rewritten by ``stakeholders.surveys.results.refresh_csat_quarters`` together with the account
    health (on commit after an answer, hourly by beat): the dashboard's CSAT by year, quarter and KAM
    then reads a few rows per account instead of every invitation ever sent. Anonymous campaigns are
    left out, as on the dashboard (their results live on the campaign page, with suppression)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="csat_quarters")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    invited = models.PositiveIntegerField()
    answers = models.PositiveIntegerField()
    satisfied = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "year", "quarter"], name="csat_quarter_one_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.year} Q{self.quarter}: {self.satisfied}/{self.answers}/{self.invited}"


class LowScoreFollowUp(models.Model):
    """Opened on the account by a CSAT of 1 or 2 (never for anonymous campaigns), shown until closed."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="csat_follow_ups")
    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="follow_up")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Follow-up {self.account} ({self.invitation.person})"


# The import's records live in their own package; imported here so that Django registers them.
from stakeholders.imports.models import DataImport, ImportMapping, ImportRejection  # noqa: E402, F401
