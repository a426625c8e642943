"""Extract the strings customers read — the survey pages and the invitation and reminder e-mails —
into locale/<language>/LC_MESSAGES/django.po, for German and French by default.

The rest of the app is internal and stays in English. Django's plain ``makemessages`` would pull
every string of the app into the catalogs untranslated; tests/surveys/test_i18n.py
fails on any untranslated or fuzzy entry, so use this command, translate, then run
``compilemessages`` and commit the .po and .mo files together.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.commands import makemessages

SURVEY_SOURCES = (
    "templates/survey/",
    "templates/emails/survey_invitation.html",
    "templates/emails/survey_invitation.txt",
    "templates/emails/survey_invitation_subject.txt",
    "stakeholders/surveys/views.py",
    "stakeholders/survey_texts.py",
)
SURVEY_LANGUAGES = ["de", "fr"]


class Command(makemessages.Command):
    help = "Extract the survey pages' and e-mails' strings (German and French unless -l is given)."

    def handle(self, *args, **options) -> None:
        if not options["locale"] and not options["all"]:
            options["locale"] = SURVEY_LANGUAGES
        # Drop entries whose source string is gone, so nothing stale is left to translate.
        options["no_obsolete"] = True
        super().handle(*args, **options)

    def find_files(self, root: str) -> list:
        files = super().find_files(root)
        return [f for f in files if Path(os.path.normpath(f.path)).as_posix().startswith(SURVEY_SOURCES)]
