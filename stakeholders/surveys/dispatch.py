"""Dispatch: a campaign's invitation rows created in one transaction (the outbox) and handed to the
workers after commit; scheduled and recurring campaigns opened when due."""

from __future__ import annotations

import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from kam.lib import try_delay
from kam.models import User
from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    SurveyCampaign,
    SurveyInvitation,
)
from stakeholders.surveys.audience import audience

logger = logging.getLogger(__name__)


INVITATION_VALID_DAYS = 30
BATCH = 200


@transaction.atomic
def campaign_dispatch(*, campaign: SurveyCampaign, by: User | None) -> int:
    """Create the invitation rows (the outbox) and enqueue them after commit. Idempotent: people
    already invited by this campaign are skipped by the unique constraint."""
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    included, _excluded = audience(campaign)
    today = timezone.localdate()
    expires = min(campaign.close_date, today + timedelta(days=INVITATION_VALID_DAYS))
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                campaign=campaign,
                person=row.affiliation.person,
                account=row.affiliation.account,
                language=row.affiliation.person.preferred_language,
                expires_on=expires,
            )
            for row in included
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    campaign.status = CampaignStatus.SENDING
    campaign.dispatched_at = timezone.now()
    campaign.save(update_fields=["status", "dispatched_at"])
    ids = list(campaign.invitations.filter(status=InvitationStatus.QUEUED).values_list("pk", flat=True))
    transaction.on_commit(lambda: enqueue_invitations(ids))
    return len(ids)


def enqueue_invitations(ids: list[int]) -> int:
    """Hand ids to the workers in batches. A broker outage is logged and left to the sweeper."""
    # Imported here: the tasks module imports this one (its sweep re-enqueues through here).
    from stakeholders.surveys.tasks import send_invitations  # noqa: PLC0415

    sent = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        # If the broker is down, the sweeper re-enqueues the rest.
        if not try_delay(send_invitations, chunk, what=f"{len(chunk)} survey invitations; the sweeper will retry"):
            break
        sent += len(chunk)
    return sent


def dispatch_due_campaigns(*, now=None) -> int:
    """Dispatch scheduled campaigns whose time has come, and open the next round of recurring
    campaigns that have closed. Safe to run twice: dispatch takes the campaign row lock and the
    status moves on, and a recurrence is created once (it names its predecessor)."""
    now = now or timezone.now()
    dispatched = 0
    for campaign in SurveyCampaign.objects.filter(status=CampaignStatus.SCHEDULED, send_at__lte=now):
        with transaction.atomic():
            locked = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
            if locked.status != CampaignStatus.SCHEDULED:
                continue
            campaign_dispatch(campaign=locked, by=None)
            dispatched += 1
    today = timezone.localdate(now)
    for campaign in SurveyCampaign.objects.filter(
        recurrence_months__isnull=False, status=CampaignStatus.CLOSED, close_date__lt=today
    ):
        name = f"{campaign.name} · {campaign.send_at + relativedelta(months=campaign.recurrence_months):%b %Y}"
        if SurveyCampaign.objects.filter(name=name).exists():
            continue
        step = relativedelta(months=campaign.recurrence_months)
        SurveyCampaign.objects.create(
            name=name,
            survey=campaign.survey,
            audience=campaign.audience,
            send_at=campaign.send_at + step,
            close_date=campaign.close_date + step,
            recurrence_months=campaign.recurrence_months,
            anonymous=campaign.anonymous,
            throttle_days=campaign.throttle_days,
            reminder_after_days=campaign.reminder_after_days,
            status=CampaignStatus.SCHEDULED,
            created_by=campaign.created_by,
        )
        # The old round stops recurring: its successor carries the schedule on.
        SurveyCampaign.objects.filter(pk=campaign.pk).update(recurrence_months=None)
    return dispatched
