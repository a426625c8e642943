"""The medical/commercial firewall as one rule table, and the helpers every page asks.

Medical colleagues (MSL, medical adviser) see who an account's stakeholders are and record their
own medical touchpoints; they do not edit plans, stances or influence (shown read-only), and do not
see revenue, targets, margins, potential, health, stances or the internal plan (they read the joint
one). Commercial colleagues (KAM, manager, market access, marketing) do not see medical content, nor
which medical colleague met whom. Administrators keep what they had: they manage everything and read
both sides' content, but do no medical work (KOL status, answering support requests) and, like
everyone, put no colleague of the other side on a touchpoint.

``RULES`` is the single source: views call ``require(user, key)`` (403 when the user's side is
denied), templates ask ``user|fw_hides:"key"`` (``kam.templatetags.firewall``), forms ask
``hides``/``read_only``. Which accounts anyone sees at all is not decided here: that stays
``accounts.selectors.accounts_visible_to`` (a 404 for an account without a seat). The README's
table is rendered from ``RULES`` (``markdown_table``) and a test holds the two together.

This module sits in the lowest layer and imports nothing but Django: keys name pages and
fields as strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

MEDICAL = "medical"
COMMERCIAL = "commercial"
ADMIN = "admin"
SIDES = (MEDICAL, COMMERCIAL, ADMIN)

# Pages and actions are allowed or denied (a 403, or a form error where the rule is about a
# field's value); fields are shown, read-only (shown, not editable) or hidden.
ALLOWED = "allowed"
DENIED = "denied"
SHOWN = "shown"
READ_ONLY = "read-only"
HIDDEN = "hidden"
_FIELD_VALUES = (SHOWN, READ_ONLY, HIDDEN)


FormT = TypeVar("FormT")


class _User(Protocol):
    is_authenticated: bool

    @property
    def is_administrator(self) -> bool: ...

    @property
    def is_medical(self) -> bool: ...


@dataclass(frozen=True)
class Rule:
    key: str
    what: str
    medical: str
    commercial: str
    admin: str

    def for_side(self, side: str) -> str:
        return {MEDICAL: self.medical, COMMERCIAL: self.commercial, ADMIN: self.admin}[side]

    @property
    def is_field(self) -> bool:
        """A field's rule (shown, read-only, hidden) rather than a page's (allowed, denied)."""
        return self.medical in _FIELD_VALUES


RULES: tuple[Rule, ...] = (
    # Plans: medical colleagues read the customer-safe joint plan of an account they have a seat on.
    Rule("plan.read_joint", "Plan page as the joint (customer-safe) plan", ALLOWED, ALLOWED, ALLOWED),
    Rule(
        "plan.read_internal",
        "Internal plan: steps, since last review, compare revisions",
        DENIED,
        ALLOWED,
        ALLOWED,
    ),
    Rule("plan.edit", "Create a plan, save a step", DENIED, ALLOWED, ALLOWED),
    Rule(
        "plan.workflow",
        "Submit, review and approve, revise, start from this plan",
        DENIED,
        ALLOWED,
        ALLOWED,
    ),
    Rule("plan.export_internal", "Internal plan export (deck, PDF)", DENIED, ALLOWED, ALLOWED),
    Rule("plan.export_joint", "Joint plan export (deck, PDF)", ALLOWED, ALLOWED, ALLOWED),
    # Account figures.
    Rule(
        "portfolio.figures",
        "Dashboard figures (else a figure-free home), review deck, account list export, health and matrix columns",
        DENIED,
        ALLOWED,
        ALLOWED,
    ),
    # An account's owner answers for its commercial figures: medical colleagues own none.
    Rule("account.create", "Create an account (and so own it)", DENIED, ALLOWED, ALLOWED),
    Rule("account.revenue", "Revenue, turnover", HIDDEN, SHOWN, SHOWN),
    Rule("account.target", "Revenue target, turnover goal, attainment", HIDDEN, SHOWN, SHOWN),
    Rule("account.margin", "Gross margin, gross profit, discount", HIDDEN, SHOWN, SHOWN),
    Rule(
        "account.potential",
        "Estimated potential, market and basket share, matrix placement",
        HIDDEN,
        SHOWN,
        SHOWN,
    ),
    Rule("account.health", "Health score (revenue against target is a part)", HIDDEN, SHOWN, SHOWN),
    # Tenders are the DMU's business (pharmacists and the formulary committee write the lots'
    # specifications; the procedure is published): medical colleagues see them, to meet that DMU
    # informed, and never take part in them. The terms we sell at are commercial.
    Rule(
        "tender.read",
        "Tenders and contracts: lots, products and competitors bid, dates, outcomes",
        ALLOWED,
        ALLOWED,
        ALLOWED,
    ),
    Rule(
        "tender.edit",
        "Add, change or delete a tender or contract (where the user may change the account)",
        DENIED,
        ALLOWED,
        ALLOWED,
    ),
    Rule("contract.terms", "Contract price and rebate", HIDDEN, SHOWN, SHOWN),
    # The DMU: who the stakeholders are is for everyone with a seat; how we rate them is commercial.
    Rule("dmu.read", "Stakeholders: names, functions, roles at the account", ALLOWED, ALLOWED, ALLOWED),
    Rule("affiliation.stance", "Stance towards our proposals", HIDDEN, SHOWN, SHOWN),
    Rule("affiliation.influence", "Influence rating", READ_ONLY, SHOWN, SHOWN),
    # Touchpoints and medical content.
    Rule("touchpoint.log", "Log a touchpoint (a medical user's is medical)", ALLOWED, ALLOWED, ALLOWED),
    Rule(
        "touchpoint.other_side_participant",
        "A colleague of the other side as a participant",
        DENIED,
        DENIED,
        DENIED,
    ),
    Rule(
        "touchpoint.medical_participants",
        "Who took part in a medical touchpoint (participants, logged by)",
        SHOWN,
        HIDDEN,
        SHOWN,
    ),
    Rule(
        "touchpoint.medical_notes",
        "A medical touchpoint's people met, summary, next step, transfers",
        SHOWN,
        HIDDEN,
        SHOWN,
    ),
    Rule("coverage.medical", "Which medical colleague covers a stakeholder", SHOWN, HIDDEN, SHOWN),
    Rule("person.kol", "Key-opinion-leader status", SHOWN, HIDDEN, SHOWN),
    Rule("kol.set", "Classify a key opinion leader", ALLOWED, DENIED, DENIED),
    Rule("support.raise", "Ask medical for support", DENIED, ALLOWED, ALLOWED),
    Rule("support.respond", "Accept or decline a support request", ALLOWED, DENIED, DENIED),
)

BY_KEY: dict[str, Rule] = {r.key: r for r in RULES}

_REASONS = {
    MEDICAL: _("Behind the medical/commercial firewall: medical colleagues do not see or change this."),
    COMMERCIAL: _("Behind the medical/commercial firewall: commercial colleagues do not see or change this."),
    ADMIN: _("Administrators do not do this; it belongs to one side of the medical/commercial firewall."),
}


def side(user: _User) -> str:
    """The user's side: administrators first (a superuser with a medical role still manages)."""
    if user.is_administrator:
        return ADMIN
    return MEDICAL if user.is_medical else COMMERCIAL


