"""The demo's data: people, products, accounts, names and word lists, for the small demo
(``kam.demo.seed``) and the large organisation (``kam.demo.large``) alike."""

from decimal import Decimal

from accounts.models import CompetitorKind
from kam.models import Role

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
# Objectives of every kind: (kind, title, what it aims at, months to its due date). A number aims
# at (KPI, unit, baseline, target, pacing); a milestone at nothing but its date; a listing at
# (product brand, listing status to reach) at the account.
OBJECTIVES = [
    ("numeric", "Grow Cardiovex patients on therapy", ("Patients on therapy", "patients", "120", "180", "linear"), 11),
    ("milestone", "Joint pathway agreed with the pharmacy committee", None, 8),
    ("listing", "Cardiovex listed on the hospital formulary", ("Cardiovex", "listed"), 6),
    ("numeric", "Raise basket penetration", ("Listed share of our portfolio", "%", "40", "60", "at_due"), 12),
]
ACTIONS = [
    ("Present budget impact model to the drug committee", -20, "done"),
    ("Organise a pathway workshop with cardiology and pharmacy", -5, "in_progress"),
    ("Prepare tender documents for lot 3", 25, "planned"),
    ("Quarterly business review with procurement", 40, "planned"),
    ("Nurse training on Cardiovex administration", -12, "planned"),
    ("Share real-world evidence summary with the pharmacy", 60, "planned"),
]
# What the joint plan shows the customer: joint work, never our sales targets or tender tactics.
SHARED_OBJECTIVES = {"Joint pathway agreed with the pharmacy committee"}
# Shared actions, each with the function of the customer's stakeholder who owns it (None: ours).
SHARED_ACTIONS = {
    "Organise a pathway workshop with cardiology and pharmacy": "head_of_department",
    "Quarterly business review with procurement": "procurement",
    "Share real-world evidence summary with the pharmacy": None,
    "Hold the joint steering meeting": None,
    "Map the patient pathway with nursing": None,
}

# The large organisation ---------------------------------------------------------------------

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
CONSENT_WORDING = (
    "I agree to receive short feedback surveys by e-mail from Helvetia Pharma; I can stop them at any time."
)
