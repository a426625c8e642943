"""REST API, read only: the dashboard's figures for the user, with the dashboard's filters, from
``kam.portfolio.dashboard.build`` (the same selector and the same numbers as the page)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kam import firewall
from kam.portfolio.dashboard import build as build_dashboard
from kam.portfolio.views import DashboardFilterForm

# The headline parts of the page; the per-KAM tables and the matrix stay on the page.
PARTS = ("accounts", "health", "plans", "objectives", "actions", "revenue", "stale_stakeholders")
PARTS += ("csat_by_year", "csat_by_quarter")


def plain(value: Any) -> Any:
    """The dashboard's values as JSON: money as strings (exact), dates in ISO 8601."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in ("pct", "response_rate", "attainment_pct"):  # properties the page shows
            if hasattr(value, name):
                data[name] = plain(getattr(value, name))
        return data
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    return value


class DashboardSerializer(serializers.Serializer):
    accounts = serializers.DictField()
    health = serializers.DictField()
    plans = serializers.DictField()
    objectives = serializers.DictField()
    actions = serializers.DictField()
    revenue = serializers.DictField(allow_null=True)
    stale_stakeholders = serializers.IntegerField()
    csat_by_year = serializers.ListField(child=serializers.DictField())
    csat_by_quarter = serializers.ListField(child=serializers.DictField())


FILTERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=text)
    for name, text in (
        ("owner", "a KAM's user id"),
        ("team_lead", "a manager's user id: their team's accounts"),
        ("country", "two-letter country code"),
        ("region", "region"),
        ("account_type", "hospital, pharmacy or wholesaler"),
        ("tier", "A, B or C"),
        ("period", "a planning period's id (default: the current one)"),
    )
]


class DashboardView(APIView):
    """The portfolio dashboard's figures over the accounts you may see. Commercial: medical
    colleagues get a 403 (``portfolio.figures``), as they get a figure-free home page."""

    @extend_schema(parameters=FILTERS, responses=DashboardSerializer)
    def get(self, request: Request) -> Response:
        firewall.require(request.user, "portfolio.figures")
        form = DashboardFilterForm(request.query_params or None, user=request.user)
        if request.query_params and not form.is_valid():
            raise ValidationError(form.errors)
        board = build_dashboard(request.user, form.filters())
        return Response({name: plain(getattr(board, name)) for name in PARTS})
