"""Load believable demo data; run it as often as you like (it is idempotent).

``--accounts N`` adds N more accounts in bulk for benchmarks (idempotent too: it tops up).
``--large`` adds a big organisation on top of the demo (``kam.demo.large``: 10,000 accounts, 400
KAMs in 40 teams, their stakeholders, touchpoints, plans and surveys), once; ``--scale F`` shrinks it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import (
    Account,
    AccountFinancials,
    AccountTeamMember,
    AccountType,
    CompetitorKind,
    CompetitorProduct,
    ExchangeRate,
    Listing,
    ListingStatus,
    Product,
    QualificationCriterion,
    TeamFunction,
)
from accounts.services import account_qualify, account_recompute
from kam.models import Role, Team, User
from stakeholders.models import Affiliation

DEMO_PASSWORD = "demo-pass-2026"

PEOPLE = [
    # username, first, last, role, manager, team, country
    ("admin", "Ada", "Admin", Role.ADMIN, None, None, "DE"),
    ("head", "Helena", "Brandt", Role.MANAGER, None, None, "DE"),
    ("mgr.north", "Markus", "Nordmann", Role.MANAGER, "head", "North & UK", "DE"),
    ("mgr.south", "Sabine", "Süß", Role.MANAGER, "head", "South & Switzerland", "DE"),
    ("kam.anna", "Anna", "Keller", Role.KAM, "mgr.north", "North & UK", "DE"),
    ("kam.ben", "Ben", "Fischer", Role.KAM, "mgr.north", "North & UK", "DE"),
    ("kam.claire", "Claire", "Hughes", Role.KAM, "mgr.north", "North & UK", "GB"),
    ("kam.david", "David", "Meier", Role.KAM, "mgr.south", "South & Switzerland", "CH"),
    ("kam.eva", "Eva", "Huber", Role.KAM, "mgr.south", "South & Switzerland", "DE"),
    ("access.felix", "Felix", "Wagner", Role.MARKET_ACCESS, "mgr.north", None, "DE"),
    ("msl.greta", "Greta", "Lang", Role.MSL, None, None, "DE"),
]

PRODUCTS = [
    ("Cardiovex", "evolocumab-like PCSK9 inhibitor", "Cardiology"),
    ("Oncoril", "pembrolizumab-like PD-1 antibody", "Oncology"),
    ("Hemastat", "emicizumab-like bispecific", "Haematology"),
    ("Neurolin", "ocrelizumab-like anti-CD20", "Neurology"),
    ("Respiclar", "benralizumab-like anti-IL-5R", "Respiratory"),
    ("Glucavera", "semaglutide-like GLP-1 agonist", "Diabetes"),
    ("Immunex", "adalimumab-like anti-TNF", "Immunology"),
]

COMPETITORS = [
    ("Repatha", "Amgen", "evolocumab", CompetitorKind.ORIGINATOR),
    ("Keytruda", "MSD", "pembrolizumab", CompetitorKind.ORIGINATOR),
    ("Hyrimoz", "Sandoz", "adalimumab", CompetitorKind.BIOSIMILAR),
    ("Amgevita", "Amgen", "adalimumab", CompetitorKind.BIOSIMILAR),
    ("Ozempic", "Novo Nordisk", "semaglutide", CompetitorKind.ORIGINATOR),
    ("Metformin Generic", "Stada", "metformin", CompetitorKind.GENERIC),
]

RATES = {"CHF": Decimal("1.06"), "GBP": Decimal("1.17"), "USD": Decimal("0.92")}

# name, type, country, region, city, currency, owner, tier, parent crm id
ACCOUNTS = [
    ("Klinikverbund Nordlicht", "hospital", "DE", "Hamburg", "Hamburg", "EUR", "kam.anna", "A", None),
    ("Nordlicht Klinikum Altona", "hospital", "DE", "Hamburg", "Hamburg", "EUR", "kam.anna", "A", "DEMO-001"),
    ("Nordlicht Klinikum Harburg", "hospital", "DE", "Hamburg", "Hamburg", "EUR", "kam.anna", "B", "DEMO-001"),
    ("Universitätsklinikum Elbtal", "hospital", "DE", "Sachsen", "Dresden", "EUR", "kam.anna", "A", None),
    ("Städtisches Klinikum Weserbogen", "hospital", "DE", "Bremen", "Bremen", "EUR", "kam.ben", "B", None),
    ("Kreiskrankenhaus Heideland", "hospital", "DE", "Niedersachsen", "Celle", "EUR", "kam.ben", "C", None),
    ("Evangelisches Krankenhaus Alsterdorf", "hospital", "DE", "Hamburg", "Hamburg", "EUR", "kam.ben", "B", None),
    ("Universitätsmedizin Ostsee", "hospital", "DE", "Mecklenburg-Vorpommern", "Rostock", "EUR", "kam.ben", "A", None),
    ("Klinikum Bodensee-Süd", "hospital", "DE", "Baden-Württemberg", "Konstanz", "EUR", "kam.eva", "B", None),
    ("Universitätsklinikum Isartal", "hospital", "DE", "Bayern", "München", "EUR", "kam.eva", "A", None),
    ("Klinikum Donauried", "hospital", "DE", "Bayern", "Ingolstadt", "EUR", "kam.eva", "B", None),
    ("Privatklinik Tegernblick", "hospital", "DE", "Bayern", "Bad Wiessee", "EUR", "kam.eva", "C", None),
    ("Einkaufsgemeinschaft Süd eG", "hospital", "DE", "Bayern", "Augsburg", "EUR", "kam.eva", "A", None),
    ("Universitätsspital Limmat", "hospital", "CH", "Zürich", "Zürich", "CHF", "kam.david", "A", None),
    ("Kantonsspital Aareland", "hospital", "CH", "Aargau", "Aarau", "CHF", "kam.david", "B", None),
    ("Hôpital du Léman", "hospital", "CH", "Vaud", "Lausanne", "CHF", "kam.david", "A", None),
    ("Spitalgruppe Innerschweiz", "hospital", "CH", "Luzern", "Luzern", "CHF", "kam.david", "B", None),
    ("Kantonsspital Rheinknie", "hospital", "CH", "Basel-Stadt", "Basel", "CHF", "kam.david", "B", None),
    (
        "Thames Valley University Hospitals NHS Trust",
        "hospital",
        "GB",
        "South East",
        "Oxford",
        "GBP",
        "kam.claire",
        "A",
        None,
    ),
    ("Pennine Acute Hospitals NHS Trust", "hospital", "GB", "North West", "Manchester", "GBP", "kam.claire", "A", None),
    ("Severn Vale NHS Foundation Trust", "hospital", "GB", "South West", "Gloucester", "GBP", "kam.claire", "B", None),
    ("Tyne Coast Hospitals NHS Trust", "hospital", "GB", "North East", "Newcastle", "GBP", "kam.claire", "B", None),
    ("London Northside Healthcare Group", "hospital", "GB", "London", "London", "GBP", "kam.claire", "A", None),
    ("Apothekenkooperation Hanse", "pharmacy", "DE", "Hamburg", "Hamburg", "EUR", "kam.ben", "A", None),
    ("Hanse-Apotheke am Jungfernstieg", "pharmacy", "DE", "Hamburg", "Hamburg", "EUR", "kam.ben", "B", "DEMO-024"),
    ("Löwen-Apotheke Eppendorf", "pharmacy", "DE", "Hamburg", "Hamburg", "EUR", "kam.ben", "C", "DEMO-024"),
    ("Apothekenverbund Alpenland", "pharmacy", "DE", "Bayern", "Rosenheim", "EUR", "kam.eva", "A", None),
    ("Stern-Apotheke Rosenheim", "pharmacy", "DE", "Bayern", "Rosenheim", "EUR", "kam.eva", "B", "DEMO-027"),
    ("Apotheke am Viktualienmarkt", "pharmacy", "DE", "Bayern", "München", "EUR", "kam.eva", "B", "DEMO-027"),
    ("Zentral-Apotheke Dresden", "pharmacy", "DE", "Sachsen", "Dresden", "EUR", "kam.anna", "C", None),
    ("Apotheken-Gruppe Zürichsee", "pharmacy", "CH", "Zürich", "Zürich", "CHF", "kam.david", "B", None),
    ("Pharmacie du Lac", "pharmacy", "CH", "Genève", "Genève", "CHF", "kam.david", "C", None),
    ("Riverside Pharmacy Group", "pharmacy", "GB", "London", "London", "GBP", "kam.claire", "B", None),
    ("Northgate Chemists", "pharmacy", "GB", "North West", "Liverpool", "GBP", "kam.claire", "C", None),
    ("Medi-Großhandel Deutschland AG", "wholesaler", "DE", "Hessen", "Frankfurt am Main", "EUR", "kam.anna", "A", None),
    (
        "Medi-Großhandel Niederlassung Nord",
        "wholesaler",
        "DE",
        "Niedersachsen",
        "Hannover",
        "EUR",
        "kam.anna",
        "B",
        "DEMO-035",
    ),
    ("Medi-Großhandel Niederlassung Süd", "wholesaler", "DE", "Bayern", "Nürnberg", "EUR", "kam.eva", "B", "DEMO-035"),
    ("Medi-Großhandel Niederlassung Ost", "wholesaler", "DE", "Berlin", "Berlin", "EUR", "kam.anna", "C", "DEMO-035"),
    ("Alpen Pharma Distribution AG", "wholesaler", "CH", "Bern", "Bern", "CHF", "kam.david", "A", None),
    ("Albion Healthcare Wholesale Ltd", "wholesaler", "GB", "Midlands", "Birmingham", "GBP", "kam.claire", "A", None),
]


NAMES_DE = (
    [
        "Anja",
        "Bernd",
        "Carla",
        "Dirk",
        "Elke",
        "Frank",
        "Gisela",
        "Hannes",
        "Ines",
        "Jörg",
        "Katrin",
        "Lukas",
        "Monika",
        "Nils",
        "Olga",
        "Peter",
        "Ruth",
        "Stefan",
        "Tanja",
        "Uwe",
        "Vera",
        "Wolfgang",
    ],
    [
        "Bauer",
        "Becker",
        "Brandl",
        "Dietrich",
        "Engel",
        "Frey",
        "Graf",
        "Hartmann",
        "Jung",
        "Kraus",
        "Lorenz",
        "Maurer",
        "Neumann",
        "Ott",
        "Pohl",
        "Roth",
        "Schreiber",
        "Sommer",
        "Vogel",
        "Weber",
        "Zimmermann",
    ],
)
NAMES_GB = (
    [
        "Alice",
        "Brian",
        "Chloe",
        "Daniel",
        "Emily",
        "Fiona",
        "George",
        "Hannah",
        "Ian",
        "Julia",
        "Kevin",
        "Laura",
        "Mark",
        "Nina",
        "Oliver",
        "Priya",
        "Rachel",
        "Samuel",
        "Tom",
        "Yasmin",
    ],
    [
        "Ahmed",
        "Baker",
        "Clarke",
        "Davies",
        "Evans",
        "Foster",
        "Green",
        "Hall",
        "Jones",
        "Khan",
        "Lewis",
        "Morgan",
        "Patel",
        "Roberts",
        "Shaw",
        "Taylor",
        "Walker",
        "Wright",
    ],
)
# key, function, DMU role, position, department, reports-to key, influence, stance
DMU_TEMPLATES = {
    "hospital": [
        ("ceo", "management", "decision_maker", "Managing Director", "Board", None, 5, 0),
        ("finance", "finance", "influencer", "Head of Controlling", "Finance", "ceo", 4, -1),
        ("procurement", "procurement", "buyer", "Head of Purchasing", "Procurement", "finance", 4, -1),
        ("pharmacist", "hospital_pharmacist", "gatekeeper", "Chief Pharmacist", "Hospital Pharmacy", "ceo", 5, 1),
        (
            "formulary",
            "formulary_committee",
            "decision_maker",
            "Chair, Drug Committee",
            "P&T Committee",
            "pharmacist",
            4,
            0,
        ),
        ("hod", "head_of_department", "decision_maker", "Chief Physician Cardiology", "Cardiology", "ceo", 5, 1),
        ("physician", "physician", "user", "Senior Physician", "Cardiology", "hod", 3, 2),
        ("oncologist", "head_of_department", "influencer", "Head of Oncology", "Oncology", "ceo", 4, -1),
        ("nurse", "nurse", "user", "Lead Nurse", "Oncology", "oncologist", 2, 1),
    ],
    "pharmacy": [
        ("owner", "owner_buyer", "decision_maker", "Owner", "", None, 5, 1),
        ("buyer", "owner_buyer", "buyer", "Head of Purchasing", "Purchasing", "owner", 4, 0),
        ("manager", "management", "influencer", "Category Manager", "Category Management", "owner", 3, 1),
        ("finance", "finance", "influencer", "Controller", "Finance", "owner", 3, -1),
    ],
    "wholesaler": [
        ("md", "management", "decision_maker", "Managing Director", "Board", None, 5, 0),
        ("purchasing", "procurement", "buyer", "Head of Purchasing", "Purchasing", "md", 5, -1),
        ("category", "owner_buyer", "influencer", "Category Manager Rx", "Purchasing", "purchasing", 3, 1),
        ("logistics", "other", "user", "Head of Logistics", "Logistics", "md", 2, 0),
        ("finance", "finance", "influencer", "CFO", "Finance", "md", 4, -1),
    ],
}
SUMMARIES = [
    "Discussed the formulary timetable and the budget impact model; pharmacy wants real-world data on length of stay.",
    "Reviewed supply reliability after the winter shortage; agreed a quarterly stock review.",
    "Presented the patient-support programme; interest in nurse training for the day clinic.",
    "Tender for lot 3 expected in spring; procurement asked for our framework-agreement conditions.",
    "Met the new head of controlling; budget freeze until Q2, decisions via the drug committee.",
    "Category review: basket penetration below target, discussed listing of two missing strengths.",
]
MEDICAL_SUMMARIES = [
    "Scientific exchange on the latest phase III data; questions on subgroup results referred to medical information.",
    "Advisory board on treatment pathways in heart failure; minutes with medical affairs.",
]
NEXT_STEPS = [
    "Send the budget impact model",
    "Organise a meeting with the pharmacy director",
    "Share the tender documents checklist",
    "Follow up on the committee decision",
]


PLAN_COMMENTARY = [
    "Strategic account: high potential in cardiology and oncology, our share is growing but below target.",
    "Stable business with strong listings; growth depends on the formulary decision for Oncoril.",
    "Attractive account where our position is weak; invest in the relationship with pharmacy and procurement.",
]
SWOT = [
    ("S", "Strong clinical reputation in cardiology"),
    ("S", "Long-standing relationship with the pharmacy"),
    ("W", "Slow committee decisions; budget freeze until Q2"),
    ("O", "New day clinic opening in spring"),
    ("O", "Regional tender consolidating three hospitals"),
    ("T", "Biosimilar entry at a 30 % discount"),
]
OBJECTIVES = [
    ("Listing of Oncoril on the formulary", "Formulary status", "step", "0", "1", 6),
    ("Grow Cardiovex patients on therapy", "Patients on therapy", "patients", "120", "180", 11),
    ("Raise basket penetration", "Listed share of our portfolio", "%", "40", "60", 9),
    ("Joint pathway project with cardiology", "Milestones completed", "milestones", "0", "4", 10),
]
ACTIONS = [
    ("Present budget impact model to the drug committee", -20, "done"),
    ("Organise a pathway workshop with cardiology and pharmacy", -5, "in_progress"),
    ("Prepare tender documents for lot 3", 25, "planned"),
    ("Quarterly business review with procurement", 40, "planned"),
    ("Nurse training on Cardiovex administration", -12, "planned"),
    ("Share real-world evidence summary with the pharmacy", 60, "planned"),
]


class Command(BaseCommand):
    help = "Load idempotent demo data (people, accounts, products, listings, financials)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--accounts", type=int, default=0, help="Add bulk accounts up to this many in total.")
        parser.add_argument(
            "--large", action="store_true", help="Add a big organisation: 10,000 accounts, 400 KAMs, 3 million rows."
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="With --large: a share of the big organisation, e.g. 0.002."
        )

    def handle(self, *args, accounts: int = 0, large: bool = False, scale: float = 1.0, **options) -> None:
        if scale <= 0 or scale > 1:
            raise CommandError("--scale must be above 0 and at most 1.")
        rng = random.Random(2026)
        with transaction.atomic():
            users = self._people()
            products = self._portfolio()
            self._rates()
            self._accounts(users, products, rng)
            self._stakeholders(users, random.Random(7))
            # Hundreds of renders queued behind the demo's survey jobs would keep the worker busy for
            # minutes; the first download of each demo plan renders it instead.
            with override_settings(PLAN_EXPORT_PRERENDER=False):
                self._plans(users, random.Random(11))
            self._surveys(users, random.Random(13))
        if accounts:
            self._scale(accounts, users, products)
        if large:
            self._large(scale)
        # Every account's health now, rather than whenever the worker gets to the hourly refresh.
        from kam.portfolio.health.refresh import refresh_health

        refresh_health()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ with:"))
        for username, first, last, role, *_ in PEOPLE:
            self.stdout.write(f"  {username:<14} {DEMO_PASSWORD}   ({first} {last}, {role.label})")

    def _people(self) -> dict[str, User]:
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

    def _portfolio(self) -> list[Product]:
        products = [
            Product.objects.get_or_create(brand=b, defaults={"molecule": m, "therapeutic_area": ta})[0]
            for b, m, ta in PRODUCTS
        ]
        for name, company, molecule, kind in COMPETITORS:
            CompetitorProduct.objects.get_or_create(
                name=name, company=company, defaults={"molecule": molecule, "kind": kind}
            )
        return products

    def _rates(self) -> None:
        this_year = date.today().year
        for year in range(this_year - 3, this_year + 2):
            for currency, rate in RATES.items():
                drift = Decimal(1) + Decimal(year - this_year) * Decimal("0.01")
                ExchangeRate.objects.get_or_create(
                    year=year, currency=currency, defaults={"rate": (rate * drift).quantize(Decimal("0.0001"))}
                )

    def _accounts(self, users: dict[str, User], products: list[Product], rng: random.Random) -> None:
        competitors = list(CompetitorProduct.objects.all())
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
                address=f"{rng.choice(['Hauptstraße', 'Spitalgasse', 'High Street', 'Bahnhofstraße'])} {rng.randint(1, 120)}",
            )
            scale = {"A": 3, "B": 2, "C": 1}[tier]
            if kind == AccountType.HOSPITAL:
                account.beds = rng.randint(150, 700) * scale
                account.ownership = rng.choice(["public", "public", "university", "private"])
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
            for product in rng.sample(products, k=rng.randint(3, len(products))):
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
                if status in (ListingStatus.NOT_LISTED, ListingStatus.DELISTED):
                    competitor = rng.choice(competitors)
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
                override, reason = True, "Reference site for Neurolin in Bavaria; chief physician chairs the society."
            account_qualify(account=account, scores=scores, override=override, reason=reason, by=users["admin"])
            account_recompute(account)

    def _stakeholders(self, users: dict[str, User], rng: random.Random) -> None:
        """A believable DMU for every demo account: people, reporting lines, coverage, touchpoints."""
        from stakeholders.models import Affiliation, Coverage, Person, Touchpoint, TransferOfValue

        today = date.today()
        for account in Account.objects.filter(crm_id__startswith="DEMO-").select_related("owner").order_by("pk"):
            if Affiliation.objects.filter(account=account).exists():
                continue
            names = NAMES_GB if account.country == "GB" else NAMES_DE
            lang = "en" if account.country == "GB" else ("fr" if account.city in ("Lausanne", "Genève") else "de")
            template = DMU_TEMPLATES[account.account_type]
            made: dict[str, Affiliation] = {}
            for key, function, role, title, dept, boss, influence, stance in template:
                if key == "pharmacist" and rng.random() < 0.25:
                    continue  # some hospitals lack a pharmacist contact: a gap the X-ray shows
                first, last = rng.choice(names[0]), rng.choice(names[1])
                person = Person.objects.create(
                    title="Dr." if function in ("physician", "head_of_department") else "",
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}.{account.pk}{key}@example.org".lower().replace(" ", ""),
                    preferred_language=lang,
                )
                affiliation = Affiliation(
                    person=person,
                    account=account,
                    position_title=title,
                    department=dept,
                    function=function,
                    dmu_role=role,
                    influence=max(1, min(5, influence + rng.randint(-1, 1))),
                    stance=max(-2, min(2, stance + rng.randint(-1, 1))),
                    reports_to=made.get(boss),
                    start_date=today - timedelta(days=rng.randint(200, 3000)),
                )
                affiliation.full_clean()
                affiliation.save()
                made[key] = affiliation
            team = {m.user_id: m.user for m in account.team_members.select_related("user")}
            for affiliation in made.values():
                if affiliation.dmu_role == "decision_maker" and rng.random() < 0.3:
                    continue  # an uncovered decision maker: a gap
                Coverage.objects.create(affiliation=affiliation, user=account.owner, strength=rng.randint(2, 5))
                if users["access.felix"].pk in team and affiliation.category == "managerial":
                    Coverage.objects.create(
                        affiliation=affiliation, user=users["access.felix"], strength=rng.randint(2, 4)
                    )
                if users["msl.greta"].pk in team and affiliation.category == "medical" and rng.random() < 0.7:
                    Coverage.objects.create(
                        affiliation=affiliation, user=users["msl.greta"], strength=rng.randint(3, 5), is_medical=True
                    )
            people = list(made.values())
            for n in range(rng.randint(3, 7)):
                medical = users["msl.greta"].pk in team and n == 0
                author = users["msl.greta"] if medical else account.owner
                met = rng.sample(people, k=min(len(people), rng.randint(1, 3)))
                when = today - timedelta(days=rng.randint(3, 170))
                follow = when + timedelta(days=rng.randint(7, 40)) if rng.random() < 0.5 else None
                touchpoint = Touchpoint.objects.create(
                    account=account,
                    date=when,
                    kind="advisory_board" if medical else rng.choice(["visit", "visit", "call", "email", "event"]),
                    summary=rng.choice(MEDICAL_SUMMARIES if medical else SUMMARIES),
                    next_step=rng.choice(NEXT_STEPS) if follow else "",
                    follow_up_date=follow,
                    follow_up_done=bool(follow and follow < today and rng.random() < 0.6),
                    logged_by=author,
                    is_medical=medical,
                )
                touchpoint.participants.set([author])
                touchpoint.stakeholders.set([a.person_id for a in met])
                if not medical and touchpoint.kind == "event" and rng.random() < 0.5:
                    TransferOfValue.objects.create(
                        touchpoint=touchpoint,
                        category="registration_fee",
                        recipient_person_id=met[0].person_id,
                        amount=Decimal(rng.choice([250, 480, 650])),
                        currency=account.currency,
                        disclosure_consent=rng.random() < 0.7,
                        expense_record_id=f"EXP-{account.pk:04d}-{n}",
                    )

    def _plans(self, users: dict[str, User], rng: random.Random) -> None:
        """A plan for every demo key account, in a believable mix of states."""
        from plans.models import AccountPlan, Action, Objective, PlanningPeriod, PlanStep, Resource, SwotItem
        from plans.services import plan_approve, plan_create, plan_request_changes, plan_submit

        year = date.today().year
        current, _ = PlanningPeriod.objects.get_or_create(
            name=f"FY {year}", defaults={"start": date(year, 1, 1), "end": date(year, 12, 31)}
        )
        PlanningPeriod.objects.get_or_create(
            name=f"FY {year + 1}", defaults={"start": date(year + 1, 1, 1), "end": date(year + 1, 12, 31)}
        )
        today = date.today()
        accounts = Account.objects.filter(crm_id__startswith="DEMO-", is_key_account=True).select_related(
            "owner__manager"
        )
        for i, account in enumerate(accounts.order_by("pk")):
            if AccountPlan.objects.filter(account=account, period=current).exists():
                continue
            owner = account.owner
            plan = plan_create(account=account, period=current, by=owner)
            contents = {
                1: {
                    "commentary": rng.choice(PLAN_COMMENTARY),
                    "investment_decision": rng.choice(["invest", "invest", "maintain"]),
                },
                2: {
                    "strategy": "Consolidate into a regional centre of excellence; reduce length of stay.",
                    "needs": "Predictable budgets, fewer stock-outs, outcome data for the drug committee.",
                    "drivers": "Budget pressure after the wage agreement; formulary review twice a year; tender for lot 3 in spring.",
                },
                3: {"notes": "Win over the head of controlling; keep the chief pharmacist close."},
                4: {
                    "value_proposition": "Fewer readmissions and a predictable drug budget through a shared care pathway."
                },
                5: {"notes": ""},
                6: {"audit_notes": "Quarterly check with the account team."},
                7: {"notes": ""},
            }
            for number, content in contents.items():
                PlanStep.objects.filter(plan=plan, number=number).update(content=content, version=1)
            for cell in plan.whitespace.filter(status="opportunity")[:5]:
                cell.estimated_value = Decimal(rng.choice([15000, 40000, 85000, 120000]))
                cell.save(update_fields=["estimated_value"])
            for kind, text in SWOT:
                SwotItem.objects.create(plan=plan, kind=kind, text=text)
            objectives = []
            for title, kpi, unit, baseline, target, months in OBJECTIVES[: rng.randint(2, 4)]:
                progress = Decimal(rng.randint(55, 110)) / 100
                objectives.append(
                    Objective.objects.create(
                        plan=plan,
                        title=title,
                        kpi=kpi,
                        unit=unit,
                        baseline=Decimal(baseline),
                        target=Decimal(target),
                        current_value=(Decimal(baseline) + (Decimal(target) - Decimal(baseline)) * progress).quantize(
                            Decimal("0.1")
                        ),
                        due_date=min(current.end, current.start + timedelta(days=30 * months)),
                        owner=owner,
                    )
                )
            for j, (title, days, status) in enumerate(ACTIONS[: rng.randint(3, 6)]):
                action = Action.objects.create(
                    plan=plan,
                    objective=objectives[j % len(objectives)],
                    title=title,
                    owner=owner,
                    due_date=min(current.end, max(current.start, today + timedelta(days=days))),
                    status=status,
                )
                Resource.objects.create(
                    action=action,
                    people_days=Decimal(rng.randint(1, 8)),
                    budget=Decimal(rng.choice([0, 500, 1500, 4000])),
                    currency=account.currency,
                )
            AccountPlan.objects.filter(pk=plan.pk).update(
                budget=Decimal(rng.choice([10000, 15000, 25000])), budget_currency=account.currency
            )
            plan.refresh_from_db()
            manager = owner.manager
            state = i % 5
            if state == 0:
                continue  # a draft in progress
            plan_submit(plan=plan, by=owner)
            if state == 1:
                continue  # waiting for review
            if state == 2:
                plan_request_changes(
                    plan=plan,
                    by=manager,
                    comment="Objective 2 needs a clearer KPI.",
                    step_comments={4: "Sharpen the KPI."},
                )
                continue
            plan_approve(plan=plan, by=manager, comment="Good plan.")
            if state == 4:  # approved long ago: review overdue
                AccountPlan.objects.filter(pk=plan.pk).update(
                    next_review_date=today - timedelta(days=rng.randint(5, 40))
                )

    def _surveys(self, users: dict[str, User], rng: random.Random) -> None:
        """Consent for most people, a closed campaign with realistic answers and an open one."""
        from stakeholders.models import (
            CampaignStatus,
            InvitationStatus,
            LowScoreFollowUp,
            Person,
            Survey,
            SurveyCampaign,
            SurveyConsent,
            SurveyInvitation,
            SurveyResponse,
        )

        survey = Survey.objects.get(is_default=True)
        if SurveyCampaign.objects.filter(survey=survey, name__startswith="DMU satisfaction").exists():
            return
        wording = (
            "I agree to receive short feedback surveys by e-mail from Helvetia Pharma; I can stop them at any time."
        )
        people = list(Person.objects.filter(email__endswith="@example.org"))
        SurveyConsent.objects.bulk_create(
            [
                SurveyConsent(
                    person=p,
                    source="Signed consent form at visit",
                    wording=wording,
                    given_at=timezone.now() - timedelta(days=rng.randint(200, 400)),
                )
                for p in people
                if rng.random() < 0.85
            ]
        )
        now = timezone.now()
        today = timezone.localdate()
        rounds = [
            (
                "DMU satisfaction spring",
                now - timedelta(days=200),
                today - timedelta(days=170),
                CampaignStatus.CLOSED,
                0.55,
            ),
            ("DMU satisfaction autumn", now - timedelta(days=6), today + timedelta(days=24), CampaignStatus.OPEN, 0.3),
        ]
        scores = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]
        for name, sent, closes, status, answer_rate in rounds:
            campaign = SurveyCampaign.objects.create(
                name=name,
                survey=survey,
                send_at=sent,
                close_date=closes,
                status=status,
                created_by=users["head"],
                dispatched_at=sent,
                recurrence_months=6 if status == CampaignStatus.OPEN else None,
            )
            for affiliation in (
                Affiliation.objects.filter(
                    end_date__isnull=True, account__is_key_account=True, person__consents__isnull=False
                )
                .select_related("person", "account")
                .distinct()
            ):
                invitation = SurveyInvitation.objects.create(
                    campaign=campaign,
                    person=affiliation.person,
                    account=affiliation.account,
                    language=affiliation.person.preferred_language,
                    status=InvitationStatus.SENT,
                    sent_at=sent,
                    expires_on=closes,
                )
                SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=sent)
                if rng.random() < answer_rate:
                    score = rng.choice(scores)
                    SurveyResponse.objects.create(
                        invitation=invitation,
                        csat_score=score,
                        submitted_at=sent + timedelta(days=rng.randint(0, 9)),
                        comment=rng.choice(
                            [
                                "",
                                "",
                                "Quick and reliable support.",
                                "Deliveries were late twice this quarter.",
                                "Would like more data on real-world outcomes.",
                            ]
                        ),
                    )
                    SurveyInvitation.objects.filter(pk=invitation.pk).update(
                        status=InvitationStatus.ANSWERED, answered_at=sent
                    )
                    if score <= 2:
                        LowScoreFollowUp.objects.create(
                            account=affiliation.account,
                            invitation=invitation,
                            opened_at=sent,
                            closed_at=now if status == CampaignStatus.CLOSED else None,
                        )
                elif status == CampaignStatus.CLOSED:
                    SurveyInvitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.EXPIRED)

    def _large(self, scale: float) -> None:
        from kam.demo.large import seed_large  # here, not above: kam.demo.large reuses this module's word lists

        self.stdout.write(f"Loading the large organisation at scale {scale:g}:")
        counts = seed_large(scale=scale, log=self.stdout.write)
        if counts is None:
            self.stdout.write("The large organisation is already loaded.")
            return
        for table, n in sorted(counts.items()):
            self.stdout.write(f"  {table:<40} {n:>10,}")
        self.stdout.write("Its people log in with the same password, e.g. head.de (national head), kam.de.1.001.")

    def _scale(self, total: int, users: dict[str, User], products: list[Product]) -> None:
        """Bulk accounts for benchmarks: plain inserts, no per-row services."""
        have = Account.objects.count()
        missing = total - have
        if missing <= 0:
            return
        owners = [u for u in users.values() if u.role == Role.KAM]
        this_year = date.today().year
        types = [AccountType.HOSPITAL, AccountType.PHARMACY, AccountType.WHOLESALER]
        statuses = [
            ListingStatus.LISTED,
            ListingStatus.RESTRICTED,
            ListingStatus.UNDER_REVIEW,
            ListingStatus.NOT_LISTED,
        ]
        batch = 2000
        start = Account.objects.filter(crm_id__startswith="SCALE-").count()
        created = 0
        while created < missing:
            n = min(batch, missing - created)
            rows = []
            for j in range(start + created, start + created + n):
                kind = types[j % 3]
                att, pos = (j * 37) % 101, (j * 53) % 101
                rows.append(
                    Account(
                        name=f"Scale account {j:06d}",
                        account_type=kind,
                        country=["DE", "CH", "GB", "AT"][j % 4],
                        region=f"Region {j % 17}",
                        city=f"City {j % 97}",
                        currency=["EUR", "CHF", "GBP", "EUR"][j % 4],
                        owner=owners[j % len(owners)],
                        tier="ABC"[j % 3],
                        crm_id=f"SCALE-{j:06d}",
                        beds=200 + j % 900 if kind == AccountType.HOSPITAL else None,
                        market_share_pct=None if kind == AccountType.HOSPITAL else Decimal(j % 60),
                        qualification_score=(j * 29) % 101,
                        qualifies=(j * 29) % 101 >= 60,
                        is_key_account=(j * 29) % 101 >= 60,
                        attractiveness=att,
                        position=pos,
                    )
                )
            with transaction.atomic():
                made = Account.objects.bulk_create(rows, batch_size=1000)
                AccountTeamMember.objects.bulk_create(
                    [AccountTeamMember(account=a, user_id=a.owner_id, function=TeamFunction.KAM) for a in made],
                    batch_size=2000,
                )
                AccountFinancials.objects.bulk_create(
                    [
                        AccountFinancials(
                            account=a,
                            year=year,
                            revenue_actual=Decimal(100000 + (a.pk * 7919) % 900000),
                            revenue_target=Decimal(110000 + (a.pk * 7919) % 900000),
                        )
                        for a in made
                        for year in (this_year - 1, this_year)
                    ],
                    batch_size=4000,
                )
                Listing.objects.bulk_create(
                    [
                        Listing(account=a, product=p, status=statuses[(a.pk + k) % len(statuses)])
                        for a in made
                        for k, p in enumerate(products[:4])
                    ],
                    batch_size=4000,
                )
            created += n
        self.stdout.write(f"Added {created} bulk accounts ({Account.objects.count()} in all).")
