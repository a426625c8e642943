"""Users, their roles and the management hierarchy, and teams."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Country(models.TextChoices):
    DE = "DE", _("Germany")
    AT = "AT", _("Austria")
    CH = "CH", _("Switzerland")
    GB = "GB", _("United Kingdom")
    FR = "FR", _("France")
    IT = "IT", _("Italy")
    ES = "ES", _("Spain")
    NL = "NL", _("Netherlands")
    BE = "BE", _("Belgium")


class Role(models.TextChoices):
    KAM = "kam", _("Key account manager")
    MANAGER = "manager", _("Manager")
    MARKET_ACCESS = "market_access", _("Market access")
    MARKETING = "marketing", _("Marketing")
    MSL = "msl", _("Medical science liaison")
    MEDICAL_ADVISER = "medical_adviser", _("Medical adviser")
    ADMIN = "admin", _("Administrator")


MEDICAL_ROLES = frozenset({Role.MSL, Role.MEDICAL_ADVISER})
CROSS_FUNCTIONAL_ROLES = frozenset({Role.MARKET_ACCESS, Role.MARKETING, Role.MSL, Role.MEDICAL_ADVISER})


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        related_name="led_teams",
        null=True,
        blank=True,
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


# The users below a manager, at any depth. One recursive query, so a manager's scope costs the
# same number of queries whatever the depth of the hierarchy.
_SUBORDINATES_SQL = """
    WITH RECURSIVE below(id) AS (
        SELECT id FROM kam_user WHERE manager_id = %s
        UNION
        SELECT u.id FROM kam_user u JOIN below b ON u.manager_id = b.id
    )
    SELECT id FROM below
"""


class UserQuerySet(models.QuerySet):
    def below(self, manager: User) -> UserQuerySet:
        """Everyone who reports to ``manager`` directly or through other managers."""
        return self.filter(pk__in=subordinate_ids(manager))

    def visible_to(self, user: User) -> UserQuerySet:
        """The colleagues ``user`` may look up: everyone for administrators, themselves and
        everyone below them for managers, themselves for everyone else."""
        if user.is_administrator:
            return self.all()
        if user.is_manager:
            return self.filter(models.Q(pk=user.pk) | models.Q(pk__in=subordinate_ids(user)))
        return self.filter(pk=user.pk)

    def assignable(self) -> UserQuerySet:
        """Whom a form may offer as an owner or a colleague: active users who are no administrator
        (an administrator runs the app; they own no account work). The one place of that rule."""
        return self.filter(is_active=True, is_superuser=False).exclude(role=Role.ADMIN)

    def as_choices(self) -> list[tuple[int, str]]:
        """(pk, label) per user, labelled as ``str(user)`` labels them. Reads four columns rather
        than whole users: forms offer every active colleague as a choice, hundreds at scale, and
        building a model instance per colleague cost more than the rest of such a page."""
        rows = self.values_list("pk", "first_name", "last_name", "username")
        return [(pk, _choice_label(first, last, username)) for pk, first, last, username in rows]

    def choices_by_role(self) -> dict[str, list[tuple[int, str]]]:
        """``as_choices`` per role, in one query; a role nobody has is missing."""
        by_role: dict[str, list[tuple[int, str]]] = {}
        for pk, first, last, username, role in self.values_list("pk", "first_name", "last_name", "username", "role"):
            by_role.setdefault(role, []).append((pk, _choice_label(first, last, username)))
        return by_role


def _choice_label(first: str, last: str, username: str) -> str:
    """A user's label, as ``str(user)`` gives it (``get_full_name``, else the username)."""
    return f"{first} {last}".strip() or username


class KamUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


