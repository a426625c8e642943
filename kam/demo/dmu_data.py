"""The demo's decision-making units: who sits where at a hospital, a pharmacy and a wholesaler,
with titles and departments in the stakeholders' language, and the names they carry.

Titles written "male|female" take the form that fits the person (German and French job titles
are gendered); the rest are the same for everyone. Hospital management has no department of its
own: the white space of a plan takes its buying centres from the DMU's departments, and a
hospital buys through its drugs committee, procurement, pharmacy, medical directorate and
clinical departments, not through its executive board.
"""

from __future__ import annotations

import random

# First names (female, male) and last names per language.
NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "de": (
        ["Anja", "Carla", "Elke", "Gisela", "Ines", "Katrin", "Monika", "Olga", "Ruth", "Tanja", "Vera", "Sabine"],
        ["Bernd", "Dirk", "Frank", "Hannes", "Jörg", "Lukas", "Nils", "Peter", "Stefan", "Uwe", "Wolfgang", "Jan"],
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
    ),
    "en": (
        ["Alice", "Chloe", "Emily", "Fiona", "Hannah", "Julia", "Laura", "Nina", "Priya", "Rachel", "Yasmin"],
        ["Brian", "Daniel", "George", "Ian", "Kevin", "Mark", "Oliver", "Samuel", "Tom", "Aled"],
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
    ),
    "fr": (
        ["Camille", "Claire", "Élodie", "Manon", "Pauline", "Sophie", "Nathalie"],
        ["Julien", "Lucas", "Mathieu", "Nicolas", "Thomas", "Olivier"],
        [
            "Bernard",
            "Blanc",
            "Dubois",
            "Durand",
            "Fontaine",
            "Girard",
            "Lambert",
            "Laurent",
            "Martin",
            "Moreau",
            "Petit",
            "Rochat",
            "Favre",
        ],
    ),
}

