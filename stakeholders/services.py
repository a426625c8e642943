"""Writes about stakeholders: adding people to a DMU, touchpoints, coverage, the firewall."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from accounts.selectors import accounts_visible_to
from accounts.services import schedule_health_refresh
from kam import firewall
from kam.models import User
from stakeholders.models import (
    Affiliation,
    Coverage,
    KolClassification,
    Person,
    SupportRequest,
    SupportStatus,
    Touchpoint,
)
from stakeholders.sharing import can_remove_visible_affiliations, person_by_email_for


@transaction.atomic
def stakeholder_add(*, account: Account, person: Person, affiliation: Affiliation, by: User) -> Affiliation:
    """Add a person to an account's DMU. A person already known by e-mail is reused, so their
    history follows them from one account to the next, but only one ``by`` may see already
    (``stakeholders.sharing``): an e-mail of someone at accounts ``by`` cannot see is refused
    without naming them, and an administrator links them instead."""
    if person.pk is None and person.email:
        existing, may_see = person_by_email_for(by, person.email)
        if not may_see:
            raise PermissionDenied(
                _("This e-mail address cannot be used here; ask an administrator to add the person.")
            )
        if existing is not None:
            person = existing
    if person.pk is None:
        person.full_clean()
        person.save()
    affiliation.person = person
    affiliation.account = account
    affiliation.full_clean()
    affiliation.save()
    schedule_health_refresh([account.pk])
    return affiliation


@transaction.atomic
def person_remove_visible_affiliations(*, person: Person, by: User) -> int:
    """Take the person off the accounts ``by`` sees, for a manager who may not erase them
    everywhere (``stakeholders.sharing``); their other affiliations and identity stay. Returns
    how many affiliations went."""
    if not can_remove_visible_affiliations(by, person):
        raise PermissionDenied(_("Only managers responsible for one of the person's accounts can do this."))
    mine = Affiliation.objects.filter(person=person, account__in=accounts_visible_to(by))
    accounts = list(mine.values_list("account_id", flat=True).distinct())
    # Nobody at those accounts reports to someone who is no longer there.
    Affiliation.objects.filter(reports_to__in=mine.values("pk")).update(reports_to=None)
    removed, _detail = mine.delete()
    schedule_health_refresh(accounts)
    return removed


def affiliation_end(*, affiliation: Affiliation, on: date | None = None, by: User) -> Affiliation:
    affiliation.end_date = on or timezone.localdate()
    affiliation.full_clean()
    affiliation.save(update_fields=["end_date", "updated_at"])
    # Nobody reports to someone who has left.
    Affiliation.objects.filter(reports_to=affiliation).update(reports_to=None)
    schedule_health_refresh([affiliation.account_id])
    return affiliation


@transaction.atomic
def touchpoint_log(*, touchpoint: Touchpoint, participants: list[User], people: list[Person], by: User) -> Touchpoint:
    # The form says so beside the field; here the rule holds for every caller (the API included).
    if any(not firewall.may_take_part(by, colleague) for colleague in participants):
        raise ValidationError({"participants": _("Only colleagues of your own side of the firewall take part.")})
    touchpoint.logged_by = by
    touchpoint.is_medical = by.is_medical
    touchpoint.full_clean()
    touchpoint.save()
    touchpoint.participants.set({*participants, by})
    touchpoint.stakeholders.set(people)
    schedule_health_refresh([touchpoint.account_id])
    return touchpoint


def _check_firewall(by: User, colleague: User) -> None:
    if by.is_administrator:
        return
    if by.is_medical != colleague.is_medical:
        if by.is_medical:
            raise PermissionDenied(_("Medical colleagues record medical contacts only."))
        raise PermissionDenied(
            _("Commercial colleagues cannot assign or rate medical colleagues; raise a support request instead.")
        )


def coverage_set(*, affiliation: Affiliation, user: User, strength: int | None, by: User) -> Coverage | None:
    """Set (or, with ``strength`` None, remove) who covers a stakeholder, keeping the firewall."""
    _check_firewall(by, user)
    schedule_health_refresh([affiliation.account_id])
    if strength is None:
        Coverage.objects.filter(affiliation=affiliation, user=user).delete()
        return None
    coverage, _created = Coverage.objects.update_or_create(
        affiliation=affiliation, user=user, defaults={"strength": strength, "is_medical": user.is_medical}
    )
    coverage.full_clean()
    return coverage


def kol_set(*, person: Person, level: str | None, therapeutic_areas: str, by: User) -> KolClassification | None:
    if not by.is_medical:
        raise PermissionDenied(_("Only medical colleagues classify key opinion leaders."))
    if not level:
        KolClassification.objects.filter(person=person).delete()
        return None
    kol, _created = KolClassification.objects.update_or_create(
        person=person, defaults={"level": level, "therapeutic_areas": therapeutic_areas, "set_by": by}
    )
    return kol


def support_request_raise(*, request: SupportRequest, by: User) -> SupportRequest:
    if by.is_medical:
        raise PermissionDenied(_("Support requests are raised by commercial colleagues."))
    request.requested_by = by
    request.status = SupportStatus.OPEN
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def support_request_respond(*, request: SupportRequest, accept: bool, note: str, by: User) -> SupportRequest:
    if not by.is_medical:
        raise PermissionDenied(_("Only medical colleagues accept or decline support requests."))
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SupportStatus.OPEN:
        raise PermissionDenied(_("This request was answered already."))
    request.status = SupportStatus.ACCEPTED if accept else SupportStatus.DECLINED
    request.responded_by = by
    request.responded_at = timezone.now()
    request.response_note = note[:500]
    request.save(update_fields=["status", "responded_by", "responded_at", "response_note"])
    return request


@transaction.atomic
def affiliation_save(*, affiliation: Affiliation, by: User) -> Affiliation:
    """Save an edited affiliation (the API's edit; the DMU page saves its form the same way)."""
    affiliation.full_clean()
    affiliation.save()
    schedule_health_refresh([affiliation.account_id])
    return affiliation


def person_save(*, person: Person, by: User) -> Person:
    """Save an edited person (the API's edit). Whether ``by`` may change the identity is the
    caller's check (``stakeholders.sharing.can_edit_identity``), as on the page."""
    person.full_clean()
    person.save()
    return person
