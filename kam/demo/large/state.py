"""What the steps of the large demo share: its shape, the records of what earlier steps made,
and the run's state (one seeded random stream, the clock, the bulk writer)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock

from accounts.models import Product
from kam.bulk import BulkWriter
from kam.models import User

CRM_PREFIX = "LARGE-"
SEED = 20260
KEY_ACCOUNTS_PER_KAM = 15


@dataclass(frozen=True)
class Shape:
    """How many of everything; ``Shape.at(1)`` is the big organisation."""

    national_heads: int
    regional_heads: int
    teams: int
    kams: int
    accounts: int
    key_accounts: int
    stakeholders: int
    touchpoints: int
    plan_rows: int  # objectives and actions together
    invitations: int
    survey_years: int = 5

    @classmethod
    def at(cls, scale: float) -> Shape:
        def n(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))

        teams = n(40, 2)
        regions = min(teams, n(8, 2))
        kams = max(2 * teams, n(400))
        accounts = max(kams, n(10_000))
        return cls(
            national_heads=min(regions, n(4)),
            regional_heads=regions,
            teams=teams,
            kams=kams,
            accounts=accounts,
            key_accounts=min(n(6_000), KEY_ACCOUNTS_PER_KAM * kams, accounts),
            stakeholders=n(100_000),
            touchpoints=n(300_000),
            plan_rows=n(120_000),
            invitations=n(500_000),
        )


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` that add up exactly."""
    scale = total / (sum(weights) or 1)
    shares = [w * scale for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass(slots=True)
class Member:
    """One active affiliation, as later steps need it."""

    id: int
    person: int
    function: str
    category: str
    role: str
    influence: int
    stance: int
    department: str
    name: str
    surveyable: bool  # consent given, not opted out, may be contacted


@dataclass(slots=True)
class Acct:
    id: int
    owner: int
    manager: int
    kind: str
    key: bool
    country: str
    currency: str
    language: str
    access: int
    msl: int
    university: bool = False
    on_team: set[int] = field(default_factory=set)
    people: list[Member] = field(default_factory=list)
    listings: dict[int, tuple[str, bool]] = field(default_factory=dict)  # product → (status, has competitor)


@dataclass
class Load:
    """One run: every step reads the shape and draws from the one random stream in the same order,
    so every run makes the same data; steps leave what later ones need (KAMs, products, accounts)."""

    shape: Shape
    admin: User
    now: datetime
    today: date
    writer: BulkWriter
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    # Each KAM as (user, manager, market access colleague, MSL, country, region).
    kams: list[tuple[int, int, int, int, str, str]] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    accounts: list[Acct] = field(default_factory=list)

    def when(self, day: date, hour: int = 9) -> datetime:
        return datetime.combine(day, clock(hour, self.rng.randrange(60)), tzinfo=UTC)
