"""The portfolio floor's one table: how many times health has been refreshed."""

from __future__ import annotations

from django.db import models
from django.db.models import F


class FiguresVersion(models.Model):
    """One row, counted up by every health refresh in the refresh's own transaction.

    The dashboard's figures are cached under the current count (kam.portfolio.figures): a
    refresh, which every write that changes a figure asks for, makes them stale at once in every
    process. A counter rather than the refresh time, so that two refreshes in one instant differ.
    """

    version = models.PositiveBigIntegerField(default=0)

    ROW = 1

    def __str__(self) -> str:
        return f"health refreshes: {self.version}"

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=cls.ROW).values_list("version", flat=True).first() or 0

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=cls.ROW).update(version=F("version") + 1):
            cls.objects.get_or_create(pk=cls.ROW, defaults={"version": 1})
