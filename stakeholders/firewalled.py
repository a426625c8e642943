"""The medical/commercial firewall (rules in ``kam.firewall``) applied to the DMU pages' data:
kept here so that the views only call it."""

from __future__ import annotations

from django.forms import BaseForm, BaseFormSet

from accounts.models import Account
from kam import firewall
from kam.models import User
from stakeholders.models import Affiliation, Touchpoint
from stakeholders.selectors import Gap, dmu_gaps


def restrict_stakeholder_forms(user: User, affiliation_form: BaseForm, overrides: BaseFormSet | None = None) -> None:
    """No stance for medical colleagues, influence read-only: on the affiliation and its
    per-area overrides (see ``firewall.FORM_FIELDS``)."""
    firewall.restrict_form(affiliation_form, user)
    for form in overrides.forms if overrides is not None else ():
        firewall.restrict_form(form, user)


def dmu_filters(user: User, form: BaseForm, filters: dict) -> dict:
    """The DMU table's filters as ``user`` may use them: filtering or sorting by stance would
    tell the stance to those who may not see it."""
    if not firewall.hides(user, "affiliation.stance"):
        return filters
    form.fields["sort"].choices = [c for c in form.fields["sort"].choices if c[0] != "stance"]
    return {**filters, "stance": None, "sort": "" if filters.get("sort") == "stance" else filters.get("sort")}


def participants_shown(user: User, touchpoint: Touchpoint) -> bool:
    """Commercial colleagues learn that a medical touchpoint happened, not which medical colleague met whom."""
    return not (touchpoint.is_medical and firewall.hides(user, "touchpoint.medical_participants"))


def gaps_for(account: Account, rows: list[Affiliation], user: User) -> list[Gap]:
    gaps = dmu_gaps(account, rows, user)
    if firewall.hides(user, "affiliation.stance"):
        # "High influence and sceptical" names the stance.
        gaps = [g for g in gaps if g.code != "high_influence_sceptic"]
    return gaps
