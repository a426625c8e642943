"""``seed_demo --large``: demo data shaped like a big organisation, loaded in bulk.

At scale 1: 4 national heads over 8 regional heads over 40 team managers over 400 KAMs; 10,000
accounts (6,000 key accounts, 15 per KAM) with their numbers, listings, financials and scores;
about 100,000 stakeholders with their DMU roles and our coverage; 300,000 touchpoints; a plan for
every key account in the current period with 120,000 objectives and actions; ten CSAT campaigns
over five years with 500,000 invitations and their answers. ``scale`` shrinks every count (the
hierarchy keeps at least two teams), so tests run the same code at a few hundred rows.

Rows are generated in Python from one seeded ``random.Random`` (the same data every run) and
written with ``kam.bulk`` (COPY on PostgreSQL): no per-row queries, no signals, no history rows.
Derived figures (qualification, matrix position, basket penetration) are computed at the end in
``refresh_summaries``, from the rows as stored, the way the services would compute them.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import (
    LISTED_STATUSES,
    Account,
    AccountFinancials,
    AccountTeamMember,
    AccountType,
    CompetitorProduct,
    CriterionDimension,
    Listing,
    ListingStatus,
    Product,
    QualificationCriterion,
    QualificationScore,
    TeamFunction,
)
from kam.bulk import BulkWriter
from kam.demo.seed import (
    ACTIONS,
    DEMO_PASSWORD,
    DMU_TEMPLATES,
    MEDICAL_SUMMARIES,
    NAMES_DE,
    NAMES_GB,
    NEXT_STEPS,
    OBJECTIVES,
    PLAN_COMMENTARY,
    SUMMARIES,
    SWOT,
)
from kam.models import Role, Team, User
from plans.models import (
    AccountPlan,
    Action,
    CommunicationItem,
    Objective,
    PlanningPeriod,
    PlanReview,
    PlanStatus,
    PlanStep,
    RelationshipObjective,
    Resource,
    ReviewOutcome,
    SupplyingFunction,
    SwotItem,
    WhitespaceCell,
    WhitespaceStatus,
)
from stakeholders.models import (
    Affiliation,
    CampaignStatus,
    Coverage,
    InvitationStatus,
    LowScoreFollowUp,
    Person,
    Survey,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
    SurveyResponse,
    Touchpoint,
    TransferOfValue,
    category_for,
)

CRM_PREFIX = "LARGE-"
ACCOUNT_TYPES = [AccountType.HOSPITAL, AccountType.PHARMACY, AccountType.WHOLESALER]
LISTING_MIX = [*[ListingStatus.LISTED] * 3, *ListingStatus]  # listed most often, then any status
LISTING_MIX_KEY = [*[ListingStatus.LISTED] * 5, *ListingStatus]
OVERRIDE_REASONS = {
    True: "Reference site for the region; the head of department chairs the society.",
    False: "Buys through the group contract; served by the group's key account.",
}
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


def _pct(value: Decimal) -> int:
    # As accounts.services._pct: half up, so the seed and the services round alike.
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Countries of the sales organisation: currency, languages, and two sales regions of (city, state).
COUNTRIES = {
    "DE": (
        "EUR",
        ["de"],
        {
            "Nord": [
                ("Hamburg", "Hamburg"),
                ("Bremen", "Bremen"),
                ("Hannover", "Niedersachsen"),
                ("Kiel", "Schleswig-Holstein"),
                ("Rostock", "Mecklenburg-Vorpommern"),
                ("Berlin", "Berlin"),
                ("Dresden", "Sachsen"),
                ("Leipzig", "Sachsen"),
                ("Köln", "Nordrhein-Westfalen"),
                ("Münster", "Nordrhein-Westfalen"),
            ],
            "Süd": [
                ("München", "Bayern"),
                ("Nürnberg", "Bayern"),
                ("Augsburg", "Bayern"),
                ("Stuttgart", "Baden-Württemberg"),
                ("Freiburg", "Baden-Württemberg"),
                ("Konstanz", "Baden-Württemberg"),
                ("Frankfurt am Main", "Hessen"),
                ("Kassel", "Hessen"),
                ("Mainz", "Rheinland-Pfalz"),
                ("Saarbrücken", "Saarland"),
            ],
        },
    ),
    "GB": (
        "GBP",
        ["en"],
        {
            "North": [
                ("Manchester", "North West"),
                ("Liverpool", "North West"),
                ("Leeds", "Yorkshire"),
                ("Sheffield", "Yorkshire"),
                ("Newcastle", "North East"),
                ("Glasgow", "Scotland"),
                ("Edinburgh", "Scotland"),
                ("Birmingham", "Midlands"),
                ("Nottingham", "Midlands"),
            ],
            "South": [
                ("London", "London"),
                ("Oxford", "South East"),
                ("Brighton", "South East"),
                ("Southampton", "South East"),
                ("Bristol", "South West"),
                ("Exeter", "South West"),
                ("Cambridge", "East of England"),
                ("Norwich", "East of England"),
                ("Cardiff", "Wales"),
            ],
        },
    ),
    "CH": (
        "CHF",
        ["de", "fr"],
        {
            "Deutschschweiz": [
                ("Zürich", "Zürich"),
                ("Winterthur", "Zürich"),
                ("Basel", "Basel-Stadt"),
                ("Bern", "Bern"),
                ("Luzern", "Luzern"),
                ("St. Gallen", "St. Gallen"),
                ("Aarau", "Aargau"),
                ("Chur", "Graubünden"),
            ],
            "Romandie": [
                ("Genève", "Genève"),
                ("Lausanne", "Vaud"),
                ("Fribourg", "Fribourg"),
                ("Neuchâtel", "Neuchâtel"),
                ("Sion", "Valais"),
                ("Lugano", "Ticino"),
            ],
        },
    ),
    "FR": (
        "EUR",
        ["fr"],
        {
            "Nord": [
                ("Paris", "Île-de-France"),
                ("Lille", "Hauts-de-France"),
                ("Rouen", "Normandie"),
                ("Strasbourg", "Grand Est"),
                ("Nantes", "Pays de la Loire"),
                ("Rennes", "Bretagne"),
            ],
            "Sud": [
                ("Lyon", "Auvergne-Rhône-Alpes"),
                ("Marseille", "Provence-Alpes-Côte d'Azur"),
                ("Nice", "Provence-Alpes-Côte d'Azur"),
                ("Toulouse", "Occitanie"),
                ("Montpellier", "Occitanie"),
                ("Bordeaux", "Nouvelle-Aquitaine"),
            ],
        },
    ),
}
NAMES_FR = (
    ["Camille", "Claire", "Élodie", "Julien", "Lucas", "Manon", "Mathieu", "Nicolas", "Pauline", "Sophie", "Thomas"],
    ["Bernard", "Blanc", "Dubois", "Durand", "Fontaine", "Girard", "Lambert", "Laurent", "Martin", "Moreau", "Petit"],
)
NAMES = {"de": NAMES_DE, "en": NAMES_GB, "fr": NAMES_FR}
ACCOUNT_NAMES = {
    ("hospital", "de"): ["Klinikum {c}", "Universitätsklinikum {c}", "Kreiskrankenhaus {c}", "St. {s} Krankenhaus {c}"],
    ("hospital", "en"): ["{c} University Hospitals NHS Trust", "{c} General Hospital", "St {s}'s Hospital {c}"],
    ("hospital", "fr"): ["CHU de {c}", "Centre hospitalier de {c}", "Clinique Saint-{s} {c}"],
    ("pharmacy", "de"): ["{x}-Apotheke {c}", "Apotheke am {y} {c}"],
    ("pharmacy", "en"): ["{z} Pharmacy {c}", "{c} {z} Chemists"],
    ("pharmacy", "fr"): ["Pharmacie {w} {c}"],
    ("wholesaler", "de"): ["Pharma-Großhandel {c}", "Arzneimittel-Logistik {c}"],
    ("wholesaler", "en"): ["{c} Healthcare Wholesale Ltd", "{c} Pharma Distribution"],
    ("wholesaler", "fr"): ["Répartition pharmaceutique {c}", "Distrimed {c}"],
}
NAME_PARTS = {
    "s": ["Georg", "Elisabeth", "Josef", "Marien", "Martin", "Anna", "Luke", "Mary", "Thomas", "Vincent"],
    "x": ["Stern", "Löwen", "Adler", "Rosen", "Hirsch", "Linden", "Markt", "Bahnhof", "Rathaus", "Sonnen", "Engel"],
    "y": ["Markt", "Dom", "Rathaus", "Park", "Ring", "Tor"],
    "z": ["Riverside", "High Street", "Market", "Park", "Station", "Castle", "Abbey", "Central"],
    "w": ["du Centre", "de la Gare", "du Marché", "des Halles", "du Parc", "de l'Église"],
}
HOSPITAL_EXTRAS = [
    ("physician", "user", "Senior Physician", ["Cardiology", "Oncology", "Haematology", "Neurology"]),
    ("physician", "influencer", "Consultant", ["Internal Medicine", "Oncology", "Cardiology"]),
    ("nurse", "user", "Ward Nurse", ["Oncology", "Cardiology", "Day Clinic"]),
    ("head_of_department", "decision_maker", "Head of Department", ["Neurology", "Haematology", "Respiratory"]),
    ("hospital_pharmacist", "influencer", "Clinical Pharmacist", ["Hospital Pharmacy"]),
    ("formulary_committee", "influencer", "Drug Committee Member", ["P&T Committee"]),
    ("procurement", "buyer", "Buyer", ["Procurement"]),
]
TRADE_EXTRAS = [
    ("owner_buyer", "influencer", "Pharmacist", ["Dispensary"]),
    ("other", "user", "Sales Assistant", ["Sales"]),
    ("procurement", "buyer", "Buyer", ["Purchasing"]),
]
TOUCHPOINT_KINDS = ["visit", "visit", "visit", "call", "call", "email", "event", "congress"]
MORE_ACTIONS = [
    ("Prepare the formulary dossier", "planned"),
    ("Run the pharmacy staff training", "in_progress"),
    ("Agree the tender timetable with procurement", "planned"),
    ("Review stock levels with the wholesaler", "done"),
    ("Hold the joint steering meeting", "planned"),
    ("Share outcome data with the drug committee", "blocked"),
    ("Visit the new head of department", "done"),
    ("Map the patient pathway with nursing", "in_progress"),
]
COMMENTS = ["", "", "", "", "Quick and reliable support.", "Deliveries were late twice.", "More outcome data, please."]
CSAT_SCORES = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]
SUPPLIERS = list(SupplyingFunction)
CONSENT_WORDING = (
    "I agree to receive short feedback surveys by e-mail from Helvetia Pharma; I can stop them at any time."
)


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
    on_team: set[int] = field(default_factory=set)
    people: list[Member] = field(default_factory=list)
    listings: dict[int, tuple[str, bool]] = field(default_factory=dict)  # product → (status, has competitor)


class LargeDemo:
    def __init__(self, scale: float, log: Callable[[str], None]) -> None:
        self.shape = Shape.at(scale)
        self.rng = random.Random(SEED)
        self.log = log
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.writer = BulkWriter(self.now)
        self.accounts: list[Acct] = []

    # The whole run -------------------------------------------------------------------------------

    def run(self, admin: User) -> dict[str, int]:
        self.admin = admin
        with transaction.atomic():
            with self.writer:
                self._timed(self.users)
                # Users and teams refer to each other; from here on every table refers only to
                # tables written before it, so foreign keys can be checked as each chunk goes in.
                self.writer.check_constraints_now()
                for step in (self.accounts_and_numbers, self.stakeholders, self.touchpoints, self.plans, self.surveys):
                    self._timed(step)
            self.writer.finish()
            self._timed(self.refresh_summaries)
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner sees the new sizes from the first page view; and,
            # outside a transaction, a vacuum too.
            self._timed(self.analyze)
        return dict(self.writer.counts)

    def _timed(self, step: Callable[[], object]) -> None:
        w = self.writer
        started, busy, waited = time.perf_counter(), w.copy_seconds, w.waited_seconds
        step()
        w.drain()
        elapsed = time.perf_counter() - started
        busy, waited = w.copy_seconds - busy, w.waited_seconds - waited
        detail = f" (database busy {busy:.1f} s, Python waited {waited:.1f} s)" if busy else ""
        self.log(f"  {step.__name__.replace('_', ' ')}: {elapsed:.1f} s{detail}")

    def _when(self, day: date, hour: int = 9) -> datetime:
        return datetime.combine(day, clock(hour, self.rng.randrange(60)), tzinfo=UTC)

    # The organisation ----------------------------------------------------------------------------

    def users(self) -> None:
        """National heads over regional heads over team managers over KAMs, round-robin, so
        every level gets an even share; a market-access colleague per team, two MSLs per region."""
        s, rng, w = self.shape, self.rng, self.writer
        password = make_password(DEMO_PASSWORD)  # one hash for everyone: hashing 500 would take minutes
        codes = list(COUNTRIES)
        rows: list[tuple] = []
        user_ids = iter(w.ids(User, s.national_heads + s.regional_heads + 2 * s.teams + s.kams + 2 * s.regional_heads))
        team_ids = w.ids(Team, s.teams)

        def user(username: str, role: str, manager: int | None, team: int | None, country: str) -> int:
            first, last = NAMES[COUNTRIES[country][1][0]]
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
                    self.now,
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
        self.kams = []
        for k in range(s.kams):
            team_id, manager, access, country, region, _name = teams[k % len(teams)]
            slug = regions[(k % len(teams)) % len(regions)][3]
            pk = user(f"kam.{slug}.{k + 1:03d}", Role.KAM, manager, team_id, country)
            self.kams.append((pk, manager, access, msls[slug][k % 2], country, region))
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

    # Accounts ------------------------------------------------------------------------------------

    def accounts_and_numbers(self) -> None:
        """Each KAM's share of accounts, exactly their share of key accounts among them, with
        the numbers of their type, listings, four years of financials and a scored assessment."""
        s, rng, w = self.shape, self.rng, self.writer
        self.products = list(Product.objects.filter(active=True).order_by("pk"))
        competitors = list(CompetitorProduct.objects.values_list("pk", flat=True))
        criteria = defaultdict(list)
        for c in QualificationCriterion.objects.filter(active=True).order_by("order", "pk"):
            criteria[c.account_type].append(c)
        per_kam = apportion(s.accounts, [1] * s.kams)
        key_per_kam = apportion(s.key_accounts, [1] * s.kams)
        ids = iter(w.ids(Account, s.accounts))
        accounts, team, listings, financials, scores = [], [], [], [], []
        serial = Account.objects.filter(crm_id__startswith=CRM_PREFIX).count()
        for k, ((kam, manager, access, msl, country, region), n, n_key) in enumerate(
            zip(self.kams, per_kam, key_per_kam, strict=True)
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
                self.accounts.append(a)
                tier = rng.choice("AAB" if key else "BCC")
                size = {"A": 3, "B": 2, "C": 1}[tier]
                name = rng.choice(ACCOUNT_NAMES[(kind, language)]).format(
                    c=city, **{part: rng.choice(words) for part, words in NAME_PARTS.items()}
                )
                address = f"{rng.choice(['Hauptstraße', 'High Street', 'Rue de la Paix'])} {rng.randint(1, 180)}"
                hospital = kind == AccountType.HOSPITAL
                beds = formal = None
                ownership = model = ""
                turnover = goal = margin = discount = share = None
                if hospital:
                    beds = rng.randint(120, 700) * size
                    ownership = rng.choice(["public", "public", "university", "private"])
                    model = "professional" if rng.random() < 0.7 else "traditional"
                    formal = model == "professional" or rng.random() < 0.3
                else:
                    turnover = Decimal(rng.randint(2, 40) * size * (25 if kind == "wholesaler" else 1) * 100_000)
                    goal = (turnover * Decimal("1.08")).quantize(Decimal(1))
                    margin = Decimal(rng.randint(60, 320)) / 10
                    discount = Decimal(rng.randint(10, 120)) / 10
                    share = Decimal(rng.randint(50, 450)) / 10

                for product in rng.sample(self.products, k=rng.randint(min(3, len(self.products)), len(self.products))):
                    status = rng.choice(LISTING_MIX_KEY if key else LISTING_MIX)
                    competitor = None
                    if status in (ListingStatus.NOT_LISTED, ListingStatus.DELISTED) and competitors:
                        competitor = rng.choice(competitors)
                    committee = None
                    if status in (ListingStatus.UNDER_REVIEW, ListingStatus.NOT_LISTED) or rng.random() < 0.15:
                        committee = self.today + timedelta(days=rng.randint(-60, 240))
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
                listed = sum(1 for status, _c in a.listings.values() if status in LISTED_STATUSES)
                kept = listed if a.listings else None
                figures = qualification_figures(kind, given, share, kept, None, len(self.products))
                override, reason = None, ""
                if figures.qualifies != key:
                    override, reason = key, OVERRIDE_REASONS[key]
                    figures = qualification_figures(kind, given, share, kept, override, len(self.products))
                basket = None if hospital or figures.listing_share is None else Decimal(figures.listing_share)
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
                        basket,
                        share,
                        override,
                        reason,
                        *figures.stored(),
                        self.now - timedelta(days=rng.randint(30, 2000)),
                    )
                )

                team.append((pk, kam, TeamFunction.KAM))
                a.on_team.add(kam)
                if key and len(self.accounts) % 3 == 0:
                    team.append((pk, access, TeamFunction.MARKET_ACCESS))
                    a.on_team.add(access)
                if key and hospital and len(self.accounts) % 2 == 0:
                    team.append((pk, msl, TeamFunction.MSL))
                    a.on_team.add(msl)
                revenue = Decimal(rng.randint(20, 400) * size * (3 if key else 1)) * 10_000
                for year in range(self.today.year - 3, self.today.year + 1):
                    revenue = (revenue * (1 + Decimal(rng.randint(-8, 15)) / 100)).quantize(Decimal(1))
                    target = (revenue * Decimal("1.05")).quantize(Decimal(1))
                    hidden = hospital and rng.random() < 0.3  # sold through wholesalers: not visible to us
                    profit = None if hidden else (revenue * Decimal("0.6")).quantize(Decimal(1))
                    financials.append((pk, year, None if hidden else revenue, target, profit, revenue * 2))
        account_fields = ["id", "name", "account_type", "parent", "crm_id", "country", "region", "city", "address"]
        account_fields += ["currency", "owner", "tier", "beds", "ownership", "management_model", "has_formal_dmu"]
        account_fields += ["annual_turnover", "turnover_goal", "gross_margin_pct", "average_discount_pct"]
        account_fields += ["basket_penetration_pct", "market_share_pct", "qualification_override"]
        account_fields += ["qualification_override_reason", *QualificationFigures.FIELDS, "created_at"]
        w.table(Account, account_fields).insert(accounts)
        w.table(AccountTeamMember, ["account", "user", "function"]).insert(team)
        w.table(Listing, ["account", "product", "status", "competitor_product", "next_committee_date"]).insert(listings)
        w.table(
            AccountFinancials,
            ["account", "year", "revenue_actual", "revenue_target", "gross_profit", "estimated_potential"],
        ).insert(financials)
        w.table(QualificationScore, ["account", "criterion", "score"]).insert(scores)

    # Stakeholders --------------------------------------------------------------------------------

    def _dmu_plan(self, a: Acct, size: int) -> list[tuple]:
        """(key, function, role, title, department, boss key, influence, stance) for ``size`` people."""
        template = list(DMU_TEMPLATES[a.kind])
        extras = HOSPITAL_EXTRAS if a.kind == AccountType.HOSPITAL else TRADE_EXTRAS
        boss = template[0][0]
        for n in range(max(0, size - len(template))):
            function, role, title, departments = extras[n % len(extras)]
            influence = self.rng.randint(1, 4)
            template.append((f"x{n}", function, role, title, self.rng.choice(departments), boss, influence, 0))
        return template[:size]

    def stakeholders(self) -> None:
        s, rng, w = self.shape, self.rng, self.writer
        weights = []
        for a in self.accounts:
            base = {"hospital": 20, "pharmacy": 5, "wholesaler": 8}[a.kind] * (1 if a.key else 0.6)
            weights.append(base * rng.uniform(0.7, 1.3))
        sizes = apportion(s.stakeholders, weights)
        person_ids = iter(w.ids(Person, s.stakeholders))
        affiliation_ids = iter(w.ids(Affiliation, s.stakeholders))
        people, affiliations, coverage, consents = [], [], [], []
        for a, size in zip(self.accounts, sizes, strict=True):
            first_names, last_names = NAMES[a.language]
            made: dict[str, int] = {}
            for key, function, role, title, dept, boss, influence, stance in self._dmu_plan(a, size):
                person, pk = next(person_ids), next(affiliation_ids)
                first, last = rng.choice(first_names), rng.choice(last_names)
                doctor = function in ("physician", "head_of_department")
                opted_out = self.now - timedelta(days=rng.randint(1, 400)) if rng.random() < 0.02 else None
                no_contact = rng.random() < 0.01
                people.append(
                    (
                        person,
                        "Dr." if doctor else "",
                        first,
                        last,
                        f"{first}.{last}.{person}@example.org".lower(),
                        a.language,
                        no_contact,
                        opted_out,
                    )
                )
                consent = rng.random() < 0.85
                if consent:
                    given_at = self.now - timedelta(days=rng.randint(400, 2200))
                    consents.append((person, "Signed consent form at a visit", CONSENT_WORDING, given_at))
                influence = max(1, min(5, influence + rng.randint(-1, 1)))
                stance = max(-2, min(2, stance + rng.randint(-1, 1)))
                category = category_for(function)
                affiliations.append(
                    (
                        pk,
                        person,
                        a.id,
                        title,
                        dept,
                        function,
                        category,
                        role,
                        influence,
                        stance,
                        made.get(boss),
                        self.today - timedelta(days=rng.randint(200, 3000)),
                        None,
                    )
                )
                made[key] = pk
                name = " ".join(p for p in ("Dr." if doctor else "", first, last) if p)
                surveyable = consent and not no_contact and opted_out is None
                a.people.append(Member(pk, person, function, category, role, influence, stance, dept, name, surveyable))
                # Our side: the owner holds most relationships at key accounts, fewer elsewhere;
                # market access the managerial ones and the MSL the medical ones where on the team.
                if rng.random() < (0.8 if a.key else 0.4):
                    coverage.append((pk, a.owner, rng.randint(2, 5), False))
                if a.access in a.on_team and category == "managerial" and rng.random() < 0.5:
                    coverage.append((pk, a.access, rng.randint(2, 4), False))
                if a.msl in a.on_team and category == "medical" and rng.random() < 0.6:
                    coverage.append((pk, a.msl, rng.randint(3, 5), True))
        # People move: some also held an earlier position at another account, long ended.
        moved = []
        for a in rng.sample(self.accounts, k=len(self.accounts) // 10):
            for m in a.people[:3]:
                other = rng.choice(self.accounts)
                if other.id != a.id:
                    left = self.today - timedelta(days=rng.randint(250, 2000))
                    started = left - timedelta(days=rng.randint(300, 3000))
                    moved.append(
                        (
                            m.person,
                            other.id,
                            "Previous position",
                            "",
                            m.function,
                            m.category,
                            "influencer",
                            m.influence,
                            0,
                            None,
                            started,
                            left,
                        )
                    )
        w.table(
            Person,
            [
                "id",
                "title",
                "first_name",
                "last_name",
                "email",
                "preferred_language",
                "do_not_contact",
                "survey_opt_out_at",
            ],
        ).insert(people)
        aff_fields = ["person", "account", "position_title", "department", "function", "category", "dmu_role"]
        aff_fields += ["influence", "stance", "reports_to", "start_date", "end_date"]
        w.table(Affiliation, ["id", *aff_fields]).insert(affiliations)
        moved_ids = w.ids(Affiliation, len(moved))
        w.table(Affiliation, ["id", *aff_fields]).insert((pk, *row) for pk, row in zip(moved_ids, moved, strict=True))
        w.table(Coverage, ["affiliation", "user", "strength", "is_medical"]).insert(coverage)
        w.table(SurveyConsent, ["person", "source", "wording", "given_at"]).insert(consents)

    # Touchpoints ---------------------------------------------------------------------------------

    def touchpoints(self) -> None:
        s, rng, w = self.shape, self.rng, self.writer
        weights = [(40 if a.key else 15) * rng.uniform(0.6, 1.4) if a.people else 0 for a in self.accounts]
        counts = apportion(s.touchpoints, weights)
        ids = iter(w.ids(Touchpoint, s.touchpoints))
        participants: list[tuple] = []
        met: list[tuple] = []
        transfers: list[tuple] = []

        def rows() -> Iterator[tuple]:
            for a, n in zip(self.accounts, counts, strict=True):
                person_ids = [m.person for m in a.people]
                for _ in range(n):
                    pk = next(ids)
                    # Denser in recent months, as a CRM history is.
                    day = self.today - timedelta(days=int(1095 * rng.random() ** 1.6))
                    medical = a.msl in a.on_team and rng.random() < 0.15
                    author = a.msl if medical else a.owner
                    kind = "advisory_board" if medical and rng.random() < 0.3 else rng.choice(TOUCHPOINT_KINDS)
                    follow = day + timedelta(days=rng.randint(7, 40)) if rng.random() < 0.35 else None
                    done = bool(follow and follow < self.today and rng.random() < 0.7)
                    summary = rng.choice(MEDICAL_SUMMARIES if medical else SUMMARIES)
                    participants.append((pk, author))
                    if not medical and a.access in a.on_team and rng.random() < 0.2:
                        participants.append((pk, a.access))
                    people = rng.sample(person_ids, k=min(len(person_ids), rng.choice((1, 1, 2, 3))))
                    met.extend((pk, person) for person in people)
                    if kind == "event" and not medical and rng.random() < 0.3:
                        amount = Decimal(rng.choice([250, 480, 650]))
                        consent = rng.random() < 0.7
                        transfers.append(
                            (pk, "registration_fee", people[0], amount, a.currency, consent, f"EXP-{pk:07d}")
                        )
                    yield (
                        pk,
                        a.id,
                        day,
                        kind,
                        summary,
                        rng.choice(NEXT_STEPS) if follow else "",
                        follow,
                        done,
                        author,
                        medical,
                        self._when(day, 17),
                    )

        w.table(
            Touchpoint,
            [
                "id",
                "account",
                "date",
                "kind",
                "summary",
                "next_step",
                "follow_up_date",
                "follow_up_done",
                "logged_by",
                "is_medical",
                "created_at",
            ],
        ).insert(rows())
        w.table(Touchpoint.participants.through, ["touchpoint", "user"]).insert(participants)
        w.table(Touchpoint.stakeholders.through, ["touchpoint", "person"]).insert(met)
        w.table(
            TransferOfValue,
            [
                "touchpoint",
                "category",
                "recipient_person",
                "amount",
                "currency",
                "disclosure_consent",
                "expense_record_id",
            ],
        ).insert(transfers)

    # Plans ---------------------------------------------------------------------------------------

    def plans(self) -> None:
        """One plan per key account for the current period: 30 % drafts, 20 % submitted, 10 %
        with changes requested, 40 % approved (a tenth of those overdue for review)."""
        from plans.services import DEFAULT_COMMUNICATIONS

        s, rng, w = self.shape, self.rng, self.writer
        year = self.today.year
        period, _ = PlanningPeriod.objects.get_or_create(
            name=f"FY {year}", defaults={"start": date(year, 1, 1), "end": date(year, 12, 31)}
        )
        key = [a for a in self.accounts if a.key]
        plan_ids = w.ids(AccountPlan, len(key))
        sizes = apportion(s.plan_rows, [rng.uniform(0.5, 1.5) for _ in key])
        n_objectives = [max(1, round(n * rng.uniform(0.2, 0.4))) if n > 1 else n for n in sizes]
        objective_ids = iter(w.ids(Objective, sum(n_objectives)))
        action_ids = iter(w.ids(Action, s.plan_rows - sum(n_objectives)))
        plans, steps, comms, cells, swot, objectives, actions = [], [], [], [], [], [], []
        resources, action_people, relationship, reviews = [], [], [], []
        elapsed = (self.today - period.start).days
        for i, (a, pk, size, n_obj) in enumerate(zip(key, plan_ids, sizes, n_objectives, strict=True)):
            state = i % 10
            status = (
                PlanStatus.DRAFT
                if state < 3
                else PlanStatus.SUBMITTED
                if state < 5
                else PlanStatus.CHANGES_REQUESTED
                if state == 5
                else PlanStatus.APPROVED
            )
            created = self._when(period.start + timedelta(days=rng.randint(0, max(1, min(60, elapsed)))))
            submitted = approved = next_review = snapshot = None
            if status != PlanStatus.DRAFT:
                submitted = created + timedelta(days=rng.randint(10, 60))
            if status == PlanStatus.APPROVED:
                approved = submitted + timedelta(days=rng.randint(1, 14))
                next_review = approved.date() + timedelta(days=91)
                if state == 9 and next_review >= self.today:  # approved long ago: review overdue
                    next_review = self.today - timedelta(days=rng.randint(5, 40))
            dmu = {
                str(m.id): {"name": m.name, "stance": m.stance, "influence": m.influence} for m in a.people
            }  # as plans.services.plan_snapshot keeps it
            if submitted:
                snapshot = {
                    "taken_at": submitted.isoformat(),
                    "stakeholders": [
                        {"affiliation": m.id, "person": m.person, "name": m.name, "position": m.department}
                        | {"role": m.role, "influence": m.influence, "stance": m.stance}
                        | {"covered": True, "stale": False}
                        for m in a.people
                    ],
                    "gaps": [],
                }
            plans.append(
                (
                    pk,
                    a.id,
                    period.pk,
                    status,
                    Decimal(rng.choice([10000, 15000, 25000, 40000])),
                    a.currency,
                    next_review,
                    snapshot,
                    submitted,
                    a.owner if submitted else None,
                    approved,
                    a.manager if approved else None,
                    a.owner,
                    created,
                    approved or submitted or created,
                )
            )
            contents = {
                1: {
                    "commentary": rng.choice(PLAN_COMMENTARY),
                    "investment_decision": rng.choice(["invest", "maintain"]),
                },
                2: {"strategy": "Consolidate into a regional centre of excellence.", "needs": "Predictable budgets."}
                | {"drivers": "Budget pressure; formulary review twice a year."},
                3: {"notes": "Win over the head of controlling; keep the chief pharmacist close."},
                4: {"value_proposition": "Fewer readmissions and a predictable drug budget through a shared pathway."},
                5: {"notes": ""},
                6: {"audit_notes": "Quarterly check with the account team."},
                7: {"notes": ""},
            }
            steps.extend((pk, n, content, 1, a.owner, created) for n, content in contents.items())
            comms.extend(
                (pk, kind, str(aud), str(msg), str(ch), str(fr), a.owner)
                for kind, aud, msg, ch, fr in DEFAULT_COMMUNICATIONS
            )
            # The white space as plan_create fills it: DMU departments × our products, from the listings.
            centres = sorted({m.department for m in a.people if m.department})[:4] or ["Whole account"]
            for product in self.products:
                listed = a.listings.get(product.pk)
                if listed is None or listed[0] == ListingStatus.UNDER_REVIEW:
                    cell = WhitespaceStatus.OPPORTUNITY
                elif listed[0] in LISTED_STATUSES:
                    cell = WhitespaceStatus.OURS
                else:
                    cell = WhitespaceStatus.COMPETITOR if listed[1] else WhitespaceStatus.OPPORTUNITY
                for centre in centres:
                    value = None
                    if cell == WhitespaceStatus.OPPORTUNITY and rng.random() < 0.3:
                        value = Decimal(rng.choice([15_000, 40_000, 85_000, 120_000]))
                    cells.append((pk, centre, product.pk, cell, value))
            swot.extend((pk, kind, text) for kind, text in SWOT)
            snap_objectives, snap_actions, mine = {}, {}, []
            for n in range(n_obj):
                title, kpi, unit, baseline, target, months = OBJECTIVES[n % len(OBJECTIVES)]
                oid = next(objective_ids)
                base, goal = Decimal(baseline), Decimal(target)
                current = (base + (goal - base) * Decimal(rng.randint(20, 110)) / 100).quantize(Decimal("0.1"))
                due = min(period.end, period.start + timedelta(days=30 * (months + n % 3)))
                if n >= len(OBJECTIVES):
                    title = f"{title} ({n // len(OBJECTIVES) + 1})"
                objectives.append((oid, pk, title, kpi, unit, base, goal, current, due, a.owner))
                snap_objectives[str(oid)] = {"title": title, "current": str(current), "target": str(goal)}
                snap_objectives[str(oid)]["status"] = "on_track"
                mine.append(oid)
            for n in range(size - n_obj):
                aid = next(action_ids)
                if n < len(ACTIONS):
                    title, _days, status_ = ACTIONS[n]
                else:
                    title, status_ = MORE_ACTIONS[(n - len(ACTIONS)) % len(MORE_ACTIONS)]
                due = min(period.end, max(period.start, self.today + timedelta(days=rng.randint(-120, 150))))
                actions.append((aid, pk, mine[n % len(mine)] if mine else None, title, a.owner, due, status_))
                snap_actions[str(aid)] = {"title": title, "status": status_, "due": due.isoformat()}
                if rng.random() < 0.5:
                    days, budget = Decimal(rng.randint(1, 8)), Decimal(rng.choice([0, 500, 1500, 4000]))
                    resources.append((aid, days, budget, a.currency, rng.choice(SUPPLIERS)))
                if a.people and rng.random() < 0.3:
                    action_people.append((aid, rng.choice(a.people).person))
            for m in sorted(a.people, key=lambda m: -m.influence)[:2]:
                relationship.append((pk, m.id, m.stance, min(2, m.stance + 1), period.end, a.owner))
            if status in (PlanStatus.APPROVED, PlanStatus.CHANGES_REQUESTED):
                snap = {"objectives": snap_objectives, "actions": snap_actions, "dmu": dmu}
                outcome = ReviewOutcome.APPROVED if approved else ReviewOutcome.CHANGES_REQUESTED
                comment = "Good plan." if approved else "Objective 2 needs a clearer KPI."
                step_comments = {} if approved else {"4": "Sharpen the KPI."}
                reviewed = approved or submitted + timedelta(days=3)
                reviews.append((pk, a.manager, reviewed, outcome, comment, step_comments, snap))
        w.table(
            AccountPlan,
            [
                "id",
                "account",
                "period",
                "status",
                "budget",
                "budget_currency",
                "next_review_date",
                "xray_snapshot",
                "submitted_at",
                "submitted_by",
                "approved_at",
                "approved_by",
                "created_by",
                "created_at",
                "updated_at",
            ],
        ).insert(plans)
        w.table(PlanStep, ["plan", "number", "content", "version", "updated_by", "updated_at"]).insert(steps)
        w.table(
            CommunicationItem, ["plan", "audience_kind", "audience", "message", "channel", "frequency", "owner"]
        ).insert(comms)
        w.table(WhitespaceCell, ["plan", "buying_centre", "product", "status", "estimated_value"]).insert(cells)
        w.table(SwotItem, ["plan", "kind", "text"]).insert(swot)
        w.table(
            Objective,
            ["id", "plan", "title", "kpi", "unit", "baseline", "target", "current_value", "due_date", "owner"],
        ).insert(objectives)
        w.table(Action, ["id", "plan", "objective", "title", "owner", "due_date", "status"]).insert(actions)
        w.table(Resource, ["action", "people_days", "budget", "currency", "function"]).insert(resources)
        w.table(Action.stakeholders.through, ["action", "person"]).insert(action_people)
        w.table(RelationshipObjective, ["plan", "affiliation", "from_stance", "to_stance", "due_date", "owner"]).insert(
            relationship
        )
        w.table(
            PlanReview, ["plan", "reviewer", "reviewed_at", "outcome", "comment", "step_comments", "snapshot"]
        ).insert(reviews)

    # Surveys -------------------------------------------------------------------------------------

    def surveys(self) -> None:
        """Two campaigns a year (spring and autumn); the newest is still open. Each invites people
        with consent at key accounts; about 45 % answer."""
        s, rng, w = self.shape, self.rng, self.writer
        survey = Survey.objects.get(is_default=True)
        rating = survey.questions.filter(kind="rating").values_list("pk", flat=True).first()
        pool = [(m.person, a) for a in self.accounts if a.key for m in a.people if m.surveyable]
        first_year = self.today.year - s.survey_years + 1
        rounds = []
        for year in range(first_year, self.today.year + 1):
            rounds.append((f"Large CSAT {year} spring", datetime(year, 3, 10, 8, tzinfo=UTC)))
            rounds.append((f"Large CSAT {year} autumn", datetime(year, 9, 15, 8, tzinfo=UTC)))
        rounds = [r for r in rounds if r[1] < self.now]
        rounds[-1] = (rounds[-1][0], self.now - timedelta(days=10))  # the open round
        campaign_ids = w.ids(SurveyCampaign, len(rounds))
        campaigns = []
        for (name, sent), pk in zip(rounds, campaign_ids, strict=True):
            is_open = pk == campaign_ids[-1]
            closes = (sent + timedelta(days=30)).date()
            status = CampaignStatus.OPEN if is_open else CampaignStatus.CLOSED
            campaigns.append((pk, name, survey.pk, sent, closes, status, self.admin.pk, sent, sent, is_open))
        w.table(
            SurveyCampaign,
            [
                "id",
                "name",
                "survey",
                "send_at",
                "close_date",
                "status",
                "created_by",
                "created_at",
                "dispatched_at",
                "reminder_after_days",
            ],
        ).insert((*row[:-1], 7) for row in campaigns)
        per_round = apportion(s.invitations, [1] * len(rounds))
        ids = iter(w.ids(SurveyInvitation, s.invitations))
        responses: list[tuple] = []
        follow_ups: list[tuple] = []

        def rows() -> Iterator[tuple]:
            for (pk, _name, _survey, sent, closes, _status, *_rest, is_open), n in zip(
                campaigns, per_round, strict=True
            ):
                for person, a in rng.sample(pool, k=min(n, len(pool))):
                    iid = next(ids)
                    answered = rng.random() < (0.3 if is_open else 0.45)
                    reminded = sent + timedelta(days=7) if not answered and rng.random() < 0.8 else None
                    status = InvitationStatus.SENT if is_open else InvitationStatus.EXPIRED
                    answered_at = None
                    if answered:
                        status = InvitationStatus.ANSWERED
                        answered_at = sent + timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 12))
                        score = rng.choice(CSAT_SCORES)
                        answers = {str(rating): rng.randint(max(1, score - 1), min(5, score + 1))} if rating else {}
                        responses.append((iid, score, answers, rng.choice(COMMENTS), answered_at, answered_at))
                        if score <= 2:
                            # Closed rounds' follow-ups were dealt with; the open round's are open.
                            closed = (answered_at + timedelta(days=30), a.owner, "Called; resolved.")
                            follow_ups.append((a.id, iid, answered_at, *((None, None, "") if is_open else closed)))
                    yield (iid, pk, person, a.id, a.language, status, 1, sent, reminded, answered_at, closes, sent)

        w.table(
            SurveyInvitation,
            [
                "id",
                "campaign",
                "person",
                "account",
                "language",
                "status",
                "attempts",
                "sent_at",
                "reminder_sent_at",
                "answered_at",
                "expires_on",
                "created_at",
            ],
        ).insert(rows())
        w.table(
            SurveyResponse, ["invitation", "csat_score", "answers", "comment", "submitted_at", "updated_at"]
        ).insert(responses)
        w.table(LowScoreFollowUp, ["account", "invitation", "opened_at", "closed_at", "closed_by", "note"]).insert(
            follow_ups
        )

    # Summaries -----------------------------------------------------------------------------------

    def refresh_summaries(self) -> None:
        """Figures the app keeps on the account, computed from the stored rows for all seeded
        accounts at once: qualification, then health (which reads it), after every table is loaded,
        in the same transaction."""
        from kam.portfolio.health.refresh import refresh_health

        ids = [a.id for a in self.accounts]
        fixed = refresh_qualification(ids)
        if fixed:
            self.log(f"  ({fixed} accounts' qualification differed from the generated one and was corrected)")
        refresh_health(ids)

    def analyze(self) -> None:
        """VACUUM (ANALYZE) after the bulk load, not ANALYZE alone: rows written by COPY are not yet
        marked all-visible, so every index-only scan still read the table, and the first readers
        set hint bits page by page. Measured on the large demo right after the seed, then after a
        vacuum: the administrator's dashboard 167-177 ms, then 121-160 ms; the account list
        33-46 ms, then 21-31 ms. VACUUM cannot run in a transaction (a test's, or with autocommit
        off), where ANALYZE does instead."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if connection.get_autocommit() else "ANALYZE")


