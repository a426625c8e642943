"""A plan export as a PDF: the sections through the print template, rendered by WeasyPrint."""

from __future__ import annotations

import gc
import re
import textwrap
from base64 import b64encode
from collections.abc import Iterable
from contextlib import contextmanager

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from plans.exports.visuals import org_chart_png

PDF_CONTENT_TYPE = "application/pdf"


@contextmanager
def _no_cyclic_gc():
    """Pause the cyclic garbage collector. WeasyPrint allocates millions of small objects and
    the collector's passes over them cost about a fifth of a render; nothing is lost by
    collecting once afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _css_string(text: str) -> SafeString:
    """A quoted CSS string for the page margins: anything but plain letters, digits and spaces is
    written as a CSS escape, so user text can neither end the string nor the style element."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text))
    return SafeString(f'"{escaped}"')


# A word this long could not wrap in a table cell: give it break opportunities.
_LONG_WORD = re.compile(r"\S{25,}")


def _breakable(text: str) -> str:
    """The text with zero-width spaces inside words too long for a cell. They print as nothing; the
    alternative, ``overflow-wrap: break-word`` on every cell, makes WeasyPrint set up word breaking
    for every line of every cell, though almost no cell needs it."""
    return _LONG_WORD.sub(lambda m: "\u200b".join(textwrap.wrap(m.group(), 16, break_long_words=True)), text)


def _joined(parts: Iterable[str]) -> str:
    return " · ".join(p for p in parts if p and p != "—") or "—"


def _print_table(block: dict) -> dict:
    """The table as the PDF lays it out: where the block says so, several columns joined into one
    cell ("Owner · Due · Status"). WeasyPrint's time grows with the number of cells, not with the
    text in them, and the long tables of a big plan are most of the document."""
    lines = [{**line, "cells": [_breakable(c) for c in line["cells"]]} for line in block["lines"]]
    merge = block.get("print_columns")
    if not merge:
        return {**block, "lines": lines}
    groups = [group for group, _width in merge]
    total = sum(width for _group, width in merge)
    numeric, nowrap = set(block["numeric"]), set(block["nowrap"])
    return {
        **block,
        "columns": [" · ".join(str(block["columns"][i]) for i in group) for group in groups],
        "percent_widths": [round(100 * width / total, 1) for _group, width in merge],
        "numeric": [n for n, group in enumerate(groups) if set(group) <= numeric],
        "nowrap": [n for n, group in enumerate(groups) if set(group) <= nowrap],
        "lines": [{**line, "cells": [_joined(line["cells"][i] for i in group) for group in groups]} for line in lines],
    }


def _print_block(block: dict) -> dict | None:
    """A block as the PDF prints it: tables with joined cells, the org chart as an inline PNG. The
    charts are left out: the PDF has their numbers in the tables beside them."""
    if block["kind"] == "table":
        return _print_table(block)
    if block["kind"] == "orgchart":
        png = org_chart_png(block["nodes"], width_in=7.0, height_in=3.6, legend=[tuple(x) for x in block["legend"]])
        return {"kind": "picture", "title": block["title"], "src": "data:image/png;base64," + b64encode(png).decode()}
    if block["kind"] == "chart":
        return None
    return block


def _print_sections(sections: list[dict]) -> list[dict]:
    return [
        {**section, "blocks": [b for b in map(_print_block, section["blocks"]) if b is not None]}
        for section in sections
    ]


def render_pdf(data: dict) -> bytes:
    # Imported here: WeasyPrint takes about a second to import, which only a PDF render should pay.
    from weasyprint import HTML  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    data = {**data, "sections": _print_sections(data["sections"])}
    css = {
        "head": _css_string(f"{data['account']} · {data['period']}"),
        "marking": _css_string(data["marking"]),
        "foot": _css_string(f"{data['company']} · {data['title']} · {data['date']}"),
    }
    html = render_to_string("plans/plan_print.html", {"data": data, "css": css})
    # Everything is inline; refuse any fetch so user text can never make the renderer go online.
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"]))
    with _no_cyclic_gc():
        return document.write_pdf()
