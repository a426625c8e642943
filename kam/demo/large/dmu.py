"""The large demo's stakeholders (people, DMU roles, our coverage, consent) and touchpoints."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from accounts.models import AccountType
from kam.demo.data import CONSENT_WORDING, TOUCHPOINT_KINDS
from kam.demo.dmu_data import DMU_TEMPLATES, EXTRAS, academic_title, gendered, pick_person
from kam.demo.large.state import Acct, Load, Member, apportion
from kam.demo.texts import texts
from stakeholders.models import (
    Affiliation,
    Coverage,
    Person,
    SurveyConsent,
    Touchpoint,
    TransferOfValue,
    category_for,
)

PREVIOUS_POSITION = {"de": "Frühere Position", "en": "Previous position", "fr": "Poste précédent"}


def _dmu_plan(load: Load, a: Acct, size: int) -> list[tuple]:
    """(key, function, role, title, department, boss key, influence, stance) for ``size`` people."""
    template = list(DMU_TEMPLATES[(a.kind, a.language)])
    extras = EXTRAS[(a.kind, a.language)]
    boss = template[0][0]
    for n in range(max(0, size - len(template))):
        function, role, title, departments = extras[n % len(extras)]
        influence = load.rng.randint(1, 4)
        template.append((f"x{n}", function, role, title, load.rng.choice(departments), boss, influence, 0))
    return template[:size]


def stakeholders(load: Load) -> None:
    s, rng, w = load.shape, load.rng, load.writer
    weights = []
    for a in load.accounts:
        base = {"hospital": 20, "pharmacy": 5, "wholesaler": 8}[a.kind] * (1 if a.key else 0.6)
        weights.append(base * rng.uniform(0.7, 1.3))
    sizes = apportion(s.stakeholders, weights)
    person_ids = iter(w.ids(Person, s.stakeholders))
    affiliation_ids = iter(w.ids(Affiliation, s.stakeholders))
    people, affiliations, coverage, consents = [], [], [], []
    for a, size in zip(load.accounts, sizes, strict=True):
        university = a.kind == AccountType.HOSPITAL and a.university
        made: dict[str, int] = {}
        for key, function, role, title, dept, boss, influence, stance in _dmu_plan(load, a, size):
            person, pk = next(person_ids), next(affiliation_ids)
            first, last, female = pick_person(rng, a.language)
            title = gendered(title, female)
            academic = academic_title(rng, function=function, key=key, language=a.language, university=university)
            opted_out = load.now - timedelta(days=rng.randint(1, 400)) if rng.random() < 0.02 else None
            no_contact = rng.random() < 0.01
            people.append(
                (
                    person,
                    academic,
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
                given_at = load.now - timedelta(days=rng.randint(400, 2200))
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
                    load.today - timedelta(days=rng.randint(200, 3000)),
                    None,
                )
            )
            made[key] = pk
            name = " ".join(p for p in (academic, first, last) if p)
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
    for a in rng.sample(load.accounts, k=len(load.accounts) // 10):
        for m in a.people[:3]:
            other = rng.choice(load.accounts)
            if other.id != a.id:
                left = load.today - timedelta(days=rng.randint(250, 2000))
                started = left - timedelta(days=rng.randint(300, 3000))
                moved.append(
                    (
                        m.person,
                        other.id,
                        PREVIOUS_POSITION[other.language],
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


def touchpoints(load: Load) -> None:
    s, rng, w = load.shape, load.rng, load.writer
    weights = [(40 if a.key else 15) * rng.uniform(0.6, 1.4) if a.people else 0 for a in load.accounts]
    counts = apportion(s.touchpoints, weights)
    ids = iter(w.ids(Touchpoint, s.touchpoints))
    participants: list[tuple] = []
    met: list[tuple] = []
    transfers: list[tuple] = []

    def rows() -> Iterator[tuple]:
        for a, n in zip(load.accounts, counts, strict=True):
            person_ids = [m.person for m in a.people]
            words = texts(a.kind, a.country)
            for _ in range(n):
                pk = next(ids)
                # Denser in recent months, as a CRM history is.
                day = load.today - timedelta(days=int(1095 * rng.random() ** 1.6))
                medical = a.msl in a.on_team and rng.random() < 0.15
                author = a.msl if medical else a.owner
                kind = "advisory_board" if medical and rng.random() < 0.3 else rng.choice(TOUCHPOINT_KINDS)
                follow = day + timedelta(days=rng.randint(7, 40)) if rng.random() < 0.35 else None
                done = bool(follow and follow < load.today and rng.random() < 0.7)
                summary = rng.choice(words["medical"] if medical else words["summaries"])
                participants.append((pk, author))
                if not medical and a.access in a.on_team and rng.random() < 0.2:
                    participants.append((pk, a.access))
                people = rng.sample(person_ids, k=min(len(person_ids), rng.choice((1, 1, 2, 3))))
                met.extend((pk, person) for person in people)
                if kind == "event" and not medical and rng.random() < 0.3:
                    amount = Decimal(rng.choice([250, 480, 650]))
                    consent = rng.random() < 0.7
                    transfers.append((pk, "registration_fee", people[0], amount, a.currency, consent, f"EXP-{pk:07d}"))
                yield (
                    pk,
                    a.id,
                    day,
                    kind,
                    summary,
                    rng.choice(words["next_steps"]) if follow else "",
                    follow,
                    done,
                    author,
                    medical,
                    min(load.now, load.when(day, 17)),  # logged that evening, or by now
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
