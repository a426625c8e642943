"""The transfer-of-value disclosure as a sheet for ``kam.table_export`` (the XLSX download)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kam.table_export import Column, Sheet


def tov_sheet(rows: list[dict[str, Any]], year: int) -> Sheet:
    """``privacy.tov_export_rows`` in the CSV's columns, amounts as numbers."""
    types = {"person": _("person"), "organisation": _("organisation")}
    columns = [
        Column(_("Recipient type")),
        Column(_("Recipient")),
        Column(_("Recipient id"), "int"),
        Column(_("EFPIA category")),
        Column(_("Currency")),
        Column(_("Total amount"), "money"),
        Column(_("Transfers"), "int"),
        Column(_("Disclosure consent"), "bool"),
        Column(_("Expense record ids")),
    ]
    lines = [
        [
            types[row["recipient_type"]],
            row["recipient_name"],
            row["recipient_id"],
            row["category_label"],
            row["currency"],
            row["total_amount"],
            row["count"],
            row["disclosure_consent"],
            row["expense_record_ids"],
        ]
        for row in rows
    ]
    return Sheet(_("Transfers of value %(year)s") % {"year": year}, columns, lines)
