"""Results: CSAT figures, the stored per-quarter summaries, and the suppression that keeps anonymous
campaigns anonymous."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractQuarter, ExtractYear

from accounts.models import Account
from accounts.selectors import accounts_visible_to
from kam.models import User
from stakeholders.models import (
    CsatQuarter,
    InvitationStatus,
    SurveyInvitation,
)

logger = logging.getLogger(__name__)


RELIABLE_ANSWERS = 30
# Invitations that reached the person count as invited; queued, refused or never-sent ones do not.
DELIVERED = Q(sent_at__isnull=False) | Q(status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED])
ANONYMOUS_MIN_GROUP = 5


@dataclass
class Csat:
    answers: int
    satisfied: int
    invited: int

    @property
    def pct(self) -> float | None:
        return round(100 * self.satisfied / self.answers, 1) if self.answers else None

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answers / self.invited, 1) if self.invited else None

    @property
    def indicative(self) -> bool:
        return self.answers < RELIABLE_ANSWERS


def csat(invitations: QuerySet[SurveyInvitation]) -> Csat:
    """CSAT = share of answers of 4 or 5, with answers and response rate (sent invitations)."""
    row = invitations.filter(DELIVERED).aggregate(
        invited=Count("pk"),
        answers=Count("response"),
        satisfied=Count("response", filter=Q(response__csat_score__gte=4)),
    )
    return Csat(answers=row["answers"], satisfied=row["satisfied"], invited=row["invited"])


# Every figure an anonymous campaign shows anywhere: per account type and per KAM on the campaign
# page, per account on the account page. Suppression must see them all at once, or a figure one
# page shows could be subtracted from one another page shows.
BREAKDOWNS = ("account__account_type", "account__owner_id", "account_id")


class _Hidden:
    """Stands for a breakdown's hidden groups in a cell; sorts the same way in every run."""

    def __repr__(self) -> str:
        return "<hidden>"


_HIDDEN = _Hidden()


def refresh_csat_quarters(account_ids: list[int] | None = None) -> None:
    """Rewrite the ``CsatQuarter`` rows of these accounts (all when ``None``) from their named
    campaigns' delivered invitations and answers: one DELETE and one INSERT … SELECT, grouped in the
    database, whatever the number of invitations. Run inside ``kam.portfolio.health.refresh_health``'s
    transaction, which locks the accounts' health rows first, so two refreshes never interleave."""
    rows = CsatQuarter.objects.all()
    invitations = SurveyInvitation.objects.filter(campaign__anonymous=False).filter(DELIVERED)
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
        invitations = invitations.filter(account_id__in=account_ids)
    rows.delete()
    grouped = (
        invitations.order_by()
        .values("account_id", year=ExtractYear("campaign__send_at"), quarter=ExtractQuarter("campaign__send_at"))
        .annotate(
            invited=Count("pk"),
            answers=Count("response"),
            satisfied=Count("response", filter=Q(response__csat_score__gte=4)),
        )
        .values_list("account_id", "year", "quarter", "invited", "answers", "satisfied")
        # Written in account order, an account's rows share a page: a team's dashboard then reads a
        # page per account, not one per quarter (and the planner sees the order in the statistics).
        .order_by("account_id", "year", "quarter")
    )
    sql, params = grouped.query.sql_with_params()
    connection = connections[CsatQuarter.objects.db]
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("account_id", "year", "quarter", "invited", "answers", "satisfied"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(CsatQuarter._meta.db_table)} ({columns}) {sql}", params)


def answers_per_account(invitations: QuerySet[SurveyInvitation], *also: str) -> list[dict]:
    """Invited, answered and satisfied per account (and per ``also`` fields, e.g. the campaign),
    with the account's type and owner, in one query: every figure of the results is a sum of these
    rows."""
    return list(
        invitations.filter(DELIVERED)
        .values(
            *also,
            "account_id",
            "account__account_type",
            "account__owner_id",
            "account__owner__first_name",
            "account__owner__last_name",
            "account__owner__username",
        )
        .annotate(
            invited=Count("pk"),
            answers=Count("response"),
            satisfied=Count("response", filter=Q(response__csat_score__gte=4)),
        )
        .order_by("account_id")
    )


