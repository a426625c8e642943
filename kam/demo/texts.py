"""What the demo's KAMs write: plan texts, SWOT, objectives, actions and touchpoint notes, per
account type (a hospital's plan is about formularies, pathways and tenders; a pharmacy's and a
wholesaler's about range, conditions, stock and service) and per language: the KAMs in Germany
and Switzerland write in German, the others in English (``plan_language``)."""

from __future__ import annotations

H, P, W = "hospital", "pharmacy", "wholesaler"


# The product each account type's plan is about: the account always keeps a listing of it (listed,
# under review or lost), so the plan's listing objective and the numbers about it have a subject.
FOCUS = {H: "Cardiovex", P: "Respiclar", W: "Hemastat"}


def plan_language(country: str) -> str:
    """The language the account's KAM writes in: German in Germany, Austria and Switzerland."""
    return "de" if country in ("DE", "AT", "CH") else "en"


# Objectives: (kind, title, aim, months to the due date). A number aims at (KPI, unit, baseline,
# target, pacing); a milestone at its date; a listing at (product brand, listing status).
# Actions: (title, days from today to the due date, status); the further actions of the large
# demo: (title, status). The first objective and actions marked in SHARED_* are the joint ones.
TEXTS: dict[tuple[str, str], dict] = {
    (H, "en"): {
        "commentary": [
            "Strategic account: high potential in cardiology and oncology; our share is growing but below target.",
            "Stable business with strong listings; growth depends on the drugs committee's decision on Oncoril.",
            "Attractive account where our position is weak; invest in the pharmacy and the medical directorate.",
        ],
        "steps": {
            2: {
                "strategy": "Become the regional cardiovascular centre; shorten length of stay after acute coronary syndrome.",
                "needs": "Predictable drug budget, outcome data for the drugs and therapeutics committee, reliable supply.",
                "drivers": "Budget pressure; formulary review twice a year; regional tender for lot 3 in spring.",
            },
            3: {
                "notes": "Win over the finance business partner; keep the chief pharmacist close; no contact yet with the committee chair."
            },
            4: {
                "value_proposition": "Fewer readmissions after a coronary event and a predictable drug budget through a shared lipid pathway."
            },
            6: {"audit_notes": "Quarterly check with the account team against the objectives."},
        },
        "swot": [
            ("S", "Strong outcome data for Cardiovex in secondary prevention"),
            ("S", "Good working relationship with the chief pharmacist"),
            ("W", "No contact yet with the chair of the drugs and therapeutics committee"),
            ("O", "New lipid clinic opening in spring"),
            ("O", "Regional tender consolidating three hospitals"),
            ("T", "Inclisiran offered with a twice-yearly injection in the clinic"),
        ],
        "objectives": [
            (
                "numeric",
                "Grow Cardiovex patients on therapy",
                ("Patients on therapy", "patients", "120", "180", "linear"),
                11,
            ),
            ("milestone", "Joint lipid pathway agreed with cardiology and the pharmacy", None, 8),
            ("listing", "Cardiovex listed on the formulary", ("Cardiovex", "listed"), 6),
            (
                "numeric",
                "Oncoril share of new PD-1 starts",
                ("Share of new PD-1 starts", "%", "25", "40", "at_due"),
                12,
            ),
        ],
        "actions": [
            ("Present the budget impact model to the drugs and therapeutics committee", -20, "done"),
            ("Pathway workshop with cardiology and the pharmacy", -5, "in_progress"),
            ("Prepare the tender documents for lot 3", 25, "planned"),
            ("Quarterly business review with procurement", 40, "planned"),
            ("Self-injection training with the cardiology nurses", -12, "planned"),
            ("Share the real-world evidence summary with the pharmacy", 60, "planned"),
        ],
        "more_actions": [
            ("Prepare the formulary dossier", "planned"),
            ("Agree the tender timetable with procurement", "planned"),
            ("Hold the joint steering meeting", "planned"),
            ("Share outcome data with the drugs and therapeutics committee", "blocked"),
            ("Visit the new clinical director", "done"),
            ("Map the patient pathway with the nurse specialists", "in_progress"),
        ],
        "summaries": [
            "Discussed the formulary timetable and the budget impact model; pharmacy wants real-world data on readmissions.",
            "Reviewed supply reliability after the winter shortage; agreed a quarterly stock review with the pharmacy.",
            "Presented the patient-support programme; the lipid clinic is interested in self-injection training.",
            "Tender for lot 3 expected in spring; procurement asked for our framework-agreement conditions.",
            "Met the new finance business partner; no budget for new medicines before Q2, decisions via the committee.",
        ],
        "medical": [
            "Scientific exchange on the latest phase III data; questions on subgroup results referred to medical information.",
            "Advisory board on lipid-lowering pathways after acute coronary syndrome; minutes with medical affairs.",
        ],
        "next_steps": [
            "Send the budget impact model",
            "Meeting with the chief pharmacist",
            "Share the tender documents checklist",
            "Follow up on the committee decision",
        ],
    },
    (H, "de"): {
        "commentary": [
            "Strategischer Kunde: hohes Potenzial in Kardiologie und Onkologie; unser Anteil wächst, liegt aber unter Plan.",
            "Stabiles Geschäft mit guten Listungen; Wachstum hängt an der Entscheidung der Arzneimittelkommission zu Oncoril.",
            "Attraktiver Kunde, unsere Position ist schwach; in Apotheke und Ärztliche Direktion investieren.",
        ],
        "steps": {
            2: {
                "strategy": "Kardiovaskuläres Zentrum der Region werden; Verweildauer nach akutem Koronarsyndrom senken.",
                "needs": "Planbares Arzneimittelbudget, Outcome-Daten für die Arzneimittelkommission, sichere Lieferfähigkeit.",
                "drivers": "Budgetdruck nach dem Tarifabschluss; Arzneimittelkommission tagt zweimal im Jahr; Ausschreibung Los 3 im Frühjahr.",
            },
            3: {
                "notes": "Medizincontrolling gewinnen; enger Kontakt zur Chefapothekerin; Vorsitz der Arzneimittelkommission noch nicht erreicht."
            },
            4: {
                "value_proposition": "Weniger Wiederaufnahmen nach koronarem Ereignis und ein planbares Budget durch einen gemeinsamen Behandlungspfad Lipidtherapie."
            },
            6: {"audit_notes": "Quartalsweise Prüfung der Ziele mit dem Account-Team."},
        },
        "swot": [
            ("S", "Starke Outcome-Daten für Cardiovex in der Sekundärprävention"),
            ("S", "Gute Zusammenarbeit mit der Krankenhausapotheke"),
            ("W", "Noch kein Kontakt zum Vorsitz der Arzneimittelkommission"),
            ("O", "Neue Lipidambulanz ab Frühjahr"),
            ("O", "Gemeinsame Ausschreibung von drei Häusern des Verbunds"),
            ("T", "Inclisiran mit zwei Injektionen im Jahr in der Ambulanz"),
        ],
        "objectives": [
            (
                "numeric",
                "Mehr Patienten unter Cardiovex-Therapie",
                ("Patienten unter Therapie", "Patienten", "120", "180", "linear"),
                11,
            ),
            ("milestone", "Gemeinsamer Behandlungspfad Lipidtherapie mit Kardiologie und Apotheke vereinbart", None, 8),
            ("listing", "Cardiovex in der Arzneimittelliste gelistet", ("Cardiovex", "listed"), 6),
            (
                "numeric",
                "Oncoril-Anteil an PD-1-Neueinstellungen",
                ("Anteil an PD-1-Neueinstellungen", "%", "25", "40", "at_due"),
                12,
            ),
        ],
        "actions": [
            ("Budget-Impact-Modell in der Arzneimittelkommission vorstellen", -20, "done"),
            ("Workshop Behandlungspfad mit Kardiologie und Apotheke", -5, "in_progress"),
            ("Ausschreibungsunterlagen für Los 3 vorbereiten", 25, "planned"),
            ("Quartalsgespräch mit Einkauf und Krankenhausapotheke", 40, "planned"),
            ("Schulung Selbstinjektion mit der kardiologischen Pflege", -12, "planned"),
            ("Real-World-Evidenz für die Apotheke zusammenfassen", 60, "planned"),
        ],
        "more_actions": [
            ("Dossier für die Arzneimittelkommission vorbereiten", "planned"),
            ("Zeitplan der Ausschreibung mit dem Einkauf abstimmen", "planned"),
            ("Gemeinsames Steuerungstreffen durchführen", "planned"),
            ("Outcome-Daten an die Arzneimittelkommission geben", "blocked"),
            ("Antrittsbesuch bei der neuen Chefärztin", "done"),
            ("Patientenpfad mit der Pflege aufnehmen", "in_progress"),
        ],
        "summaries": [
            "Zeitplan der Arzneimittelkommission und Budget-Impact-Modell besprochen; Apotheke wünscht Real-World-Daten zu Wiederaufnahmen.",
            "Lieferfähigkeit nach dem Engpass im Winter besprochen; quartalsweiser Bestandsabgleich mit der Apotheke vereinbart.",
            "Patientenprogramm vorgestellt; die Lipidambulanz möchte eine Schulung zur Selbstinjektion.",
            "Ausschreibung Los 3 im Frühjahr erwartet; der Einkauf bittet um unsere Rahmenvertragskonditionen.",
            "Neue Leitung Medizincontrolling kennengelernt; kein Budget für neue Arzneimittel vor Q2, Entscheidung über die Kommission.",
        ],
        "medical": [
            "Wissenschaftlicher Austausch zu den neuen Phase-III-Daten; Fragen zu Subgruppen an die medizinische Information weitergeleitet.",
            "Advisory Board zur Lipidsenkung nach akutem Koronarsyndrom; Protokoll bei Medical Affairs.",
        ],
        "next_steps": [
            "Budget-Impact-Modell schicken",
            "Termin mit der Krankenhausapotheke",
            "Checkliste Ausschreibungsunterlagen senden",
            "Entscheidung der Arzneimittelkommission nachfassen",
        ],
    },
    (P, "en"): {
        "commentary": [
            "Strong pharmacy with many severe-asthma patients; our range is only partly listed.",
            "Loyal partner; growth depends on the counselling service and on keeping our strengths in stock.",
            "Attractive location, weak position: invest in the owner and the purchasing lead.",
        ],
        "steps": {
            2: {
                "strategy": "Specialise in chronic patients with counselling and a repeat-prescription service.",
                "needs": "Fair order conditions, no stock-outs, training for the team, patient material.",
                "drivers": "Margin pressure; staff shortage; competition from online pharmacies.",
            },
            3: {"notes": "The owner decides alone; the purchasing lead prepares every order."},
            4: {
                "value_proposition": "More chronic patients kept on therapy through counselling, and a range that is always in stock."
            },
            6: {"audit_notes": "Quarterly business review with the owner."},
        },
        "swot": [
            ("S", "High footfall and a loyal base of chronic patients"),
            ("S", "Owner open to services beyond dispensing"),
            ("W", "Two strengths of our range not kept in stock"),
            ("O", "Counselling service for severe asthma"),
            ("T", "Online pharmacies taking repeat prescriptions"),
        ],
        "objectives": [
            ("numeric", "Raise basket penetration", ("Listed share of our portfolio", "%", "40", "60", "at_due"), 12),
            ("milestone", "Joint counselling service for severe asthma launched", None, 8),
            ("listing", "Respiclar kept in stock", ("Respiclar", "listed"), 6),
            (
                "numeric",
                "Grow Respiclar packs dispensed",
                ("Packs dispensed per month", "packs", "40", "60", "linear"),
                11,
            ),
        ],
        "actions": [
            ("Review the range and the missing strengths with the owner", -20, "done"),
            ("Counselling training for the pharmacy team", -5, "in_progress"),
            ("Agree the order conditions for next quarter", 25, "planned"),
            ("Quarterly business review with the owner", 40, "planned"),
            ("Shelf placement and window display for the asthma campaign", -12, "planned"),
            ("Share the patient information material", 60, "planned"),
        ],
        "more_actions": [
            ("Check stock levels of our range", "done"),
            ("Set up the repeat-prescription reminder", "planned"),
            ("Hold the joint review meeting", "planned"),
            ("Agree the direct-order conditions", "blocked"),
        ],
        "summaries": [
            "Category review: basket penetration below target, discussed listing of two missing strengths.",
            "Reviewed stock-outs of the last quarter; the owner wants a direct order as a back-up.",
            "Presented the asthma counselling service; the team wants training before the campaign.",
            "Discussed order conditions and the bonus scale for next quarter.",
        ],
        "next_steps": [
            "Send the order conditions",
            "Book the team training",
            "Deliver the patient material",
            "Check the stock after the campaign",
        ],
    },
    (P, "de"): {
        "commentary": [
            "Starke Apotheke mit vielen Patienten mit schwerem Asthma; unser Sortiment ist nur zum Teil gelistet.",
            "Treuer Partner; Wachstum hängt an der Beratung und an der Lieferfähigkeit unserer Stärken.",
            "Attraktive Lage, schwache Position: Inhaber und Einkauf gewinnen.",
        ],
        "steps": {
            2: {
                "strategy": "Schwerpunkt auf chronisch Kranke mit Beratung und Rezeptservice.",
                "needs": "Faire Einkaufskonditionen, keine Defekte, Schulung für das Team, Patientenmaterial.",
                "drivers": "Margendruck; Fachkräftemangel; Wettbewerb durch Versandapotheken.",
            },
            3: {"notes": "Der Inhaber entscheidet allein; die Leitung Einkauf bereitet jede Bestellung vor."},
            4: {
                "value_proposition": "Mehr chronisch Kranke in Therapie durch Beratung, und ein Sortiment, das immer vorrätig ist."
            },
            6: {"audit_notes": "Quartalsgespräch mit dem Inhaber."},
        },
        "swot": [
            ("S", "Hohe Kundenfrequenz und treue Stammkunden mit chronischen Erkrankungen"),
            ("S", "Inhaber offen für pharmazeutische Dienstleistungen"),
            ("W", "Zwei Stärken unseres Sortiments nicht an Lager"),
            ("O", "Beratungsangebot bei schwerem Asthma"),
            ("T", "Versandapotheken übernehmen Folgerezepte"),
        ],
        "objectives": [
            (
                "numeric",
                "Sortimentsabdeckung erhöhen",
                ("Gelisteter Anteil unseres Sortiments", "%", "40", "60", "at_due"),
                12,
            ),
            ("milestone", "Gemeinsames Beratungsangebot bei schwerem Asthma gestartet", None, 8),
            ("listing", "Respiclar an Lager", ("Respiclar", "listed"), 6),
            (
                "numeric",
                "Mehr abgegebene Packungen Respiclar",
                ("Abgegebene Packungen pro Monat", "Packungen", "40", "60", "linear"),
                11,
            ),
        ],
        "actions": [
            ("Sortiment und fehlende Stärken mit dem Inhaber durchgehen", -20, "done"),
            ("Beratungsschulung für das Apothekenteam", -5, "in_progress"),
            ("Einkaufskonditionen für das nächste Quartal vereinbaren", 25, "planned"),
            ("Quartalsgespräch mit dem Inhaber", 40, "planned"),
            ("Sichtwahl und Schaufenster für die Asthma-Aktion", -12, "planned"),
            ("Patientenmaterial übergeben", 60, "planned"),
        ],
        "more_actions": [
            ("Lagerbestand unseres Sortiments prüfen", "done"),
            ("Erinnerung für Folgerezepte einrichten", "planned"),
            ("Gemeinsames Jahresgespräch führen", "planned"),
            ("Direktbezugskonditionen abstimmen", "blocked"),
        ],
        "summaries": [
            "Sortimentsgespräch: Abdeckung unter Ziel, Listung zweier fehlender Stärken besprochen.",
            "Defekte im letzten Quartal besprochen; der Inhaber möchte den Direktbezug als Rückfallebene.",
            "Beratungsangebot Asthma vorgestellt; das Team wünscht eine Schulung vor der Aktion.",
            "Einkaufskonditionen und Staffelrabatt für das nächste Quartal besprochen.",
        ],
        "next_steps": [
            "Konditionen schicken",
            "Teamschulung terminieren",
            "Patientenmaterial liefern",
            "Bestand nach der Aktion prüfen",
        ],
    },
    (W, "en"): {
        "commentary": [
            "Our largest route to pharmacies; delivery ability of our range is the lever.",
            "Stable partner; conditions renegotiated every year, share of our range below competitors'.",
        ],
        "steps": {
            2: {
                "strategy": "Grow the specialty business and cut returns and expired stock.",
                "needs": "Reliable supply, forecasts, fair annual conditions, clean returns.",
                "drivers": "Low statutory margin; rising logistics costs; shortages in the winter.",
            },
            3: {"notes": "Purchasing decides the conditions; logistics and category management decide the stock."},
            4: {
                "value_proposition": "Fewer stock-outs and less expired stock through shared forecasts and an early warning of shortages."
            },
            6: {"audit_notes": "Monthly service-level report, quarterly business review."},
        },
        "swot": [
            ("S", "Nationwide network of branches with daily pharmacy deliveries"),
            ("W", "Low stock of our specialty products at the branches"),
            ("O", "Shared forecasting of demand"),
            ("T", "Parallel imports offered at lower prices"),
        ],
        "objectives": [
            ("numeric", "Raise delivery ability of our range", ("Delivery ability", "%", "92", "98", "linear"), 11),
            ("milestone", "Joint early warning of shortages in place", None, 8),
            ("listing", "Hemastat in the central warehouse range", ("Hemastat", "listed"), 6),
            ("numeric", "Raise basket penetration", ("Listed share of our portfolio", "%", "70", "90", "at_due"), 12),
        ],
        "actions": [
            ("Review the service-level report with purchasing", -20, "done"),
            ("Shortage early-warning workshop with logistics", -5, "in_progress"),
            ("Negotiate the annual conditions with purchasing", 25, "planned"),
            ("Quarterly business review with purchasing", 40, "planned"),
            ("Align the launch stock for the new pack size", -12, "planned"),
            ("Share the demand forecast with category management", 60, "planned"),
        ],
        "more_actions": [
            ("Review stock levels at the branches", "done"),
            ("Clean up the returns and expiry process", "planned"),
            ("Hold the joint supply review", "planned"),
            ("Agree the allocation rules for shortages", "blocked"),
        ],
        "summaries": [
            "Reviewed the service level of our range: 94 % delivery ability, two strengths short at the branches.",
            "Annual conditions: purchasing asks for a higher discount on the specialty range.",
            "Discussed returns and expired stock after the winter; agreed a monthly report.",
            "Category review: listing of the new pack size in the central warehouse.",
        ],
        "next_steps": [
            "Send the demand forecast",
            "Meeting with the head of logistics",
            "Send the conditions proposal",
            "Check the branch stock report",
        ],
    },
    (W, "de"): {
        "commentary": [
            "Unser wichtigster Weg zu den Apotheken; die Lieferfähigkeit unseres Sortiments ist der Hebel.",
            "Stabiler Partner; Jahreskonditionen jedes Jahr neu, Anteil unseres Sortiments unter dem der Wettbewerber.",
        ],
        "steps": {
            2: {
                "strategy": "Spezialitätengeschäft ausbauen, Retouren und Verfall senken.",
                "needs": "Sichere Lieferung, Absatzprognosen, faire Jahreskonditionen, saubere Retouren.",
                "drivers": "Niedriger Festzuschlag; steigende Logistikkosten; Engpässe im Winter.",
            },
            3: {
                "notes": "Der Einkauf verhandelt die Konditionen; Logistik und Category Management bestimmen den Bestand."
            },
            4: {
                "value_proposition": "Weniger Defekte und weniger Verfall durch gemeinsame Prognosen und ein Frühwarnsystem für Engpässe."
            },
            6: {"audit_notes": "Monatlicher Servicegrad-Bericht, Quartalsgespräch."},
        },
        "swot": [
            ("S", "Bundesweites Niederlassungsnetz mit täglicher Apothekenbelieferung"),
            ("W", "Geringer Bestand unserer Spezialitäten in den Niederlassungen"),
            ("O", "Gemeinsame Absatzprognose"),
            ("T", "Reimporte zu niedrigeren Preisen"),
        ],
        "objectives": [
            (
                "numeric",
                "Lieferfähigkeit unseres Sortiments erhöhen",
                ("Lieferfähigkeit", "%", "92", "98", "linear"),
                11,
            ),
            ("milestone", "Gemeinsames Frühwarnsystem für Lieferengpässe eingeführt", None, 8),
            ("listing", "Hemastat im Zentrallager gelistet", ("Hemastat", "listed"), 6),
            (
                "numeric",
                "Sortimentsabdeckung erhöhen",
                ("Gelisteter Anteil unseres Sortiments", "%", "70", "90", "at_due"),
                12,
            ),
        ],
        "actions": [
            ("Servicegrad-Bericht mit dem Einkauf durchgehen", -20, "done"),
            ("Workshop Frühwarnsystem Engpässe mit der Logistik", -5, "in_progress"),
            ("Jahreskonditionen mit dem Einkauf verhandeln", 25, "planned"),
            ("Quartalsgespräch mit dem Einkauf", 40, "planned"),
            ("Einführungsbestand für die neue Packungsgröße abstimmen", -12, "planned"),
            ("Absatzprognose mit dem Category Management teilen", 60, "planned"),
        ],
        "more_actions": [
            ("Bestände in den Niederlassungen prüfen", "done"),
            ("Retouren- und Verfallprozess bereinigen", "planned"),
            ("Gemeinsames Liefergespräch führen", "planned"),
            ("Kontingentregeln für Engpässe vereinbaren", "blocked"),
        ],
        "summaries": [
            "Servicegrad unseres Sortiments besprochen: 94 % Lieferfähigkeit, zwei Stärken in den Niederlassungen knapp.",
            "Jahreskonditionen: der Einkauf fordert mehr Rabatt auf die Spezialitäten.",
            "Retouren und Verfall nach dem Winter besprochen; monatlicher Bericht vereinbart.",
            "Sortimentsgespräch: Listung der neuen Packungsgröße im Zentrallager.",
        ],
        "next_steps": [
            "Absatzprognose schicken",
            "Termin mit der Leitung Logistik",
            "Konditionsangebot senden",
            "Bestandsbericht der Niederlassungen prüfen",
        ],
    },
}
# What the joint plan shows the customer: joint work, never our sales targets, conditions or
# tender tactics; per account type, in both languages.
SHARED_OBJECTIVES: dict[str, set[str]] = {
    H: {
        "Joint lipid pathway agreed with cardiology and the pharmacy",
        "Gemeinsamer Behandlungspfad Lipidtherapie mit Kardiologie und Apotheke vereinbart",
    },
    P: {
        "Joint counselling service for severe asthma launched",
        "Gemeinsames Beratungsangebot bei schwerem Asthma gestartet",
    },
    W: {
        "Joint early warning of shortages in place",
        "Gemeinsames Frühwarnsystem für Lieferengpässe eingeführt",
    },
}
# Shared actions, each with the function of the customer's stakeholder who owns it (None: ours).
SHARED_ACTIONS: dict[str, dict[str, str | None]] = {
    H: {
        "Pathway workshop with cardiology and the pharmacy": "head_of_department",
        "Workshop Behandlungspfad mit Kardiologie und Apotheke": "head_of_department",
        "Quarterly business review with procurement": "procurement",
        "Quartalsgespräch mit Einkauf und Krankenhausapotheke": "procurement",
        "Share the real-world evidence summary with the pharmacy": None,
        "Real-World-Evidenz für die Apotheke zusammenfassen": None,
        "Hold the joint steering meeting": None,
        "Gemeinsames Steuerungstreffen durchführen": None,
        "Map the patient pathway with the nurse specialists": None,
        "Patientenpfad mit der Pflege aufnehmen": None,
    },
    P: {
        "Counselling training for the pharmacy team": "owner_buyer",
        "Beratungsschulung für das Apothekenteam": "owner_buyer",
        "Quarterly business review with the owner": "owner_buyer",
        "Quartalsgespräch mit dem Inhaber": "owner_buyer",
        "Share the patient information material": None,
        "Patientenmaterial übergeben": None,
        "Hold the joint review meeting": None,
        "Gemeinsames Jahresgespräch führen": None,
    },
    W: {
        "Shortage early-warning workshop with logistics": "procurement",
        "Workshop Frühwarnsystem Engpässe mit der Logistik": "procurement",
        "Quarterly business review with purchasing": "procurement",
        "Quartalsgespräch mit dem Einkauf": "procurement",
        "Share the demand forecast with category management": None,
        "Absatzprognose mit dem Category Management teilen": None,
        "Hold the joint supply review": None,
        "Gemeinsames Liefergespräch führen": None,
    },
}


def texts(account_type: str, country: str) -> dict:
    """What the KAM of an account of this type in this country writes."""
    return TEXTS[(account_type, plan_language(country))]
