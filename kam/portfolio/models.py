"""The portfolio floor's tables: the last health refresh and the portfolio's figures it summed, and
review meetings."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kam.models import subordinate_ids


class FiguresVersion(models.Model):
    """One row: the last health refresh. Counted up by every refresh in the refresh's own transaction,
    which then sums the whole portfolio's figures that the health rows do not hold per account into
    it (kam.portfolio.summary): the current period's plans by status and review date, and CSAT by
    quarter, for the day and period it ran in. With ``PortfolioGroup`` that is what an
    administrator's unfiltered dashboard reads instead of aggregating every account's rows after
    each refresh (about 60 ms of SQL at 10,040 accounts).

    The dashboard's figures are cached under the current count (kam.portfolio.figures): a
    refresh, which every write that changes a figure asks for, makes them stale at once in every
    process. A counter rather than the refresh time, so that two refreshes in one instant differ.
    """

    version = models.PositiveBigIntegerField(default=0)
    summed_on = models.DateField(null=True)
    summed_period = models.ForeignKey("plans.PlanningPeriod", on_delete=models.SET_NULL, null=True, related_name="+")
    draft = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    changes_requested = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    reviews_overdue = models.PositiveIntegerField(default=0)
    reviews_due = models.PositiveIntegerField(default=0)
    covered_key_accounts = models.PositiveIntegerField(default=0)
    # Named campaigns' [year, quarter, invited, answers, satisfied], oldest first: a dozen rows.
    csat_quarters = models.JSONField(default=list)

    ROW = 1
    PLAN_COUNTS = (
        *("draft", "submitted", "changes_requested", "approved"),
        *("reviews_overdue", "reviews_due", "covered_key_accounts"),
    )

    def __str__(self) -> str:
        return f"health refreshes: {self.version}"

    @classmethod
    def latest(cls) -> FiguresVersion:
        """The row, in one query; before the first refresh an unsaved one at 0."""
        return cls.objects.filter(pk=cls.ROW).first() or cls(pk=cls.ROW)

    @classmethod
    def current(cls) -> int:
        return cls.latest().version

    def summed_for(self, today: date, period) -> bool:
        """Whether the portfolio's figures were summed for ``today`` and ``period``."""
        return period is not None and self.summed_on == today and self.summed_period_id == period.pk

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=cls.ROW).update(version=F("version") + 1):
            cls.objects.get_or_create(pk=cls.ROW, defaults={"version": 1})


class PortfolioGroup(models.Model):
    """The active accounts of one KAM in one country, summed from their accounts and health rows
    by every health refresh (``kam.portfolio.summary``); the dashboard's per-KAM tables are these
    rows, its totals their sums. An account without an owner counts in a group without one."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    country = models.CharField(max_length=2)
    total = models.PositiveIntegerField()
    key = models.PositiveIntegerField()
    hospitals = models.PositiveIntegerField()
    pharmacies = models.PositiveIntegerField()
    wholesalers = models.PositiveIntegerField()
    tier_a = models.PositiveIntegerField()
    tier_b = models.PositiveIntegerField()
    tier_c = models.PositiveIntegerField()
    placed = models.PositiveIntegerField()
    health_sum = models.PositiveIntegerField()
    health_scored = models.PositiveIntegerField()
    health_green = models.PositiveIntegerField()
    health_amber = models.PositiveIntegerField()
    health_red = models.PositiveIntegerField()
    health_oldest = models.DateTimeField(null=True)
    stale = models.PositiveIntegerField()
    revenue_actual = models.DecimalField(max_digits=20, decimal_places=2)
    revenue_target = models.DecimalField(max_digits=20, decimal_places=2)
    with_revenue = models.PositiveIntegerField()
    missing_rates = models.PositiveIntegerField()
    objectives_on_track = models.PositiveIntegerField()
    objectives_at_risk = models.PositiveIntegerField()
    objectives_achieved = models.PositiveIntegerField()
    actions_total = models.PositiveIntegerField()
    actions_done = models.PositiveIntegerField()
    actions_overdue = models.PositiveIntegerField()
    invited = models.PositiveIntegerField()
    answers = models.PositiveIntegerField()
    satisfied = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.owner_id} {self.country}"


class ReviewMeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReviewMeetingQuerySet:
        """The meetings ``user`` may open: administrators all; otherwise those they run or took
        part in, and a manager's also those run by managers below them (read-only). Another
        team's meeting is not there (a 404)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        mine = models.Q(manager=user) | models.Q(pk__in=ReviewParticipant.objects.filter(user=user).values("meeting"))
        if user.is_manager:
            mine |= models.Q(manager_id__in=subordinate_ids(user))
        return self.filter(mine)


class ReviewMeeting(models.Model):
    """A manager's account review with the team, run on screen: the team's key accounts when it
    started, stepped through one by one; decisions recorded as actions on the spot; minutes sent
    to the participants once when it is closed (``kam.portfolio.meetings``)."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participants"),
        through="ReviewParticipant",
        related_name="review_meetings",
    )
    accounts = models.ManyToManyField(
        "accounts.Account", verbose_name=_("accounts"), through="ReviewMeetingAccount", related_name="+"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # When the last participant's minutes went out: the minutes task then has nothing left to do.
    minutes_sent_at = models.DateTimeField(_("minutes sent"), null=True, blank=True)

    objects = ReviewMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=models.F("started_at")),
                name="review_meeting_closed_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("Account review of %(date)s") % {"date": formats.date_format(self.date, "SHORT_DATE_FORMAT")}

    def get_absolute_url(self) -> str:
        return reverse("meeting", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ReviewParticipant(models.Model):
    """Who takes part; ``minutes_sent_at`` claims the one e-mail of minutes each gets."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="participant_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    minutes_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="review_participant_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.user_id}"


class ReviewMeetingAccount(models.Model):
    """An account in the meeting's scope and its place in the order it is reviewed (1, 2, …),
    fixed at the start so that next and previous do not jump when health changes meanwhile."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="agenda")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "account"], name="review_account_once"),
            models.UniqueConstraint(fields=["meeting", "position"], name="review_account_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.position}: {self.account_id}"


class ReviewDecision(models.Model):
    """A decision of the meeting on one account: what, who, by when; and the plan action it
    became, when the account had a plan that could take one (else it waits on the meeting, and
    in its minutes, to be put on a plan)."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="decisions")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("decision"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due"))
    action = models.OneToOneField(
        "plans.Action",
        verbose_name=_("plan action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_decision",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return self.title
