"""The patient-data detector (kam.patient_data): a corpus of what must be found and what must not,
in English and German, and every text of the demo, none of which may look like patient data."""

from __future__ import annotations

import ast
import itertools
import time
from pathlib import Path

import pytest

from kam import patient_data
from kam.patient_data import BIRTH_DATE, DIAGNOSIS, INSURANCE_NUMBER, PATIENT_ID

ROOT = Path(__file__).resolve().parents[2]

FOUND = [
    # Dates of birth
    ("Herr Müller, geb. 12.03.1958, kam zur Visite", BIRTH_DATE, "geb. 12.03.1958"),
    ("born 1958-03-12", BIRTH_DATE, "born 1958-03-12"),
    ("Patient DOB: 03/12/1958", BIRTH_DATE, "DOB: 03/12/1958"),
    ("Geburtsdatum 12.3.58", BIRTH_DATE, "Geburtsdatum 12.3.58"),
    ("Max Mustermann *12.03.1958", BIRTH_DATE, "*12.03.1958"),
    ("date of birth 12 March 1958", BIRTH_DATE, "date of birth 12 March 1958"),
    ("geboren am 1. Mai 1960 in Köln", BIRTH_DATE, "geboren am 1. Mai 1960"),
    ("Mrs Jones, born in 1947, asked for a leaflet", BIRTH_DATE, "born in 1947"),
    ("Geb.-Datum: 01.02.1970", BIRTH_DATE, "Geb.-Datum: 01.02.1970"),
    ("b/c D.O.B. March 12, 1958", BIRTH_DATE, "D.O.B. March 12, 1958"),
    # Insurance numbers
    ("Versichertennummer A123456789", INSURANCE_NUMBER, "Versichertennummer A123456789"),
    ("KV-Nummer: A123456789", INSURANCE_NUMBER, "KV-Nummer: A123456789"),
    ("Karte mit X987654321 vorgelegt", INSURANCE_NUMBER, "X987654321"),
    ("Insurance number 123456789", INSURANCE_NUMBER, "Insurance number 123456789"),
    ("NHS number 943 476 5919", INSURANCE_NUMBER, "NHS number 943 476 5919"),
    # Patient identifiers
    ("Patient Nr. 4711-22", PATIENT_ID, "Patient Nr. 4711-22"),
    ("Fall-Nr. 2026/12345", PATIENT_ID, "Fall-Nr. 2026/12345"),
    ("Fallnummer 778899 bitte prüfen", PATIENT_ID, "Fallnummer 778899"),
    ("MRN 00123456", PATIENT_ID, "MRN 00123456"),
    ("Pat.-ID 123456", PATIENT_ID, "Pat.-ID 123456"),
    ("medical record number: 55-1234", PATIENT_ID, "medical record number: 55-1234"),
    # Diagnoses next to a person
    ("Herr Müller hat Diabetes Typ 2", DIAGNOSIS, "Herr Müller hat Diabetes"),
    ("Frau Dr. X, C50.9", DIAGNOSIS, "Frau Dr. X, C50.9"),
    ("Frau Schmidt (Mammakarzinom) wird operiert", DIAGNOSIS, "Frau Schmidt (Mammakarzinom"),
    ("Mr Smith was diagnosed with breast cancer", DIAGNOSIS, "Mr Smith was diagnosed with breast cancer"),
    ("Prof. Keller leidet an Morbus Crohn", DIAGNOSIS, "Prof. Keller leidet an Morbus Crohn"),
    ("Patientin K. mit Brustkrebs", DIAGNOSIS, "Patientin K. mit Brustkrebs"),
    ("ICD C50.9 bei Herrn Meier", DIAGNOSIS, "ICD C50.9 bei Herrn Meier"),
    ("Mrs Brown, asthma, came with her son", DIAGNOSIS, "Mrs Brown, asthma"),
    ("Hr. Weber: E11.9 G", DIAGNOSIS, "Hr. Weber: E11.9 G"),
]

NOT_FOUND = [
    "Meeting 12.03.2027 with the pharmacy",
    "Besprechung am 12.03.2027 mit der Apotheke",
    "Next review 2027-01-15 with Mr Brown from procurement",
    "Frau Dr. Schmidt, geb. Müller, Chefärztin Kardiologie",
    "Dr. Weber presented the heart failure guideline",
    "Prof. Keller: oncology budget 2027 under pressure",
    "Patient numbers grew by 10% in 2026",
    "Patientenzahlen 2026 gestiegen, 120 Patienten unter Therapie",
    "Tender lot 3, award 01.04.2027",
    "Cardiovex listing in Q3 2027; Respiclar PZN 12345678",
    "Herr Müller (Einkauf) fragt nach Rabatten für Cardiovex",
    "Frau Dr. Weber, Diabetologie, interessiert an Studiendaten",
    "Herr Meier aus der Diabetologie, Termin am 15.01.2027",
    "Expense EXP123456789 for the dinner",
    "Our diabetes portfolio: Glucavia for type 2 patients",
    "Diabetes pathway workshop with the drugs committee. Herr Lange from controlling joins.",
    "Ausschreibung Los 4, Vergabe-Nr. 2027/118",
    "Vitamin B12 and C50 indications, no person named",
    "Order 150 packs by 31/03/2027",
    "",
]


@pytest.mark.parametrize("text,kind,span", FOUND)
def test_it_finds_patient_data(text, kind, span):
    findings = patient_data.find(text)
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [(kind, span)]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_it_leaves_business_text_alone(text):
    assert patient_data.find(text) == []


def test_it_names_each_kind_once_in_a_fixed_order():
    text = "Fall-Nr. 12345: Herr Müller, geb. 12.03.1958, hat Diabetes; zweite Fall-Nr. 67890"
    assert patient_data.kinds(text) == [BIRTH_DATE, PATIENT_ID, DIAGNOSIS]


def test_findings_of_one_kind_never_overlap_and_no_kind_is_lost():
    text = "Herr Müller, geb. 12.03.1958, A123456789, Diabetes; Herr Meier, C50.9"
    findings = patient_data.find(text)
    assert {f.kind for f in findings} == {BIRTH_DATE, INSURANCE_NUMBER, DIAGNOSIS}
    for kind in {f.kind for f in findings}:
        spans = [f for f in findings if f.kind == kind]
        assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def _demo_texts() -> list[str]:
    texts = []
    for name in ("kam/demo/texts.py", "kam/demo/dmu_data.py"):
        tree = ast.parse((ROOT / name).read_text())
        texts += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return texts


def test_no_text_of_the_demo_looks_like_patient_data():
    texts = _demo_texts()
    assert len(texts) > 500
    flagged = [(t, patient_data.kinds(t)) for t in texts if patient_data.find(t)]
    assert flagged == []


@pytest.mark.parametrize(
    "text",
    [
        "geb." + " " * 4990 + "x",  # nested optional spaces once backtracked for minutes
        "Versichertennummer" + " " * 4980,
        "DOB" + " :" * 2490,
        "Frau " + "Dr. " * 1240,
        "Herr A, C50.9 " * 350,  # many people and codes: every pair was compared
        "Herr Müller hat Diabetes. " * 190,
        "a" * 5000,
    ],
)
def test_a_field_at_its_longest_is_checked_quickly(text):
    started = time.perf_counter()
    patient_data.find(text)
    assert time.perf_counter() - started < 1.0
