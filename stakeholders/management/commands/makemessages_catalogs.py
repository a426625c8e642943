"""Extract the app's strings into locale/<language>/LC_MESSAGES/django.po: every string of the app
for German, the language the app speaks besides English, and only what customers read — the survey
pages and the invitation and reminder e-mails — for French, which only the surveys speak.

Django's plain ``makemessages`` would pull every string of the app into the French catalog too, and
the tests, the benchmarks and the virtualenv into both; tests/surveys/test_i18n.py fails on any
untranslated or fuzzy entry, so use this command, translate, then run ``compilemessages`` and commit
the .po and .mo files together (docs/translations.md).
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
# Languages whose catalog holds every string of the app, and those whose catalog holds the survey's.
APP_LANGUAGES = ["de"]
SURVEY_LANGUAGES = ["de", "fr"]
# Not the app: tests, benchmarks, vendored and collected static files, run-time files.
NOT_THE_APP = ["tests/*", "bench/*", "static/*", "staticfiles/*", "var/*", "test-artifacts/*", "locale/*"]


class Command(makemessages.Command):
    help = "Extract the app's strings for German and the survey's for French (unless -l is given)."

    survey_only = False

    def handle(self, *args, **options) -> None:
        languages = options["locale"] or []
        if not languages or options["all"]:
            languages = sorted({*APP_LANGUAGES, *SURVEY_LANGUAGES})
        # Drop entries whose source string is gone, so nothing stale is left to translate.
        options.update(no_obsolete=True, all=False, ignore_patterns=[*options["ignore_patterns"], *NOT_THE_APP])
        whole_app = [language for language in languages if language in APP_LANGUAGES]
        survey_only = [language for language in languages if language not in APP_LANGUAGES]
        # makemessages merges one extraction into every language it is given: one run per kind.
        for group, self.survey_only in ((whole_app, False), (survey_only, True)):
            if group:
                super().handle(*args, **{**options, "locale": group})

    def find_files(self, root: str) -> list:
        files = super().find_files(root)
        if not self.survey_only:
            return files
        return [f for f in files if Path(os.path.normpath(f.path)).as_posix().startswith(SURVEY_SOURCES)]
