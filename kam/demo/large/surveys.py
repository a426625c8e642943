"""The large demo's CSAT campaigns: two a year over five years, with invitations and answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from kam.demo.data import COMMENTS, CSAT_SCORES
from kam.demo.large.state import Load, apportion
from stakeholders.models import (
    CampaignStatus,
    InvitationStatus,
    LowScoreFollowUp,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)


def surveys(load: Load) -> None:
    """Two campaigns a year (spring and autumn); the newest is still open. Each invites people
    with consent at key accounts; about 45 % answer."""
    s, rng, w = load.shape, load.rng, load.writer
    survey = Survey.objects.get(is_default=True)
    rating = survey.questions.filter(kind="rating").values_list("pk", flat=True).first()
    pool = [(m.person, a) for a in load.accounts if a.key for m in a.people if m.surveyable]
    first_year = load.today.year - s.survey_years + 1
    rounds = []
    for year in range(first_year, load.today.year + 1):
        rounds.append((f"Large CSAT {year} spring", datetime(year, 3, 10, 8, tzinfo=UTC)))
        rounds.append((f"Large CSAT {year} autumn", datetime(year, 9, 15, 8, tzinfo=UTC)))
    rounds = [r for r in rounds if r[1] < load.now]
    rounds[-1] = (rounds[-1][0], load.now - timedelta(days=10))  # the open round
    campaign_ids = w.ids(SurveyCampaign, len(rounds))
    campaigns = []
    for (name, sent), pk in zip(rounds, campaign_ids, strict=True):
        is_open = pk == campaign_ids[-1]
        closes = (sent + timedelta(days=30)).date()
        status = CampaignStatus.OPEN if is_open else CampaignStatus.CLOSED
        campaigns.append((pk, name, survey.pk, sent, closes, status, load.admin.pk, sent, sent, is_open))
    w.table(
        SurveyCampaign,
        [
            "id",
            "name",
            "survey",
            "send_at",
            "close_date",
            "status",
            "created_by",
            "created_at",
            "dispatched_at",
            "reminder_after_days",
        ],
    ).insert((*row[:-1], 7) for row in campaigns)
    per_round = apportion(s.invitations, [1] * len(rounds))
    ids = iter(w.ids(SurveyInvitation, s.invitations))
    responses: list[tuple] = []
    follow_ups: list[tuple] = []

    def rows() -> Iterator[tuple]:
        for (pk, _name, _survey, sent, closes, _status, *_rest, is_open), n in zip(campaigns, per_round, strict=True):
            for person, a in rng.sample(pool, k=min(n, len(pool))):
                iid = next(ids)
                answered = rng.random() < (0.3 if is_open else 0.45)
                reminded = sent + timedelta(days=7) if not answered and rng.random() < 0.8 else None
                reminded = reminded if reminded and reminded < load.now else None
                status = InvitationStatus.SENT if is_open else InvitationStatus.EXPIRED
                answered_at = None
                if answered:
                    status = InvitationStatus.ANSWERED
                    answered_at = min(load.now, sent + timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 12)))
                    score = rng.choice(CSAT_SCORES)
                    answers = {str(rating): rng.randint(max(1, score - 1), min(5, score + 1))} if rating else {}
                    responses.append((iid, score, answers, rng.choice(COMMENTS[a.language]), answered_at, answered_at))
                    if score <= 2:
                        # Closed rounds' follow-ups were dealt with; the open round's are open.
                        closed = (min(load.now, answered_at + timedelta(days=30)), a.owner, "Called; resolved.")
                        follow_ups.append((a.id, iid, answered_at, *((None, None, "") if is_open else closed)))
                yield (iid, pk, person, a.id, a.language, status, 1, sent, reminded, answered_at, closes, sent)

    w.table(
        SurveyInvitation,
        [
            "id",
            "campaign",
            "person",
            "account",
            "language",
            "status",
            "attempts",
            "sent_at",
            "reminder_sent_at",
            "answered_at",
            "expires_on",
            "created_at",
        ],
    ).insert(rows())
    w.table(SurveyResponse, ["invitation", "csat_score", "answers", "comment", "submitted_at", "updated_at"]).insert(
        responses
    )
    w.table(LowScoreFollowUp, ["account", "invitation", "opened_at", "closed_at", "closed_by", "note"]).insert(
        follow_ups
    )
