"""Bulk inserts for seeding large data sets: rows as plain tuples, COPY on PostgreSQL.

No model instances, no ``save()``, no signals and so no history rows: this is for generated data,
never for user input. Ids can be handed out up front (``BulkWriter.ids``), so rows of one table
can refer to rows of another before either is written. Nothing is dropped or disabled: every
index is maintained and every foreign key checked by the database.

On PostgreSQL the COPY runs in a second thread on the same connection (and so in the same
transaction): the database parses, indexes and checks one chunk while Python generates the
next, which on two cores takes about half the time of doing both in turn.
"""

from __future__ import annotations

import io
import json
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

NULL = r"\N"
# COPY's text format: backslash, tab and line breaks inside a value must be escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
CHUNK = 50_000


def _copy_text(field: models.Field) -> Callable[[object], str]:
    """How one column's Python values are written in COPY's text format."""
    if isinstance(field, models.BooleanField):
        return lambda v: "t" if v else "f"
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v).translate(_COPY_ESCAPES)
    if isinstance(field, models.CharField | models.TextField):
        return lambda v: v.translate(_COPY_ESCAPES)
    if isinstance(field, models.DateTimeField):
        return datetime.isoformat
    return str  # integers, decimals, dates


class Table:
    """Rows for one model: the given fields in order, every other column from the field's
    default (or "now" for auto_now fields), so a new field with a default needs no change here."""

    def __init__(self, writer: BulkWriter, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        if meta.pk.name not in fields and model in writer.handed_out:
            # The database's sequence only moves past handed-out ids in finish(): it would repeat them.
            raise ValueError(f"Ids of {meta.label} were handed out: give every row of it an id.")
        given = [meta.get_field(name) for name in fields]
        rest = []
        for f in meta.concrete_fields:
            if f in given or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = writer.now
            else:
                value = f.get_default()
                if value is None and not f.null:
                    raise ValueError(f"{meta.label}.{f.name} has no default: give it a value.")
            rest.append((f, value))
        qn = connection.ops.quote_name
        self.writer = writer
        self.model = model
        self.fields = [*given, *(f for f, _v in rest)]
        self.tail = tuple(v for _f, v in rest)
        self.sql_target = f"{qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)})"

    def insert(self, rows: Iterable[tuple]) -> int:
        """Write ``rows`` (tuples in the order of the given fields) in chunks; returns how many."""
        chunk: list[tuple] = []
        written = 0
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                written += self._flush(chunk)
                chunk = []
        if chunk:
            written += self._flush(chunk)
        self.writer.counts[self.model._meta.db_table] += written
        return written

    def _flush(self, rows: list[tuple]) -> int:
        tail = self.tail
        if self.writer.pg:
            text = [_copy_text(f) for f in self.fields]
            data = "".join(
                "\t".join([NULL if v is None else t(v) for t, v in zip(text, row + tail, strict=True)]) + "\n"
                for row in rows
            )
            self.writer.copy(f"COPY {self.sql_target} FROM STDIN", data.encode())
        else:
            fields = self.fields
            prepared = [
                [f.get_db_prep_save(v, connection) for f, v in zip(fields, row + tail, strict=True)] for row in rows
            ]
            marks = ", ".join(["%s"] * len(fields))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {self.sql_target} VALUES ({marks})", prepared)
        return len(rows)


class BulkWriter:
    """Hands out ids and writes tables. Use it as a context manager around the inserts: leaving
    it waits for the last COPY (and raises its error, if any). ``finish`` then moves the id
    sequences past the ids used."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.pg = connection.vendor == "postgresql"
        self.counts: Counter[str] = Counter()
        self.copy_seconds = 0.0  # the database's time on COPY (in the second thread)
        self.waited_seconds = 0.0  # Python's time waiting for it
        self._next: dict[type[models.Model], int] = {}
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> BulkWriter:
        if self.pg:
            connection.ensure_connection()
            # The driver's connection, not Django's: Django's is per thread, and this one must
            # be the same session and transaction.
            self._thread = threading.Thread(target=self._copy_loop, args=(connection.connection,), daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if exc_info[0] is None:
            self._raise()

    def _copy_loop(self, raw_connection) -> None:
        while (item := self._queue.get()) is not None:
            try:
                if self._error is None:  # after an error the transaction is aborted: skip the rest
                    sql, data = item
                    started = time.perf_counter()
                    with raw_connection.cursor() as cursor:
                        # One read of the whole chunk, so this thread needs the GIL only once.
                        cursor.copy_expert(sql, io.BytesIO(data), size=len(data) + 1)
                    self.copy_seconds += time.perf_counter() - started
            except BaseException as exc:
                self._error = exc
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def copy(self, sql: str, data: bytes) -> None:
        self._raise()
        if self._thread is None:
            raise RuntimeError("Use the BulkWriter as a context manager on PostgreSQL.")
        started = time.perf_counter()
        self._queue.put((sql, data))
        self.waited_seconds += time.perf_counter() - started

    def drain(self) -> None:
        """Wait until every chunk is in; needed before this thread queries the database."""
        if self._thread is not None:
            started = time.perf_counter()
            self._queue.join()
            self.waited_seconds += time.perf_counter() - started
        self._raise()

    def check_constraints_now(self) -> None:
        """Check foreign keys at the end of each COPY instead of all at the commit: in the COPY
        thread, so the checks overlap with generating the next rows rather than adding to the end."""
        self.drain()
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    @property
    def handed_out(self) -> set[type[models.Model]]:
        return set(self._next)

    def ids(self, model: type[models.Model], n: int) -> range:
        start = self._next.get(model)
        if start is None:
            self.drain()
            start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self._next[model] = start + n
        return range(start, start + n)

    def table(self, model: type[models.Model], fields: Sequence[str]) -> Table:
        return Table(self, model, fields)

    def finish(self) -> None:
        self.drain()
        # SQLite's AUTOINCREMENT follows explicit ids by itself; PostgreSQL's sequences do not.
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