def rule(key: str) -> Rule:
    try:
        return BY_KEY[key]
    except KeyError:  # a typo must fail loudly, never allow by accident
        raise KeyError(f"No firewall rule {key!r}") from None


def access(user: _User, key: str) -> str:
    """What ``RULES`` says for the user's side; anonymous users are denied everything."""
    found = rule(key)
    if not user.is_authenticated:
        return HIDDEN if found.is_field else DENIED
    return found.for_side(side(user))


def allows(user: _User, key: str) -> bool:
    return access(user, key) in (ALLOWED, SHOWN)


def require(user: _User, key: str, reason: str = "") -> None:
    """Raise PermissionDenied (a 403 with ``reason``, or the side's) unless the user's side may do ``key``."""
    if not allows(user, key):
        raise PermissionDenied(reason or (_REASONS[side(user)] if user.is_authenticated else _("Log in first.")))


def hides(user: _User, key: str) -> bool:
    return access(user, key) == HIDDEN


def read_only(user: _User, key: str) -> bool:
    return access(user, key) == READ_ONLY


def markdown_table() -> str:
    """``RULES`` as the README shows it."""
    lines = ["| rule | what | medical | commercial | admin |", "|---|---|---|---|---|"]
    lines += [f"| `{r.key}` | {r.what} | {r.medical} | {r.commercial} | {r.admin} |" for r in RULES]
    return "\n".join(lines)


def content_side(user: _User) -> str:
    """Which side's content a user's records are: a medical user's touchpoints are medical,
    everyone else's (administrators' too) commercial."""
    return MEDICAL if user.is_medical else COMMERCIAL


def may_take_part(by: _User, colleague: _User) -> bool:
    """Whether ``colleague`` may be a participant of a touchpoint ``by`` logs: only a colleague
    of the same side (rule ``touchpoint.other_side_participant``)."""
    return content_side(colleague) == content_side(by) or allows(by, "touchpoint.other_side_participant")


# Form fields that follow a rule, per model (by label: this module imports no app's models).
FORM_FIELDS: dict[str, dict[str, str]] = {
    "stakeholders.Affiliation": {"stance": "affiliation.stance", "influence": "affiliation.influence"},
    "stakeholders.AffiliationOverride": {"stance": "affiliation.stance"},
    "accounts.Contract": {"price": "contract.terms", "rebate_pct": "contract.terms"},
}


def restrict_form(form: FormT, user: _User) -> FormT:
    """Apply ``FORM_FIELDS`` to a model form for ``user``: a hidden field is removed (the stored
    value, or the model's default for a new row, stays), a read-only one disabled (Django then
    ignores whatever is posted for it and keeps the initial value). Returns the form."""
    for name, key in FORM_FIELDS.get(type(form.instance)._meta.label, {}).items():
        if name not in form.fields:
            continue
        if hides(user, key):
            del form.fields[name]
        elif read_only(user, key):
            form.fields[name].disabled = True
    return form
