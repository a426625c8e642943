"""The large demo's accounts with their numbers, team, listings, financials and assessment."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from accounts.models import (
    LISTED_STATUSES,
    Account,
    AccountFinancials,
    AccountTeamMember,
    AccountType,
    CompetitorProduct,
    Listing,
    ListingStatus,
    Product,
    QualificationCriterion,
    QualificationScore,
    TeamFunction,
)
from kam.demo.data import ACCOUNT_NAMES, COMPETITOR_AREA, COUNTRIES, NAME_PARTS, STREETS
from kam.demo.large.state import CRM_PREFIX, Acct, Load, apportion
from kam.demo.qualification import stored_qualification
from kam.demo.texts import FOCUS, plan_language

ACCOUNT_TYPES = [AccountType.HOSPITAL, AccountType.PHARMACY, AccountType.WHOLESALER]
LISTING_MIX = [*[ListingStatus.LISTED] * 3, *ListingStatus]  # listed most often, then any status
LISTING_MIX_KEY = [*[ListingStatus.LISTED] * 5, *ListingStatus]
# Why a KAM overrode the score, in the language they write in.
OVERRIDE_REASONS = {
    "en": {
        True: "Reference site for the region; the head of department chairs the society.",
        False: "Buys through the group contract; served by the group's key account.",
    },
    "de": {
        True: "Referenzzentrum der Region; der Chefarzt ist Vorsitzender der Fachgesellschaft.",
        False: "Kauft über den Konzernvertrag; betreut über den Key Account der Gruppe.",
    },
}
# The qualification fields every account row carries (basket penetration has its own column).
QUALIFICATION = ("qualification_score", "qualifies", "attractiveness", "position", "is_key_account")


def accounts_and_numbers(load: Load) -> None:
    """Each KAM's share of accounts, exactly their share of key accounts among them, with
    the numbers of their type, listings, four years of financials and a scored assessment."""
    s, rng, w = load.shape, load.rng, load.writer
    load.products = list(Product.objects.filter(active=True).order_by("pk"))
    # A product loses a listing to a competitor of its own therapeutic area only.
    by_area: dict[str, list[int]] = defaultdict(list)
    for pk, name in CompetitorProduct.objects.filter(name__in=COMPETITOR_AREA).order_by("pk").values_list("pk", "name"):
        by_area[COMPETITOR_AREA[name]].append(pk)
    competitors = {p.pk: by_area.get(p.therapeutic_area, []) for p in load.products}
    criteria = defaultdict(list)
    for c in QualificationCriterion.objects.filter(active=True).order_by("order", "pk"):
        criteria[c.account_type].append(c)
    per_kam = apportion(s.accounts, [1] * s.kams)
    key_per_kam = apportion(s.key_accounts, [1] * s.kams)
    ids = iter(w.ids(Account, s.accounts))
    accounts, team, listings, financials, scores = [], [], [], [], []
    serial = Account.objects.filter(crm_id__startswith=CRM_PREFIX).count()
    for k, ((kam, manager, access, msl, country, region), n, n_key) in enumerate(
        zip(load.kams, per_kam, key_per_kam, strict=True)
    ):
        currency, languages, regions = COUNTRIES[country]
        keys = [True] * n_key + [False] * (n - n_key)
        rng.shuffle(keys)
        group = group_kind = None
        for i, key in enumerate(keys):
            pk = next(ids)
            serial += 1
            kind = rng.choices(ACCOUNT_TYPES, weights=[0.5, 0.35, 0.15] if key else [0.25, 0.65, 0.1])[0]
            parent = None
            # Every third KAM has a group (hospital group, pharmacy cooperation) of three.
            if k % 3 == 0 and i < 3 and n >= 3:
                if i == 0:
                    group, group_kind = pk, kind
                else:
                    parent, kind = group, group_kind
            language = rng.choice(languages)
            city, state = rng.choice(regions[region])
            a = Acct(pk, kam, manager, kind, key, country, currency, language, access, msl)
            load.accounts.append(a)
            tier = rng.choice("AAB" if key else "BCC")
            size = {"A": 3, "B": 2, "C": 1}[tier]
            name = rng.choice(ACCOUNT_NAMES[(kind, language)]).format(
                c=city, **{part: rng.choice(words) for part, words in NAME_PARTS.items()}
            )
            a.university = name.startswith(("Universitätsklinikum", "CHU")) or "University" in name
            address = f"{rng.choice(STREETS[language])} {rng.randint(1, 180)}"
            hospital = kind == AccountType.HOSPITAL
            beds = formal = None
            ownership = model = ""
            turnover = goal = margin = discount = share = None
            if hospital:
                beds = rng.randint(120, 700) * size
                ownership = "university" if a.university else rng.choice(["public", "public", "private"])
                model = "professional" if rng.random() < 0.7 else "traditional"
                formal = model == "professional" or rng.random() < 0.3
            else:
                turnover = Decimal(rng.randint(2, 40) * size * (25 if kind == "wholesaler" else 1) * 100_000)
                goal = (turnover * Decimal("1.08")).quantize(Decimal(1))
                margin = Decimal(rng.randint(60, 320)) / 10
                discount = Decimal(rng.randint(10, 120)) / 10
                share = Decimal(rng.randint(50, 450)) / 10

            carried = [p for p in load.products if not (p.hospital_only and kind == AccountType.PHARMACY)]
            kept = rng.sample(carried, k=rng.randint(min(3, len(carried)), len(carried)))
            kept += [p for p in carried if p.brand == FOCUS[kind] and p not in kept]
            for product in kept:
                status = rng.choice(LISTING_MIX_KEY if key else LISTING_MIX)
                competitor = None
                if status in (ListingStatus.NOT_LISTED, ListingStatus.DELISTED) and competitors[product.pk]:
                    competitor = rng.choice(competitors[product.pk])
                committee = None
                if status in (ListingStatus.UNDER_REVIEW, ListingStatus.NOT_LISTED) or rng.random() < 0.15:
                    committee = load.today + timedelta(days=rng.randint(7, 240))  # the next one is ahead
                listings.append((pk, product.pk, status, competitor, committee))
                a.listings[product.pk] = (status, competitor is not None)

            # Scores that mostly agree with the key-account choice; where they do not, the KAM
            # overrode the score, with a reason, as the qualification page lets them.
            given = {}
            for c in criteria[kind]:
                score = rng.choice([3, 4, 4, 5, 5] if key else [1, 2, 2, 3, 3])
                if c.code == "professional_management" and hospital:
                    score = 5 if model == "professional" else 1
                if c.code == "dmu_exists" and formal is not None:
                    score = 5 if formal else 1
                given[c] = score
            scores.extend((pk, c.pk, score) for c, score in given.items())
            parts = {
                "account_type": kind,
                "scores": given,
                "market_share": share,
                "listed": sum(1 for status, _c in a.listings.values() if status in LISTED_STATUSES),
                "kept": len(a.listings),
                "portfolio": len(carried),
            }
            override, reason = None, ""
            if stored_qualification(**parts, override=None)["qualifies"] != key:
                override, reason = key, OVERRIDE_REASONS[plan_language(country)][key]
            stored = stored_qualification(**parts, override=override)
            accounts.append(
                (
                    pk,
                    name,
                    kind,
                    parent,
                    f"{CRM_PREFIX}{serial:06d}",
                    country,
                    state,
                    city,
                    address,
                    currency,
                    kam,
                    tier,
                    beds,
                    ownership,
                    model,
                    formal,
                    turnover,
                    goal,
                    margin,
                    discount,
                    stored.get("basket_penetration_pct"),
                    share,
                    override,
                    reason,
                    *(stored[name] for name in QUALIFICATION),
                    load.now - timedelta(days=rng.randint(30, 2000)),
                )
            )

            team.append((pk, kam, TeamFunction.KAM))
            a.on_team.add(kam)
            if key and len(load.accounts) % 3 == 0:
                team.append((pk, access, TeamFunction.MARKET_ACCESS))
                a.on_team.add(access)
            if key and hospital and len(load.accounts) % 2 == 0:
                team.append((pk, msl, TeamFunction.MSL))
                a.on_team.add(msl)
            revenue = Decimal(rng.randint(20, 400) * size * (3 if key else 1)) * 10_000
            for year in range(load.today.year - 3, load.today.year + 1):
                revenue = (revenue * (1 + Decimal(rng.randint(-8, 15)) / 100)).quantize(Decimal(1))
                target = (revenue * Decimal("1.05")).quantize(Decimal(1))
                hidden = hospital and rng.random() < 0.3  # sold through wholesalers: not visible to us
                profit = None if hidden else (revenue * Decimal("0.6")).quantize(Decimal(1))
                financials.append((pk, year, None if hidden else revenue, target, profit, revenue * 2))
    account_fields = ["id", "name", "account_type", "parent", "crm_id", "country", "region", "city", "address"]
    account_fields += ["currency", "owner", "tier", "beds", "ownership", "management_model", "has_formal_dmu"]
    account_fields += ["annual_turnover", "turnover_goal", "gross_margin_pct", "average_discount_pct"]
    account_fields += ["basket_penetration_pct", "market_share_pct", "qualification_override"]
    account_fields += ["qualification_override_reason", *QUALIFICATION, "created_at"]
    w.table(Account, account_fields).insert(accounts)
    w.table(AccountTeamMember, ["account", "user", "function"]).insert(team)
    w.table(Listing, ["account", "product", "status", "competitor_product", "next_committee_date"]).insert(listings)
    w.table(
        AccountFinancials,
        ["account", "year", "revenue_actual", "revenue_target", "gross_profit", "estimated_potential"],
    ).insert(financials)
    w.table(QualificationScore, ["account", "criterion", "score"]).insert(scores)
