from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import (
    Account,
    AccountFinancials,
    AccountTeamMember,
    CompetitorProduct,
    Contract,
    ExchangeRate,
    HandoverNote,
    Listing,
    Product,
    QualificationCriterion,
    QualificationScore,
    Tender,
    TenderLot,
)
from kam import outbox


class TeamInline(admin.TabularInline):
    model = AccountTeamMember
    extra = 0
    autocomplete_fields = ("user",)


class ListingInline(admin.TabularInline):
    model = Listing
    extra = 0


class FinancialsInline(admin.TabularInline):
    model = AccountFinancials
    extra = 0


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):
    list_display = ("name", "account_type", "tier", "country", "owner", "is_key_account", "status")
    list_filter = ("account_type", "tier", "country", "status", "is_key_account")
    list_select_related = ("owner",)
    search_fields = ("name", "city", "crm_id")
    autocomplete_fields = ("owner", "parent")
    inlines = [TeamInline, ListingInline, FinancialsInline]


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("brand", "molecule", "therapeutic_area", "hospital_only", "active")
    list_filter = ("therapeutic_area", "hospital_only", "active")
    search_fields = ("brand", "molecule")


@admin.register(CompetitorProduct)
class CompetitorProductAdmin(SimpleHistoryAdmin):
    list_display = ("name", "company", "molecule", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "company", "molecule")


@admin.register(Listing)
class ListingAdmin(SimpleHistoryAdmin):
    list_display = ("account", "product", "status", "next_committee_date")
    list_filter = ("status",)
    list_select_related = ("account", "product")
    autocomplete_fields = ("account",)


@admin.register(AccountFinancials)
class AccountFinancialsAdmin(SimpleHistoryAdmin):
    list_display = ("account", "year", "revenue_actual", "revenue_target", "gross_profit", "estimated_potential")
    list_filter = ("year",)
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    list_display = ("year", "currency", "rate")
    list_filter = ("year", "currency")


@admin.register(QualificationCriterion)
class QualificationCriterionAdmin(SimpleHistoryAdmin):
    list_display = ("label", "account_type", "weight", "dimension", "order", "active")
    list_filter = ("account_type", "dimension", "active")
    list_editable = ("weight", "order", "active")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        account_type = obj.account_type
        # Scores of every account of this type depend on the weights; a worker refreshes them
        # after commit, recorded in the outbox with the change.
        _enqueue_recompute(account_type)


def _enqueue_recompute(account_type: str) -> None:
    ids = list(Account.objects.filter(account_type=account_type).values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        outbox.enqueue("accounts.recompute_scores", chunk, dedupe=outbox.dedupe_key("accounts.recompute_scores", chunk))


@admin.register(AccountTeamMember)
class AccountTeamMemberAdmin(SimpleHistoryAdmin):
    list_display = ("account", "user", "function", "therapeutic_area")
    list_select_related = ("account", "user")
    autocomplete_fields = ("account", "user")


@admin.register(QualificationScore)
class QualificationScoreAdmin(SimpleHistoryAdmin):
    list_display = ("account", "criterion", "score")
    list_select_related = ("account", "criterion")


@admin.register(HandoverNote)
class HandoverNoteAdmin(admin.ModelAdmin):
    """Handovers as recorded: read-only, the record of a decision (made on the People pages)."""

    list_display = ("account", "from_user", "to_user", "by", "created_at", "notified_at")
    list_select_related = ("account", "from_user", "to_user", "by")
    search_fields = ("account__name", "note")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class TenderLotInline(admin.TabularInline):
    model = TenderLot
    extra = 0
    filter_horizontal = ("products", "competitor_products")


@admin.register(Tender)
class TenderAdmin(SimpleHistoryAdmin):
    list_display = ("title", "reference", "account", "submission_deadline", "status")
    list_filter = ("status",)
    list_select_related = ("account",)
    search_fields = ("title", "reference", "account__name")
    autocomplete_fields = ("account",)
    date_hierarchy = "submission_deadline"
    inlines = [TenderLotInline]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("title", "account", "start_date", "end_date", "notice_date")
    list_select_related = ("account",)
    search_fields = ("title", "reference", "account__name")
    autocomplete_fields = ("account", "tender")
    filter_horizontal = ("products",)
    readonly_fields = ("notice_date",)
