"""Logging filters. Plain Python, no Django imports: kam/gunicorn.conf.py uses them too.

Some secrets travel in URLs. A survey link (/s/<token>/) is a bearer credential: whoever has it can
answer or opt out in the stakeholder's name; a password-reset link (/password-reset/<uid>/<token>/)
sets a new password. Django logs the path of every 4xx/5xx response ("Not Found: /s/<token>/") and
gunicorn logs every request line, so both pass through ``mask_secret_paths`` first.

Others travel in SQL. At DEBUG level Django logs every statement with its values: session keys
(django_session), the CSRF token axes keeps with a failed login's form, e-mail addresses. Those
records keep the statement's shape and lose every value (``mask_sql``).

Passwords, session ids and CSRF tokens appear nowhere else in what Django, axes or this app log;
tests/kam/test_log_secrets.py runs logins, a CSRF failure, survey pages, a 404 and a 500 with
every logger at DEBUG and checks that none of them is written.
"""

from __future__ import annotations

import logging
import re

# Whatever follows /s/ up to the next slash, query, fragment, quote or whitespace. Matching
# "/s/" anywhere (also inside full URLs and referrers) may mask a harmless path now and then;
# missing a token would not be harmless.
_SURVEY_TOKEN = re.compile(r"/s/[^/?#\s\"'<>]+")
MASK = "/s/[token]"
# Django's password-reset confirmation: /password-reset/<uidb64>/<token>/.
_RESET_TOKEN = re.compile(r"/password-reset/[^/?#\s\"'<>]+/[^/?#\s\"'<>]+")
RESET_MASK = "/password-reset/[uid]/[token]"
# A string literal in SQL ('' is a quote inside it), and the parameter list Django logs after it.
_SQL_STRING = re.compile(r"'(?:[^']|'')*'")
_SQL_ARGS = re.compile(r"; args=.*; alias=", re.DOTALL)
SQL_MASK = "'…'"


def mask_secret_paths(text: str) -> str:
    """'/s/12-AbC/?score=4' → '/s/[token]/?score=4'; '/password-reset/MQ/abc-123/' likewise."""
    if "/s/" in text:
        text = _SURVEY_TOKEN.sub(MASK, text)
    if "/password-reset/" in text:
        text = _RESET_TOKEN.sub(RESET_MASK, text)
    return text


# The name gunicorn's configuration and older callers use.
mask_survey_tokens = mask_secret_paths


def mask_sql(text: str) -> str:
    """Every string literal and the logged parameters of a statement: "... = 'x'" → "... = '…'"."""
    return _SQL_ARGS.sub("; args=[masked]; alias=", _SQL_STRING.sub(SQL_MASK, text))


class MaskSecrets(logging.Filter):
    """Rewrites secrets in a record's message and traceback; never drops a record.

    The message is formatted once and the masked text stored as ``msg`` with no ``args``, so a
    secret passed as an argument, or inside an object's ``str()``, is caught as well. A traceback
    is formatted here and stored masked as ``exc_text``, which formatters print instead of
    formatting it again (an exception's message may quote a path). Records without a secret are
    left untouched.

    Attach it to the handlers and to the loggers that log paths ("django.request",
    "django.security.csrf"): a filter on a logger changes the record before any handler sees it,
    including handlers of parent loggers. A filter on a handler covers everything else that
    reaches that handler.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A malformed record; logging reports that itself when it formats it.
            return True
        if record.name.startswith("django.db.backends"):
            masked = mask_sql(message)
            # The same statement and values ride along as attributes for structured handlers.
            for name in ("sql", "params"):
                if hasattr(record, name):
                    setattr(record, name, mask_sql(str(getattr(record, name))))
        else:
            masked = mask_secret_paths(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_secret_paths(logging.Formatter().formatException(record.exc_info))
        return True


# The name the first version of this filter had (survey tokens only).
MaskSurveyTokens = MaskSecrets
