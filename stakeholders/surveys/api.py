"""REST API, read only: survey campaigns and their CSAT as the campaign page shows it to the same
user (the invitations at accounts they may see; for anonymous campaigns, groups of fewer than
five answers suppressed, by ``stakeholders.surveys.results.anonymous_suppression``)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import AccountType
from stakeholders.models import SurveyCampaign
from stakeholders.surveys.campaign_views import campaigns_visible_to, invitations_visible_to
from stakeholders.surveys.results import (
    ANONYMOUS_MIN_GROUP,
    NOTHING_HIDDEN,
    anonymous_suppression,
    answers_per_account,
    breakdown,
    csat,
)


class CampaignSerializer(serializers.ModelSerializer):
    survey = serializers.CharField(source="survey.name", read_only=True)

    class Meta:
        model = SurveyCampaign
        fields = ["id", "name", "survey", "status", "anonymous", "send_at", "close_date", "dispatched_at", "created_at"]
        read_only_fields = fields


class CsatSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    answers = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    csat_pct = serializers.FloatField(source="pct", allow_null=True, help_text="Share of answers of 4 or 5.")
    response_rate_pct = serializers.FloatField(source="response_rate", allow_null=True)
    indicative = serializers.BooleanField(help_text="Fewer than 30 answers: a signal, not a reliable figure.")


class CsatGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    hidden = serializers.BooleanField(help_text="Suppressed: the group would reveal fewer than five answers.")
    csat = CsatSerializer(allow_null=True)


class CampaignResultSerializer(serializers.Serializer):
    campaign = CampaignSerializer()
    scoped = serializers.BooleanField(help_text="Figures over the accounts you may see only.")
    hidden = serializers.BooleanField(help_text="Anonymous campaign with too few answers: no figures.")
    min_group = serializers.IntegerField()
    csat = CsatSerializer(allow_null=True)
    by_account_type = CsatGroupSerializer(many=True)
    by_owner = CsatGroupSerializer(many=True)


def campaign_result(campaign: SurveyCampaign, user) -> dict:
    """The campaign page's figures for ``user``, as plain data."""
    invitations = invitations_visible_to(user, campaign)
    rows = answers_per_account(invitations)
    suppression = anonymous_suppression(rows) if campaign.anonymous else NOTHING_HIDDEN
    total = csat(invitations)
    hidden = suppression.total_hidden or (campaign.anonymous and total.answers < ANONYMOUS_MIN_GROUP)
    types = dict(AccountType.choices)

    def groups(field: str, label) -> list[dict]:
        return [
            {"key": str(g["key"]), "label": label(g), "hidden": g["hidden"], "csat": g["csat"]}
            for g in breakdown(rows, field, suppression)
        ]

    def owner(group: dict) -> str:
        row = group["row"]
        name = f"{row['account__owner__first_name']} {row['account__owner__last_name']}".strip()
        return name or row["account__owner__username"]

    return {
        "campaign": campaign,
        "scoped": not user.is_administrator and campaign.created_by_id != user.pk,
        "hidden": hidden,
        "min_group": ANONYMOUS_MIN_GROUP,
        "csat": None if hidden else total,
        "by_account_type": groups("account__account_type", lambda g: str(types.get(g["key"], g["key"]))),
        "by_owner": groups("account__owner_id", owner),
    }


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Survey campaigns you may see: those that reached accounts you may see (and a manager's own)."""

    serializer_class = CampaignSerializer
    queryset = SurveyCampaign.objects.none()

    def get_queryset(self) -> QuerySet[SurveyCampaign]:
        return campaigns_visible_to(self.request.user).select_related("survey").order_by("pk")

    @extend_schema(responses=CampaignResultSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """CSAT of the campaign, in total, per account type and per KAM, as on the campaign page."""
        campaign = self.get_object()
        return Response(CampaignResultSerializer(campaign_result(campaign, request.user)).data)
