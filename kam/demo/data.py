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

# Given as an infusion in hospital: a community pharmacy neither stocks nor lists them.
HOSPITAL_ONLY = {"Oncoril", "Neurolin"}

PRODUCTS = [
    ("Cardiovex", "evolocumab-like PCSK9 inhibitor", "Cardiology"),
    ("Oncoril", "pembrolizumab-like PD-1 antibody", "Oncology"),
    ("Hemastat", "emicizumab-like bispecific", "Haematology"),
    ("Neurolin", "ocrelizumab-like anti-CD20", "Neurology"),
    ("Respiclar", "benralizumab-like anti-IL-5R", "Respiratory"),
    ("Glucavera", "semaglutide-like GLP-1 agonist", "Diabetes"),
    ("Immunex", "adalimumab-like anti-TNF", "Immunology"),
]

# name, company, molecule, kind, therapeutic area: each competes with our product of that area
# (a PCSK9 inhibitor with other lipid-lowering therapies, a PD-1 antibody with other checkpoint
# inhibitors, an anti-TNF with adalimumab's originator and biosimilars).
COMPETITORS = [
    ("Repatha", "Amgen", "evolocumab", CompetitorKind.ORIGINATOR, "Cardiology"),
    ("Praluent", "Sanofi", "alirocumab", CompetitorKind.ORIGINATOR, "Cardiology"),
    ("Leqvio", "Novartis", "inclisiran", CompetitorKind.ORIGINATOR, "Cardiology"),
    ("Ezetimib Stada", "Stada", "ezetimibe", CompetitorKind.GENERIC, "Cardiology"),
    ("Keytruda", "MSD", "pembrolizumab", CompetitorKind.ORIGINATOR, "Oncology"),
    ("Opdivo", "Bristol Myers Squibb", "nivolumab", CompetitorKind.ORIGINATOR, "Oncology"),
    ("Tecentriq", "Roche", "atezolizumab", CompetitorKind.ORIGINATOR, "Oncology"),
    ("Hemlibra", "Roche", "emicizumab", CompetitorKind.ORIGINATOR, "Haematology"),
    ("Altuvoct", "Sobi", "efanesoctocog alfa", CompetitorKind.ORIGINATOR, "Haematology"),
    ("Ocrevus", "Roche", "ocrelizumab", CompetitorKind.ORIGINATOR, "Neurology"),
    ("Kesimpta", "Novartis", "ofatumumab", CompetitorKind.ORIGINATOR, "Neurology"),
    ("Tyruko", "Sandoz", "natalizumab", CompetitorKind.BIOSIMILAR, "Neurology"),
    ("Fasenra", "AstraZeneca", "benralizumab", CompetitorKind.ORIGINATOR, "Respiratory"),
    ("Nucala", "GSK", "mepolizumab", CompetitorKind.ORIGINATOR, "Respiratory"),
    ("Dupixent", "Sanofi", "dupilumab", CompetitorKind.ORIGINATOR, "Respiratory"),
    ("Ozempic", "Novo Nordisk", "semaglutide", CompetitorKind.ORIGINATOR, "Diabetes"),
    ("Trulicity", "Lilly", "dulaglutide", CompetitorKind.ORIGINATOR, "Diabetes"),
    ("Mounjaro", "Lilly", "tirzepatide", CompetitorKind.ORIGINATOR, "Diabetes"),
    ("Humira", "AbbVie", "adalimumab", CompetitorKind.ORIGINATOR, "Immunology"),
    ("Hyrimoz", "Sandoz", "adalimumab", CompetitorKind.BIOSIMILAR, "Immunology"),
    ("Amgevita", "Amgen", "adalimumab", CompetitorKind.BIOSIMILAR, "Immunology"),
]
# The therapeutic area each competitor product belongs to (the model keeps none).
COMPETITOR_AREA = {name: area for name, _company, _molecule, _kind, area in COMPETITORS}

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
    ("Klinikum Augsburg-Lechfeld", "hospital", "DE", "Bayern", "Augsburg", "EUR", "kam.eva", "A", None),
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
ACCOUNT_NAMES = {
    ("hospital", "de"): ["Klinikum {c}", "Universitätsklinikum {c}", "Kreiskrankenhaus {c}", "St. {s} Krankenhaus {c}"],
    ("hospital", "en"): ["{c} University Hospitals NHS Trust", "{c} General Hospital", "St {t}'s Hospital {c}"],
    ("hospital", "fr"): ["CHU de {c}", "Centre hospitalier de {c}", "Clinique Saint-{v} {c}"],
    ("pharmacy", "de"): ["{x}-Apotheke {c}", "Apotheke am {y} {c}"],
    ("pharmacy", "en"): ["{z} Pharmacy {c}", "{c} {z} Chemists"],
    ("pharmacy", "fr"): ["Pharmacie {w} {c}"],
    ("wholesaler", "de"): ["Pharma-Großhandel {c}", "Arzneimittel-Logistik {c}"],
    ("wholesaler", "en"): ["{c} Healthcare Wholesale Ltd", "{c} Pharma Distribution"],
    ("wholesaler", "fr"): ["Répartition pharmaceutique {c}", "Distrimed {c}"],
}
NAME_PARTS = {
    "s": ["Georg", "Elisabeth", "Josef", "Marien", "Martin", "Anna", "Vinzenz", "Hedwig"],
    "t": ["Luke", "Mary", "Thomas", "George", "Bartholomew", "James"],
    "v": ["Vincent", "Joseph", "Louis", "Anne", "Jacques"],
    "x": ["Stern", "Löwen", "Adler", "Rosen", "Hirsch", "Linden", "Markt", "Bahnhof", "Rathaus", "Sonnen", "Engel"],
    "y": ["Markt", "Dom", "Rathaus", "Park", "Ring", "Tor"],
    "z": ["Riverside", "High Street", "Market", "Park", "Station", "Castle", "Abbey", "Central"],
    "w": ["du Centre", "de la Gare", "du Marché", "des Halles", "du Parc", "de l'Église"],
}
TOUCHPOINT_KINDS = ["visit", "visit", "visit", "call", "call", "email", "event", "congress"]
CSAT_SCORES = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]
# Survey comments, in the language of the person answering.
COMMENTS = {
    "en": ["", "", "", "", "Quick and reliable support.", "Deliveries were late twice.", "More outcome data, please."],
    "de": [
        "",
        "",
        "",
        "",
        "Schnelle, verlässliche Betreuung.",
        "Zweimal verspätete Lieferungen.",
        "Bitte mehr Outcome-Daten.",
    ],
    "fr": ["", "", "", "", "Suivi rapide et fiable.", "Deux livraisons en retard.", "Plus de données cliniques, svp."],
}
# Street names for addresses, per language.
STREETS = {
    "de": ["Hauptstraße", "Bahnhofstraße", "Klinikstraße", "Lindenallee"],
    "en": ["High Street", "Station Road", "Hospital Lane", "Church Road"],
    "fr": ["Rue de la Gare", "Avenue de France", "Rue du Marché", "Chemin des Vignes"],
}
CONSENT_WORDING = (
    "I agree to receive short feedback surveys by e-mail from Helvetia Pharma; I can stop them at any time."
)
