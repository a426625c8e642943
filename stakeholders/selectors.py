"""Reads about stakeholders. Everything starts from the accounts the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    DateField,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account
from accounts.selectors import accounts_visible_to
from kam import firewall
from kam.models import MEDICAL_ROLES, User
from stakeholders.models import (
    STANCE_SHORT,
    Affiliation,
    AffiliationOverride,
    Category,
    Coverage,
    DmuRole,
    Function,
    Person,
    Touchpoint,
)


def people_visible_to(user: User) -> QuerySet[Person]:
    """People with at least one affiliation (past or present) at an account the user may see."""
    visible = accounts_visible_to(user)
    return Person.objects.filter(Exists(Affiliation.objects.filter(person=OuterRef("pk"), account__in=visible)))


def touchpoints_visible_to(user: User) -> QuerySet[Touchpoint]:
    return Touchpoint.objects.filter(account__in=accounts_visible_to(user))


def can_read_touchpoint(user: User, touchpoint: Touchpoint) -> bool:
    """The firewall: a medical touchpoint's content is for medical colleagues (and administrators)."""
    return not touchpoint.is_medical or not firewall.hides(user, "touchpoint.medical_notes")


def cadence_days(influence: int) -> int | None:
    return settings.STAKEHOLDER_CADENCE_DAYS.get(influence)


def dmu_for_account(account: Account, *, include_ended: bool = False, summary: bool = False) -> QuerySet[Affiliation]:
    """The account's affiliations with the person, last touchpoint at this account, coverage and
    therapeutic-area overrides loaded in a fixed number of queries, whatever the number of people.
    The cadence is looked up per row in ``is_stale`` (a dict lookup; as an SQL CASE it cost more to compile).

    ``summary`` leaves out what only the X-ray draws (reporting lines, the overrides, who covers
    whom): enough for ``coverage_for``, ``is_stale`` and ``dmu_gaps``, at half the cost."""
    last_touch = (
        Touchpoint.objects.filter(account=account, stakeholders=OuterRef("person_id"))
        .order_by()
        .values("stakeholders")
        .annotate(last=Max("date"))
        .values("last")
    )
    qs = Affiliation.objects.filter(account=account).annotate(
        last_touchpoint=Subquery(last_touch, output_field=DateField())
    )
    if summary:
        qs = qs.select_related("person").prefetch_related(
            Prefetch("coverage", queryset=Coverage.objects.order_by("-strength"))
        )
    else:
        qs = qs.select_related("person", "reports_to__person").prefetch_related(
            Prefetch("coverage", queryset=Coverage.objects.select_related("user").order_by("-strength")),
            Prefetch("overrides", queryset=AffiliationOverride.objects.order_by("therapeutic_area")),
        )
    if not include_ended:
        qs = qs.active()
    return qs


def decorate(affiliations: list[Affiliation], user: User) -> list[Affiliation]:
    """Give each affiliation ``stale`` and ``cov`` (``coverage_for`` as ``user`` may see it), for
    pages that list the DMU; ``dmu_gaps`` reuses them."""
    today = timezone.localdate()
    for a in affiliations:
        a.stale = is_stale(a, today)
        a.cov = coverage_for(a, user)
    return affiliations


def is_stale(affiliation: Affiliation, today: date | None = None) -> bool:
    """Past its contact cadence: no touchpoint within the cadence for its influence level."""
    days = cadence_days(affiliation.influence)
    if days is None or not affiliation.is_active:
        return False
    today = today or timezone.localdate()
    last = getattr(affiliation, "last_touchpoint", None)
    return last is None or last < today - timedelta(days=days)


@dataclass
class CoverageView:
    """Coverage of one affiliation as a given user may see it (the firewall applied)."""

    commercial: list[Coverage] = field(default_factory=list)
    medical: list[Coverage] = field(default_factory=list)
    medical_contact_exists: bool = False

    @property
    def covered(self) -> bool:
        return bool(self.commercial) or self.medical_contact_exists


def coverage_for(affiliation: Affiliation, user: User) -> CoverageView:
    rows = list(affiliation.coverage.all())
    view = CoverageView(commercial=[c for c in rows if not c.is_medical])
    medical = [c for c in rows if c.is_medical]
    view.medical_contact_exists = bool(medical)
    if not firewall.hides(user, "coverage.medical"):
        view.medical = medical
    return view


