"""What an import from the company CRM records: the upload, its mapping, its counts and rejections,
and the mappings remembered per file layout."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    STAKEHOLDERS = "stakeholders", _("Stakeholders and their affiliations")
    TOUCHPOINTS = "touchpoints", _("Touchpoints (calls)")
    CONSENT = "consent", _("Survey consent")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: map the columns")
    CHECKING = "checking", _("Dry run under way")
    CHECKED = "checked", _("Dry run done: ready to apply")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


class DataImport(models.Model):
    """One uploaded file and what became of it. Nothing is deleted by an import; rows are created,
    updated or left alone, and every changed row's history names this import as its source."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_imports")
    kind = models.CharField(_("what"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    stored_name = models.CharField(max_length=100, editable=False)
    file_format = models.CharField(max_length=4)  # csv or xlsx
    encoding = models.CharField(max_length=40, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, help_text="Column index (as text) -> field name.")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    dry_run_counts = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")

    def __str__(self) -> str:
        return f"Import #{self.pk}: {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:import", args=[self.pk])

    @property
    def change_reason(self) -> str:
        """What the history of every row this import changes says about its source."""
        return f"Import #{self.pk} ({self.file_name})"[:100]

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.APPLYING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class ImportRejection(models.Model):
    """A row the last run refused, with its line in the file and why; downloadable to fix and re-upload."""

    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=500)
    values = models.JSONField(default=list)

    class Meta:
        ordering = ["line", "pk"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportMapping(models.Model):
    """The mapping last used for a file layout: the same export from the CRM maps itself next time."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    layout = models.CharField(max_length=64, help_text="SHA-256 of the sorted normalised headers.")
    mapping = models.JSONField(default=dict, help_text="Normalised header -> field name.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "layout"], name="import_mapping_one_per_layout")]

    def __str__(self) -> str:
        return f"{self.kind} {self.layout[:8]}"