# key, function, DMU role, position ("male|female" where gendered), department, reports-to key,
# influence, stance; per account type and language.
H, P, W = "hospital", "pharmacy", "wholesaler"
DMU_TEMPLATES: dict[tuple[str, str], list[tuple]] = {
    (H, "de"): [
        (
            "ceo",
            "management",
            "decision_maker",
            "Kaufmännischer Geschäftsführer|Kaufmännische Geschäftsführerin",
            "",
            None,
            5,
            0,
        ),
        (
            "meddir",
            "management",
            "decision_maker",
            "Ärztlicher Direktor|Ärztliche Direktorin",
            "Ärztliche Direktion",
            "ceo",
            5,
            0,
        ),
        ("procurement", "procurement", "buyer", "Leitung Einkauf", "Einkauf", "ceo", 4, -1),
        ("finance", "finance", "influencer", "Leitung Medizincontrolling", "Medizincontrolling", "ceo", 3, -1),
        (
            "pharmacist",
            "hospital_pharmacist",
            "gatekeeper",
            "Chefapotheker|Chefapothekerin",
            "Krankenhausapotheke",
            "meddir",
            5,
            1,
        ),
        (
            "formulary",
            "formulary_committee",
            "decision_maker",
            "Vorsitz Arzneimittelkommission",
            "Arzneimittelkommission",
            "meddir",
            4,
            0,
        ),
        (
            "hod",
            "head_of_department",
            "decision_maker",
            "Chefarzt Kardiologie|Chefärztin Kardiologie",
            "Kardiologie",
            "meddir",
            5,
            1,
        ),
        ("physician", "physician", "user", "Oberarzt Kardiologie|Oberärztin Kardiologie", "Kardiologie", "hod", 3, 2),
        (
            "oncologist",
            "head_of_department",
            "influencer",
            "Chefarzt Onkologie|Chefärztin Onkologie",
            "Onkologie",
            "meddir",
            4,
            -1,
        ),
        ("nurse", "nurse", "user", "Stationsleitung Onkologie", "Onkologie", "oncologist", 2, 1),
    ],
    (H, "en"): [
        ("ceo", "management", "decision_maker", "Chief Executive", "", None, 5, 0),
        ("meddir", "management", "decision_maker", "Medical Director", "Medical Directorate", "ceo", 5, 0),
        ("procurement", "procurement", "buyer", "Head of Procurement", "Procurement", "ceo", 4, -1),
        ("finance", "finance", "influencer", "Finance Business Partner, Medicines", "Pharmacy", "ceo", 3, -1),
        ("pharmacist", "hospital_pharmacist", "gatekeeper", "Chief Pharmacist", "Pharmacy", "meddir", 5, 1),
        (
            "formulary",
            "formulary_committee",
            "decision_maker",
            "Chair, Drugs and Therapeutics Committee",
            "Drugs and Therapeutics Committee",
            "meddir",
            4,
            0,
        ),
        ("hod", "head_of_department", "decision_maker", "Clinical Director, Cardiology", "Cardiology", "meddir", 5, 1),
        ("physician", "physician", "user", "Consultant Cardiologist", "Cardiology", "hod", 3, 2),
        ("oncologist", "head_of_department", "influencer", "Clinical Director, Oncology", "Oncology", "meddir", 4, -1),
        ("nurse", "nurse", "user", "Oncology Nurse Specialist", "Oncology", "oncologist", 2, 1),
    ],
    (H, "fr"): [
        ("ceo", "management", "decision_maker", "Directeur général|Directrice générale", "", None, 5, 0),
        (
            "meddir",
            "management",
            "decision_maker",
            "Directeur médical|Directrice médicale",
            "Direction médicale",
            "ceo",
            5,
            0,
        ),
        ("procurement", "procurement", "buyer", "Responsable des achats", "Achats", "ceo", 4, -1),
        (
            "finance",
            "finance",
            "influencer",
            "Contrôleur de gestion|Contrôleuse de gestion",
            "Contrôle de gestion",
            "ceo",
            3,
            -1,
        ),
        (
            "pharmacist",
            "hospital_pharmacist",
            "gatekeeper",
            "Pharmacien-chef|Pharmacienne-cheffe",
            "Pharmacie",
            "meddir",
            5,
            1,
        ),
        (
            "formulary",
            "formulary_committee",
            "decision_maker",
            "Président de la commission des médicaments|Présidente de la commission des médicaments",
            "Commission des médicaments",
            "meddir",
            4,
            0,
        ),
        (
            "hod",
            "head_of_department",
            "decision_maker",
            "Médecin-chef, cardiologie|Médecin-cheffe, cardiologie",
            "Cardiologie",
            "meddir",
            5,
            1,
        ),
        ("physician", "physician", "user", "Médecin adjoint|Médecin adjointe", "Cardiologie", "hod", 3, 2),
        (
            "oncologist",
            "head_of_department",
            "influencer",
            "Médecin-chef, oncologie|Médecin-cheffe, oncologie",
            "Oncologie",
            "meddir",
            4,
            -1,
        ),
        ("nurse", "nurse", "user", "Infirmier-chef|Infirmière-cheffe", "Oncologie", "oncologist", 2, 1),
    ],
    (P, "de"): [
        (
            "owner",
            "owner_buyer",
            "decision_maker",
            "Inhaber und Apotheker|Inhaberin und Apothekerin",
            "Apothekenleitung",
            None,
            5,
            1,
        ),
        (
            "branch",
            "other",
            "influencer",
            "Filialleiter, Apotheker|Filialleiterin, Apothekerin",
            "Offizin",
            "owner",
            3,
            1,
        ),
        ("buyer", "procurement", "buyer", "Leitung Einkauf", "Einkauf", "owner", 4, 0),
        ("pta", "other", "user", "PTA (pharmazeutisch-technische Assistenz)", "Offizin", "branch", 2, 0),
    ],
    (P, "en"): [
        ("owner", "owner_buyer", "decision_maker", "Owner and Superintendent Pharmacist", "Management", None, 5, 1),
        ("branch", "other", "influencer", "Pharmacist Manager", "Dispensary", "owner", 3, 1),
        ("buyer", "procurement", "buyer", "Head of Purchasing", "Purchasing", "owner", 4, 0),
        ("pta", "other", "user", "Pharmacy Technician", "Dispensary", "branch", 2, 0),
    ],
    (P, "fr"): [
        (
            "owner",
            "owner_buyer",
            "decision_maker",
            "Pharmacien titulaire|Pharmacienne titulaire",
            "Direction",
            None,
            5,
            1,
        ),
        ("branch", "other", "influencer", "Pharmacien adjoint|Pharmacienne adjointe", "Officine", "owner", 3, 1),
        ("buyer", "procurement", "buyer", "Responsable des achats", "Achats", "owner", 4, 0),
        ("pta", "other", "user", "Assistant en pharmacie|Assistante en pharmacie", "Officine", "branch", 2, 0),
    ],
    (W, "de"): [
        ("md", "management", "decision_maker", "Geschäftsführer|Geschäftsführerin", "Geschäftsführung", None, 5, 0),
        ("purchasing", "procurement", "buyer", "Leitung Einkauf", "Einkauf", "md", 5, -1),
        (
            "category",
            "owner_buyer",
            "influencer",
            "Category Manager Rx|Category Managerin Rx",
            "Einkauf",
            "purchasing",
            3,
            1,
        ),
        ("logistics", "other", "user", "Leitung Logistik", "Logistik", "md", 2, 0),
        ("finance", "finance", "influencer", "Kaufmännischer Leiter|Kaufmännische Leiterin", "Finanzen", "md", 4, -1),
        ("industry", "other", "influencer", "Leitung Industriebeziehungen", "Einkauf", "purchasing", 3, 1),
    ],
    (W, "en"): [
        ("md", "management", "decision_maker", "Managing Director", "Executive Management", None, 5, 0),
        ("purchasing", "procurement", "buyer", "Head of Purchasing", "Purchasing", "md", 5, -1),
        (
            "category",
            "owner_buyer",
            "influencer",
            "Category Manager, Specialty Medicines",
            "Purchasing",
            "purchasing",
            3,
            1,
        ),
        ("logistics", "other", "user", "Head of Logistics", "Logistics", "md", 2, 0),
        ("finance", "finance", "influencer", "Finance Director", "Finance", "md", 4, -1),
        ("industry", "other", "influencer", "Head of Manufacturer Relations", "Purchasing", "purchasing", 3, 1),
    ],
    (W, "fr"): [
        ("md", "management", "decision_maker", "Directeur général|Directrice générale", "Direction", None, 5, 0),
        ("purchasing", "procurement", "buyer", "Responsable des achats", "Achats", "md", 5, -1),
        ("category", "owner_buyer", "influencer", "Category manager Rx", "Achats", "purchasing", 3, 1),
        ("logistics", "other", "user", "Responsable logistique", "Logistique", "md", 2, 0),
        ("finance", "finance", "influencer", "Directeur financier|Directrice financière", "Finances", "md", 4, -1),
        ("industry", "other", "influencer", "Responsable relations laboratoires", "Achats", "purchasing", 3, 1),
    ],
}
# The large demo's further people: (function, DMU role, position, departments).
EXTRAS: dict[tuple[str, str], list[tuple]] = {
    (H, "de"): [
        ("physician", "user", "Oberarzt|Oberärztin", ["Kardiologie", "Onkologie", "Hämatologie", "Neurologie"]),
        ("physician", "influencer", "Facharzt|Fachärztin", ["Innere Medizin", "Onkologie", "Kardiologie"]),
        ("nurse", "user", "Pflegefachmann|Pflegefachfrau", ["Onkologie", "Kardiologie", "Tagesklinik"]),
        ("head_of_department", "decision_maker", "Chefarzt|Chefärztin", ["Neurologie", "Hämatologie", "Pneumologie"]),
        (
            "hospital_pharmacist",
            "influencer",
            "Fachapotheker für klinische Pharmazie|Fachapothekerin für klinische Pharmazie",
            ["Krankenhausapotheke"],
        ),
        ("formulary_committee", "influencer", "Mitglied der Arzneimittelkommission", ["Arzneimittelkommission"]),
        ("procurement", "buyer", "Einkäufer Arzneimittel|Einkäuferin Arzneimittel", ["Einkauf"]),
    ],
    (H, "en"): [
        ("physician", "user", "Specialty Registrar", ["Cardiology", "Oncology", "Haematology", "Neurology"]),
        ("physician", "influencer", "Consultant", ["Internal Medicine", "Oncology", "Cardiology"]),
        ("nurse", "user", "Clinical Nurse Specialist", ["Oncology", "Cardiology", "Day Unit"]),
        (
            "head_of_department",
            "decision_maker",
            "Clinical Director",
            ["Neurology", "Haematology", "Respiratory Medicine"],
        ),
        ("hospital_pharmacist", "influencer", "Specialist Pharmacist", ["Pharmacy"]),
        (
            "formulary_committee",
            "influencer",
            "Member, Drugs and Therapeutics Committee",
            ["Drugs and Therapeutics Committee"],
        ),
        ("procurement", "buyer", "Procurement Officer, Medicines", ["Procurement"]),
    ],
    (H, "fr"): [
        (
            "physician",
            "user",
            "Chef de clinique|Cheffe de clinique",
            ["Cardiologie", "Oncologie", "Hématologie", "Neurologie"],
        ),
        (
            "physician",
            "influencer",
            "Médecin adjoint|Médecin adjointe",
            ["Médecine interne", "Oncologie", "Cardiologie"],
        ),
        ("nurse", "user", "Infirmier|Infirmière", ["Oncologie", "Cardiologie", "Hôpital de jour"]),
        (
            "head_of_department",
            "decision_maker",
            "Médecin-chef|Médecin-cheffe",
            ["Neurologie", "Hématologie", "Pneumologie"],
        ),
        ("hospital_pharmacist", "influencer", "Pharmacien clinicien|Pharmacienne clinicienne", ["Pharmacie"]),
        (
            "formulary_committee",
            "influencer",
            "Membre de la commission des médicaments",
            ["Commission des médicaments"],
        ),
        ("procurement", "buyer", "Acheteur|Acheteuse", ["Achats"]),
    ],
    (P, "de"): [
        ("other", "influencer", "Apotheker|Apothekerin", ["Offizin"]),
        ("other", "user", "PTA (pharmazeutisch-technische Assistenz)", ["Offizin"]),
        ("other", "user", "PKA (pharmazeutisch-kaufmännische Assistenz)", ["Einkauf"]),
    ],
    (P, "en"): [
        ("other", "influencer", "Pharmacist", ["Dispensary"]),
        ("other", "user", "Pharmacy Technician", ["Dispensary"]),
        ("other", "user", "Dispensing Assistant", ["Purchasing"]),
    ],
    (P, "fr"): [
        ("other", "influencer", "Pharmacien adjoint|Pharmacienne adjointe", ["Officine"]),
        ("other", "user", "Assistant en pharmacie|Assistante en pharmacie", ["Officine"]),
        ("other", "user", "Préparateur|Préparatrice", ["Achats"]),
    ],
    (W, "de"): [
        ("procurement", "buyer", "Einkäufer|Einkäuferin", ["Einkauf"]),
        ("other", "user", "Disponent|Disponentin", ["Logistik"]),
        ("other", "influencer", "Leitung Vertrieb Apotheken", ["Vertrieb"]),
    ],
    (W, "en"): [
        ("procurement", "buyer", "Buyer", ["Purchasing"]),
        ("other", "user", "Stock Planner", ["Logistics"]),
        ("other", "influencer", "Head of Pharmacy Sales", ["Sales"]),
    ],
    (W, "fr"): [
        ("procurement", "buyer", "Acheteur|Acheteuse", ["Achats"]),
        ("other", "user", "Gestionnaire de stocks", ["Logistique"]),
        ("other", "influencer", "Responsable ventes officines", ["Ventes"]),
    ],
}
DOCTORS = {"physician", "head_of_department"}


