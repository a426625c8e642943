"""Blocks laid out on as few slides as they fit: a section's text, tables, facts and SWOT stacked
one below the other under the section's title, a chart on the left half with what follows beside
it, a picture on a slide of its own. A table longer than the room left continues on the next slide
with its header (and its current group) repeated; text continues likewise. Every shape is placed
inside the body area, sized by the same rough text metrics the deck paginates with."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from pptx.enum.text import MSO_ANCHOR
from pptx.util import Inches, Pt

from plans.exports.deck import _LINE_HEIGHT, BLUE, MUTED, ROW_ALT, SWOT_COLOURS, TEXT, WHITE, Deck, _wrap
from plans.exports.visuals import add_chart

HEADING_PT = 13
TEXT_PT = 12
TABLE_PT = 10
GAP_IN = 0.12
HEADING_IN = 0.3
# A table or text starts at the bottom of a slide only if at least this much of it fits there.
MIN_START_IN = 1.2
CHART_SHARE = 0.55
# A table beside a chart needs at least this much width per column.
MIN_COLUMN_IN = 1.0


def _pt(inches: float) -> float:
    return inches * 72


class Flow:
    def __init__(self, deck: Deck, title: str, *, kicker: str = "") -> None:
        self.deck, self.title, self.kicker = deck, title, kicker
        self.slides: list = []
        self.slide = None
        self.top = self.left = self.width = 0.0
        self.fresh = True

    # -- the slide and the column being filled --------------------------------------------------

    def _new_slide(self) -> None:
        d = self.deck
        label = self.title if not self.slides else _("%(title)s (continued)") % {"title": self.title}
        self.slide = d.slide(label, kicker=self.kicker)
        self.slides.append(self.slide)
        self.left, self.width, self.top = d.margin_in, d.body_width_in, d.body_top_in
        self.fresh = True

    @property
    def room(self) -> float:
        return self.deck.body_bottom_in - self.top

    def _ensure(self) -> None:
        if self.slide is None:
            self._new_slide()

    def _advance(self, height: float) -> None:
        self.top += height + GAP_IN
        self.fresh = False

    def _heading(self, title: str) -> float:
        if not title:
            return 0.0
        frame = self.deck._box(self.slide, self.left, self.top, self.width, HEADING_IN - 0.02)
        self.deck._run(frame.paragraphs[0], title, size=HEADING_PT, bold=True, color=BLUE)
        self.top += HEADING_IN
        return HEADING_IN

    # -- blocks -----------------------------------------------------------------------------

    def add(self, block: dict) -> None:
        kind = block["kind"]
        if kind == "chart":
            self.chart(block)
        elif kind == "picture":
            self.picture(block["title"], block["png"], caption=block.get("caption", ""))
        elif kind == "text":
            parts = [("para", block["text"])] if block["text"] else [("muted", block["placeholder"])]
            self.text(block["title"], parts, lead=True)
        elif kind == "bullets":
            items = [("bullet", i) for i in block["items"]] or [("muted", block["empty"] or "—")]
            self.text(block["title"], items)
        elif kind == "facts":
            self.table(block["title"], ["", ""], block["rows"], widths=[1, 1.9], header=False, label_column=True)
        elif kind == "table":
            if not block["rows"]:
                self.text(block["title"], [("muted", block["empty"] or "—")])
            else:
                self.table(
                    block["title"],
                    block["columns"],
                    block["rows"],
                    widths=block["widths"],
                    numeric=block["numeric"],
                    flagged=block["flagged"],
                    groups=block["groups"],
                    note=block["note"],
                )
        elif kind == "swot":
            self.swot(block)

    def chart(self, block: dict) -> None:
        """The chart on the left of a new slide; the blocks that follow fill the column beside it."""
        if self.slide is None or not self.fresh:
            self._new_slide()
        d = self.deck
        width = d.body_width_in * block.get("share", CHART_SHARE)
        add_chart(self.slide, block, d.margin_in, d.body_top_in, width, d.body_height_in, d.font)
        self.left = d.margin_in + width + 0.3
        self.width = d.body_width_in - width - 0.3
        self.top = d.body_top_in
        self.fresh = True

    def picture(self, title: str, png: bytes, *, caption: str = "") -> None:
        """A picture on a slide of its own, scaled to the body and centred."""
        self._new_slide()
        d = self.deck
        self._heading(title)
        caption_in = 0.35 if caption else 0
        box_w, box_h = d.body_width_in, d.body_bottom_in - self.top - caption_in
        pic = self.slide.shapes.add_picture(io.BytesIO(png), Inches(d.margin_in), Inches(self.top))
        scale = min(Inches(box_w) / pic.width, Inches(box_h) / pic.height)
        pic.width, pic.height = int(pic.width * scale), int(pic.height * scale)
        pic.left = int(Inches(d.margin_in) + (Inches(box_w) - pic.width) / 2)
        pic.top = int(Inches(self.top))
        pic.name = title[:60]
        if caption:
            frame = d._box(self.slide, d.margin_in, d.body_bottom_in - caption_in, box_w, caption_in)
            d._run(frame.paragraphs[0], caption, size=10, italic=True, color=MUTED)
        self.top = d.body_bottom_in  # nothing else on this slide
        self.fresh = False

    def _lines(self, parts: Sequence[tuple[str, str]], width: float) -> list[tuple[str, list[str]]]:
        out = []
        for kind, content in parts:
            for segment in content.split("\n"):
                if segment.strip():
                    out.append(
                        (kind, _wrap(segment, width - (0.35 if kind == "bullet" else 0.1), TEXT_PT, self.deck.char_em))
                    )
        return out

    @staticmethod
    def _para_in(lines: int) -> float:
        return (lines * TEXT_PT * _LINE_HEIGHT + 4) / 72

    def text(self, title: str, parts: Sequence[tuple[str, str]], *, lead: bool = False) -> None:
        """Paragraphs under a heading, or with ``lead`` the title as the first paragraph's bold
        lead-in (a short text then takes a line, not two)."""
        self._ensure()
        if lead and parts:
            parts = [(parts[0][0], f"{title}: {parts[0][1]}"), *parts[1:]]
        paras = self._lines(parts, self.width)
        need = (0 if lead else HEADING_IN) + sum(self._para_in(len(lines)) for _k, lines in paras)
        if need > self.room and not self.fresh and (self.room < MIN_START_IN or need <= self.deck.body_height_in):
            self._new_slide()
            paras = self._lines(parts, self.width)
        heading = "" if lead else title
        first = True
        while paras:
            self._heading(heading)
            budget = self.room
            page: list[tuple[str, str]] = []
            used = 0.0
            while paras:
                kind, lines = paras[0]
                fit = int((budget - used - 4 / 72) * 72 // (TEXT_PT * _LINE_HEIGHT))
                if fit >= len(lines):
                    page.append((kind, " ".join(lines)))
                    used += self._para_in(len(lines))
                    paras.pop(0)
                elif fit >= 2 or (fit >= 1 and not page):
                    page.append((kind, " ".join(lines[:fit])))
                    used += self._para_in(fit)
                    paras[0] = (kind, lines[fit:])
                    break
                else:
                    break
            if page:
                frame = self.deck._box(self.slide, self.left, self.top, self.width, used + 0.05)
                self.deck.fill_text(frame, page, {"para": TEXT_PT, "bullet": TEXT_PT, "muted": TEXT_PT, "heading": 13})
                if lead and first:
                    self._bold_lead(frame.paragraphs[0], f"{title}: ")
                first = False
                self._advance(used)
            if paras:
                self._new_slide()
                heading = _("%(title)s (continued)") % {"title": title} if title else ""
                paras = [
                    (k, _wrap(" ".join(ls), self.width - (0.35 if k == "bullet" else 0.1), TEXT_PT, self.deck.char_em))
                    for k, ls in paras
                ]

    def _bold_lead(self, paragraph, lead: str) -> None:
        """Split the first run of a paragraph into the bold lead-in and the rest."""
        runs = paragraph.runs
        if not runs or not runs[0].text.startswith(lead):
            return
        rest = runs[0].text[len(lead) :]
        runs[0].text = lead
        runs[0].font.bold = True
        runs[0].font.color.rgb = BLUE
        self.deck._run(paragraph, rest, size=runs[0].font.size.pt, color=TEXT, italic=bool(runs[0].font.italic))

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        numeric: Sequence[int] = (),
        flagged: Sequence[bool] | None = None,
        groups: Sequence[str] | None = None,
        header: bool = True,
        label_column: bool = False,
        note: str = "",
        size: float = TABLE_PT,
    ) -> None:
        self._ensure()
        d = self.deck
        flagged = list(flagged) if flagged is not None else [False] * len(rows)
        numeric_set = set(numeric)

        def layout() -> tuple[list[float], float, list[tuple[float, list[tuple[str, Any]]]]]:
            """Column widths, header height and per row its height with the items it adds."""
            widths_in = [self.width * w / sum(widths) for w in widths]
            header_pt = d._row_height_pt(columns, widths_in, size, True) if header else 0.0
            items = []
            for i, row in enumerate(rows):
                entry: list[tuple[str, Any]] = []
                height = d._row_height_pt(row, widths_in, size, {0} if label_column else ())
                if groups is not None and (i == 0 or groups[i] != groups[i - 1]):
                    entry.append(("group", groups[i]))
                    height += d._row_height_pt([groups[i]], [self.width], size, True)
                entry.append(("row", i))
                items.append((height, entry))
            return widths_in, header_pt, items

        if self.left > d.margin_in and self.width < MIN_COLUMN_IN * len(columns) and not self.fresh:
            # Too many columns for the column beside a chart: the table takes a slide's width.
            self._new_slide()
        widths_in, header_pt, items = layout()
        extra = HEADING_IN + (0.3 if note else 0)
        need = extra + (header_pt + sum(h for h, _e in items)) / 72
        first_rows = (header_pt + sum(h for h, _e in items[:3])) / 72
        if need > self.room and not self.fresh and (need <= d.body_height_in or self.room < extra + first_rows):
            self._new_slide()
            widths_in, header_pt, items = layout()
        n, part = 0, 0
        while n < len(items):
            label = title if part == 0 else _("%(title)s (continued)") % {"title": title}
            self._heading(label)
            if note and part == 0:
                frame = d._box(self.slide, self.left, self.top, self.width, 0.28)
                d._run(frame.paragraphs[0], note, size=10, italic=True, color=MUTED)
                self.top += 0.3
            budget = _pt(self.room) - header_pt
            chunk: list[tuple[str, Any]] = []
            if groups is not None and part > 0 and items[n][1][0][0] != "group":
                chunk.append(("group", groups[items[n][1][-1][1]]))
                budget -= d._row_height_pt([groups[items[n][1][-1][1]]], [self.width], size, True)
            used = 0.0
            while n < len(items) and (used + items[n][0] <= budget or not any(k == "row" for k, _v in chunk)):
                used += items[n][0]
                chunk.extend(items[n][1])
                n += 1
            shape = d.draw_table(
                self.slide,
                self.left,
                self.top,
                widths_in,
                columns,
                chunk,
                rows,
                size=size,
                numeric=numeric_set,
                flagged=flagged,
                header=header,
                label_column=label_column,
            )
            self._advance(shape.height / 914400)
            part += 1
            if n < len(items):
                self._new_slide()
                widths_in, header_pt, items_new = layout()
                items = items[:n] + items_new[n:]

    def swot(self, block: dict) -> None:
        """Two by two boxes, as tall as their lists; flowing text where they would not fit."""
        self._ensure()
        d = self.deck
        quadrants = block["quadrants"]
        size = 11

        def heights(width: float) -> list[float]:
            box_w = (width - 0.2) / 2
            rows = []
            for r in range(0, len(quadrants), 2):
                row = quadrants[r : r + 2]
                rows.append(
                    0.36
                    + 0.1
                    + max(
                        sum(
                            len(_wrap(i, box_w - 0.45, size, d.char_em)) * size * _LINE_HEIGHT / 72 + 3 / 72
                            for i in q["items"]
                        )
                        or 0.25
                        for q in row
                    )
                )
            return rows

        rows = heights(self.width)
        need = HEADING_IN + sum(rows) + 0.1 * (len(rows) - 1)
        if need > self.room and not self.fresh:
            self._new_slide()
            rows = heights(self.width)
            need = HEADING_IN + sum(rows) + 0.1 * (len(rows) - 1)
        if need > self.room:
            parts: list[tuple[str, str]] = []
            for q in quadrants:
                parts.append(("para", q["label"]))
                parts.extend([("bullet", i) for i in q["items"]] or [("muted", "—")])
            self.text(block["title"], parts)
            return
        self._heading(block["title"])
        box_w = (self.width - 0.2) / 2
        top = self.top
        for r, height in enumerate(rows):
            for c, q in enumerate(quadrants[2 * r : 2 * r + 2]):
                left = self.left + c * (box_w + 0.2)
                d._rect(self.slide, left, top, box_w, 0.36, SWOT_COLOURS.get(q["key"], BLUE))
                frame = d._box(self.slide, left + 0.05, top, box_w - 0.1, 0.36)
                frame.vertical_anchor = MSO_ANCHOR.MIDDLE
                d._run(frame.paragraphs[0], q["label"], size=12, bold=True, color=WHITE)
                d._rect(self.slide, left, top + 0.36, box_w, height - 0.36, ROW_ALT)
                frame = d._box(self.slide, left + 0.05, top + 0.4, box_w - 0.1, height - 0.42)
                if not q["items"]:
                    d._run(frame.paragraphs[0], "—", size=size, italic=True, color=MUTED)
                for i, item in enumerate(q["items"]):
                    p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                    p.space_after = Pt(3)
                    d._bullet(p)
                    d._run(p, item, size=size, color=TEXT)
            top += height + 0.1
        self._advance(top - 0.1 - self.top)
