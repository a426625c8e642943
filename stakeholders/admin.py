from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stakeholders.imports.models import DataImport
from stakeholders.models import (
    Affiliation,
    AffiliationOverride,
    Coverage,
    KolClassification,
    Person,
    SupportRequest,
    Touchpoint,
    TransferOfValue,
)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    fk_name = "person"
    extra = 0
    raw_id_fields = ("account", "reports_to")


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("last_name", "first_name", "email", "preferred_language", "do_not_contact", "erased_at")
    list_filter = ("preferred_language", "do_not_contact")
    search_fields = ("last_name", "first_name", "email")
    inlines = [AffiliationInline]


@admin.register(Affiliation)
class AffiliationAdmin(SimpleHistoryAdmin):
    list_display = ("person", "account", "function", "dmu_role", "influence", "stance", "end_date")
    list_filter = ("function", "category", "dmu_role", "influence", "stance")
    list_select_related = ("person", "account")
    raw_id_fields = ("person", "account", "reports_to")
    search_fields = ("person__last_name", "account__name")


@admin.register(AffiliationOverride)
class AffiliationOverrideAdmin(SimpleHistoryAdmin):
    list_display = ("affiliation", "therapeutic_area", "dmu_role", "stance")
    raw_id_fields = ("affiliation",)


@admin.register(KolClassification)
class KolClassificationAdmin(SimpleHistoryAdmin):
    list_display = ("person", "level", "therapeutic_areas", "set_by")
    raw_id_fields = ("person",)


@admin.register(Coverage)
class CoverageAdmin(SimpleHistoryAdmin):
    list_display = ("affiliation", "user", "strength", "is_medical")
    list_select_related = ("affiliation__person", "affiliation__account", "user")
    raw_id_fields = ("affiliation",)


class TransferInline(admin.TabularInline):
    model = TransferOfValue
    extra = 0
    raw_id_fields = ("recipient_person", "recipient_organisation")


@admin.register(Touchpoint)
class TouchpointAdmin(SimpleHistoryAdmin):
    list_display = ("date", "kind", "account", "logged_by", "is_medical")
    list_filter = ("kind", "is_medical")
    list_select_related = ("account", "logged_by")
    raw_id_fields = ("account",)
    filter_horizontal = ("participants",)
    autocomplete_fields = ("stakeholders",)
    inlines = [TransferInline]


@admin.register(TransferOfValue)
class TransferOfValueAdmin(SimpleHistoryAdmin):
    list_display = ("touchpoint", "category", "amount", "currency", "disclosure_consent", "expense_record_id")
    list_filter = ("category", "currency", "disclosure_consent")
    raw_id_fields = ("touchpoint", "recipient_person", "recipient_organisation")


@admin.register(SupportRequest)
class SupportRequestAdmin(SimpleHistoryAdmin):
    list_display = ("topic", "account", "requested_by", "status", "responded_by")
    list_filter = ("status",)
    raw_id_fields = ("account", "person")


@admin.register(DataImport)
class DataImportAdmin(admin.ModelAdmin):
    """Every CRM import, for administrators: who, when, which file, the mapping and the counts."""

    list_display = ("pk", "file_name", "kind", "user", "status", "created_at", "applied_at")
    list_filter = ("kind", "status")
    search_fields = ("file_name", "user__username")
    readonly_fields = [f.name for f in DataImport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