def gendered(text: str, female: bool) -> str:
    """The male or female form of a title written "male|female"; other titles as they are."""
    male, _, other = text.partition("|")
    return (other or male) if female else male


def pick_person(rng: random.Random, language: str) -> tuple[str, str, bool]:
    """(first name, last name, female) from the language's names."""
    women, men, last = NAMES[language]
    female = rng.random() < 0.5
    return rng.choice(women if female else men), rng.choice(last), female


def academic_title(rng: random.Random, *, function: str, key: str, language: str, university: bool) -> str:
    """Dr. for physicians (Prof. Dr. for many heads at a university hospital), sometimes for a
    medical director or a hospital pharmacist; British style without the dot."""
    professor = False
    if function in DOCTORS or key == "meddir":
        professor = university and function == "head_of_department" and rng.random() < 0.7
        title = "Prof. Dr." if professor else "Dr."
    elif function == "hospital_pharmacist" and rng.random() < 0.3:
        title = "Dr."
    else:
        return ""
    if language == "de":
        return title
    return ("Prof" if language == "en" else "Pr") if professor else "Dr"


def account_language(country: str, city: str) -> str:
    """The language people speak at an account of the small demo."""
    if country == "GB":
        return "en"
    return "fr" if city in ("Lausanne", "Genève") else "de"
