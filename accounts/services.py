"""Writes about accounts that touch several rows: scores, archive, reassignment, handover."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, FilteredRelation, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.forms import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    LISTED_STATUSES,
    Account,
    AccountStatus,
    AccountTeamMember,
    AccountType,
    Contract,
    CriterionDimension,
    HandoverNote,
    Listing,
    Product,
    QualificationCriterion,
    QualificationScore,
    TeamFunction,
    Tender,
)
from kam import outbox
from kam.models import User


def _pct(value: Decimal | float) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def account_scores(account: Account, *, listings: Sequence[Listing] | None = None) -> dict:
    """Qualification and matrix figures for an account, with the parts that explain them. With
    ``listings`` (``listings_with_portfolio(account)``, read by the caller), the listing share is
    counted from them rather than asked of the database."""
    # Each criterion with this account's score, if any, in one query.
    score = QualificationScore.objects.filter(account=account, criterion=OuterRef("pk")).values("score")[:1]
    criteria = list(
        QualificationCriterion.objects.filter(account_type=account.account_type, active=True)
        .annotate(given=Subquery(score))
        .order_by("order", "pk")
    )
    parts = [
        {"criterion": c, "score": c.given, "points": None if c.given is None else c.given * c.weight} for c in criteria
    ]
    figures = score_figures(
        [(c, c.given) for c in criteria],
        market_share=account.market_share_pct,
        listing_share=listing_share_pct(account) if listings is None else listing_share_of(account, listings),
    )
    return {"parts": parts, **figures}


def score_figures(
    scores: Iterable[tuple[QualificationCriterion, int | None]],
    *,
    market_share: Decimal | None,
    listing_share: int | None,
) -> dict:
    """Qualification and matrix figures from their parts, without a query: each of the account's
    active criteria with its score (None if not scored), its market share and its listing share.
    account_scores reads the parts of one account; bulk loaders (the large demo) pass their own."""
    totals = {"all": [0, 0], CriterionDimension.ATTRACTIVENESS: [0, 0], CriterionDimension.POSITION: [0, 0]}
    for c, score in scores:
        if score is None or c.weight == 0:
            continue
        for key in ("all", c.dimension):
            totals[key][0] += score * c.weight
            totals[key][1] += 5 * c.weight
    qualification = _pct(Decimal(totals["all"][0]) * 100 / totals["all"][1]) if totals["all"][1] else None
    attractiveness = None
    att = totals[CriterionDimension.ATTRACTIVENESS]
    if att[1]:
        attractiveness = _pct(Decimal(att[0]) * 100 / att[1])

    # Our position blends the assessor's view with the hard numbers we hold, where we hold them.
    position_parts: list[tuple[str, int]] = []
    pos = totals[CriterionDimension.POSITION]
    if pos[1]:
        position_parts.append((_("assessment"), _pct(Decimal(pos[0]) * 100 / pos[1])))
    if market_share is not None:
        position_parts.append((_("market share"), _pct(market_share)))
    if listing_share is not None:
        position_parts.append((_("listing share"), listing_share))
    position = _pct(Decimal(sum(v for _, v in position_parts)) / len(position_parts)) if position_parts else None
    return {
        "qualification_score": qualification,
        "qualifies": None if qualification is None else qualification >= settings.QUALIFICATION_THRESHOLD,
        "attractiveness": attractiveness,
        "position": position,
        "position_parts": position_parts,
        "listing_share": listing_share,
    }


def listing_share_pct(account: Account) -> int | None:
    """Share of our active portfolio the account can carry that it lists (a pharmacy is not held to
    hospital-only products), or None when no listings are kept."""
    # Our active products, each joined to this account's listing of it: one query for both counts.
    counts = (
        Product.objects.carried_by(account)
        .annotate(listing=FilteredRelation("listings", condition=Q(listings__account=account)))
        .aggregate(
            portfolio=Count("pk"),
            kept=Count("listing"),
            listed=Count("listing", filter=Q(listing__status__in=LISTED_STATUSES)),
        )
    )
    return listing_share(**counts)


def listings_with_portfolio(account: Account) -> QuerySet[Listing]:
    """The account's listings with their products and competitors' products, each row with
    ``portfolio``: the number of our products the account carries, the same on every row. With
    no row the share is None whatever the portfolio, so ``listing_share_of`` needs no query."""
    carried = Product.objects.carried_by(account).order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return account.listings.select_related("product", "competitor_product").annotate(
        portfolio=Subquery(carried, output_field=IntegerField())
    )


def listing_share_of(account: Account, listings: Sequence[Listing]) -> int | None:
    """``listing_share_pct`` counted from ``listings_with_portfolio(account)``, without a query."""
    kept = [row for row in listings if row.product.is_carried_by(account)]
    portfolio = listings[0].portfolio if listings else 0
    return listing_share(portfolio=portfolio, kept=len(kept), listed=sum(r.status in LISTED_STATUSES for r in kept))


def listing_share(*, portfolio: int, kept: int, listed: int) -> int | None:
    """The listing share from its counts: our active products, and how many of them the account
    keeps a listing of and lists; None when it keeps none."""
    if not kept:
        return None
    return _pct(Decimal(listed) * 100 / portfolio) if portfolio else None


def qualification_fields(*, account_type: str, override: bool | None, figures: dict) -> dict:
    """The account fields account_recompute stores from account_scores' (or score_figures')
    figures: bulk loaders write the same fields from the same rule."""
    fields = {name: figures[name] for name in ("qualification_score", "qualifies", "attractiveness", "position")}
    fields["is_key_account"] = override if override is not None else bool(figures["qualifies"])
    if account_type != AccountType.HOSPITAL and figures["listing_share"] is not None:
        fields["basket_penetration_pct"] = Decimal(figures["listing_share"])
    return fields


def account_recompute(account: Account) -> Account:
    """Bring the stored qualification, key-account flag, matrix position and, for pharmacies
    and wholesalers, basket penetration in line with the assessment and listings."""
    fields = qualification_fields(
        account_type=account.account_type, override=account.qualification_override, figures=account_scores(account)
    )
    for name, value in fields.items():
        setattr(account, name, value)
    account.save(update_fields=[*fields, "updated_at"])
    return account


@transaction.atomic
def account_save(*, account: Account, by: User) -> Account:
    """Create or update an account from a validated form instance and refresh its scores."""
    account._change_reason = "edit" if account.pk else "create"
    account.full_clean()
    account.save()
    if account.owner_id:
        AccountTeamMember.objects.get_or_create(
            account=account, user_id=account.owner_id, therapeutic_area="", defaults={"function": TeamFunction.KAM}
        )
    schedule_health_refresh([account.pk])
    return account_recompute(account)


@transaction.atomic
def account_rows_save(*, account: Account, formset: BaseInlineFormSet) -> Account:
    """Save an account's listings, financials or team rows, then bring its stored scores and its
    health (revenue against target) in line."""
    formset.save()
    schedule_health_refresh([account.pk])
    return account_recompute(account)


@transaction.atomic
def account_qualify(
    *, account: Account, scores: dict[int, int | None], override: bool | None, reason: str, by: User
) -> Account:
    """Store an assessment (criterion id → 0–5, None to clear) and an optional override."""
    for criterion_id, score in scores.items():
        if score is None:
            QualificationScore.objects.filter(account=account, criterion_id=criterion_id).delete()
        else:
            QualificationScore.objects.update_or_create(
                account=account, criterion_id=criterion_id, defaults={"score": score}
            )
    account.qualification_override = override
    account.qualification_override_reason = reason.strip() if override is not None else ""
    account.full_clean()
    account.save(update_fields=["qualification_override", "qualification_override_reason", "updated_at"])
    schedule_health_refresh([account.pk])
    return account_recompute(account)


def account_set_status(*, account: Account, status: str, by: User) -> Account:
    account.status = status
    account._change_reason = "archive" if status == AccountStatus.ARCHIVED else "restore"
    account.save(update_fields=["status", "updated_at"])
    schedule_health_refresh([account.pk])
    return account


@transaction.atomic
def account_reassign(*, account: Account, new_owner: User, by: User) -> Account:
    """Make ``new_owner`` the lead KAM; the previous owner stays on the team as a KAM."""
    previous = account.owner
    account.owner = new_owner
    account._change_reason = f"reassigned from {previous} to {new_owner}"
    account.save(update_fields=["owner", "updated_at"])
    AccountTeamMember.objects.get_or_create(
        account=account, user=new_owner, therapeutic_area="", defaults={"function": TeamFunction.KAM}
    )
    schedule_health_refresh([account.pk])
    return account


# The history's change reason is a column of 100 characters.
_REASON_MAX = 100
HANDOVER_TASK = "accounts.notify_handover"


class HandoverConflict(Exception):
    """The leaver's accounts changed while the handover page was open."""


