"""Settings for KAM Planner, read from the environment.

Development works with no environment at all (SQLite and a file-system Celery broker under
var/); production differs only by environment variables: DEBUG off, SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL, CACHE_URL.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KAM_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "insecure-dev-only-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    # Refuse to start rather than run production on a guessable key.
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "kam",
    "accounts",
    "stakeholders",
    "stakeholders.surveys",
    "plans",
    "kam.portfolio",
    "kam.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's own language over the browser's (after authentication, which it reads).
    "kam.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kam.middleware.IdleTimeoutMiddleware",
    "kam.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database outage in a view: 503 with what was typed, not a 500 (kam/outage.py).
    "kam.outage.DatabaseOutageMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kam.urls"
WSGI_APPLICATION = "kam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kam.context_processors.product",
            ],
        },
    },
]

# Widgets render through Django's Jinja2 copies of its widget templates where they exist (kam/renderers.py).
FORM_RENDERER = "kam.renderers.WidgetRenderer"

DATABASES = {
    "default": environ.Env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'kam.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat read while one of them writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        pg_options = []
        if not env.bool("PG_JIT", default=False):
            # PostgreSQL's JIT compiles the dashboard's and the health refresh's aggregates over every
            # account: here that took 3–4 s per query, to save milliseconds. Off, as for most web apps.
            pg_options.append("-c jit=off")
        # The planner's default (4) prices an index lookup as a disk seek; this database lives in
        # memory (shared buffers and the page cache), where a team's dashboard then reads its few
        # hundred accounts' rows by index instead of hashing every account. PG_RANDOM_PAGE_COST=4
        # restores the default.
        pg_options.append(f"-c random_page_cost={env.float('PG_RANDOM_PAGE_COST', default=1.1)}")
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(pg_options)

CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://kam"),
    # Rendered plan exports, shared by the web processes and the worker that renders them ahead.
    "exports": env.cache_url("EXPORT_CACHE_URL", default=f"filecache://{VAR_DIR / 'export-cache'}"),
    # Each process's own memory, for what is kept under a key naming everything it shows (a blank
    # survey form): such an entry is never stale, only held once per process, and reading it costs
    # no round trip to Redis. Anything that must be forgotten on a change belongs in "default".
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kam-local"},
}
CACHES["exports"].setdefault("TIMEOUT", 7 * 24 * 3600)
# The release being deployed (its commit, say): page fragments cached by the previous release's
# templates are then never served by this one (docs/operations.md).
RELEASE = env.str("RELEASE", default="")
CACHES["default"].setdefault("KEY_PREFIX", RELEASE)
CACHES["local"]["KEY_PREFIX"] = RELEASE
# Render a plan's exports in the worker after each save, so downloads come from the cache.
PLAN_EXPORT_PRERENDER = env.bool("PLAN_EXPORT_PRERENDER", default=True)

AUTH_USER_MODEL = "kam.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after AXES_FAILURE_LIMIT failures the username is locked for the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "en"
# The app speaks English and German: a user's own choice (kam.User.language, applied by
# kam.middleware.UserLanguageMiddleware), else the browser's Accept-Language. Each language is named
# in itself, as a language menu should. The survey pages speak the invitation's language, French too.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True
# Dates, numbers and money in the user's language: kam/formats/en and kam/formats/de.
FORMAT_MODULE_PATH = ["kam.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Lets the production settings serve static files without a collectstatic step in tests.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Imports from the company CRM (stakeholders.imports): where uploads are kept until applied, and the
# limits a file must keep (docs/import.md). 100,000 stakeholder rows are about 15 MB as CSV.
IMPORT_FILES_ROOT = Path(env.str("IMPORT_FILES_ROOT", default=str(BASE_DIR / "var" / "imports")))
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=25 * 1024 * 1024)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=200)
IMPORT_MAX_UNZIPPED_BYTES = env.int("IMPORT_MAX_UNZIPPED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_ZIP_RATIO = env.int("IMPORT_MAX_ZIP_RATIO", default=100)

# E-mail: files under var/ in development, SMTP (EMAIL_URL=smtp+tls://user:pw@host:587) in production.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KAM Planner <kam-planner@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
COMPANY_NAME = env.str("COMPANY_NAME", default="Helvetia Pharma")
# Absolute links in e-mails (survey links, opt-out, digests).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Redis outages: every call to Redis made while a request waits gives up after this many seconds
# (the broker's publish, the cache); callers then degrade (see kam.lib.try_delay, plans.exports.cache).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
for _cache in CACHES.values():
    if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        _cache.setdefault("OPTIONS", {}).setdefault("socket_timeout", REDIS_SOCKET_TIMEOUT)
        _cache["OPTIONS"].setdefault("socket_connect_timeout", REDIS_SOCKET_TIMEOUT)
    elif _cache["BACKEND"] == "django_redis.cache.RedisCache":
        _cache.setdefault("OPTIONS", {}).setdefault("SOCKET_TIMEOUT", REDIS_SOCKET_TIMEOUT)
        _cache["OPTIONS"].setdefault("SOCKET_CONNECT_TIMEOUT", REDIS_SOCKET_TIMEOUT)

# Celery: Redis when CELERY_BROKER_URL is set; otherwise a file-system transport that needs no
# server, so `make run` works on a bare machine.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    (_broker_dir / "out").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "data_folder_processed": str(_broker_dir / "processed"),
        # Else kombu keeps its exchange table in ./control, inside the checkout.
        "control_folder": str(_broker_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # A Redis that hangs (paused, failing over, behind a dropped NAT entry) answers nothing and
        # closes nothing: without a timeout an enqueue on commit would hold the request for good.
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "kam.beat:ResilientDatabaseScheduler"  # survives a database outage
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
# One quick retry of a publish (a reset connection is replaced), then the caller's fallback: with
# a hanging broker a request waits about three socket timeouts (publish, reconnect, publish), 0.75 s;
# Celery's default, three retries 0.2 s apart, would add seconds.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
# With acks_late a task whose worker was killed is redelivered rather than lost; every task is
# safe to run twice.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Scheduled jobs count as late when beat's heartbeat (kam.heartbeat, every minute) is older.
BEAT_HEARTBEAT_STALE_MINUTES = env.int("BEAT_HEARTBEAT_STALE_MINUTES", default=10)

# Domain settings.
REPORTING_CURRENCY = env.str("REPORTING_CURRENCY", default="EUR")
KEY_ACCOUNT_CAP_DEFAULT = env.int("KEY_ACCOUNT_CAP_DEFAULT", default=15)
QUALIFICATION_THRESHOLD = env.int("QUALIFICATION_THRESHOLD", default=60)
MATRIX_ATTRACTIVENESS_SPLIT = env.int("MATRIX_ATTRACTIVENESS_SPLIT", default=50)
MATRIX_POSITION_SPLIT = env.int("MATRIX_POSITION_SPLIT", default=50)

# Security: strict in production, relaxed only by DEBUG.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Survey and password-reset links carry bearer tokens, SQL at DEBUG carries session keys and
    # form values: kam.logfilters.MaskSecrets masks them before anything is written.
    "filters": {"mask_secrets": {"()": "kam.logfilters.MaskSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default configuration gives "django" handlers of its own (a console handler in
        # DEBUG, mail to ADMINS) that no filter of ours guards; its records go to the root's instead.
        "django": {"handlers": [], "level": "INFO"},
        # Django logs the path of every 4xx/5xx; a filter on the logger masks the record before any
        # handler sees it.
        "django.request": {"filters": ["mask_secrets"]},
        "django.security.csrf": {"filters": ["mask_secrets"]},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_secrets"],
        },
        "django.db.backends": {"level": "INFO", "filters": ["mask_secrets"]},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Contact cadence: the most days between touchpoints per influence level ("5:30,4:45,3:90").
STAKEHOLDER_CADENCE_DAYS = {
    int(k): int(v)
    for k, v in (pair.split(":") for pair in env.list("STAKEHOLDER_CADENCE_DAYS", default=["5:30", "4:45", "3:90"]))
}
# People who left all their accounts this many months ago are listed for erasure; the periodic
# job erases them only when STAKEHOLDER_RETENTION_AUTO_ERASE is on.
STAKEHOLDER_RETENTION_MONTHS = env.int("STAKEHOLDER_RETENTION_MONTHS", default=24)
STAKEHOLDER_RETENTION_AUTO_ERASE = env.bool("STAKEHOLDER_RETENTION_AUTO_ERASE", default=False)

# Survey answer page: submits allowed per client address and window (seconds), via the shared cache.
SURVEY_RATE_LIMIT = (env.int("SURVEY_RATE_LIMIT_COUNT", default=20), env.int("SURVEY_RATE_LIMIT_WINDOW", default=600))

# --- Security: client address, sessions, Content-Security-Policy ---------------------------------
# Behind reverse proxies: the header they write and how many of them append to it (kam/security.py).
# Production behind one proxy: KAM_CLIENT_IP_HEADER=X-Forwarded-For, KAM_TRUSTED_PROXY_COUNT=1.
# Empty (the default): no proxy, REMOTE_ADDR is the client.
KAM_CLIENT_IP_HEADER = env.str("KAM_CLIENT_IP_HEADER", default="")
KAM_TRUSTED_PROXY_COUNT = env.int("KAM_TRUSTED_PROXY_COUNT", default=1)
# The login lockout keys on the same address as the survey rate limit. Its counters are rows in
# the database (axes' database handler), shared by every process; the rate limit's are in the
# default cache, which production must point at Redis (CACHE_URL).
AXES_CLIENT_IP_CALLABLE = "kam.security.client_ip"

# Sessions live in the database: a Redis outage must not log everybody out. Django gives a new
# session key at every login. A session ends after SESSION_IDLE_TIMEOUT seconds without a request
# (kam.middleware.IdleTimeoutMiddleware, 0 turns it off) and at the latest after SESSION_COOKIE_AGE.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)

# Content-Security-Policy on every page (django-csp). Scripts only from our own static files: no
# inline <script>, no on…= handlers, no eval (templates ask for behaviour with data attributes,
# static/kam/app.js supplies it). Style sheets only from our static files as well; style="…"
# attributes are allowed (style-src-attr) because pages place things by computed numbers (the
# portfolio dot, the campaign progress bars, the printed table's column widths), and an attribute
# can restyle only its own element: it cannot carry the selectors a <style> block would need to read
# the page. Bootstrap draws some icons as data: images. The survey pages send their own, stricter
# policy (stakeholders.surveys.views.SURVEY_CSP), which the middleware leaves in place.
# The REST API under /api/v1/ (docs/api.md): personal tokens first, so a request without
# credentials gets a 401 with WWW-Authenticate; the session for the docs page. JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kam.api_tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "kam.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kam.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KAM Planner API",
    "DESCRIPTION": "Accounts, people, touchpoints, plans and survey results, as you may see them. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Read-only fields are not "required" in responses: the firewall leaves some out.
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"CurrencyEnum": "accounts.models.Currency"},
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Axes keeps a failed login's form in the database and names the client in its log lines: the
# password is always masked; so are the CSRF token and, in the log lines, username and address.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
