"""The company's PowerPoint template: uploaded once by an administrator, used by every deck export
(the plan decks and the portfolio review) through its slide master and layouts."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class DeckTemplate(models.Model):
    """A .pptx file whose layouts every export is built on; at most one is active. The file is kept
    in the database (a few hundred kilobytes): every web and worker process reads the same one."""

    name = models.CharField(_("name"), max_length=120)
    content = models.BinaryField(_("file"), editable=False)
    sha256 = models.CharField(_("digest"), max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("deck template")
        verbose_name_plural = _("deck templates")
        ordering = ["-is_active", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="deck_template_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.sha256 = hashlib.sha256(bytes(self.content or b"")).hexdigest()
        with transaction.atomic():
            if self.is_active:
                # One active template: the newly activated one replaces the one before.
                DeckTemplate.objects.filter(is_active=True).exclude(pk=self.pk).update(is_active=False)
            super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None) -> None:
        # Saving an active template deactivates the one before it (``save``): no need to refuse it.
        super().validate_constraints(exclude={*(exclude or ()), "is_active"})
