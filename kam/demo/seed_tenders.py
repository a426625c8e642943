"""Tenders and contracts of the small demo's hospitals: per hospital a decided tender of about a
year and a half ago (some lots won, some lost to the competitors already in the demo), the
contract that came of it (most running most of a year or more yet), and an open tender whose
deadline is in the coming weeks. Dates follow today: what has happened is in the past. Idempotent: a hospital that has tenders is left alone.
The large seed has none (its size and speed stay as they were)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import (
    Account,
    AccountType,
    CompetitorProduct,
    Contract,
    LotOutcome,
    Product,
    Tender,
    TenderLot,
    TenderStatus,
)
from kam.demo.dmu_data import account_language

# Per language: tender title, buyer and procedure, the lot word, the reason a lot was lost,
# contract title, volume unit.
WORDS = {
    "de": {
        "tender": "Ausschreibung Biologika {year}",
        "buyer": "Zentraleinkauf der Klinikapotheke, offenes Verfahren EU-weit",
        "lot": "Los {n}",
        "lost": "Los {n} über den Preis an {rival} verloren; Los {won} gewonnen.",
        "contract": "Rahmenvertrag {area} {start}–{end}",
        "unit": "Fertigspritzen",
        "area": "Immunologie",
    },
    "fr": {
        "tender": "Appel d'offres biologiques {year}",
        "buyer": "Centrale d'achat hospitalière, procédure ouverte",
        "lot": "Lot {n}",
        "lost": "Lot {n} perdu sur le prix face à {rival} ; lot {won} gagné.",
        "contract": "Contrat-cadre {area} {start}–{end}",
        "unit": "seringues",
        "area": "immunologie",
    },
    "en": {
        "tender": "Biologics tender {year}",
        "buyer": "Regional purchasing hub, open procedure (Find a Tender)",
        "lot": "Lot {n}",
        "lost": "Lot {n} lost on price to {rival}; lot {won} won.",
        "contract": "Framework agreement {area} {start}–{end}",
        "unit": "pre-filled syringes",
        "area": "immunology",
    },
}
# The lots: our product, what it is tendered as, its rivals (competitor names in kam.demo.data).
LOTS = [
    ("Immunex", "Adalimumab s.c.", ["Humira", "Hyrimoz", "Amgevita"]),
    ("Oncoril", "Anti-PD-1 i.v.", ["Keytruda", "Opdivo"]),
    ("Respiclar", "Anti-IL-5(R) s.c.", ["Fasenra", "Nucala"]),
]


def seed_tenders(rng: random.Random, today: date | None = None) -> int:
    """Tenders and contracts for every demo hospital without any; returns how many hospitals got some."""
    today = today or date.today()
    products = {p.brand: p for p in Product.objects.filter(brand__in=[lot[0] for lot in LOTS])}
    rivals = {c.name: c for c in CompetitorProduct.objects.filter(name__in=[n for lot in LOTS for n in lot[2]])}
    if len(products) < len(LOTS):
        return 0
    seeded = 0
    hospitals = Account.objects.filter(account_type=AccountType.HOSPITAL, crm_id__startswith="DEMO-").order_by("crm_id")
    for account in hospitals:
        if Tender.objects.filter(account=account).exists():
            continue
        words = WORDS[account_language(account.country, account.city)]
        _decided(account, words, products, rivals, rng, today)
        _open(account, words, products, rivals, rng, today)
        seeded += 1
    return seeded


def _supply_year(deadline: date) -> int:
    """The year a tender supplies (its title's): the award is some months after the deadline."""
    return (deadline + timedelta(days=180)).year


def _lot(tender: Tender, number: int, spec: tuple, words: dict, products, rivals, outcome: str) -> TenderLot:
    brand, name, rival_names = spec
    lot = TenderLot.objects.create(tender=tender, number=words["lot"].format(n=number), name=name, outcome=outcome)
    lot.products.set([products[brand]])
    lot.competitor_products.set([rivals[n] for n in rival_names if n in rivals])
    return lot


def _decided(account: Account, words: dict, products, rivals, rng: random.Random, today: date) -> None:
    deadline = today - timedelta(days=rng.randint(480, 560))
    decision = deadline + timedelta(days=rng.randint(35, 50))
    award = decision + timedelta(days=12)  # after the ten-day standstill
    won_all = rng.random() < 0.3
    tender = Tender.objects.create(
        account=account,
        title=words["tender"].format(year=_supply_year(deadline)),
        reference=f"{account.crm_id}-{deadline.year}-B",
        buyer=words["buyer"],
        submission_deadline=deadline,
        decision_date=decision,
        award_date=award,
        status=TenderStatus.WON if won_all else TenderStatus.PARTLY_WON,
        outcome_reason="" if won_all else words["lost"].format(n=2, rival=LOTS[1][2][0], won=1),
    )
    _lot(tender, 1, LOTS[0], words, products, rivals, LotOutcome.WON)
    _lot(tender, 2, LOTS[1], words, products, rivals, LotOutcome.WON if won_all else LotOutcome.LOST)
    # The contract for the won adalimumab lot: two or three years from a month after the award, as
    # hospital frameworks run, so most end and reach their notice date well beyond the dashboard's
    # next 90 days. A few are shorter: about one in ten has its notice date in the coming weeks
    # (what a KAM must not miss), one in twenty ends within weeks, its notice date passed.
    start = award + timedelta(days=30)
    notice_days = 90
    draw = rng.random()
    if draw < 0.1:
        end = today + timedelta(days=notice_days + rng.randint(5, 25))
    elif draw < 0.15:
        end = today + timedelta(days=rng.randint(30, 80))
    else:
        end = start + timedelta(days=365 * rng.choice((2, 2, 3)))
    contract = Contract(
        account=account,
        title=words["contract"].format(area=words["area"], start=start.year, end=end.year),
        reference=f"RV-{account.crm_id}-{start.year}",
        tender=tender,
        start_date=start,
        end_date=end,
        notice_days=notice_days,
        volume=Decimal(rng.randint(8, 60) * 100),
        volume_unit=words["unit"],
        price=Decimal(rng.randint(38000, 46000)) / 100,
        rebate_pct=Decimal(rng.randint(40, 180)) / 10,
    )
    contract.full_clean()
    contract.save()
    contract.products.set([products[LOTS[0][0]]])


def _open(account: Account, words: dict, products, rivals, rng: random.Random, today: date) -> None:
    deadline = today + timedelta(days=rng.randint(8, 75))
    tender = Tender.objects.create(
        account=account,
        title=words["tender"].format(year=_supply_year(deadline)),
        reference=f"{account.crm_id}-{deadline.year}-A",
        buyer=words["buyer"],
        submission_deadline=deadline,
        status=TenderStatus.SUBMITTED if deadline - today < timedelta(days=14) else TenderStatus.PREPARING,
    )
    # "Los 3" as a German university hospital's tenders number them: lots 1 and 2 are others' business.
    _lot(tender, 3, LOTS[0], words, products, rivals, LotOutcome.OPEN)
    _lot(tender, 5, LOTS[1], words, products, rivals, LotOutcome.OPEN)
    if rng.random() < 0.5:
        _lot(tender, 7, LOTS[2], words, products, rivals, LotOutcome.OPEN)
