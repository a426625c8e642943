"""Computing the health rows: ``refresh_health`` and the set-based SQL behind it (the formula is in
the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from functools import reduce
from operator import add

from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Floor, Least, RowNumber
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, IsNull
from django.utils import timezone

from accounts.models import Account, AccountFinancials, AccountHealth
from accounts.selectors import MONEY, fx_to_reporting
from kam.portfolio import summary
from kam.portfolio.health import CSAT_WINDOW, KEY_INFLUENCE, PLAN_STATUS_POINTS, WEIGHTS, met_within_cadence
from kam.portfolio.models import FiguresVersion
from plans.models import AccountPlan, Action, ActionStatus, Objective, ObjectiveStatus, PlanningPeriod, PlanStatus
from plans.selectors import completeness_sql
from stakeholders.models import Affiliation, Coverage, CsatQuarter, SurveyResponse
from stakeholders.surveys.results import ANONYMOUS_MIN_GROUP, refresh_csat_quarters

# Plans that no longer speak for the account: replaced by a revision, or of an ended period.
_NOT_CURRENT = (PlanStatus.SUPERSEDED, PlanStatus.ARCHIVED)


def refresh_health(account_ids: Iterable[int] | None = None, *, today: date | None = None) -> int:
    """Recompute the health of the given accounts (all accounts when ``None``); returns how many.

    Set-based, whatever the number of accounts: one statement gives the accounts without a row
    one, the rows are locked, one UPDATE writes the figures from one grouped query per
    source (plans, objectives, survey answers, stakeholders, financials), and one more turns the
    figures into the parts and the score. About 10,000 accounts take a few seconds.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    scope = None if account_ids is None else sorted({int(pk) for pk in account_ids})
    if scope == []:
        return 0
    period = PlanningPeriod.current(today)
    with transaction.atomic():
        connection = connections[AccountHealth.objects.db]
        if connection.vendor == "postgresql":
            # The JIT compiler spends seconds on these wide queries (many subplans) and wins back
            # far less; off for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        _insert_missing(scope, now)
        rows = AccountHealth.objects.all() if scope is None else AccountHealth.objects.filter(account_id__in=scope)
        # Lock in key order first, so that two refreshes over overlapping accounts (a write's and
        # the hourly one) wait for each other instead of deadlocking.
        locked = len(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
        if not locked:
            return 0
        # The CSAT summary first: the named-campaign totals below are summed from it.
        refresh_csat_quarters(scope)
        _write_figures(_sources(today, period, scope), scope)
        parts = _parts(has_period=period is not None)
        rows.update(
            **parts,
            score=_score(parts),
            period_name=period.name if period else "",
            revenue_year=today.year,
            computed_at=now,
        )
        # Cached dashboard figures are stale from this commit on.
        FiguresVersion.bump()
        # After the bump, whose row lock makes two refreshes sum the portfolio one after the other.
        summary.store(today, period)
    return locked


# What a row holds where a source has nothing on the account.
_EMPTY = {
    "plan_status": "",
    "plan_completeness": None,
    "objectives_measurable": 0,
    "objectives_on_track": 0,
    "objectives_achieved": 0,
    "objectives_at_risk": 0,
    "actions_total": 0,
    "actions_done": 0,
    "actions_overdue": 0,
    "csat_answers": 0,
    "csat_satisfied": 0,
    "named_invited": 0,
    "named_answers": 0,
    "named_satisfied": 0,
    "key_people": 0,
    "key_uncovered": 0,
    "key_stale": 0,
    "key_in_touch": 0,
    "revenue_actual": None,
    "revenue_target": None,
    "revenue_attainment": None,
    "revenue_rate_missing": False,
}


def _scope_sql(scope: list[int] | None, column: str) -> tuple[str, list[int]]:
    if scope is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(scope))})", list(scope)


def _insert_missing(scope: list[int] | None, now: datetime) -> None:
    """A row for every account in scope that has none, in one INSERT … SELECT (the other columns
    take their database defaults). Two refreshes racing to insert the same row: one does."""
    connection = connections[AccountHealth.objects.db]
    q = connection.ops.quote_name
    table, accounts = q(AccountHealth._meta.db_table), q(Account._meta.db_table)
    in_scope, params = _scope_sql(scope, f"a.{q('id')}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('account_id')}, {q('computed_at')}) "
            f"SELECT a.{q('id')}, %s FROM {accounts} AS a "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS h WHERE h.{q('account_id')} = a.{q('id')}){in_scope} "
            f"ON CONFLICT DO NOTHING",
            [connection.ops.adapt_datetimefield_value(now), *params],
        )


