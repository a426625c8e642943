"""Answers: recording a response (one per invitation), the low-score alert, opting out."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import schedule_health_refresh
from kam import outbox
from stakeholders.models import (
    InvitationStatus,
    LowScoreFollowUp,
    Person,
    SurveyConsent,
    SurveyInvitation,
    SurveyResponse,
)

logger = logging.getLogger(__name__)


def existing_response(invitation: SurveyInvitation) -> SurveyResponse | None:
    """The invitation's answer: a query when its status says it has one. An invitation has an
    answer exactly when its status is answered (``record_response`` sets both in one transaction,
    and nothing moves an answered invitation to another status), so an unanswered one, most of
    the survey pages' views, costs no query."""
    if invitation.status != InvitationStatus.ANSWERED:
        return None
    try:
        return invitation.response
    except SurveyResponse.DoesNotExist:
        return None


class InvitationClosed(Exception):
    pass


def invitation_is_open(invitation: SurveyInvitation, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        invitation.status not in (InvitationStatus.EXPIRED, InvitationStatus.FAILED)
        and invitation.expires_on >= today
        and not invitation.campaign.closed_on(today)
    )


@transaction.atomic
def record_response(*, invitation: SurveyInvitation, csat_score: int, answers: dict, comment: str) -> SurveyResponse:
    """Exactly one response per invitation, even under concurrent submits: the invitation row is
    locked, and the answer may be changed until the campaign closes."""
    invitation = (
        SurveyInvitation.objects.select_for_update().select_related("campaign", "account").get(pk=invitation.pk)
    )
    if not invitation_is_open(invitation):
        raise InvitationClosed
    response, _created = SurveyResponse.objects.update_or_create(
        invitation=invitation, defaults={"csat_score": csat_score, "answers": answers, "comment": comment}
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.ANSWERED, answered_at=timezone.now()
    )
    schedule_health_refresh([invitation.account_id])
    if csat_score <= 2 and not invitation.campaign.anonymous:
        follow_up, opened = LowScoreFollowUp.objects.get_or_create(account=invitation.account, invitation=invitation)
        if opened:
            # Recorded with the answer: a mail server or broker outage delays the alert, never drops it.
            outbox.enqueue(ALERT_TASK, follow_up.pk, dedupe=outbox.dedupe_key(ALERT_TASK, [follow_up.pk]))
    return response


ALERT_TASK = "stakeholders.alert_low_score"


def low_score_alert_send(follow_up_id: int) -> None:
    """E-mail the account's owner about a low score; a failed send raises, to be tried again."""
    follow_up = (
        LowScoreFollowUp.objects.select_related("account__owner", "invitation__person").filter(pk=follow_up_id).first()
    )
    if follow_up is None:
        return  # the answer or the account is gone: nothing to alert about
    owner = follow_up.account.owner
    if not owner.email:
        return
    EmailMultiAlternatives(
        subject=_("Low satisfaction score at %(account)s") % {"account": follow_up.account.name},
        body=render_to_string("emails/low_score_alert.txt", {"follow_up": follow_up, "site": settings.SITE_URL}),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[owner.email],
    ).send()


def opt_out(*, invitation: SurveyInvitation) -> Person:
    person = invitation.person
    if person.survey_opt_out_at is None:
        now = timezone.now()
        Person.objects.filter(pk=person.pk).update(survey_opt_out_at=now)
        # An opt-out withdraws consent too, so no later campaign can rely on it.
        SurveyConsent.objects.filter(person=person, withdrawn_at__isnull=True).update(withdrawn_at=now)
    SurveyInvitation.objects.filter(person=person, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.EXPIRED
    )
    return person