@dataclass(frozen=True, slots=True)
class QualificationFigures:
    FIELDS: ClassVar[tuple[str, ...]] = (
        "qualification_score",
        "qualifies",
        "attractiveness",
        "position",
        "is_key_account",
    )

    qualification_score: int | None
    qualifies: bool | None
    attractiveness: int | None
    position: int | None
    is_key_account: bool
    listing_share: int | None

    def stored(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)


def qualification_figures(
    account_type: str,
    scores: dict[QualificationCriterion, int],
    market_share: Decimal | None,
    listed: int | None,
    override: bool | None,
    portfolio: int,
) -> QualificationFigures:
    """What ``accounts.services.account_recompute`` stores, from the parts it reads: the scores of
    the active criteria, the market share, the number of listed products (None when no listings
    are kept), the override and the number of active products. The same rules, without a query
    per account."""
    totals = {"all": [0, 0], CriterionDimension.ATTRACTIVENESS: [0, 0], CriterionDimension.POSITION: [0, 0]}
    for c, score in scores.items():
        if c.account_type != account_type or not c.active or c.weight == 0:
            continue
        for key in ("all", c.dimension):
            totals[key][0] += score * c.weight
            totals[key][1] += 5 * c.weight
    share = {key: _pct(Decimal(points) * 100 / top) if top else None for key, (points, top) in totals.items()}
    qualification = share["all"]
    qualifies = None if qualification is None else qualification >= settings.QUALIFICATION_THRESHOLD
    listing_share = _pct(Decimal(listed) * 100 / portfolio) if listed is not None and portfolio else None
    parts = [v for v in (share[CriterionDimension.POSITION],) if v is not None]
    if market_share is not None:
        parts.append(_pct(market_share))
    if listing_share is not None:
        parts.append(listing_share)
    return QualificationFigures(
        qualification_score=qualification,
        qualifies=qualifies,
        attractiveness=share[CriterionDimension.ATTRACTIVENESS],
        position=_pct(Decimal(sum(parts)) / len(parts)) if parts else None,
        is_key_account=override if override is not None else bool(qualifies),
        listing_share=listing_share,
    )