def _write_figures(sources: list[tuple[QuerySet, list[str]]], scope: list[int] | None) -> None:
    """Write every source into the health rows in one UPDATE … FROM: the accounts, each source
    (one row per account: ``h_account`` and ``h_<column>``) left-joined on, ``_EMPTY`` where a
    source has no row. PostgreSQL and SQLite (3.33 and later) both take this form.

    The ORM writes no UPDATE … FROM, and an UPDATE with correlated subqueries per row costs many
    times more at 10,000 accounts; the sources themselves are ordinary querysets, compiled by Django.
    """
    connection = connections[AccountHealth.objects.db]
    q = connection.ops.quote_name
    table, accounts = q(AccountHealth._meta.db_table), q(Account._meta.db_table)
    sets: list[str] = []
    set_params: list = []
    joins: list[str] = []
    join_params: list = []
    for n, (source, columns) in enumerate(sources):
        sql, params = source.query.sql_with_params()
        joins.append(f"LEFT JOIN ({sql}) AS g{n} ON g{n}.{q('h_account')} = a.{q('id')}")
        join_params.extend(params)
        for column in columns:
            value = f"g{n}.{q('h_' + column)}"
            if _EMPTY[column] is None:
                sets.append(f"{q(column)} = {value}")
            else:
                sets.append(f"{q(column)} = COALESCE({value}, %s)")
                set_params.append(_EMPTY[column])
    in_scope, where_params = _scope_sql(scope, f"a.{q('id')}")
    where = f"{table}.{q('account_id')} = a.{q('id')}{in_scope}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(sets)} FROM {accounts} AS a {' '.join(joins)} WHERE {where}",
            set_params + join_params + where_params,
        )


def _sources(today: date, period: PlanningPeriod | None, scope: list[int] | None) -> list[tuple[QuerySet, list[str]]]:
    """One grouped query per source, each a row per account with what the parts are computed from."""

    def scoped(qs: QuerySet, account: str) -> QuerySet:
        return qs if scope is None else qs.filter(**{f"{account}__in": scope})

    sources = []
    if period is not None:
        # The account's most advanced current plan (approved over submitted over draft; the latest
        # revision first), with its completeness.
        plans = scoped(AccountPlan.objects.filter(period=period).exclude(status__in=_NOT_CURRENT), "account_id")
        rank = Case(*[When(status=s, then=Value(p)) for s, p in PLAN_STATUS_POINTS.items()], default=Value(0))
        best = (
            plans.annotate(
                rank=rank,
                row=Window(
                    RowNumber(),
                    partition_by=[F("account_id")],
                    order_by=[F("rank").desc(), F("revision").desc(), F("pk").desc()],
                ),
            )
            .filter(row=1)
            .values(
                h_account=F("account_id"),
                h_plan_status=F("status"),
                h_plan_completeness=Cast(completeness_sql(), IntegerField()),
            )
        )
        sources.append((best, ["plan_status", "plan_completeness"]))

        objectives = scoped(
            Objective.objects.filter(plan__period=period).measurable().exclude(plan__status__in=_NOT_CURRENT),
            "plan__account_id",
        ).with_status(today)
        by_status = {
            f"h_objectives_{name}": Count("pk", filter=Q(sql_status=status))
            for name, status in (
                ("on_track", ObjectiveStatus.ON_TRACK),
                ("achieved", ObjectiveStatus.ACHIEVED),
                ("at_risk", ObjectiveStatus.AT_RISK),
            )
        }
        sources.append(
            (
                objectives.order_by()
                .values(h_account=F("plan__account_id"))
                .annotate(h_objectives_measurable=Count("pk"), **by_status),
                ["objectives_measurable", "objectives_on_track", "objectives_achieved", "objectives_at_risk"],
            )
        )

        # Not part of the score: kept so the dashboard need not count every action of the period.
        actions = scoped(
            Action.objects.filter(plan__period=period).exclude(plan__status__in=_NOT_CURRENT), "plan__account_id"
        )
        sources.append(
            (
                actions.order_by()
                .values(h_account=F("plan__account_id"))
                .annotate(
                    h_actions_total=Count("pk"),
                    h_actions_done=Count("pk", filter=Q(status=ActionStatus.DONE)),
                    h_actions_overdue=Count("pk", filter=Q(due_date__lt=today) & ~Q(status=ActionStatus.DONE)),
                ),
                ["actions_total", "actions_done", "actions_overdue"],
            )
        )

    # Anonymous answers count only as a group of at least five, so no one answer can be read off.
    since = timezone.make_aware(datetime.combine(today - CSAT_WINDOW, time.min))
    responses = scoped(SurveyResponse.objects.filter(submitted_at__gte=since), "invitation__account_id")
    anonymous = Q(invitation__campaign__anonymous=True)

    def counted(which: Q) -> Expression:
        return Count("pk", filter=~anonymous & which) + Case(
            When(
                GreaterThanOrEqual(Count("pk", filter=anonymous), ANONYMOUS_MIN_GROUP),
                then=Count("pk", filter=anonymous & which),
            ),
            default=Value(0),
        )

    sources.append(
        (
            responses.order_by()
            .values(h_account=F("invitation__account_id"))
            .annotate(h_csat_answers=counted(Q()), h_csat_satisfied=counted(Q(csat_score__gte=4))),
            ["csat_answers", "csat_satisfied"],
        )
    )

    # Named campaigns of all time, for the dashboard's CSAT by KAM: from the quarters just rewritten.
    sources.append(
        (
            scoped(CsatQuarter.objects.all(), "account_id")
            .order_by()
            .values(h_account=F("account_id"))
            .annotate(
                h_named_invited=Sum("invited"), h_named_answers=Sum("answers"), h_named_satisfied=Sum("satisfied")
            ),
            ["named_invited", "named_answers", "named_satisfied"],
        )
    )

    # High-influence stakeholders: covered by anyone on our side (commercial or medical, as
    # stakeholders.selectors.coverage_for), and met within their cadence (as is_stale).
    key = scoped(Affiliation.objects.filter(end_date__isnull=True, influence__gte=KEY_INFLUENCE), "account_id")
    covered = Exists(Coverage.objects.filter(affiliation=OuterRef("pk")))
    fresh = met_within_cadence(today)
    sources.append(
        (
            key.order_by()
            .values(h_account=F("account_id"))
            .annotate(
                h_key_people=Count("pk"),
                h_key_uncovered=Count("pk", filter=~Q(covered)),
                h_key_stale=Count("pk", filter=~fresh),
                h_key_in_touch=Count("pk", filter=Q(covered) & fresh),
            ),
            ["key_people", "key_uncovered", "key_stale", "key_in_touch"],
        )
    )

    # This year's row; the attainment needs no exchange rate, both figures being in one currency.
    rows = scoped(AccountFinancials.objects.filter(year=today.year), "account_id").annotate(
        fx=fx_to_reporting("account__currency", "year")
    )
    attainment = Case(
        When(
            Q(revenue_target__gt=0, revenue_actual__isnull=False),
            then=Cast(F("revenue_actual"), FloatField()) * Value(100.0) / Cast(F("revenue_target"), FloatField()),
        ),
        default=Value(None),
        output_field=FloatField(),
    )
    sources.append(
        (
            rows.values(
                h_account=F("account_id"),
                h_revenue_actual=ExpressionWrapper(F("revenue_actual") * F("fx"), output_field=MONEY),
                h_revenue_target=ExpressionWrapper(F("revenue_target") * F("fx"), output_field=MONEY),
                h_revenue_attainment=attainment,
                h_revenue_rate_missing=Case(
                    When(
                        Q(fx__isnull=True) & (Q(revenue_actual__isnull=False) | Q(revenue_target__isnull=False)),
                        then=Value(True),
                    ),
                    default=Value(False),
                ),
            ),
            ["revenue_actual", "revenue_target", "revenue_attainment", "revenue_rate_missing"],
        )
    )
    return sources


