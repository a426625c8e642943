"""Which fields each kind of import fills, what their columns are called in English and German
exports, the mapping proposed from a file's headers and the one remembered per file layout."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kam import firewall
from kam.models import User
from stakeholders.imports.models import ImportKind, ImportMapping
from stakeholders.imports.values import normalise


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False  # the column must be mapped
    firewall_key: str = ""  # left out for a user this rule hides the field from (or shows read-only)


ACCOUNT_FIELDS = (
    Field(
        "crm_id",
        _("External id"),
        (
            "external id",
            "account id",
            "crm id",
            "veeva id",
            "id",
            "account external id",
            "kundennummer",
            "kunden id",
            "externe id",
            "customer id",
            "vid",
        ),
        True,
    ),
    Field(
        "name",
        _("Name"),
        (
            "name",
            "account name",
            "account",
            "krankenhaus",
            "klinik",
            "apotheke",
            "einrichtung",
            "firma",
            "organisation",
            "organization",
            "institution",
        ),
        True,
    ),
    Field(
        "account_type", _("Type"), ("type", "account type", "record type", "typ", "art", "kontotyp", "einrichtungstyp")
    ),
    Field(
        "parent",
        _("Parent's external id"),
        (
            "parent id",
            "parent account id",
            "parent external id",
            "primary parent",
            "parent",
            "uebergeordnet",
            "mutter id",
        ),
    ),
    Field("country", _("Country"), ("country", "land", "country code", "laenderkennung")),
    Field("region", _("Region"), ("region", "bundesland", "state", "kanton")),
    Field("city", _("City"), ("city", "ort", "stadt", "town")),
    Field(
        "postcode",
        _("Postcode (added to the address)"),
        ("plz", "postcode", "postal code", "zip", "zip code", "postleitzahl"),
    ),
    Field("address", _("Address"), ("address", "street", "adresse", "strasse", "anschrift", "address line 1")),
    Field(
        "owner",
        _("Owner (e-mail or user name)"),
        ("owner", "account owner", "owner email", "kam", "verantwortlich", "betreuer"),
    ),
    Field("tier", _("Tier"), ("tier", "segment", "klasse")),
    Field("currency", _("Currency"), ("currency", "waehrung")),
    Field("beds", _("Beds"), ("beds", "betten", "bettenzahl", "number of beds")),
    Field(
        "annual_turnover",
        _("Annual turnover"),
        ("annual turnover", "turnover", "umsatz", "jahresumsatz"),
        firewall_key="account.revenue",
    ),
    Field("turnover_goal", _("Turnover goal"), ("turnover goal", "umsatzziel"), firewall_key="account.target"),
    Field(
        "gross_margin_pct",
        _("Gross margin %"),
        ("gross margin", "margin", "marge", "rohertrag"),
        firewall_key="account.margin",
    ),
    Field(
        "average_discount_pct",
        _("Average discount %"),
        ("discount", "average discount", "rabatt"),
        firewall_key="account.margin",
    ),
)

PERSON_KEYS = (
    Field(
        "person_external_id",
        _("Person's external id"),
        (
            "external id",
            "person id",
            "contact id",
            "veeva id",
            "stakeholder id",
            "hcp id",
            "person external id",
            "kontakt id",
            "id",
        ),
    ),
    Field("email", _("E-mail"), ("email", "e mail", "email address", "e mail adresse", "mail")),
)

STAKEHOLDER_FIELDS = (
    *PERSON_KEYS,
    Field(
        "title",
        _("Academic title (Dr., Prof.)"),
        ("academic title", "titel", "akademischer titel", "prefix", "salutation"),
    ),
    Field("first_name", _("First name"), ("first name", "firstname", "given name", "vorname"), True),
    Field("last_name", _("Last name"), ("last name", "lastname", "surname", "family name", "nachname", "name"), True),
    Field("phone", _("Phone"), ("phone", "telefon", "tel", "telephone", "mobile")),
    Field("preferred_language", _("Language"), ("language", "preferred language", "sprache")),
    Field(
        "account",
        _("Account's external id"),
        (
            "account id",
            "account external id",
            "account crm id",
            "organisation id",
            "organization id",
            "einrichtung id",
            "affiliation account id",
            "parent account id",
            "account",
        ),
        True,
    ),
    Field("position_title", _("Position"), ("position", "title", "job title", "position title", "stelle")),
    Field("department", _("Department"), ("department", "abteilung", "fachabteilung", "specialty", "fachrichtung")),
    Field("function", _("Function"), ("function", "funktion", "professional type", "berufsgruppe", "role type")),
    Field("dmu_role", _("DMU role"), ("dmu role", "role", "rolle")),
    Field("influence", _("Influence 1–5"), ("influence", "einfluss"), firewall_key="affiliation.influence"),
    Field("stance", _("Stance −2 to 2"), ("stance", "haltung", "einstellung"), firewall_key="affiliation.stance"),
    Field("start_date", _("Since"), ("start date", "from", "seit", "von", "beginn")),
)

TOUCHPOINT_FIELDS = (
    Field(
        "external_id", _("Call's external id"), ("call id", "external id", "activity id", "touchpoint id", "id"), True
    ),
    Field(
        "account",
        _("Account's external id"),
        ("account id", "account external id", "account crm id", "account", "einrichtung id"),
        True,
    ),
    Field("date", _("Date"), ("date", "call date", "datum", "besuchsdatum", "activity date"), True),
    Field("kind", _("Kind"), ("kind", "type", "call type", "channel", "art", "kontaktart")),
    Field(
        "summary", _("Summary"), ("summary", "notes", "call notes", "notiz", "notizen", "zusammenfassung", "bericht")
    ),
    Field("next_step", _("Next step"), ("next step", "naechster schritt")),
    Field("follow_up_date", _("Follow-up date"), ("follow up", "follow up date", "wiedervorlage")),
    Field(
        "people",
        _("People met (external ids or e-mails)"),
        ("attendees", "contacts", "contact ids", "person ids", "teilnehmer", "contact id"),
    ),
)

CONSENT_FIELDS = (
    *PERSON_KEYS,
    Field(
        "given_at",
        _("Given on"),
        ("given", "given at", "given on", "consent date", "date", "datum", "erteilt am"),
        True,
    ),
    Field("source", _("Source"), ("source", "quelle", "where"), True),
    Field("wording", _("Wording"), ("wording", "text", "consent text", "wortlaut"), True),
    Field("channel", _("Channel"), ("channel", "kanal")),
    Field("method", _("How"), ("method", "how", "methode", "form")),
    Field("withdrawn_at", _("Withdrawn on"), ("withdrawn", "withdrawn at", "withdrawn on", "widerrufen", "widerruf")),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    ImportKind.ACCOUNTS: ACCOUNT_FIELDS,
    ImportKind.STAKEHOLDERS: STAKEHOLDER_FIELDS,
    ImportKind.TOUCHPOINTS: TOUCHPOINT_FIELDS,
    ImportKind.CONSENT: CONSENT_FIELDS,
}

# Kinds that name a person by external id or e-mail: one of the two must be mapped.
PERSON_KINDS = (ImportKind.STAKEHOLDERS, ImportKind.CONSENT)


def fields_for(kind: str, user: User) -> tuple[Field, ...]:
    """The fields ``user`` may import: the firewall leaves out what it hides from them or shows
    them read-only (a medical colleague imports no stance, no influence, no commercial figure)."""
    return tuple(
        f
        for f in FIELDS[kind]
        if not f.firewall_key or not (firewall.hides(user, f.firewall_key) or firewall.read_only(user, f.firewall_key))
    )


def layout_of(headers: list[str]) -> str:
    """The file layout's key: the same columns in any order are the same layout."""
    names = sorted(normalise(h) for h in headers)
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()


