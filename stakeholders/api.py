"""REST API for people, their affiliations (the DMU) and touchpoints, scoped by
``stakeholders.selectors`` and written through ``stakeholders.services``, firewall applied:
medical colleagues get no stance (influence read-only), commercial colleagues get no medical
touchpoint's content or participants."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from accounts.api import visible_account
from accounts.models import Account
from accounts.selectors import accounts_visible_to
from kam import firewall
from kam.api import UPDATED_SINCE, CleanTextSerializerMixin, FirewalledFieldsMixin, UpdatedSinceMixin
from kam.models import User
from stakeholders import services
from stakeholders.models import Affiliation, Person, Touchpoint, language_for_country
from stakeholders.selectors import people_visible_to, touchpoints_visible_to
from stakeholders.sharing import IDENTITY_FIELDS, can_edit_identity, person_by_email_for


class PersonSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "title",
            "first_name",
            "last_name",
            "email",
            "phone",
            "preferred_language",
            "do_not_contact",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        user = self.context["request"].user
        person = self.instance
        if person is not None and not can_edit_identity(user, person):
            # As on the page: a person shared with accounts the editor cannot see keeps their
            # identity; only "do not contact" may be switched on.
            changed = [name for name in IDENTITY_FIELDS if name in attrs and attrs[name] != getattr(person, name)]
            if changed or (person.do_not_contact and attrs.get("do_not_contact") is False):
                raise PermissionDenied(_("This person is also at accounts you cannot see; ask an administrator."))
        return attrs


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class PersonViewSet(
    UpdatedSinceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People with an affiliation at an account you may see. New people come with a new
    affiliation (``POST /affiliations/`` with ``person``)."""

    serializer_class = PersonSerializer
    queryset = Person.objects.none()

    def get_queryset(self) -> QuerySet[Person]:
        return people_visible_to(self.request.user).filter(erased_at__isnull=True).order_by("pk")

    def perform_update(self, serializer: PersonSerializer) -> None:
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        serializer.instance = services.person_save(person=serializer.instance, by=self.request.user)


class NewPersonSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["title", "first_name", "last_name", "email", "phone", "preferred_language", "do_not_contact"]


