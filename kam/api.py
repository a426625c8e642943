"""What every app's REST API shares: pagination, the ``updated_since`` filter, the firewall on
serializer fields, and turning the services' exceptions into 4xx answers.

The API adds no rule of its own: each viewset's queryset starts from its app's selector
(``accounts_visible_to`` and friends), writes go through the apps' services, and the firewall is
``kam.firewall``. See docs/api.md.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kam import firewall
from kam.text import UNUSABLE, xml_safe


class Pagination(PageNumberPagination):
    """``?page=2&page_size=100``; at most 200 rows a page, 50 unless asked."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only rows created or changed at or after this time (ISO 8601, e.g. 2026-12-01T00:00:00Z), "
    "for synchronisation. Deletions are not reported.",
)


def parse_updated_since(request: Request) -> datetime | None:
    """The ``updated_since`` parameter as an aware datetime (a date means its midnight), or None;
    a 400 for anything else."""
    raw = request.query_params.get("updated_since", "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        day = None if moment else parse_date(raw)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = datetime(day.year, day.month, day.day)
    if moment is None:
        raise exceptions.ValidationError(
            {"updated_since": _("Give a date and time in ISO 8601, e.g. 2026-12-01T00:00:00Z.")}
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which Python accepts.
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise exceptions.ValidationError({"updated_since": _("This date and time is out of range.")}) from None


def changed_since(queryset: QuerySet, since: datetime | None) -> QuerySet:
    """Rows changed at or after ``since``: by their ``updated_at`` where the model keeps one, else
    by their django-simple-history rows (every model here has history; no column was added)."""
    if since is None:
        return queryset
    model = queryset.model
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        return queryset.filter(updated_at__gte=since)
    history = model.history.model.objects.filter(id=OuterRef("pk"), history_date__gte=since)
    return queryset.filter(Exists(history))


class UpdatedSinceMixin:
    """For a viewset: ``?updated_since=`` on its list."""

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if getattr(self, "action", None) == "list":
            queryset = changed_since(queryset, parse_updated_since(self.request))
        return queryset


class FirewalledFieldsMixin:
    """Drop the serializer fields the firewall hides from the requesting user.

    ``firewall_fields`` maps a field name to a ``kam.firewall`` rule key. The schema (no user, or
    drf-spectacular's fake view) keeps every field; the fields so listed are never required, so a
    response without them still matches the schema."""

    firewall_fields: dict[str, str] = {}

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        view = self.context.get("view")
        if request is None or getattr(view, "swagger_fake_view", False):
            return fields
        for name, key in self.firewall_fields.items():
            if name in fields and firewall.hides(request.user, key):
                del fields[name]
            elif name in fields and firewall.read_only(request.user, key):
                fields[name].read_only = True
        return fields


class CleanTextSerializerMixin:
    """``kam.text.CleanTextMixin`` for serializers: unusable characters are dropped from every text
    value before a service saves it (an export must never fail on one)."""

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        for name, value in list(attrs.items()):
            if isinstance(value, str) and UNUSABLE.search(value):
                attrs[name] = xml_safe(value).strip()
        return attrs


def user_label(user) -> str:
    return str(user) if user is not None else ""


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user_label(user)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus Django's ValidationError from a service's ``full_clean`` as a 400 with
    the messages (never a 500), and PermissionDenied with its reason."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
