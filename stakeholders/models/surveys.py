"""CSAT surveys: consent to them, the surveys and their questions, campaigns, invitations and
responses, the quarterly summary and the follow-ups of low scores."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Account
from stakeholders.models.dmu import MAX_FREE_TEXT, Person
from stakeholders.survey_texts import COMMENT_LABEL


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
    # Counted up with every change to the campaign's survey or its questions
    # (stakeholders.surveys.page): the survey pages keep what they show of the survey in each
    # process's memory under this count. On the campaign, which the page reads with the invitation
    # anyway: reading it from the survey took a second join, which cut the page's throughput behind
    # gunicorn from 0.37 to 0.31 of the bare view's (bench/README.md).
    page_version = models.PositiveIntegerField(default=0, editable=False)
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