class AffiliationSerializer(CleanTextSerializerMixin, FirewalledFieldsMixin, serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    person = serializers.PrimaryKeyRelatedField(read_only=True)
    new_person = NewPersonSerializer(
        write_only=True,
        required=False,
        help_text="On creation: the person to add (someone already known by e-mail is reused, if you may see them).",
    )
    existing_person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        write_only=True,
        required=False,
        help_text="On creation, instead of new_person: someone you may see already.",
    )
    reports_to = serializers.PrimaryKeyRelatedField(queryset=Affiliation.objects.all(), required=False, allow_null=True)

    firewall_fields = {"stance": "affiliation.stance", "influence": "affiliation.influence"}

    class Meta:
        model = Affiliation
        fields = [
            "id",
            "account",
            "person",
            "new_person",
            "existing_person",
            "position_title",
            "department",
            "function",
            "category",
            "dmu_role",
            "influence",
            "stance",
            "reports_to",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["end_date", "created_at", "updated_at"]
        extra_kwargs = {"category": {"required": False}}

    @property
    def _user(self) -> User:
        return self.context["request"].user

    def validate_account(self, account):
        if self.instance is not None and account.pk != self.instance.account_id:
            raise serializers.ValidationError(_("An affiliation stays at its account; end it and add a new one."))
        if not accounts_visible_to(self._user).filter(pk=account.pk).exists():
            raise serializers.ValidationError(_("Unknown account."))
        return account

    def validate_existing_person(self, person: Person) -> Person:
        if not people_visible_to(self._user).filter(pk=person.pk).exists():
            raise serializers.ValidationError(_("Unknown person."))
        return person

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if self.instance is None and ("new_person" in attrs) == ("existing_person" in attrs):
            raise serializers.ValidationError(_("Give either new_person or existing_person."))
        reports_to = attrs.get("reports_to")
        account = attrs.get("account") or (self.instance.account if self.instance else None)
        if reports_to is not None and reports_to.account_id != getattr(account, "pk", None):
            raise serializers.ValidationError({"reports_to": _("Reports-to must be someone at the same account.")})
        new_person = attrs.get("new_person")
        if new_person and new_person.get("email"):
            _found, may_see = person_by_email_for(self._user, new_person["email"])
            if not may_see:
                raise serializers.ValidationError(
                    {"new_person": _("This e-mail address cannot be used here; ask an administrator.")}
                )
        return attrs

    def create(self, validated_data: dict) -> Affiliation:
        account = validated_data.pop("account")
        person = validated_data.pop("existing_person", None) or Person(
            **{"preferred_language": language_for_country(account.country), **validated_data.pop("new_person")}
        )
        validated_data.pop("new_person", None)
        return services.stakeholder_add(
            account=account, person=person, affiliation=Affiliation(**validated_data), by=self._user
        )

    def update(self, instance: Affiliation, validated_data: dict) -> Affiliation:
        validated_data.pop("new_person", None)
        validated_data.pop("existing_person", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.affiliation_save(affiliation=instance, by=self._user)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class AffiliationViewSet(
    UpdatedSinceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Who sits where: the DMU of the accounts you may see, past affiliations included."""

    serializer_class = AffiliationSerializer
    queryset = Affiliation.objects.none()

    def get_queryset(self) -> QuerySet[Affiliation]:
        return Affiliation.objects.filter(account__in=accounts_visible_to(self.request.user)).order_by("pk")


def _team_of(account) -> QuerySet[User]:
    return User.objects.filter(Q(account_teams__account=account), is_active=True)


class TouchpointSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    stakeholders = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    participants = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.assignable(),
        many=True,
        required=False,
        help_text="Colleagues of your side on the account team; you are added automatically.",
    )
    logged_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    content_hidden = serializers.SerializerMethodField(
        help_text="A medical touchpoint read by a commercial colleague: it happened; who met whom "
        "and what was said are behind the firewall (empty here)."
    )

    class Meta:
        model = Touchpoint
        fields = [
            "id",
            "account",
            "date",
            "kind",
            "is_medical",
            "stakeholders",
            "participants",
            "logged_by",
            "summary",
            "next_step",
            "follow_up_date",
            "follow_up_done",
            "content_hidden",
            "created_at",
        ]
        read_only_fields = ["is_medical", "follow_up_done", "created_at"]

    def get_content_hidden(self, touchpoint: Touchpoint) -> bool:
        return touchpoint.is_medical and firewall.hides(self.context["request"].user, "touchpoint.medical_notes")

    def to_representation(self, touchpoint: Touchpoint) -> dict:
        data = super().to_representation(touchpoint)
        user = self.context["request"].user
        if touchpoint.is_medical and firewall.hides(user, "touchpoint.medical_notes"):
            data.update(stakeholders=[], summary="", next_step="", follow_up_date=None)
        if touchpoint.is_medical and firewall.hides(user, "touchpoint.medical_participants"):
            data.update(participants=[], logged_by=None)
        return data

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        user = self.context["request"].user
        account = attrs["account"]
        if not accounts_visible_to(user).filter(pk=account.pk).exists():
            raise serializers.ValidationError({"account": _("Unknown account.")})
        at_account = Person.objects.filter(affiliations__account=account, affiliations__end_date__isnull=True)
        strangers = {p.pk for p in attrs.get("stakeholders", [])} - set(at_account.values_list("pk", flat=True))
        if strangers:
            raise serializers.ValidationError({"stakeholders": _("Only people of this account's DMU.")})
        team = set(_team_of(account).values_list("pk", flat=True)) | {user.pk}
        participants = attrs.get("participants", [])
        if any(u.pk not in team for u in participants):
            raise serializers.ValidationError({"participants": _("Only colleagues on the account team.")})
        if any(not firewall.may_take_part(user, u) for u in participants):
            raise serializers.ValidationError(
                {"participants": _("Medical and commercial colleagues do not share a touchpoint.")}
            )
        day = attrs.get("date") or timezone.localdate()
        if day > timezone.localdate() + timedelta(days=365):
            raise serializers.ValidationError({"date": _("A touchpoint cannot be more than a year in the future.")})
        if attrs.get("follow_up_date") and attrs["follow_up_date"] < day:
            raise serializers.ValidationError({"follow_up_date": _("The follow-up cannot be before the touchpoint.")})
        return attrs

    def create(self, validated_data: dict) -> Touchpoint:
        participants = validated_data.pop("participants", [])
        people = validated_data.pop("stakeholders", [])
        with transaction.atomic():
            return services.touchpoint_log(
                touchpoint=Touchpoint(**validated_data),
                participants=participants,
                people=people,
                by=self.context["request"].user,
            )


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class TouchpointViewSet(
    UpdatedSinceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Touchpoints at the accounts you may see; log one with POST (a medical user's is medical)."""

    serializer_class = TouchpointSerializer
    queryset = Touchpoint.objects.none()

    def get_queryset(self) -> QuerySet[Touchpoint]:
        return touchpoints_visible_to(self.request.user).prefetch_related("stakeholders", "participants").order_by("pk")

    def perform_create(self, serializer: TouchpointSerializer) -> None:
        firewall.require(self.request.user, "touchpoint.log")
        visible_account(self.request.user, serializer.validated_data["account"].pk)
        serializer.save()