def _pct(numerator: Expression, denominator: Expression) -> Expression:
    return Floor(Cast(numerator, FloatField()) * Value(100.0) / Cast(denominator, FloatField()) + Value(0.5))


NOT_JUDGED = Value(None, output_field=IntegerField())


def _parts(*, has_period: bool) -> dict[str, Expression]:
    """The five parts from the stored figures (see the module docstring)."""
    points = Case(*[When(plan_status=s, then=Value(p)) for s, p in PLAN_STATUS_POINTS.items()], default=Value(0))
    plan = Case(
        When(plan_status="", then=Value(0)),
        default=Floor((points + Coalesce(F("plan_completeness"), Value(0))) / Value(2.0) + Value(0.5)),
        output_field=IntegerField(),
    )
    objectives = Case(
        When(objectives_measurable=0, then=NOT_JUDGED),
        default=_pct(F("objectives_on_track") + F("objectives_achieved"), F("objectives_measurable")),
        output_field=IntegerField(),
    )
    return {
        "plan_part": plan if has_period else NOT_JUDGED,
        "objectives_part": objectives if has_period else NOT_JUDGED,
        "csat_part": Case(
            When(csat_answers=0, then=NOT_JUDGED),
            default=_pct(F("csat_satisfied"), F("csat_answers")),
            output_field=IntegerField(),
        ),
        "relationships_part": Case(
            When(key_people=0, then=Value(0)),
            default=_pct(F("key_in_touch"), F("key_people")),
            output_field=IntegerField(),
        ),
        "revenue_part": Case(
            When(revenue_attainment__isnull=True, then=NOT_JUDGED),
            default=Least(Value(100.0), Floor(F("revenue_attainment") + Value(0.5))),
            output_field=IntegerField(),
        ),
    }


def _score(parts: dict[str, Expression]) -> Expression:
    """Σ weight × part / Σ weight over the judged parts, rounded half up; empty if none is judged.
    Takes the part expressions themselves: an UPDATE's SET clauses all read the row as it was."""
    judged = [(parts[f"{name}_part"], weight) for name, weight in WEIGHTS.items()]
    weighted = reduce(add, [Coalesce(part, Value(0)) * Value(weight) for part, weight in judged])
    total = reduce(
        add,
        [Case(When(IsNull(part, True), then=Value(0)), default=Value(weight)) for part, weight in judged],
    )
    return Case(
        When(
            GreaterThan(total, Value(0)),
            then=Floor(Cast(weighted, FloatField()) / Cast(total, FloatField()) + Value(0.5)),
        ),
        default=NOT_JUDGED,
        output_field=IntegerField(),
    )
