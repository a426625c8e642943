"""The small demo's stakeholders: a DMU for every demo account with our coverage and touchpoints,
then survey consent and two CSAT campaigns."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account
from kam.demo.data import COMMENTS, CONSENT_WORDING, CSAT_SCORES
from kam.demo.dmu_data import DMU_TEMPLATES, academic_title, account_language, gendered, pick_person
from kam.demo.texts import texts
from kam.models import User
from stakeholders.models import (
    Affiliation,
    CampaignStatus,
    Coverage,
    InvitationStatus,
    LowScoreFollowUp,
    Person,
    Survey,
    SurveyCampaign,
    SurveyConsent,
    SurveyInvitation,
    SurveyResponse,
    Touchpoint,
    TransferOfValue,
)


def seed_stakeholders(users: dict[str, User], rng: random.Random) -> None:
    """A believable DMU for every demo account: people, reporting lines, coverage, touchpoints."""
    today = date.today()
    for account in Account.objects.filter(crm_id__startswith="DEMO-").select_related("owner").order_by("pk"):
        if Affiliation.objects.filter(account=account).exists():
            continue
        lang = account_language(account.country, account.city)
        template = DMU_TEMPLATES[(account.account_type, lang)]
        words = texts(account.account_type, account.country)
        university = "niversit" in account.name
        made: dict[str, Affiliation] = {}
        for key, function, role, title, dept, boss, influence, stance in template:
            if key == "pharmacist" and rng.random() < 0.25:
                continue  # some hospitals lack a pharmacist contact: a gap the X-ray shows
            first, last, female = pick_person(rng, lang)
            person = Person.objects.create(
                title=academic_title(rng, function=function, key=key, language=lang, university=university),
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{account.pk}{key}@example.org".lower().replace(" ", ""),
                preferred_language=lang,
            )
            affiliation = Affiliation(
                person=person,
                account=account,
                position_title=gendered(title, female),
                department=dept,
                function=function,
                dmu_role=role,
                influence=max(1, min(5, influence + rng.randint(-1, 1))),
                stance=max(-2, min(2, stance + rng.randint(-1, 1))),
                reports_to=made.get(boss),
                start_date=today - timedelta(days=rng.randint(200, 3000)),
            )
            affiliation.full_clean()
            affiliation.save()
            made[key] = affiliation
        team = {m.user_id: m.user for m in account.team_members.select_related("user")}
        for affiliation in made.values():
            if affiliation.dmu_role == "decision_maker" and rng.random() < 0.3:
                continue  # an uncovered decision maker: a gap
            Coverage.objects.create(affiliation=affiliation, user=account.owner, strength=rng.randint(2, 5))
            if users["access.felix"].pk in team and affiliation.category == "managerial":
                Coverage.objects.create(affiliation=affiliation, user=users["access.felix"], strength=rng.randint(2, 4))
            if users["msl.greta"].pk in team and affiliation.category == "medical" and rng.random() < 0.7:
                Coverage.objects.create(
                    affiliation=affiliation, user=users["msl.greta"], strength=rng.randint(3, 5), is_medical=True
                )
        people = list(made.values())
        for n in range(rng.randint(3, 7)):
            medical = users["msl.greta"].pk in team and n == 0
            author = users["msl.greta"] if medical else account.owner
            met = rng.sample(people, k=min(len(people), rng.randint(1, 3)))
            when = today - timedelta(days=rng.randint(3, 170))
            follow = when + timedelta(days=rng.randint(7, 40)) if rng.random() < 0.5 else None
            touchpoint = Touchpoint.objects.create(
                account=account,
                date=when,
                kind="advisory_board" if medical else rng.choice(["visit", "visit", "call", "email", "event"]),
                summary=rng.choice(words["medical"] if medical else words["summaries"]),
                next_step=rng.choice(words["next_steps"]) if follow else "",
                follow_up_date=follow,
                follow_up_done=bool(follow and follow < today and rng.random() < 0.6),
                logged_by=author,
                is_medical=medical,
            )
            touchpoint.participants.set([author])
            touchpoint.stakeholders.set([a.person_id for a in met])
            if not medical and touchpoint.kind == "event" and rng.random() < 0.5:
                TransferOfValue.objects.create(
                    touchpoint=touchpoint,
                    category="registration_fee",
                    recipient_person_id=met[0].person_id,
                    amount=Decimal(rng.choice([250, 480, 650])),
                    currency=account.currency,
                    disclosure_consent=rng.random() < 0.7,
                    expense_record_id=f"EXP-{account.pk:04d}-{n}",
                )


def seed_surveys(users: dict[str, User], rng: random.Random) -> None:
    """Consent for most people, a closed campaign with realistic answers and an open one."""
    survey = Survey.objects.get(is_default=True)
    if SurveyCampaign.objects.filter(survey=survey, name__startswith="DMU satisfaction").exists():
        return
    people = list(Person.objects.filter(email__endswith="@example.org"))
    SurveyConsent.objects.bulk_create(
        [
            SurveyConsent(
                person=p,
                source="Signed consent form at visit",
                wording=CONSENT_WORDING,
                given_at=timezone.now() - timedelta(days=rng.randint(200, 400)),
            )
            for p in people
            if rng.random() < 0.85
        ]
    )
    now = timezone.now()
    today = timezone.localdate()
    rounds = [
        (
            "DMU satisfaction spring",
            now - timedelta(days=200),
            today - timedelta(days=170),
            CampaignStatus.CLOSED,
            0.55,
        ),
        ("DMU satisfaction autumn", now - timedelta(days=6), today + timedelta(days=24), CampaignStatus.OPEN, 0.3),
    ]
    for name, sent, closes, status, answer_rate in rounds:
        campaign = SurveyCampaign.objects.create(
            name=name,
            survey=survey,
            send_at=sent,
            close_date=closes,
            status=status,
            created_by=users["head"],
            dispatched_at=sent,
            recurrence_months=6 if status == CampaignStatus.OPEN else None,
        )
        for affiliation in (
            Affiliation.objects.filter(
                end_date__isnull=True, account__is_key_account=True, person__consents__isnull=False
            )
            .select_related("person", "account")
            .distinct()
        ):
            invitation = SurveyInvitation.objects.create(
                campaign=campaign,
                person=affiliation.person,
                account=affiliation.account,
                language=affiliation.person.preferred_language,
                status=InvitationStatus.SENT,
                sent_at=sent,
                expires_on=closes,
            )
            SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=sent)
            if rng.random() < answer_rate:
                # Answered within nine days of the invitation, and never after now.
                score = rng.choice(CSAT_SCORES)
                hours = max(1, min(9 * 24, int((now - sent).total_seconds() // 3600) - 1))
                answered = sent + timedelta(hours=rng.randint(1, hours))
                SurveyResponse.objects.create(
                    invitation=invitation,
                    csat_score=score,
                    submitted_at=answered,
                    comment=rng.choice(COMMENTS.get(invitation.language, COMMENTS["en"])),
                )
                SurveyInvitation.objects.filter(pk=invitation.pk).update(
                    status=InvitationStatus.ANSWERED, answered_at=answered
                )
                if score <= 2:
                    LowScoreFollowUp.objects.create(
                        account=affiliation.account,
                        invitation=invitation,
                        opened_at=answered,
                        closed_at=now if status == CampaignStatus.CLOSED else None,
                    )
            elif status == CampaignStatus.CLOSED:
                SurveyInvitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.EXPIRED)
