"""The small demo organisation ``make run`` loads: run it as often as you like (it is idempotent).

``seed_demo`` loads it all in one transaction; the people, portfolio and accounts are here, their
stakeholders and surveys in ``kam.demo.seed_stakeholders``, their plans in ``kam.demo.seed_plans``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings

from accounts.models import (
    Account,
    AccountFinancials,
    AccountTeamMember,
    AccountType,
    CompetitorProduct,
    ExchangeRate,
    Listing,
    ListingStatus,
    Product,
    QualificationCriterion,
    TeamFunction,
)
from accounts.services import account_qualify, account_recompute
from kam.demo.data import (
    ACCOUNTS,
    COMPETITOR_AREA,
    COMPETITORS,
    DEMO_PASSWORD,
    HOSPITAL_ONLY,
    PEOPLE,
    PRODUCTS,
    RATES,
    STREETS,
)
from kam.demo.dmu_data import account_language
from kam.demo.seed_plans import seed_plans
from kam.demo.seed_stakeholders import seed_stakeholders, seed_surveys
from kam.demo.seed_tenders import seed_tenders
from kam.demo.texts import FOCUS
from kam.models import Role, Team, User
from kam.portfolio.health.refresh import refresh_health


def seed_demo() -> None:
    """The small demo organisation, in one transaction; what is already there is kept."""
    with transaction.atomic():
        users = seed_people()
        products = seed_portfolio()
        seed_rates()
        seed_accounts(users, products, random.Random(2026))
        seed_tenders(random.Random(27))
        seed_stakeholders(users, random.Random(7))
        # Hundreds of renders queued behind the demo's survey jobs would keep the worker busy for
        # minutes; the first download of each demo plan renders it instead.
        with override_settings(PLAN_EXPORT_PRERENDER=False):
            seed_plans(users, random.Random(11))
        seed_surveys(users, random.Random(13))
    # Every account's health now, rather than whenever the worker gets to the hourly refresh.
    refresh_health()


def seed_people() -> dict[str, User]:
    users: dict[str, User] = {}
    teams: dict[str, Team] = {}
    # One hash for every demo login: hashing each password separately takes a second apiece.
    password = make_password(DEMO_PASSWORD)
    for username, first, last, role, manager, team, country in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "country": country,
                "email": f"{username}@example.com",
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.password = password
        user.manager = users.get(manager) if manager else None
        if team:
            lead = users.get(manager)
            teams.setdefault(
                team, Team.objects.get_or_create(name=team, defaults={"lead": lead, "country": country})[0]
            )
            user.team = teams[team]
        user.save()
        users[username] = user
    return users


def seed_portfolio() -> list[Product]:
    products = [
        Product.objects.get_or_create(
            brand=b, defaults={"molecule": m, "therapeutic_area": ta, "hospital_only": b in HOSPITAL_ONLY}
        )[0]
        for b, m, ta in PRODUCTS
    ]
    for name, company, molecule, kind, _area in COMPETITORS:
        CompetitorProduct.objects.get_or_create(
            name=name, company=company, defaults={"molecule": molecule, "kind": kind}
        )
    return products


def seed_rates() -> None:
    this_year = date.today().year
    for year in range(this_year - 3, this_year + 2):
        for currency, rate in RATES.items():
            drift = Decimal(1) + Decimal(year - this_year) * Decimal("0.01")
            ExchangeRate.objects.get_or_create(
                year=year, currency=currency, defaults={"rate": (rate * drift).quantize(Decimal("0.0001"))}
            )


def seed_accounts(users: dict[str, User], products: list[Product], rng: random.Random) -> None:
    # A product loses a listing to a competitor of its own therapeutic area only.
    competitors: dict[str, list[CompetitorProduct]] = {}
    for competitor in CompetitorProduct.objects.filter(name__in=COMPETITOR_AREA).order_by("name"):
        competitors.setdefault(COMPETITOR_AREA[competitor.name], []).append(competitor)
    this_year = date.today().year
    for i, (name, kind, country, region, city, currency, owner, tier, parent) in enumerate(ACCOUNTS, start=1):
        crm_id = f"DEMO-{i:03d}"
        if Account.objects.filter(crm_id=crm_id).exists():
            continue
        account = Account(
            name=name,
            account_type=kind,
            country=country,
            region=region,
            city=city,
            currency=currency,
            owner=users[owner],
            tier=tier,
            crm_id=crm_id,
            parent=Account.objects.filter(crm_id=parent).first() if parent else None,
            address=f"{rng.choice(STREETS[account_language(country, city)])} {rng.randint(1, 120)}",
        )
        scale = {"A": 3, "B": 2, "C": 1}[tier]
        if kind == AccountType.HOSPITAL:
            account.beds = rng.randint(150, 700) * scale
            university = "niversit" in name
            account.ownership = "university" if university else rng.choice(["public", "public", "private"])
            account.management_model = "professional" if rng.random() < 0.75 else "traditional"
            account.has_formal_dmu = account.management_model == "professional" or rng.random() < 0.3
        else:
            turnover = Decimal(rng.randint(2, 40) * scale * (25 if kind == "wholesaler" else 1)) * 100000
            account.annual_turnover = turnover
            account.turnover_goal = (turnover * Decimal("1.08")).quantize(Decimal(1))
            account.gross_margin_pct = Decimal(rng.randint(60, 320)) / 10
            account.average_discount_pct = Decimal(rng.randint(10, 120)) / 10
            account.market_share_pct = Decimal(rng.randint(50, 450)) / 10
        account.full_clean()
        account.save()
        AccountTeamMember.objects.get_or_create(
            account=account, user=account.owner, therapeutic_area="", defaults={"function": TeamFunction.KAM}
        )
        if i % 3 == 0:
            AccountTeamMember.objects.get_or_create(
                account=account,
                user=users["access.felix"],
                therapeutic_area="",
                defaults={"function": TeamFunction.MARKET_ACCESS},
            )
        if kind == AccountType.HOSPITAL and i % 2 == 0:
            AccountTeamMember.objects.get_or_create(
                account=account,
                user=users["msl.greta"],
                therapeutic_area="",
                defaults={"function": TeamFunction.MSL},
            )
        carried = [p for p in products if not (p.hospital_only and kind == AccountType.PHARMACY)]
        kept = rng.sample(carried, k=rng.randint(3, len(carried)))
        kept += [p for p in carried if p.brand == FOCUS[kind] and p not in kept]
        for product in kept:
            status = rng.choice(
                [ListingStatus.LISTED] * 4
                + [
                    ListingStatus.RESTRICTED,
                    ListingStatus.UNDER_REVIEW,
                    ListingStatus.NOT_LISTED,
                    ListingStatus.DELISTED,
                ]
            )
            competitor = None
            rivals = competitors.get(product.therapeutic_area)
            if status in (ListingStatus.NOT_LISTED, ListingStatus.DELISTED) and rivals:
                competitor = rng.choice(rivals)
            committee = None
            if status in (ListingStatus.UNDER_REVIEW, ListingStatus.NOT_LISTED) or rng.random() < 0.2:
                committee = date.today() + timedelta(days=rng.randint(10, 200))
            Listing.objects.create(
                account=account,
                product=product,
                status=status,
                competitor_product=competitor,
                next_committee_date=committee,
            )
        base = Decimal(rng.randint(20, 400) * scale) * 10000
        for year in range(this_year - 2, this_year + 1):
            growth = Decimal(1) + Decimal(rng.randint(-8, 15)) / 100
            base = (base * growth).quantize(Decimal(1))
            hidden = kind == AccountType.HOSPITAL and rng.random() < 0.3
            AccountFinancials.objects.create(
                account=account,
                year=year,
                revenue_actual=None if hidden else base,
                revenue_target=(base * Decimal("1.05")).quantize(Decimal(1)),
                gross_profit=None if hidden else (base * Decimal("0.62")).quantize(Decimal(1)),
                estimated_potential=(base * Decimal("1.9")).quantize(Decimal(1)),
            )
        criteria = QualificationCriterion.objects.filter(account_type=kind, active=True)
        strength = {"A": 4, "B": 3, "C": 2}[tier]
        scores = {c.pk: max(0, min(5, strength + rng.randint(-1, 1))) for c in criteria}
        for c in criteria:
            if c.code == "professional_management":
                scores[c.pk] = 5 if account.management_model == "professional" else 1
            if c.code == "dmu_exists" and account.has_formal_dmu is not None:
                scores[c.pk] = 5 if account.has_formal_dmu else 1
        override, reason = None, ""
        if name == "Privatklinik Tegernblick":
            override, reason = True, "Referenzzentrum für Neurolin in Bayern; der Chefarzt leitet die Fachgesellschaft."
        account_qualify(account=account, scores=scores, override=override, reason=reason, by=users["admin"])
        account_recompute(account)
