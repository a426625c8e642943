"""Logging filters. Plain Python, no Django imports: kam/gunicorn.conf.py uses them too.

A survey link (/s/<token>/) is a bearer credential: whoever has it can answer or opt out in the
stakeholder's name. Django logs the path of every 4xx/5xx response ("Not Found: /s/<token>/") and
gunicorn logs every request line, so both pass through ``mask_survey_tokens`` first.
"""

from __future__ import annotations

import logging
import re

# Whatever follows /s/ up to the next slash, query, fragment, quote or whitespace. Matching
# "/s/" anywhere (also inside full URLs and referrers) may mask a harmless path now and then;
# missing a token would not be harmless.
_SURVEY_TOKEN = re.compile(r"/s/[^/?#\s\"'<>]+")
MASK = "/s/[token]"


def mask_survey_tokens(text: str) -> str:
    """'/s/12-AbC/?score=4' → '/s/[token]/?score=4'."""
    return _SURVEY_TOKEN.sub(MASK, text) if "/s/" in text else text


class MaskSurveyTokens(logging.Filter):
    """Rewrites survey tokens in a record's message; never drops a record.

    The message is formatted once and the masked text stored as ``msg`` with no ``args``, so a
    token passed as an argument, or inside an object's ``str()``, is caught as well. Records
    without a token are left untouched.

    Attach it to the loggers that log paths ("django.request", "django.security.csrf"): a filter
    on a logger changes the record before any handler sees it, including handlers of parent
    loggers. A filter on a handler covers everything else that reaches that handler.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A malformed record; logging reports that itself when it formats it.
            return True
        masked = mask_survey_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
