"""Test settings: the production module with a fast hasher and in-process e-mail and tasks."""

import os

os.environ.setdefault("DEBUG", "1")

from kam.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CACHES["exports"] = {  # noqa: F405
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "kam-exports",
}
# Tests that want the pre-render of plan exports turn it on; elsewhere it would render on every save.
PLAN_EXPORT_PRERENDER = False