@dataclass(frozen=True)
class Succession:
    """One account of a leaver, the colleague who takes it over and the note for them."""

    account_id: int
    successor: User
    note: str = ""


def handover_reason(leaving: User, successor: User) -> str:
    """The history row's change reason: names the handover and the successor (English, like every
    change reason; the history page shows it as stored)."""
    reason = f"handover to {successor} from {leaving}"
    return reason if len(reason) <= _REASON_MAX else reason[: _REASON_MAX - 1] + "…"


@transaction.atomic
def user_handover(*, leaving: User, successions: Iterable[Succession], by: User) -> list[HandoverNote]:
    """Deactivate ``leaving`` and hand each of their accounts to its successor, with a note.

    Every account the leaver owns needs exactly one succession (``HandoverConflict`` otherwise:
    an account was added or moved while the page was open). Per account: the successor becomes
    owner and gets a KAM seat, the leaver's seats there end, the history row names the handover
    and the successor, and a ``HandoverNote`` records from, to, by, when and the note. The
    leaver's seats on accounts they do not own end (the owner fills the gap); people who reported
    to the leaver move up to the leaver's own manager. Each successor is e-mailed once, after
    commit (``HANDOVER_TASK``, through the outbox). Returns the notes written."""
    successions = list(successions)
    by_account = {s.account_id: s for s in successions}
    if len(by_account) != len(successions):
        raise HandoverConflict("An account has more than one successor.")
    if any(s.successor.pk == leaving.pk for s in successions):
        raise ValueError("A person cannot hand over to themselves.")
    owned = list(Account.objects.select_for_update().filter(owner=leaving).order_by("pk"))
    if {a.pk for a in owned} != set(by_account):
        raise HandoverConflict("The leaver's accounts changed.")
    now = timezone.now()
    notes = []
    for account in owned:
        step = by_account[account.pk]
        account.owner = step.successor
        account._change_reason = handover_reason(leaving, step.successor)
        account.save(update_fields=["owner", "updated_at"])
        AccountTeamMember.objects.get_or_create(
            account=account, user=step.successor, therapeutic_area="", defaults={"function": TeamFunction.KAM}
        )
        notes.append(
            HandoverNote(
                account=account, from_user=leaving, to_user=step.successor, by=by, created_at=now, note=step.note
            )
        )
    AccountTeamMember.objects.filter(user=leaving).delete()
    HandoverNote.objects.bulk_create(notes)
    User.objects.filter(manager=leaving).update(manager=leaving.manager_id)
    leaving.is_active = False
    leaving.save(update_fields=["is_active"])
    schedule_health_refresh([account.pk for account in owned])
    ids = sorted(n.pk for n in notes)
    if ids:
        outbox.enqueue(HANDOVER_TASK, ids, dedupe=outbox.dedupe_key(HANDOVER_TASK, ids))
    return notes