def subordinate_ids(manager: User | int) -> RawSQL:
    """A subquery of the ids below ``manager`` (a user or their id), usable as ``field__in=``."""
    return RawSQL(_SUBORDINATES_SQL, (manager if isinstance(manager, int) else manager.pk,))


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.KAM)
    manager = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        on_delete=models.SET_NULL,
        related_name="reports",
        null=True,
        blank=True,
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        related_name="members",
        null=True,
        blank=True,
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.DE)
    key_account_cap = models.PositiveSmallIntegerField(
        _("key account cap"),
        null=True,
        blank=True,
        help_text=_("Most key accounts this person should own; empty means the company default."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the app for this person; empty means the browser's language."),
    )

    objects = KamUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=~models.Q(manager=models.F("id")), name="user_not_own_manager"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("people-detail", args=[self.pk])

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_medical(self) -> bool:
        return self.role in MEDICAL_ROLES

    @property
    def effective_key_account_cap(self) -> int:
        if self.key_account_cap is not None:
            return self.key_account_cap
        return settings.KEY_ACCOUNT_CAP_DEFAULT

    def is_above(self, other: User) -> bool:
        """True when ``other`` reports to this user at any depth."""
        if other.pk is None or other.pk == self.pk:
            return False
        return User.objects.below(self).filter(pk=other.pk).exists()


class Heartbeat(models.Model):
    """When a background part last showed it is alive, one row per part ("beat").

    Written by the tiny periodic task kam.heartbeat, so its age says whether scheduled jobs run:
    beat sent it and a worker ran it. Read by /healthz and the administrator's dashboard."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    DEAD = "dead", _("Dead")


class OutboxTask(models.Model):
    """A side effect that must happen, recorded in the same transaction as the write it follows.

    Written by ``kam.outbox.enqueue``; published on commit and again by the sweeper until the task
    has run to the end ("done" means executed, not merely handed to the broker, so a message the
    broker lost is published again). Too many failed tries make it "dead", for an administrator
    to look at and retry. ``args`` are ids only, as every task takes."""

    task = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    # The same side effect for the same object is recorded once while it waits to start.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When the sweeper may publish it (again) unless it is done by then.
    available_at = models.DateTimeField(_("next try"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("publish attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    published_at = models.DateTimeField(_("last published"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox task")
        verbose_name_plural = _("outbox tasks")
        ordering = ["-created_at"]
        constraints = [
            # Once a worker has started a row, a new write must record a new one: the running task
            # may have read the data before that write.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(state="pending", started_at__isnull=True) & ~models.Q(dedupe_key=""),
                name="outbox_one_waiting_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["available_at"], condition=models.Q(state="pending"), name="outbox_pending_due"),
            models.Index(fields=["state", "created_at"], name="outbox_state_created"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} {self.state}"


class ApiToken(models.Model):
    """A personal token for the REST API (``kam.api_tokens``), named by its owner and revocable.

    Only a SHA-256 digest of the secret is stored: the secret is shown once, at creation. A fast
    hash is enough here (unlike passwords): the secret is 256 random bits, nothing to guess."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. “CRM sync”."))
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def _feed_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarFeedTokenQuerySet(models.QuerySet):
    def renew(self, user: User) -> str:
        """A new secret for ``user``'s calendar feed, replacing any earlier one (whose URL then stops
        working). Returns the secret, which is not stored: only its SHA-256 digest is, as for API
        tokens; 256 random bits leave nothing to guess, so a fast hash is enough."""
        secret = secrets.token_urlsafe(32)
        self.update_or_create(user=user, defaults={"digest": _feed_digest(secret), "created_at": timezone.now()})
        return secret

    def revoke(self, user: User) -> None:
        """No feed for ``user`` any more: the URL answers 404. Idempotent."""
        self.filter(user=user).delete()

    def user_for(self, secret: str) -> User | None:
        """The active owner of the feed with this secret, or None (unknown, revoked, or inactive user)."""
        token = self.select_related("user").filter(digest=_feed_digest(secret), user__is_active=True).first()
        return token.user if token else None


class CalendarFeedToken(models.Model):
    """The secret of a user's iCalendar feed (``kam.portfolio.calendar_views.calendar_feed``): one per
    user, renewed (a new URL, the old one dead) or revoked (deleted) on their settings page.

    A calendar client cannot sign in, so the URL is the credential; the database holds only its digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = CalendarFeedTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class FreeTextConfirmation(models.Model):
    """Someone saved free text that looked like patient data, and said why (``kam.compliance``).

    Administrators review these rows. The row names the object, the fields and what kinds of
    patient data were seen, never the text itself: the review page must not become a second copy of
    the patient data it watches for (a copy outside the object, beyond the reach of its erasure
    and of its firewall). The reviewer opens the object to read what was written."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("confirmed at"), default=timezone.now, db_index=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("kind of object"), on_delete=models.SET_NULL, null=True
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    url = models.CharField(_("page"), max_length=500, blank=True)
    fields = models.JSONField(_("fields"), default=list)
    field_names = models.JSONField(_("field names"), default=list)
    kinds = models.JSONField(_("what was seen"), default=list)
    reason = models.TextField(_("reason"), max_length=500)
    reviewed = models.BooleanField(_("reviewed"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("free-text confirmation")
        verbose_name_plural = _("free-text confirmations")
        indexes = [models.Index(fields=["reviewed", "created_at"])]

    def __str__(self) -> str:
        return f"{self.object_label or self.url} ({self.created_at:%Y-%m-%d %H:%M})"
