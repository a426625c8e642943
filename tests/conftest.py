"""The shared cast and the rules for tests that need real services.

The cast: a national head over two managers; manager A leads KAM A and KAM B, manager B leads
KAM C; a market-access colleague; a medical colleague; an administrator. KAM A owns account A,
KAM C owns account C; the market-access colleague is on account A's team.
"""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils import translation

from kam.models import Role, User

# The browser tests' fixtures (browser, page), shared by every browser test module.
from tests.browser_support import CHROMIUM, browser, page  # noqa: F401
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory

# In CI every test must run: a skip there is a failure (see pytest_sessionfinish).
FORBID_SKIPS = os.environ.get("KAM_FORBID_SKIPS") == "1"
_skipped: list[str] = []


def pytest_runtest_logreport(report) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):  # an xfail is no skip
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus) -> None:
    if FORBID_SKIPS and _skipped:
        session.exitstatus = 1
        tr = session.config.pluginmanager.get_plugin("terminalreporter")
        if tr is not None:
            tr.write_line(f"KAM_FORBID_SKIPS=1 and {len(_skipped)} tests were skipped: {_skipped[:10]}", red=True)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def redis_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else None


# Modules whose module-scoped fixtures are costly (the authorisation matrix's data set, the large
# demo, servers of their own) run whole on one worker of ``pytest -n 2 --dist loadgroup`` (the
# Makefile's), so that each builds them once; every other test goes to whichever worker is free.
WHOLE_MODULES = {
    "tests.authz.test_matrix",
    "tests.demo.test_demo_consistency",
    "tests.kam.test_api_schema",
    "tests.kam.test_outages_beat",
    "tests.kam.test_outages_db",
    "tests.kam.test_outages_redis",
    "tests.kam.test_outages_worker",
    "tests.test_fuzz_forms",
}


# First: pytest-xdist reads the groups in its own hook of this name.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    from django.db import connection

    for item in items:
        if item.module is not None and item.module.__name__ in WHOLE_MODULES:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))

    reasons = {}
    if connection.vendor != "postgresql":
        reasons["postgres"] = "needs PostgreSQL: set DATABASE_URL=postgres://… (SQLite ignores row locks)"
    if not redis_url():
        reasons["redis"] = "needs Redis: set CELERY_BROKER_URL=redis://…"
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        reasons["browser"] = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    for item in items:
        for marker, reason in reasons.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Cast:
    head: User
    manager_a: User
    manager_b: User
    kam_a: User
    kam_b: User
    kam_c: User
    access: User
    medical: User
    admin: User
    account_a: object
    account_c: object


@pytest.fixture
def fresh_cache(settings):
    """A default cache of the test's own in this process's memory, empty before and after (and the
    per-process "local" one emptied too), for tests that count what is kept or read from the cache."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fresh"},
    }
    for alias in ("default", "local"):
        caches[alias].clear()
    yield
    for alias in ("default", "local"):
        caches[alias].clear()


@pytest.fixture
def cast(db) -> Cast:
    head = UserFactory(username="head", role=Role.MANAGER)
    manager_a = UserFactory(username="manager_a", role=Role.MANAGER, manager=head)
    manager_b = UserFactory(username="manager_b", role=Role.MANAGER, manager=head)
    kam_a = UserFactory(username="kam_a", manager=manager_a)
    kam_b = UserFactory(username="kam_b", manager=manager_a)
    kam_c = UserFactory(username="kam_c", manager=manager_b)
    access = UserFactory(username="access", role=Role.MARKET_ACCESS)
    medical = UserFactory(username="medical", role=Role.MSL)
    admin = UserFactory(username="admin", role=Role.ADMIN)
    account_a = AccountFactory(name="Account A", owner=kam_a)
    account_c = AccountFactory(name="Account C", owner=kam_c)
    TeamMemberFactory(account=account_a, user=access)
    return Cast(head, manager_a, manager_b, kam_a, kam_b, kam_c, access, medical, admin, account_a, account_c)


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


# The data migrations' functions that put rows in (all idempotent: get_or_create): the default
# criteria and survey, the periodic tasks, the dashboard figures' version row.
MIGRATION_DATA = [
    ("accounts.migrations.0003_default_criteria", "add_default_criteria"),
    ("accounts.migrations.0005_health_schedule", "schedule"),
    ("kam.migrations.0002_heartbeat", "schedule"),
    ("kam.migrations.0003_outbox", "schedule"),
    ("kam.portfolio.migrations.0001_figures_version", "first_row"),
    ("plans.migrations.0002_archive_schedule", "schedule"),
    ("plans.migrations.0004_digest_schedule", "schedule"),
    ("stakeholders.migrations.0002_retention_schedule", "schedule"),
    ("stakeholders.migrations.0004_survey_schedules_and_default", "forwards"),
    ("stakeholders.migrations.0005_campaign_schedule", "forwards"),
]


def _restore_migration_data() -> None:
    """Transactional tests flush the database afterwards, taking the rows that data migrations
    created with them; put them back, so that whatever runs next on this worker finds them."""
    import importlib

    from django.apps import apps

    from accounts.models import QualificationCriterion

    if QualificationCriterion.objects.exists():
        return  # not flushed
    for module, function in MIGRATION_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A database kept from an earlier run (--reuse-db) may have been left flushed."""
    with django_db_blocker.unblock():
        _restore_migration_data()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in German leaves German active in the thread (LocaleMiddleware activates it for
    the request and leaves it): the next test starts in the default language again."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_memory_caches():
    """The in-memory caches emptied before each test: on SQLite a rolled-back test's ids and the
    count of health refreshes come round again in the next, and so would the dashboard's cache keys
    made of them (kam.portfolio.figures). A shared cache (CACHE_URL) is never cleared."""
    for alias in ("default", "local"):
        if isinstance(caches[alias], LocMemCache):
            caches[alias].clear()


@pytest.fixture(autouse=True)
def _migration_data(request):
    marker = request.node.get_closest_marker("django_db")
    flushes = {"transactional_db", "live_server"} & set(request.fixturenames)
    if not (marker and marker.kwargs.get("transaction")) and not flushes:
        yield
        return
    request.getfixturevalue("transactional_db")
    _restore_migration_data()
    yield
    # After the flush at the end of this test (transactional_db's teardown comes first).
    with request.getfixturevalue("django_db_blocker").unblock():
        _restore_migration_data()