@dataclass(frozen=True)
class Suppression:
    """What an anonymous campaign's results may show one viewer: the total or not, and per
    breakdown (a field of BREAKDOWNS) the groups to hide."""

    total_hidden: bool
    hidden: dict[str, frozenset]

    def hides(self, breakdown: str, key: object) -> bool:
        return self.total_hidden or key in self.hidden.get(breakdown, frozenset())


NOTHING_HIDDEN = Suppression(total_hidden=False, hidden={})


def anonymous_suppression(
    rows: list[dict], breakdowns: tuple[str, ...] = BREAKDOWNS, *, minimum: int = ANONYMOUS_MIN_GROUP
) -> Suppression:
    """The groups of an anonymous campaign's results to hide, so that no set of fewer than
    ``minimum`` answers can be read off the figures: not directly, and not by subtracting one
    shown figure from another (total 9, pharmacies 6 shown: the hidden hospitals' 3 answers are
    9 − 6).

    ``rows`` come from ``answers_per_account`` over the invitations one viewer can see; the total
    and every group of every breakdown shown to that viewer is a sum of them.

    1. A total below ``minimum`` hides everything.
    2. Primary suppression: every group with fewer than ``minimum`` answers is hidden.
    3. Complementary suppression. Cut the accounts into cells by the shown group they fall in per
       breakdown, with one bucket per breakdown for its hidden groups. Every shown figure is a sum
       of whole cells, so every set of answers that adding and subtracting shown figures can single
       out is a union of whole cells (total − shown groups of a breakdown = that breakdown's hidden
       bucket; pharmacies − Anna's accounts, when all of hers are pharmacies = the other KAMs'
       pharmacies). So while a cell holds 1 to ``minimum`` − 1 answers, one more group is hidden:
       the smallest shown group next to that cell (one whose accounts differ from the cell in that
       breakdown only), which merges the cell into a bigger one. Each round hides one more group,
       so this ends, at the latest with only the total shown, which has at least ``minimum``.

    For one breakdown this is the usual rule: when the hidden groups together have 1 to
    ``minimum`` − 1 answers, the smallest shown group is hidden too, so the hidden ones together
    have at least ``minimum`` and the total can stay. Groups with no answers reveal nothing and
    count for nothing.

    Not covered: viewers with different scopes comparing their figures, and one viewer comparing
    figures over time as answers come in (a group going from 5 to 6 answers shows the sixth).
    """
    total = sum(row["answers"] for row in rows)
    dims = range(len(breakdowns))
    keys = [tuple(row[b] for b in breakdowns) for row in rows]
    answers = [row["answers"] for row in rows]
    sizes: list[dict] = [{} for _b in breakdowns]
    members: dict[tuple[int, object], list[int]] = {}  # (breakdown, group) → rows
    for n, row_keys in enumerate(keys):
        for d in dims:
            sizes[d][row_keys[d]] = sizes[d].get(row_keys[d], 0) + answers[n]
            members.setdefault((d, row_keys[d]), []).append(n)
    if total < minimum:
        return Suppression(total_hidden=True, hidden={b: frozenset(sizes[d]) for d, b in enumerate(breakdowns)})
    hidden = [{key for key, n in sizes[d].items() if n < minimum} for d in dims]

    # Each row's cell, and the answers per cell, kept up to date as groups are hidden.
    place = [tuple(_HIDDEN if k[d] in hidden[d] else k[d] for d in dims) for k in keys]
    cells: dict[tuple, int] = {}
    for n, c in enumerate(place):
        cells[c] = cells.get(c, 0) + answers[n]
    while True:
        small = [c for c, n in cells.items() if 0 < n < minimum]
        if not small:
            return Suppression(total_hidden=False, hidden={b: frozenset(hidden[d]) for d, b in enumerate(breakdowns)})
        target = min(small, key=str)
        # The cell's own shown groups, and those of cells with answers one breakdown away from it.
        candidates = {(d, target[d]) for d in dims if target[d] is not _HIDDEN}
        for c, n in cells.items():
            differs = [d for d in dims if c[d] != target[d]]
            if n and len(differs) == 1 and target[differs[0]] is _HIDDEN:
                candidates.add((differs[0], c[differs[0]]))
        if not candidates:
            # Nothing borders the cell directly: hide the smallest shown group and look again.
            candidates = {(d, key) for d in dims for key in sizes[d] if key not in hidden[d]}
        d, key = min(candidates, key=lambda c: (sizes[c[0]][c[1]], c[0], str(c[1])))
        hidden[d].add(key)
        for n in members[(d, key)]:
            old = place[n]
            place[n] = (*old[:d], _HIDDEN, *old[d + 1 :])
            cells[old] -= answers[n]
            cells[place[n]] = cells.get(place[n], 0) + answers[n]


