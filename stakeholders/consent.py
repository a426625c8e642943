"""Survey consent: who may record it, and recording and withdrawing it.

Consent belongs to the person, not to one account: one row lets every campaign reach them, so it
is recorded by someone who answers for one of their accounts (its owner, the managers above, an
administrator), with the exact wording and where it was given. Medical colleagues do not run
feedback surveys and do not record consent to them. Every change is kept in the row's history."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import account_access, accounts_visible_to
from kam.models import User
from stakeholders.models import Affiliation, ConsentChannel, ConsentMethod, Person, SurveyConsent

DEFAULT_WORDING = "I agree to receive short feedback surveys by e-mail; I can stop them at any time."


def may_record_consent(user: User, person: Person) -> bool:
    """True when ``user`` may edit one of the accounts ``person`` is affiliated with."""
    if user.is_medical or person.is_erased:
        return False
    affiliations = Affiliation.objects.filter(person=person, account__in=accounts_visible_to(user)).select_related(
        "account"
    )
    return any(account_access(user, a.account).edit for a in affiliations)


@transaction.atomic
def consent_record(
    *,
    person: Person,
    given_on: date,
    method: str = ConsentMethod.FORM,
    source: str,
    wording: str,
    channel: str = ConsentChannel.EMAIL,
) -> SurveyConsent:
    """A new consent row. After an opt-out only written consent (a signed form or the person's
    e-mail) makes them reachable again, never a verbal one; the opt-out stays in the history."""
    if person.survey_opt_out_at is not None and method == ConsentMethod.VERBAL:
        raise ValidationError(
            {
                "method": _(
                    "This person opted out of surveys: record new consent only from a signed form or their e-mail."
                )
            }
        )
    consent = SurveyConsent(
        person=person,
        channel=channel,
        method=method,
        given_at=timezone.make_aware(datetime.combine(given_on, time(12))),
        source=source,
        wording=wording,
    )
    consent.full_clean()
    consent.save()
    if person.survey_opt_out_at is not None:
        person.survey_opt_out_at = None
        person.save(update_fields=["survey_opt_out_at"])
    return consent


def consent_withdraw(*, consent: SurveyConsent, on: datetime | None = None) -> bool:
    """Withdraw ``consent``; False when it had been withdrawn already (the first date stands)."""
    consent_was_open = consent.withdrawn_at is None
    if consent_was_open:
        consent.withdrawn_at = on or timezone.now()
        consent.save(update_fields=["withdrawn_at"])
    return consent_was_open
