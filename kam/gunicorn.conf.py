"""Gunicorn settings for production: `gunicorn -c kam/gunicorn.conf.py kam.wsgi`.

Bind address and worker count come from gunicorn's own environment defaults ($PORT,
$WEB_CONCURRENCY, or GUNICORN_CMD_ARGS). What this file adds is an access log that never holds a
survey token: a survey link (/s/<token>/) lets whoever has it answer in a stakeholder's name.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gunicorn.glogging

# Gunicorn reads this file before it puts the project on sys.path when started from elsewhere.
BASE_DIR = str(Path(__file__).resolve().parent.parent)
if BASE_DIR not in sys.path:
    sys.path.insert(0, BASE_DIR)

from kam.logfilters import MaskSurveyTokens, mask_survey_tokens  # noqa: E402


class MaskingLogger(gunicorn.glogging.Logger):
    """Gunicorn's logger with survey tokens masked in the access log and the error log.

    Access log: not only ``r`` (request line), ``U`` (path) and ``q`` (query) but also the
    referrer ``f``, request headers ``{…}i`` and environ ``{…}e`` can hold the path, so every text
    atom is masked; ``mask_survey_tokens`` returns text without "/s/" unchanged at once. Error
    log: gunicorn names the URI when a request fails ("Error handling request /s/…").
    """

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, MaskSurveyTokens) for f in self.error_log.filters):
            self.error_log.addFilter(MaskSurveyTokens())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_survey_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = MaskingLogger
# Threads: most of a page's time is spent waiting for PostgreSQL (one round trip at least), and a
# sync worker sits idle meanwhile; with threads it serves other requests, and keeps connections
# alive between requests. Each thread keeps its own database connection (CONN_MAX_AGE).
worker_class = "gthread"
threads = 4
# One listening socket shared by the workers (no reuse_port): with a socket per worker, a stopping
# worker's socket keeps receiving new connections until it has drained (up to graceful_timeout) and
# resets them, POSTs included; and a unix-socket bind or systemd socket activation stops working. The
# price of the shared socket: a burst of connections opened at once (a proxy's keep-alive pool) can
# all land on one worker. bench/bench_pages.py passes --reuse-port for that reason (see there).
accesslog = "-"
errorlog = "-"
# The combined log format plus the response time in milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
