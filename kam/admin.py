from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kam.models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "first_name", "last_name", "role", "manager", "team", "country", "is_active")
    list_filter = ("role", "country", "team", "is_active")
    list_select_related = ("manager", "team")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("KAM Planner"), {"fields": ("role", "manager", "team", "country", "key_account_cap")}),
    )
    autocomplete_fields = ("manager",)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "lead", "country")
    list_select_related = ("lead",)
    search_fields = ("name",)
