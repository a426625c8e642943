"""REST API for accounts: read the accounts the user may see, create and edit through
``accounts.services`` with the pages' permission checks and the firewall's hidden figures."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from accounts import services
from accounts.models import FIREWALLED_FIELDS, Account
from accounts.selectors import account_access, accounts_visible_to, users_assignable_by
from kam import firewall
from kam.api import UPDATED_SINCE, CleanTextSerializerMixin, FirewalledFieldsMixin, UpdatedSinceMixin
from kam.models import User


class AccountSerializer(CleanTextSerializerMixin, FirewalledFieldsMixin, serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="The lead KAM; set on creation only (defaults to you). Reassigning is done on the account page.",
    )
    parent = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all(), required=False, allow_null=True)
    health_score = serializers.IntegerField(source="health.score", read_only=True, allow_null=True, default=None)

    firewall_fields = {**FIREWALLED_FIELDS, "health_score": "account.health"}

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "account_type",
            "parent",
            "crm_id",
            "owner",
            "tier",
            "status",
            "country",
            "region",
            "city",
            "address",
            "currency",
            "beds",
            "ownership",
            "management_model",
            "has_formal_dmu",
            "annual_turnover",
            "turnover_goal",
            "gross_margin_pct",
            "average_discount_pct",
            "basket_penetration_pct",
            "market_share_pct",
            "is_key_account",
            "qualification_score",
            "attractiveness",
            "position",
            "health_score",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "is_key_account",
            "qualification_score",
            "attractiveness",
            "position",
            "created_at",
            "updated_at",
        ]

    @property
    def _user(self) -> User:
        return self.context["request"].user

    def validate_parent(self, parent: Account | None) -> Account | None:
        # A parent the editor cannot see stays as it is (as on the page), but none can be chosen.
        if parent is None or (self.instance is not None and parent.pk == self.instance.parent_id):
            return parent
        if self.instance is not None and parent.pk == self.instance.pk:
            raise serializers.ValidationError(_("An account cannot be its own parent."))
        if not accounts_visible_to(self._user).filter(pk=parent.pk).exists():
            raise serializers.ValidationError(_("Unknown account."))
        return parent

    def validate_owner(self, owner: User) -> User:
        if self.instance is not None:
            if owner.pk != self.instance.owner_id:
                raise serializers.ValidationError(_("Reassign an account on its page (a manager's decision)."))
            return owner
        if not users_assignable_by(self._user).assignable().filter(pk=owner.pk).exists():
            raise serializers.ValidationError(_("You cannot make this person the owner."))
        return owner

    def create(self, validated_data: dict) -> Account:
        validated_data.setdefault("owner", self._user)
        return services.account_save(account=Account(**validated_data), by=self._user)

    def update(self, instance: Account, validated_data: dict) -> Account:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.account_save(account=instance, by=self._user)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class AccountViewSet(
    UpdatedSinceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Accounts you may see (owned, on the account team, owned by someone below you; all for
    administrators). Medical colleagues get no revenue, target, margin, potential or health."""

    serializer_class = AccountSerializer
    queryset = Account.objects.none()  # for the schema; every request starts from the selector

    def get_queryset(self) -> QuerySet[Account]:
        return accounts_visible_to(self.request.user).select_related("health").order_by("pk")

    def create(self, request, *args, **kwargs):
        # Before validation: a medical colleague is refused whatever the body holds.
        firewall.require(request.user, "account.create")
        return super().create(request, *args, **kwargs)

    def perform_update(self, serializer: AccountSerializer) -> None:
        if not account_access(self.request.user, serializer.instance).edit:
            raise PermissionDenied(_("Only the account's owner and their managers can change it."))
        serializer.save()


def visible_account(user: User, pk: int) -> Account:
    """One account ``user`` may see, or a 404: for the other apps' APIs that take an account id."""
    return get_object_or_404(accounts_visible_to(user), pk=pk)