def propose(kind: str, headers: list[str], user: User) -> dict[str, str]:
    """Column index (as text) -> field: the remembered mapping of this layout, else a guess from the
    header names. Each field goes to one column at most, the first whose name fits best."""
    fields = fields_for(kind, user)
    allowed = {f.name for f in fields}
    remembered = ImportMapping.objects.filter(kind=kind, layout=layout_of(headers)).first()
    if remembered is not None:
        by_header = remembered.mapping
        return {
            str(i): by_header[normalise(h)] for i, h in enumerate(headers) if by_header.get(normalise(h)) in allowed
        }
    proposal: dict[str, str] = {}
    taken: set[str] = set()
    # Exact names first (the field's own name, then its synonyms in order), so "Account Name"
    # goes to the name before "Account" could claim it.
    normalised = [normalise(h) for h in headers]
    for f in fields:
        # Not the field's code name: "title" is the academic title to us, the job title in a CRM.
        names = (normalise(str(f.label)), *f.synonyms)
        for name in names:
            index = next((i for i, h in enumerate(normalised) if h == name and str(i) not in proposal), None)
            if index is not None and f.name not in taken:
                proposal[str(index)] = f.name
                taken.add(f.name)
                break
    return proposal


def remember(kind: str, headers: list[str], mapping: dict[str, str]) -> None:
    by_header = {normalise(headers[int(i)]): field for i, field in mapping.items() if field}
    ImportMapping.objects.update_or_create(kind=kind, layout=layout_of(headers), defaults={"mapping": by_header})
