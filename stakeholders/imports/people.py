"""Importing stakeholders with their affiliations (a CRM contacts export: one row per affiliation,
the same person on several rows), the kind that comes by the hundred thousand.

Each chunk is read with a handful of queries and written with bulk inserts and updates that also
write the history rows (simple-history's ``bulk_create_with_history`` / ``bulk_update_with_history``,
with the import as the change reason), so 100,000 rows take seconds, not an hour of single saves.
A person is matched by external id, else by e-mail; an affiliation by person and account. Only
people already at an account the user can see are updated (someone known only to another team is
refused, not silently taken over), and affiliations are only made at accounts the user can see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.selectors import accounts_visible_to
from stakeholders.imports.engine import Row, Run, changes, email, text
from stakeholders.imports.values import BadValue, normalise, parse_choice, parse_date, parse_int
from stakeholders.models import Affiliation, DmuRole, Function, Language, Person, category_for, language_for_country

PERSON_FIELDS = ("title", "first_name", "last_name", "phone")
AFFILIATION_TEXTS = ("position_title", "department")

FUNCTIONS = (
    {normalise(v): v for v in Function.values}
    | {normalise(str(label)): v for v, label in Function.choices}
    | {
        "chefarzt": Function.HEAD_OF_DEPARTMENT,
        "chefaerztin": Function.HEAD_OF_DEPARTMENT,
        "head of department": Function.HEAD_OF_DEPARTMENT,
        "oberarzt": Function.PHYSICIAN,
        "oberaerztin": Function.PHYSICIAN,
        "arzt": Function.PHYSICIAN,
        "aerztin": Function.PHYSICIAN,
        "doctor": Function.PHYSICIAN,
        "physician": Function.PHYSICIAN,
        "krankenhausapotheker": Function.HOSPITAL_PHARMACIST,
        "apotheker": Function.HOSPITAL_PHARMACIST,
        "apothekerin": Function.HOSPITAL_PHARMACIST,
        "pharmacist": Function.HOSPITAL_PHARMACIST,
        "pflege": Function.NURSE,
        "nurse": Function.NURSE,
        "einkauf": Function.PROCUREMENT,
        "purchasing": Function.PROCUREMENT,
        "procurement": Function.PROCUREMENT,
        "geschaeftsfuehrung": Function.MANAGEMENT,
        "verwaltung": Function.MANAGEMENT,
        "controlling": Function.FINANCE,
        "finanzen": Function.FINANCE,
        "finance": Function.FINANCE,
        "arzneimittelkommission": Function.FORMULARY_COMMITTEE,
        "formulary": Function.FORMULARY_COMMITTEE,
        "market access": Function.MARKET_ACCESS,
        "inhaber": Function.OWNER_BUYER,
        "buyer": Function.OWNER_BUYER,
        "sonstige": Function.OTHER,
        "other": Function.OTHER,
    }
)
ROLES = (
    {normalise(v): v for v in DmuRole.values}
    | {normalise(str(label)): v for v, label in DmuRole.choices}
    | {
        "entscheider": DmuRole.DECISION_MAKER,
        "beeinflusser": DmuRole.INFLUENCER,
        "anwender": DmuRole.USER,
        "einkaeufer": DmuRole.BUYER,
    }
)
LANGUAGES = (
    {normalise(v): v for v in Language.values}
    | {normalise(str(label)): v for v, label in Language.choices}
    | {
        "deutsch": Language.DE,
        "englisch": Language.EN,
        "franzoesisch": Language.FR,
        "italienisch": Language.IT,
    }
)


class StakeholderRun(Run):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visible = accounts_visible_to(self.user)
        self.accounts: dict[str, int | None] = {}  # CRM id -> visible account's id, read once each
        self.countries: dict[int, str] = {}  # visible account's id -> its country (a new person's language)
        # A dry run writes nothing, so it remembers the people and affiliations it would have
        # created, for the rows further down that name them again.
        self.planned_people: set[str] = set()
        self.planned_affiliations: set[tuple[str, int]] = set()

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {"person": {}, "affiliation": {}}
        data["external_id"] = text(values.get("person_external_id", ""), Person, "external_id")
        data["email"] = email(values["email"]) if values.get("email") else ""
        if not data["external_id"] and not data["email"]:
            raise BadValue(_("Neither an external id nor an e-mail: the person cannot be matched."))
        data["account"] = values.get("account", "")
        if not data["account"]:
            raise BadValue(_("No account's external id."))
        person, affiliation = data["person"], data["affiliation"]
        for field in PERSON_FIELDS:
            if values.get(field):
                person[field] = text(values[field], Person, field)
        if data["email"]:
            person["email"] = data["email"]
        if data["external_id"]:
            person["external_id"] = data["external_id"]
        if values.get("preferred_language"):
            person["preferred_language"] = parse_choice(values["preferred_language"], LANGUAGES, _("language"))
        for field in AFFILIATION_TEXTS:
            if values.get(field):
                affiliation[field] = text(values[field], Affiliation, field)
        if values.get("function"):
            affiliation["function"] = parse_choice(values["function"], FUNCTIONS, _("function"))
        if values.get("dmu_role"):
            affiliation["dmu_role"] = parse_choice(values["dmu_role"], ROLES, _("DMU role"))
        if values.get("influence"):
            affiliation["influence"] = parse_int(values["influence"], 1, 5)
        if values.get("stance"):
            affiliation["stance"] = parse_int(values["stance"], -2, 2)
        if values.get("start_date"):
            affiliation["start_date"] = parse_date(values["start_date"])
        return data

    def _read_accounts(self, crm_ids: set[str]) -> None:
        unknown = crm_ids - self.accounts.keys()
        if unknown:
            rows = list(self.visible.filter(crm_id__in=unknown).values_list("crm_id", "pk", "country"))
            found = {crm_id: pk for crm_id, pk, _country in rows}
            self.countries.update({pk: country for _crm_id, pk, country in rows})
            self.accounts.update({crm_id: found.get(crm_id) for crm_id in unknown})

    def process(self, rows: list[Row]) -> None:
        cleaned = []
        for line, cells in rows:
            try:
                cleaned.append((line, cells, self.clean(self.values(cells))))
            except BadValue as exc:
                self.reject(line, cells, str(exc))
        self._read_accounts({d["account"] for _line, _cells, d in cleaned})
        ids = {d["external_id"] for *_, d in cleaned if d["external_id"]}
        emails = {d["email"] for *_, d in cleaned if d["email"]}
        by_id: dict[str, Person] = {}
        by_email: dict[str, Person] = {}
        for person in Person.objects.filter(Q(external_id__in=ids) | Q(email__in=emails, external_id="")):
            if person.external_id:
                by_id[person.external_id] = person
            if person.email:
                by_email.setdefault(person.email.lower(), person)
        known = {p.pk for p in [*by_id.values(), *by_email.values()]}
        seen = set(
            Affiliation.objects.filter(person_id__in=known, account__in=self.visible).values_list(
                "person_id", flat=True
            )
        )
        existing = {
            (a.person_id, a.account_id): a
            for a in Affiliation.objects.active().filter(
                person_id__in=known, account_id__in={pk for pk in self.accounts.values() if pk}
            )
        }

        new_people: dict[str, Person] = {}
        changed_people: dict[int, tuple[Person, set[str]]] = {}
        new_affiliations: dict[tuple[str, int], Affiliation] = {}
        changed_affiliations: dict[int, tuple[Affiliation, set[str]]] = {}
        for line, cells, data in cleaned:
            account_id = self.accounts.get(data["account"])
            if account_id is None:
                self.reject(
                    line,
                    cells,
                    _("The account “%(id)s” is not among the accounts you can see.") % {"id": data["account"][:64]},
                )
                continue
            key = data["external_id"] or data["email"]
            person = by_id.get(data["external_id"]) if data["external_id"] else None
            if person is None and data["email"]:
                person = by_email.get(data["email"])
            created = False
            if person is not None and person.erased_at is not None:
                # Their CRM id stays on the erased row, so that the next export does not bring them back.
                self.reject(line, cells, _("This person was erased on request and is not imported again."))
                continue
            if person is not None and person.pk is not None and person.pk not in seen:
                self.reject(
                    line,
                    cells,
                    _(
                        "This person is already recorded at accounts you cannot see; "
                        "ask an administrator to share them."
                    ),
                )
                continue
            if person is None:
                if key in new_people:
                    person = new_people[key]
                elif key in self.planned_people:
                    person = Person(**data["person"])  # made earlier in this dry run
                else:
                    missing = [
                        str(Person._meta.get_field(f).verbose_name)
                        for f in ("first_name", "last_name")
                        if f not in data["person"]
                    ]
                    if missing:
                        self.reject(line, cells, _("A new person needs: %(fields)s.") % {"fields": ", ".join(missing)})
                        continue
                    # Without a language column, a new person speaks their account's country's.
                    language = language_for_country(self.countries.get(account_id, ""))
                    person = self.stamp(Person(**{"preferred_language": language, **data["person"]}))
                    new_people[key] = person
                    created = True
                for k in (data["external_id"], data["email"]):
                    if k:
                        (by_id if k == data["external_id"] else by_email)[k] = person
            fields = changes(person, data["person"])
            updated = bool(fields) and not created and person.pk is not None
            if updated:
                changed_people.setdefault(person.pk, (person, set()))[1].update(fields)

            affiliation = existing.get((person.pk, account_id)) if person.pk else None
            akey = (key, account_id)
            if affiliation is None:
                if akey in new_affiliations:
                    affiliation = new_affiliations[akey]
                elif person.pk is None and akey in self.planned_affiliations:
                    affiliation = Affiliation(account_id=account_id)
                else:
                    affiliation = self.stamp(Affiliation(person=person, account_id=account_id))
                    new_affiliations[akey] = affiliation
                    created = True
            afields = changes(affiliation, data["affiliation"])
            if affiliation.pk and afields:
                updated = True
                changed_affiliations.setdefault(affiliation.pk, (affiliation, set()))[1].update(afields)
            self.counts["created" if created else "updated" if updated else "unchanged"] += 1

        for affiliation in new_affiliations.values():
            affiliation.category = category_for(affiliation.function)
        if not self.apply:
            self.planned_people.update(new_people)
            self.planned_affiliations.update(new_affiliations)
            return
        self.write(new_people, changed_people, new_affiliations, changed_affiliations)

    def write(self, new_people, changed_people, new_affiliations, changed_affiliations) -> None:
        now = timezone.now()
        history = {"default_user": self.user, "default_change_reason": self.reason, "batch_size": 1000}
        bulk_create_with_history(list(new_people.values()), Person, **history)
        if changed_people:
            for person, _fields in changed_people.values():
                person.updated_at = now
            fields = sorted(set().union(*(f for _p, f in changed_people.values())) | {"updated_at"})
            bulk_update_with_history([p for p, _f in changed_people.values()], Person, fields, **history)
        for affiliation in new_affiliations.values():
            affiliation.person = affiliation.person  # takes the person's id, now that it has one
        bulk_create_with_history(list(new_affiliations.values()), Affiliation, **history)
        if changed_affiliations:
            for affiliation, fields in changed_affiliations.values():
                affiliation.updated_at = now
                if "function" in fields:
                    affiliation.category = category_for(affiliation.function)
                    fields.add("category")
            fields = sorted(set().union(*(f for _a, f in changed_affiliations.values())) | {"updated_at"})
            bulk_update_with_history([a for a, _f in changed_affiliations.values()], Affiliation, fields, **history)
