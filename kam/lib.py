"""Small helpers shared by the apps."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from django import forms
from django.core.cache import cache, caches
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, QuerySet, Window
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What a failed enqueue raises when the broker is down or unreachable; anything else is a bug.
BROKER_ERRORS = (OperationalError, OSError)
# What a cache call raises when its server is down or hangs past its socket timeout (redis-py's
# errors, or the OS's for the file cache): callers then do the work without the cache.
CACHE_ERRORS = (RedisError, OSError)


def cached(key: str, compute: Callable[[], T], seconds: int, alias: str = "default") -> T:
    """What the cache (``alias``, default the shared one) holds under ``key``, or ``compute()``
    kept there for ``seconds``.

    Fail-open: with the cache down, ``compute()`` every time, logged. For keys that name what the
    value is made from (a new version is a new key), so nothing is ever invalidated by hand.
    """
    store = caches[alias]
    try:
        found = store.get(key)
    except CACHE_ERRORS:
        logger.warning("Cache unavailable: %s is computed without it.", key.split(":", 1)[0])
        return compute()
    if found is not None:
        return found
    value = compute()
    with contextlib.suppress(*CACHE_ERRORS):
        store.set(key, value, seconds)
    return value


def cached_many(computes: dict[str, Callable[[], object]], seconds: int) -> dict[str, object]:
    """``cached`` for several keys in one round trip to the cache: {key: value}."""
    try:
        found = cache.get_many(computes)
    except CACHE_ERRORS:
        logger.warning("Cache unavailable: %s is computed without it.", ", ".join(k.split(":", 1)[0] for k in computes))
        return {key: compute() for key, compute in computes.items()}
    missing = {key: compute() for key, compute in computes.items() if key not in found}
    if missing:
        with contextlib.suppress(*CACHE_ERRORS):
            cache.set_many(missing, seconds)
    return {**found, **missing}


# How long a drawing kept under a key naming all it shows (``digest``) is kept: it is never stale,
# only unused, so this only bounds the memory it holds.
DRAWN_CACHE_SECONDS = 3600


def digest(shown: object) -> str:
    """A cache key's part naming ``shown`` (nested tuples, lists, strings, numbers, dates): the
    SHA-256 of its ``repr``, so a drawing kept under it is never stale, only unused."""
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def form_shown(form: forms.BaseForm, names: Iterable[str] | None = None) -> list:
    """What a form's fields (``names``, else all) show when drawn, for keying a cached drawing of
    them: per field its label, whether it is required, its length limit, the choices offered (value
    and label; none read for a hidden field), its value and whether it is in error."""
    return [
        (
            name,
            str(field.label),
            field.required,
            getattr(field, "max_length", None),
            # From the widget: what is drawn (a field's own choices may be read differently).
            [(str(value), str(label)) for value, label in getattr(field.widget, "choices", ())]
            if not field.widget.is_hidden
            else [],
            form[name].value(),
            bool(form[name].errors),
        )
        for name, field in ((name, form.fields[name]) for name in (form.fields if names is None else names))
    ]


def try_delay(task, *args, what: str) -> bool:
    """Enqueue ``task(*args)``; if the broker is down, log it and go on. Returns whether it was
    enqueued. Only for work whose rows are an outbox of their own, swept by a periodic job
    (survey invitations); any other side effect of a write goes through ``kam.outbox.enqueue``,
    recorded in the write's transaction, so that an outage delays it instead of dropping it.

    A broker that hangs rather than refuses is bounded by the socket timeout and the short
    publish retry policy in settings (REDIS_SOCKET_TIMEOUT, CELERY_TASK_PUBLISH_RETRY_POLICY)."""
    try:
        task.delay(*args)
    except BROKER_ERRORS:
        logger.warning("Could not enqueue %s.", what)
        return False
    return True


def chain_reaches(model: type[models.Model], start_id: int | None, link: str, target_id: int) -> bool:
    """Whether following ``link`` (a self-referencing foreign key) from ``start_id`` reaches
    ``target_id``: the test for a cycle in parent or reports-to chains. One query per step; the
    chains are shallow (groups, org charts), and a loop already in the data cannot hang it."""
    seen: set[int] = set()
    current = start_id
    while current is not None and current not in seen:
        if current == target_id:
            return True
        seen.add(current)
        current = model.objects.filter(pk=current).values_list(f"{link}_id", flat=True).first()
    return False


class DayNumber(models.Func):
    """Days since an epoch, so date differences are plain numbers on PostgreSQL and SQLite alike."""

    output_field = models.FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="julianday(%(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s) - DATE '2000-01-01')::float", **extra)


MAX_OFFSET = 2**63 - 1  # OFFSET is a 64-bit integer in PostgreSQL and SQLite


class CountingPaginator(Paginator):
    """A paginator that counts the rows in the query that picks the page (``COUNT(*) OVER ()``
    beside the ids) and then reads the page's rows by id through ``rows``.

    Django's paginator asks the filtered query twice, once for ``COUNT(*)`` and once for the
    page: over a manager's scope (a union of a few thousand ids) each asking costs about as
    much as the other. The count is exact all the same. Only a page number past the end (or
    below 1), where Django shows the last page, costs a separate count.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, rows: Callable[[Sequence[int]], QuerySet]) -> None:
        super().__init__(object_list, per_page)
        self.rows = rows

    def get_page(self, number: object) -> Page:
        # Django's reading of the number: not a whole number is page 1, out of range the last page.
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        # A number whose offset no database takes is past the end of any list.
        page = self._read(number) if 1 <= number <= MAX_OFFSET // self.per_page else None
        if page is None:
            self.count = self.object_list.count()
            page = self._read(self.num_pages) or Page([], self.num_pages, self)
        return page

    def _read(self, number: int) -> Page | None:
        bottom = (number - 1) * self.per_page
        counted = self.object_list.annotate(paginator_total=Window(Count("*")))
        picked = list(counted.values_list("pk", "paginator_total")[bottom : bottom + self.per_page])
        if not picked:
            if number == 1:  # nothing matches: the one empty page
                self.count = 0
                return Page([], 1, self)
            return None
        self.count = picked[0][1]
        ids = [pk for pk, _total in picked]
        by_id = {row.pk: row for row in self.rows(ids)}
        return Page([by_id[pk] for pk in ids if pk in by_id], number, self)


class Ids:
    """A fixed list of ids for ``__in_ids``: not a list, so that Django passes it through whole
    instead of resolving each of thousands of items on every filter."""

    __slots__ = ("ids", "literal")

    def __init__(self, ids: Iterable[int]) -> None:
        self.ids = [int(pk) for pk in ids]
        self.literal = "{" + ",".join(map(str, self.ids)) + "}"  # PostgreSQL's array syntax

    def __len__(self) -> int:
        return len(self.ids)


@models.IntegerField.register_lookup  # ids only (auto and big auto fields are integer fields)
class InIds(models.Lookup):
    """``field__in_ids=Ids([…])``: membership in a list of ids given as one array parameter on
    PostgreSQL (``= ANY(%s)``), where ``__in`` sends a placeholder per id. Django compiles and the
    driver quotes thousands of placeholders per query, which cost a manager's dashboard more than
    the queries themselves. Elsewhere, a plain IN."""

    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = self.rhs if isinstance(self.rhs, Ids) else Ids(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids.literal]
        if not ids.ids:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids.ids]


models.ForeignObject.register_lookup(InIds)  # relations keep their own lookups: account__in_ids too