def breakdown(rows: list[dict], field: str, suppression: Suppression = NOTHING_HIDDEN) -> list[dict]:
    """CSAT per group of ``field`` (one of BREAKDOWNS), summed from ``answers_per_account`` rows:
    [{"key", "row" (a row of the group, for labels), "csat", "hidden"}], ordered by key."""
    groups: dict = {}
    for row in rows:
        group = groups.setdefault(
            row[field], {"key": row[field], "row": row, "csat": Csat(answers=0, satisfied=0, invited=0)}
        )
        value = group["csat"]
        group["csat"] = Csat(
            answers=value.answers + row["answers"],
            satisfied=value.satisfied + row["satisfied"],
            invited=value.invited + row["invited"],
        )
    result = sorted(groups.values(), key=lambda group: group["key"])
    for group in result:
        group["hidden"] = suppression.hides(field, group["key"])
        if group["hidden"]:
            group["csat"] = None
    return result


# Per campaign, its delivered invitations, answers and satisfied answers: built once, given the
# account per request (~0.3 ms of every account page to build).
_CAMPAIGN_ROWS = (
    SurveyInvitation.objects.filter(DELIVERED)
    .values("campaign_id", "campaign__name", "campaign__anonymous", "campaign__send_at", "campaign__close_date")
    .annotate(
        invited=Count("pk"),
        answers=Count("response"),
        satisfied=Count("response", filter=Q(response__csat_score__gte=4)),
    )
    .order_by("-campaign__send_at")
)


def csat_for_account(account: Account, user: User) -> list[dict]:
    """Per campaign for one account, as ``user`` may see it: a signal, never a reliable figure.

    Named campaigns in one query. Anonymous ones, in one more, decide with the figures ``user``
    sees on the campaign pages (``anonymous_suppression`` over the accounts they can see), so that
    this page's figure cannot be subtracted from those.
    """
    rows = list(_CAMPAIGN_ROWS.filter(account=account))
    anonymous = [row["campaign_id"] for row in rows if row["campaign__anonymous"]]
    seen: dict[int, list[dict]] = {pk: [] for pk in anonymous}
    if anonymous:
        visible = SurveyInvitation.objects.filter(
            campaign_id__in=anonymous, account__in=accounts_visible_to(user).values("pk")
        )
        for cell in answers_per_account(visible, "campaign_id"):
            seen[cell["campaign_id"]].append(cell)
    result = []
    for row in rows:
        value = Csat(answers=row["answers"], satisfied=row["satisfied"], invited=row["invited"])
        hidden = row["campaign__anonymous"] and anonymous_suppression(seen[row["campaign_id"]]).hides(
            "account_id", account.pk
        )
        result.append({"campaign": row, "csat": None if hidden else value, "hidden": hidden})
    return result