# The gaps' words, by code: a plan's DMU snapshot stores the code and the facts, so that each reader
# reads the gaps in their own language, not in the submitter's.
GAP_TEXTS = {
    "uncovered_decision_maker": gettext_lazy("Decision maker %(name)s has no owner on our side."),
    "high_influence_sceptic": gettext_lazy("%(name)s has high influence (%(i)d) and is %(stance)s."),
    "stale_contact": gettext_lazy("No contact with %(name)s within the cadence (last: %(last)s)."),
    "no_managerial": gettext_lazy("The DMU has no managerial member (management, procurement, finance)."),
    "no_pharmacist": gettext_lazy("No hospital pharmacist in the DMU."),
    "no_procurement": gettext_lazy("No procurement or formulary-committee contact."),
    "empty": gettext_lazy("No stakeholders recorded yet."),
}


def gap_text(code: str, params: dict) -> str:
    """A gap in the active language, from its code and its facts (a name, an influence, a stance
    value, the last contact as an ISO date)."""
    values = dict(params)
    if "stance" in values:
        values["stance"] = STANCE_SHORT.get(values["stance"], "")
    if "last" in values:
        values["last"] = date_format(date.fromisoformat(values["last"])) if values["last"] else _("never")
    try:
        return str(GAP_TEXTS[code]) % values
    except (KeyError, TypeError, ValueError):  # a snapshot from another release: say what is known
        return str(values.get("name") or code)


@dataclass
class Gap:
    code: str
    severity: str  # "danger" or "warning"
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return gap_text(self.code, self.params)

    def as_snapshot(self) -> dict:
        return {"code": self.code, "severity": self.severity, "params": self.params}


def snapshot_gap_texts(gaps: list) -> list[str]:
    """A DMU snapshot's gaps in the reader's language. Snapshots taken before the gaps were stored
    by code hold their submitter's sentences, shown as they are."""
    return [g if isinstance(g, str) else gap_text(g.get("code", ""), g.get("params", {})) for g in gaps]


def snapshot_role(row: dict) -> str:
    """A DMU snapshot row's role in the reader's language (older snapshots: the submitter's words)."""
    code = row.get("dmu_role")
    return str(DmuRole(code).label) if code in DmuRole.values else row.get("role", "")


def dmu_gaps(account: Account, affiliations: list[Affiliation], user: User, today: date | None = None) -> list[Gap]:
    """The holes in a DMU, stated in words a KAM can act on."""
    gaps: list[Gap] = []
    for a in affiliations:
        cov = coverage_for(a, user)
        name = str(a.person)
        if a.dmu_role == DmuRole.DECISION_MAKER and not cov.commercial:
            gaps.append(Gap("uncovered_decision_maker", "danger", {"name": name}))
        if a.influence >= 4 and a.stance < 0:
            gaps.append(Gap("high_influence_sceptic", "warning", {"name": name, "i": a.influence, "stance": a.stance}))
        if a.influence >= 4 and is_stale(a, today):
            last = a.last_touchpoint.isoformat() if a.last_touchpoint else None
            gaps.append(Gap("stale_contact", "warning", {"name": name, "last": last}))
    functions = {a.function for a in affiliations}
    categories = {a.category for a in affiliations}
    if affiliations and Category.MANAGERIAL not in categories:
        gaps.append(Gap("no_managerial", "danger"))
    if account.is_hospital:
        if Function.HOSPITAL_PHARMACIST not in functions:
            gaps.append(Gap("no_pharmacist", "warning"))
        if not functions & {Function.PROCUREMENT, Function.FORMULARY_COMMITTEE}:
            gaps.append(Gap("no_procurement", "warning"))
    if not affiliations:
        gaps.append(Gap("empty", "danger"))
    return gaps


XRAY_QUADRANTS = {
    (True, True): _("Key players: keep close"),
    (True, False): _("Sceptics to win over"),
    (False, True): _("Supporters: keep informed"),
    (False, False): _("Monitor"),
}


def xray_quadrant(influence: int, stance: int) -> str:
    return XRAY_QUADRANTS[(influence >= 3, stance > 0)]


def users_for_coverage(user: User) -> QuerySet[User]:
    """Whom ``user`` may assign as coverage: commercial users assign commercial colleagues only;
    medical users record medical contacts only (themselves or medical colleagues)."""
    active = User.objects.filter(is_active=True)
    if user.is_medical:
        return active.filter(role__in=MEDICAL_ROLES)
    return active.exclude(role__in=MEDICAL_ROLES)
