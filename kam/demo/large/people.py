"""The large demo's sales organisation: national heads over regional heads over team managers
over KAMs, with market access and MSL colleagues."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from kam.demo.data import COUNTRIES, DEMO_PASSWORD
from kam.demo.dmu_data import NAMES
from kam.demo.large.state import Load
from kam.models import Role, Team, User


def users(load: Load) -> None:
    """National heads over regional heads over team managers over KAMs, round-robin, so
    every level gets an even share; a market-access colleague per team, two MSLs per region."""
    s, rng, w = load.shape, load.rng, load.writer
    password = make_password(DEMO_PASSWORD)  # one hash for everyone: hashing 500 would take minutes
    codes = list(COUNTRIES)
    rows: list[tuple] = []
    user_ids = iter(w.ids(User, s.national_heads + s.regional_heads + 2 * s.teams + s.kams + 2 * s.regional_heads))
    team_ids = w.ids(Team, s.teams)

    def user(username: str, role: str, manager: int | None, team: int | None, country: str) -> int:
        women, men, last = NAMES[COUNTRIES[country][1][0]]
        first = women + men
        pk = next(user_ids)
        rows.append(
            (
                pk,
                username,
                rng.choice(first),
                rng.choice(last),
                f"{username}@example.com",
                role,
                manager,
                team,
                country,
                password,
                load.now,
            )
        )
        return pk

    nationals = [
        (user(f"head.{codes[i % 4].lower()}", Role.MANAGER, None, None, codes[i % 4]), codes[i % 4])
        for i in range(s.national_heads)
    ]
    regions = []
    for r in range(s.regional_heads):
        boss, country = nationals[r % len(nationals)]
        names = list(COUNTRIES[country][2])
        region = names[(r // len(nationals)) % len(names)]
        slug = f"{country.lower()}.{r // len(nationals) + 1}"
        regions.append((user(f"head.{slug}", Role.MANAGER, boss, None, country), country, region, slug))
    teams = []
    for t, team_id in enumerate(team_ids):
        head, country, region, slug = regions[t % len(regions)]
        manager = user(f"mgr.{slug}.{t // len(regions) + 1:02d}", Role.MANAGER, head, team_id, country)
        access = user(f"access.{slug}.{t // len(regions) + 1:02d}", Role.MARKET_ACCESS, manager, None, country)
        teams.append((team_id, manager, access, country, region, f"{country} {region} {t // len(regions) + 1:02d}"))
    msls = {
        slug: [user(f"msl.{slug}.{n}", Role.MSL, None, None, country) for n in (1, 2)]
        for _head, country, _region, slug in regions
    }
    load.kams = []
    for k in range(s.kams):
        team_id, manager, access, country, region, _name = teams[k % len(teams)]
        slug = regions[(k % len(teams)) % len(regions)][3]
        pk = user(f"kam.{slug}.{k + 1:03d}", Role.KAM, manager, team_id, country)
        load.kams.append((pk, manager, access, msls[slug][k % 2], country, region))
    w.table(
        User,
        [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "manager",
            "team",
            "country",
            "password",
            "date_joined",
        ],
    ).insert(rows)
    w.table(Team, ["id", "name", "lead", "country"]).insert(
        (team_id, name, manager, country) for team_id, manager, _a, country, _r, name in teams
    )