def key_account_count(user: User) -> int:
    return Account.objects.active().key_accounts().filter(owner=user).count()


# The health refresh lives a floor up (kam.portfolio); this floor only asks for it, by name.
REFRESH_TASK = "accounts.refresh_health"


def schedule_health_refresh(account_ids: Iterable[int]) -> None:
    """Refresh these accounts' health in a worker once the current transaction has committed,
    so the worker reads what was just written (and nothing is queued for a rolled-back write).
    Every write that changes a figure the dashboard shows calls this: the dashboard's cached
    figures are kept until the next refresh (kam.portfolio.figures).
    Recorded in the outbox with the write: a broker outage delays the refresh, never drops it."""
    ids = sorted({int(pk) for pk in account_ids if pk})
    if ids:
        outbox.enqueue(REFRESH_TASK, ids, dedupe=outbox.dedupe_key(REFRESH_TASK, ids))


# Tenders and contracts -----------------------------------------------------------------------


@transaction.atomic
def tender_save(*, tender: Tender, lots: BaseInlineFormSet, by: User) -> Tender:
    """Save a tender (a valid model form's instance) with its lots. The dashboard's next 90 days
    and won/lost figures read tenders: their cache is renewed with the account's health."""
    tender.save()
    lots.instance = tender
    lots.save()
    schedule_health_refresh([tender.account_id])
    return tender


@transaction.atomic
def contract_save(*, form, by: User) -> Contract:
    """Save a contract from its valid model form (its products too)."""
    contract = form.save()
    schedule_health_refresh([contract.account_id])
    return contract


@transaction.atomic
def tender_or_contract_delete(*, row: Tender | Contract, by: User) -> None:
    account_id = row.account_id
    row.delete()
    schedule_health_refresh([account_id])
