"""What an export shows, independent of the output format: numbers and dates as the reader's
language writes them, and the blocks (text, bullets, facts, tables) a section is made of. Every
block's text has gone through ``clean_text``, so no renderer needs to clean it again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from plans.exports.deck import clean_text


def format_number(value: Decimal | float | int | None, places: int | None = None) -> str:
    if value is None:
        return "—"
    if places is None:
        exponent = Decimal(value).normalize().as_tuple().exponent
        places = min(2, max(0, -exponent)) if isinstance(exponent, int) else 0
    return number_format(value, decimal_pos=places, force_grouping=True)


def format_money(value: Decimal | None, currency: str) -> str:
    return "—" if value is None else f"{format_number(value, 0)} {currency}"


def format_pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{format_number(value)} %"


def format_date(value: date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# -- Blocks: what a section holds ------------------------------------------------------------


def text_block(title: str, text: str, *, placeholder: str | None) -> dict | None:
    text = clean_text(text)
    if not text and placeholder is None:
        return None
    return {"kind": "text", "title": title, "text": text, "placeholder": placeholder or ""}


def bullets_block(title: str, items: Iterable[str], *, empty: str = "") -> dict:
    return {"kind": "bullets", "title": title, "items": [clean_text(i) for i in items if clean_text(i)], "empty": empty}


def facts_block(title: str, rows: Iterable[tuple[str, str]]) -> dict:
    return {"kind": "facts", "title": title, "rows": [[label, clean_text(value) or "—"] for label, value in rows]}


def table_block(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[float],
    numeric: Sequence[int] = (),
    nowrap: Sequence[int] = (),
    flagged: Sequence[bool] | None = None,
    groups: Sequence[str] | None = None,
    empty: str = "",
    note: str = "",
    print_columns: Sequence[tuple[Sequence[int], float]] | None = None,
) -> dict:
    """A table for both renderers. ``print_columns`` lays it out with fewer, wider cells in the PDF:
    each entry is (the columns joined into one cell, its relative width)."""
    rows = [["—" if c is None else clean_text(c) for c in row] for row in rows]
    flagged = list(flagged) if flagged is not None else [False] * len(rows)
    groups = [clean_text(g) for g in groups] if groups is not None else None
    total = sum(widths)
    return {
        "kind": "table",
        "title": title,
        "columns": list(columns),
        "rows": rows,
        "widths": [w / total for w in widths],
        "percent_widths": [round(100 * w / total, 1) for w in widths],
        "numeric": list(numeric),
        "nowrap": sorted(set(numeric) | set(nowrap)),
        "flagged": flagged,
        "groups": groups,
        # For the template: each row with the group it opens, if any.
        "lines": [
            {
                "group": groups[i] if groups is not None and (i == 0 or groups[i] != groups[i - 1]) else "",
                "flag": flagged[i],
                "cells": row,
            }
            for i, row in enumerate(rows)
        ],
        "empty": empty,
        "note": note,
        "print_columns": [[list(group), width] for group, width in print_columns] if print_columns else None,
    }