def refresh_qualification(account_ids: list[int], batch: int = 2_000) -> int:
    """Bring the stored qualification, key-account flag, matrix position and basket penetration
    of many accounts in line with their scores and listings, in three reads per 2,000 accounts;
    only rows that differ are written. Returns how many were."""
    criteria = {c.pk: c for c in QualificationCriterion.objects.filter(active=True)}
    portfolio = Product.objects.filter(active=True).count()
    meta = Account._meta
    qn = connection.ops.quote_name
    columns = [*QualificationFigures.FIELDS, "basket_penetration_pct"]
    assignments = ", ".join(f"{qn(meta.get_field(c).column)} = %s" for c in columns)
    update = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(meta.pk.column)} = %s"
    changed = []
    for start in range(0, len(account_ids), batch):
        chunk = account_ids[start : start + batch]
        given = defaultdict(dict)
        for account, criterion, score in QualificationScore.objects.filter(
            account_id__in=chunk, criterion_id__in=criteria
        ).values_list("account_id", "criterion_id", "score"):
            given[account][criteria[criterion]] = score
        listed = dict(
            Listing.objects.filter(account_id__in=chunk, product__active=True)
            .values("account_id")
            .annotate(listed=Count("pk", filter=Q(status__in=LISTED_STATUSES)))
            .values_list("account_id", "listed")
        )
        for pk, account_type, market_share, override, *stored in Account.objects.filter(pk__in=chunk).values_list(
            "pk", "account_type", "market_share_pct", "qualification_override", *columns
        ):
            figures = qualification_figures(account_type, given[pk], market_share, listed.get(pk), override, portfolio)
            basket = stored[-1]
            if account_type != AccountType.HOSPITAL and figures.listing_share is not None:
                basket = Decimal(figures.listing_share)
            row = (*figures.stored(), basket)
            if row != tuple(stored):
                changed.append((*row, pk))
    with connection.cursor() as cursor:
        cursor.executemany(update, changed)
    return len(changed)


def seed_large(*, scale: float, log: Callable[[str], None]) -> dict[str, int] | None:
    """Load the big organisation once; None when it is already there."""
    if Account.objects.filter(crm_id__startswith=CRM_PREFIX).exists():
        return None
    admin = User.objects.filter(username="admin").first() or User.objects.filter(is_superuser=True).first()
    if admin is None:
        raise RuntimeError("Run the normal demo first: the campaigns need an administrator as their author.")
    started = time.perf_counter()
    counts = LargeDemo(scale, log).run(admin)
    log(f"  total: {time.perf_counter() - started:.1f} s")
    return counts
