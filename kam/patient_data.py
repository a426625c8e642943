"""Text that looks like patient data: the detector behind the warning on free-text fields.

We store no patient data (docs: the domain's compliance paragraph), yet notes are typed by people
in a hurry: "Herr Müller, geb. 12.03.1958, Diabetes" slips into a touchpoint and from there into
every export and data-access answer. This module finds what looks like it, in English and
German, so that a form can warn before saving (``kam.compliance``). It is pure: text in, findings
out, no Django, no database.

What counts, each as a kind of finding with its span in the text:

- ``birth_date``: a date of birth, i.e. a date or year after a birth word ("geb. 12.03.1958",
  "geboren am", "Geburtsdatum", "born 1958-03-12", "DOB", "date of birth") or after the
  genealogical star ("*12.03.1958"). "geb." alone is not one: it also means née ("Frau Dr.
  Schmidt, geb. Müller").
- ``insurance_number``: a German health insurance number (Krankenversichertennummer: one capital
  letter and nine digits, "A123456789"), or digits after an insurance-number word
  ("Versichertennummer", "KVNR", "insurance number", "NHS number").
- ``patient_id``: an identifier after a patient-record word ("Patient Nr. 4711", "Pat.-ID",
  "Fall-Nr.", "Fallnummer", "Aufnahmenummer", "MRN", "medical record number", "case no.").
- ``diagnosis``: an ICD-10 code next to a person ("Frau Dr. X, C50.9"), or a disease next to a
  person named without an academic title ("Herr Müller … Diabetes"), or a disease tied to anyone
  by a word saying they have it ("Prof. Keller leidet an Morbus Crohn", "Mr Smith was diagnosed
  with asthma").

Kept out on purpose, so that the warning stays rare enough to be read: plain dates ("Meeting
12.03.2027"), product names and codes, tender lots, diseases as therapeutic areas or topics
("Dr. Weber presented the heart failure guideline": a titled healthcare professional and a
disease with no word saying anyone has it), and "patient numbers" as counts. The corpus in
``tests/kam/test_patient_data.py`` holds both sides, including every text of the demo.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

BIRTH_DATE = "birth_date"
INSURANCE_NUMBER = "insurance_number"
PATIENT_ID = "patient_id"
DIAGNOSIS = "diagnosis"
KINDS = (BIRTH_DATE, INSURANCE_NUMBER, PATIENT_ID, DIAGNOSIS)

# How far (in characters, within one sentence) a diagnosis may stand from the person it is about.
DIAGNOSIS_WINDOW = 60


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


_MONTHS = (
    r"(?:jan(?:uary|uar)?|feb(?:ruary|ruar)?|m(?:ar(?:ch)?|ärz|aerz)|apr(?:il)?|ma[iy]|jun[ei]?|jul[iy]?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cz](?:ember)?)\.?"
)
_YEAR = r"(?:19|20)\d{2}"
# A full date: 12.03.1958, 12.3.58, 12/03/1958, 1958-03-12, 12 March 1958, 12. März 1958, March 12, 1958.
_DATE = (
    rf"(?:\d{{1,2}}\s?[./-]\s?\d{{1,2}}\s?[./-]\s?(?:{_YEAR}|\d{{2}})(?!\d)"
    rf"|{_YEAR}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}\.?\s+{_MONTHS}\s+{_YEAR}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR})"
)
_DATE_OR_YEAR = rf"(?:{_DATE}|{_YEAR}(?!\d))"

_BIRTH_WORD = (
    r"(?:geb\.|geboren|Geburtsdatum|Geb\.?-?\s?Dat(?:um|\.)?|Geburtstag|born|b\.\s?d\.|DOB|D\.O\.B\.?"
    r"|date\s+of\s+birth|birth\s?date|birthday)"
)
# A birth word, then a filler word ("am", "on", "in", ":") and a date; or the star. The spaces are
# taken possessively (``*+``): "geb." and 5,000 spaces made the nested ``\s*`` backtrack for minutes.
_BIRTH = re.compile(
    rf"(?<![\w.]){_BIRTH_WORD}\s*+(?:[:=]\s*+)?(?:(?:am|on|in|im\s++Jahre?|the)\s++)?{_DATE_OR_YEAR}"
    rf"|(?<![\w*])\*\s?{_DATE}",
    re.IGNORECASE,
)

# The Krankenversichertennummer: one capital letter and nine digits, a word of its own.
_KVNR = re.compile(r"(?<![\w-])[A-Z]\s?\d{9}(?![\w-])")
_INSURANCE_WORD = re.compile(
    r"(?<!\w)(?:Kranken)?versicherten-?\s?(?:nummer|nr\.?)|KVNR|KV-?\s?(?:Nummer|Nr\.?)|Versicherungsnummer|Sozialversicherungsnummer|SVNR"
    r"|(?:health\s+)?insurance\s+(?:number|no\.?|id)|policy\s+(?:number|no\.?)|NHS\s+(?:number|no\.?)"
    r"|social\s+security\s+(?:number|no\.?)|SSN",
    re.IGNORECASE,
)
_PATIENT_WORD = re.compile(
    r"(?<!\w)(?:Patient(?:en|in)?[-\s]?(?:Nr\.?|Nummer|ID|No\.?|Number|#)|Pat\.?\s?-?\s?(?:Nr|ID)\.?"
    r"|Fall-?\s?(?:Nr\.?|Nummer)|Aufnahme-?\s?(?:Nr\.?|Nummer)|MRN|medical\s+record\s+(?:number|no\.?)"
    r"|case\s+(?:number|no\.?)|hospital\s+number)(?!\w)",
    re.IGNORECASE,
)
# What follows such a word and identifies: a token holding at least three digits.
# Possessive spaces (``*+``), as in ``_BIRTH``.
_ID_AFTER = re.compile(r"\s*+(?:[:#=.]\s*+)?(?:[A-Za-z]{0,4}[-/ ]?)?\d[\d\-/ ]{1,20}\d")

# A person: a form of address, optionally an academic title, and a name or an initial; or an
# academic title and a name; or "Patient(in) X." with a name or an initial.
_ADDRESS = r"(?:Herrn?|Frau|Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Miss)"
_ACADEMIC = r"(?:(?:Prof\.|Dr\.|PD|med\.|rer\.\s?nat\.|h\.\s?c\.)\s*)+"
_NAME = r"(?:[A-ZÄÖÜ][a-zäöüß'-]+|[A-ZÄÖÜ]\.?(?!\w))"
_PERSON = re.compile(
    rf"(?<!\w)(?P<untitled>{_ADDRESS}\s+(?!{_ACADEMIC}){_NAME}|(?:Patient(?:in)?|Pat\.)\s+{_NAME})"
    rf"|(?<!\w)(?P<titled>(?:{_ADDRESS}\s+)?{_ACADEMIC}{_NAME})"
)
# ICD-10: a chapter letter (U is reserved for special purposes), two digits, optionally a
# subcategory and the German certainty mark (G, V, Z, A) or side (L, R, B).
_ICD = re.compile(r"(?<![\w.-])(?:ICD(?:-10)?:?\s*)?[A-TV-Z]\d{2}(?:\.\d{1,2})?(?:\s?[GVZALRB])?(?![\w-])")
# Diseases, by their common names; word starts, so that "Diabetes-Patient" and "Mammakarzinom"
# match and "Diabetologie", "oncology", "cardiology" (therapeutic areas) do not.
_DISEASE = re.compile(
    r"(?<![\w-])(?:diabet(?:es|iker(?:in)?|ic)(?!olog)|typ(?:e)?\s?[12]\s?diabet\w*|\w*karzinom\w*|carcinoma|\w*krebs\w*"
    r"|cancer|tumou?r\w*|metasta\w+|leuk(?:ä|ae)mi\w*|leuk(?:a)?emia|lymphom\w*|lymphoma|melanom\w*|sarkom\w*"
    r"|HIV|AIDS|hepatitis|depression\w*|depressiv\w*|schizophren\w*|bipolar\w*|psychos[ei]\w*|demenz|dementia|alzheimer"
    r"|parkinson|epilep\w+|multiple\s+sklerose|multiple\s+sclerosis|MS-Patient\w*|morbus\s+\w+|crohn'?s?|colitis"
    r"|asthma\w*|COPD|psoriasis|rheuma\w*|arthritis|arthrose|osteoporos\w+|herzinsuffizienz|heart\s+failure"
    r"|herzinfarkt|myokardinfarkt|myocardial\s+infarction|heart\s+attack|schlaganfall|stroke|apoplex\w*"
    r"|niereninsuffizienz|dialyse\w*|dialysis|hypertoni\w*|hypertension|adipositas|obesity|sucht\w*|addiction"
    r"|alkoholabh(?:ä|ae)ngig\w*|alcoholism|infektion|infection|sepsis|tuberkulose|tuberculosis|schwanger\w*|pregnan\w*"
    r"|hypercholesterin(?:ä|ae)mie|hypercholesterol(?:a)?emia|anämie|anaemia|anemia|migräne|migraine)(?!\w)",
    re.IGNORECASE,
)
# Words saying someone has a disease: then even a titled person's disease is the person's.
_HAS = re.compile(
    r"(?<!\w)(?:hat|haben|leidet|litt|erkrankt\w*|diagnos\w+|Diagnose|Befund|behandelt\s+wegen|mit\s+V\.a\.|V\.a\."
    r"|has|had|suffers?|suffering|diagnosed|diagnosis|was\s+treated\s+for|treated\s+for|patient\s+with)(?!\w)",
    re.IGNORECASE,
)
# The end of a sentence: a full stop, question or exclamation mark or semicolon before a space and
# a capital, or a line break. A dot of "Dr." or "Prof." ends nothing.
_SENTENCE_END = re.compile(
    r"(?<!\bDr)(?<!\bProf)(?<!\bHr)(?<!\bFr)(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bmed)(?<!\bSt)(?<!\bNr)(?<!\bgeb)"
    r"(?<!\b[A-ZÄÖÜ])[.!?;](?=\s+[A-ZÄÖÜ0-9])|\n"
)


def find(text: str) -> list[Finding]:
    """Every stretch of ``text`` that looks like patient data, in order of their starts. Stretches
    of one kind do not overlap (of two, the one starting first, then the longer, is kept); of
    different kinds they may ("Herr Müller, geb. 12.03.1958, Diabetes" is a date of birth inside a
    diagnosis next to a person), so that no kind goes unnamed."""
    if not text:
        return []
    found: list[Finding] = []
    found += [Finding(BIRTH_DATE, m.start(), m.end()) for m in _BIRTH.finditer(text)]
    found += [Finding(INSURANCE_NUMBER, m.start(), m.end()) for m in _KVNR.finditer(text)]
    found += _after_word(text, _INSURANCE_WORD, INSURANCE_NUMBER)
    found += _after_word(text, _PATIENT_WORD, PATIENT_ID)
    found += _diagnoses(text)
    return _without_overlaps(found)


def kinds(text: str) -> list[str]:
    """The kinds found in ``text``, each once, in the order of ``KINDS``."""
    seen = {f.kind for f in find(text)}
    return [k for k in KINDS if k in seen]


def _after_word(text: str, word: re.Pattern, kind: str) -> list[Finding]:
    out = []
    for m in word.finditer(text):
        ident = _ID_AFTER.match(text, m.end())
        if ident:
            out.append(Finding(kind, m.start(), ident.end()))
    return out


def _diagnoses(text: str) -> list[Finding]:
    people = list(_PERSON.finditer(text))
    if not people:
        return []
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    codes = [m for m in _ICD.finditer(text) if not _overlaps(m, people)]
    diseases = list(_DISEASE.finditer(text))
    out = []
    for person in people:
        for code in _around(person, codes):
            if _near(person, code, ends):
                out.append(_span(DIAGNOSIS, person, code))
        for disease in _around(person, diseases):
            if not _near(person, disease, ends):
                continue
            between = text[min(person.end(), disease.end()) : max(person.start(), disease.start())]
            if person.group("untitled") or _HAS.search(between):
                out.append(_span(DIAGNOSIS, person, disease))
    return out


def _around(person: re.Match, matches: list[re.Match]) -> list[re.Match]:
    """The matches that may lie within the window of ``person``: ``finditer`` yields them in
    order and apart, so their starts and ends both ascend. (A note naming many people and codes
    compared every pair: 400 of each took a third of a second.)"""
    first = bisect.bisect_left(matches, person.start() - DIAGNOSIS_WINDOW, key=lambda m: m.end())
    last = bisect.bisect_right(matches, person.end() + DIAGNOSIS_WINDOW, key=lambda m: m.start())
    return matches[first:last]


def _near(a: re.Match, b: re.Match, ends: list[int]) -> bool:
    lo, hi = min(a.end(), b.end()), max(a.start(), b.start())
    if hi - lo > DIAGNOSIS_WINDOW:
        return False
    i = bisect.bisect_left(ends, lo)  # the first sentence end from ``lo`` on: is it before ``hi``?
    return not (i < len(ends) and ends[i] < hi)


def _overlaps(m: re.Match, others: list[re.Match]) -> bool:
    return any(m.start() < o.end() and o.start() < m.end() for o in others)


def _span(kind: str, a: re.Match, b: re.Match) -> Finding:
    return Finding(kind, min(a.start(), b.start()), max(a.end(), b.end()))


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    last_end: dict[str, int] = {}
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if f.start < last_end.get(f.kind, -1):
            continue
        kept.append(f)
        last_end[f.kind] = f.end
    return kept
