"""The survey pages' read: the invitation named by a token, with what its pages show."""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connections, models
from django.db.models.base import ModelState

from accounts.models import Account
from stakeholders.models import (
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from stakeholders.surveys.tokens import invitation_id

logger = logging.getLogger(__name__)


def invitation_from_token(token: str) -> SurveyInvitation | None:
    """The invitation a token names (``tokens.invitation_id``), or None.

    It comes with what the survey pages show, read in one statement (``_page_read``): its campaign
    and survey with the questions (``survey.questions.all()`` makes no query), the account (its
    name only) and the answer (``existing_response``). The person is loaded when first used.
    """
    pk = invitation_id(token)
    return None if pk is None else _page_read(pk)


@dataclass(frozen=True)
class _PageStatement:
    sql: str
    # PostgreSQL: the statement prepared once per database session, then only executed.
    prepare: str | None
    execute: str | None
    # Per model: the model, its first column in the row, its attribute names and, for the columns
    # the ORM converts (JSON, on SQLite dates and booleans too), their place in the model's values,
    # the converters and the column expression they are called with.
    parts: tuple[tuple[type[models.Model], int, tuple[str, ...], tuple[tuple[int, list, object], ...]], ...]


# The invitation, campaign, survey, the account's name, the answer (if any) and a row per question:
# the columns the pages use (None: all), the rest deferred (loaded if ever used, as with only()).
_PAGE_PARTS = (
    (SurveyInvitation, "i", ("id", "campaign_id", "person_id", "account_id", "language", "status", "expires_on")),
    (SurveyCampaign, "c", ("id", "name", "survey_id", "close_date", "anonymous", "status")),
    (Survey, "s", None),
    (Account, "a", ("id", "name")),
    (SurveyResponse, "r", ("id", "invitation_id", "csat_score", "answers", "comment", "submitted_at")),
    (SurveyQuestion, "q", None),
)
_page_statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# The database sessions (driver connections) in which the statement has been prepared.
_prepared_in: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _page_statement(connection) -> _PageStatement:
    statement = _page_statements.get(connection)
    if statement is None:
        q = connection.ops.quote_name
        columns, parts = [], []
        for model, alias, names in _PAGE_PARTS:
            fields = [f for f in model._meta.concrete_fields if names is None or f.attname in names]
            converters = []
            for n, field in enumerate(fields):
                col = field.get_col(alias)
                if functions := connection.ops.get_db_converters(col) + field.get_db_converters(connection):
                    converters.append((n, functions, col))
            parts.append((model, len(columns), tuple(f.attname for f in fields), tuple(converters)))
            columns += [f"{alias}.{q(f.column)}" for f in fields]
        table = {model: q(model._meta.db_table) for model, _alias, _names in _PAGE_PARTS}
        sql = (
            f"SELECT {', '.join(columns)} FROM {table[SurveyInvitation]} i"
            f" INNER JOIN {table[SurveyCampaign]} c ON c.{q('id')} = i.{q('campaign_id')}"
            f" INNER JOIN {table[Survey]} s ON s.{q('id')} = c.{q('survey_id')}"
            f" INNER JOIN {table[Account]} a ON a.{q('id')} = i.{q('account_id')}"
            f" LEFT OUTER JOIN {table[SurveyResponse]} r ON r.{q('invitation_id')} = i.{q('id')}"
            f" LEFT OUTER JOIN {table[SurveyQuestion]} q ON q.{q('survey_id')} = s.{q('id')}"
            f" WHERE i.{q('id')} = %s ORDER BY q.{q('order')}, q.{q('id')}"
        )
        prepare = execute = None
        if connection.vendor == "postgresql":
            prepare = f"PREPARE kam_survey_page (bigint) AS {sql.replace('%s', '$1')}"
            execute = "EXECUTE kam_survey_page (%s)"
        statement = _page_statements[connection] = _PageStatement(sql, prepare, execute, tuple(parts))
    return statement


def _page_rows(connection, statement: _PageStatement, invitation_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        if statement.prepare is None:
            cursor.execute(statement.sql, [invitation_id])
        else:
            if connection.connection not in _prepared_in:
                cursor.execute(statement.prepare)
                _prepared_in[connection.connection] = True
            cursor.execute(statement.execute, [invitation_id])
        return cursor.fetchall()


def _page_read(invitation_id: int) -> SurveyInvitation | None:
    """The invitation with what the survey pages show, from one hand-written statement.

    The link pages are the only pages the public sees, each opened by every invited person, so
    they should cost little more than a bare page. The ORM took longer to build this query and its
    six models than the database takes to answer it, and PostgreSQL took longer to plan the join
    than to run it: so the SQL is written once, and on PostgreSQL prepared once per database
    session (a prepared statement outlives a rollback; a new session prepares it again). The
    instances are built as the ORM builds them: the same converters, ``from_db``, related objects
    cached as ``select_related`` and ``prefetch_related`` cache them.
    """
    connection = connections[SurveyInvitation.objects.db]
    statement = _page_statement(connection)
    # With CONN_HEALTH_CHECKS, Django tries a reused connection with a query of its own before the
    # first query of each request: a second round trip, which cost more than this read under load.
    # Here the read is the check: if it fails on a connection nobody checked this request, the
    # connection is closed and the read runs again on a new one, as after a failed health check.
    unchecked = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if unchecked:
        connection.health_check_done = True
    try:
        rows = _page_rows(connection, statement, invitation_id)
    except (InterfaceError, OperationalError):
        if not unchecked:
            raise
        connection.close()
        rows = _page_rows(connection, statement, invitation_id)
    if not rows:
        return None

    def build(part: int, row: tuple) -> models.Model | None:
        model, start, names, converters = statement.parts[part]
        values = list(row[start : start + len(names)])
        if values[0] is None:  # no answer, or a survey without questions (outer joins)
            return None
        for n, functions, col in converters:
            for function in functions:
                values[n] = function(values[n], col, connection)
        # The instance as Model.from_db leaves it, without Model.__init__ (which walks every field
        # of the model, Account's fifty for its two, and sends pre_init and post_init): the values
        # under their attribute names, a field not read is deferred (absent from __dict__), and the
        # state says "from this database". tests/stakeholders/test_survey_page.py compares it with
        # the ORM's.
        instance = model.__new__(model)
        instance.__dict__.update(zip(names, values, strict=True))
        state = instance._state = ModelState()
        state.adding, state.db = False, connection.alias
        return instance

    invitation, campaign, survey, account, response = (build(part, rows[0]) for part in range(5))
    SurveyInvitation.campaign.field.set_cached_value(invitation, campaign)
    SurveyCampaign.survey.field.set_cached_value(campaign, survey)
    SurveyInvitation.account.field.set_cached_value(invitation, account)
    # None cached means "no answer": invitation.response raises DoesNotExist without a query.
    SurveyInvitation.response.related.set_cached_value(invitation, response)
    if response is not None:
        SurveyResponse.invitation.field.set_cached_value(response, invitation)
    questions = [question for row in rows if (question := build(5, row)) is not None]
    # What prefetch_related("questions") leaves behind: a queryset whose results are known.
    prefetched = SurveyQuestion.objects.all()
    prefetched._result_cache, prefetched._prefetch_done = questions, True
    survey._prefetched_objects_cache = {"questions": prefetched}
    return invitation
