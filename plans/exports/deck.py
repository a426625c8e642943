"""The house look for PowerPoint: colours, ``clean_text`` and the ``Deck`` (title, bullets, text,
tables split across slides, grids, pictures) on the slide layouts of the active template
(``plans.exports.template``). Shared by the plan export (``plans.exports.plan_deck``) and the
portfolio review, so every deck looks the same."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from plans.exports.deck_tables import TableSlides
from plans.exports.look import (  # noqa: F401  (re-exported: the deck's look, one import for its users)
    _BOLD_WIDTH,
    _CHAR_WIDTH_EM,
    _CONTROL_CHARS,
    _LINE_HEIGHT,
    _WIDE_CHAR_EM,
    BLUE,
    FLAG_TEXT,
    LABEL_FILL,
    LIGHT_BLUE,
    MUTED,
    PPTX_CONTENT_TYPE,
    ROW_ALT,
    ROW_FLAG,
    SWOT_COLOURS,
    TABLE_STYLE,
    TEXT,
    WHITE,
    _wrap,
    clean_text,
)
from plans.exports.template import find_layouts, open_template

_TITLE_TYPES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
_BODY_TYPES = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.SUBTITLE}


class Deck(TableSlides):
    """A 16:9 deck in the house look: a dark blue title bar, one font, tables with a header fill.

    Every method adds slides and returns them; long bullet lists, texts and tables continue on as
    many slides as they need.
    """

    margin_in = 0.5
    max_table_rows = 12

    def __init__(
        self,
        *,
        title: str = "",
        footer: str = "",
        font: str | None = None,
        author: str = "",
        template: bytes | None = None,
    ) -> None:
        """``template``: the .pptx whose master and layouts the slides are built on (an uploaded
        ``DeckTemplate``'s file); None for the house template. With an uploaded template the text
        takes the template's theme fonts unless ``font`` names one."""
        self.prs = open_template(template)
        self.layouts = find_layouts(self.prs)
        self.width_in = self.prs.slide_width / 914400
        self.height_in = self.prs.slide_height / 914400
        # The body starts below the title placeholder of the title-only layout.
        title_ph = self.prs.slide_layouts[self.layouts.title_only].placeholders[0]
        for ph in self.prs.slide_layouts[self.layouts.title_only].placeholders:
            if ph.placeholder_format.type in _TITLE_TYPES:
                title_ph = ph
        bottom = (title_ph.top + title_ph.height) / 914400 if title_ph.top is not None else 1.05
        self.margin_in = min(max((title_ph.left or 0) / 914400, 0.3), 1.0) if title_ph.left is not None else 0.5
        self.body_top_in = min(max(bottom + 0.2, 0.6), self.height_in / 3)
        self.body_bottom_in = self.height_in - 0.55
        self.footer = footer
        self.font = font if font is not None else ("Calibri" if template is None else "")
        # A template's theme font may run wider than Calibri (Arial, or what a viewer substitutes).
        self.char_em = _CHAR_WIDTH_EM if self.font == "Calibri" else _WIDE_CHAR_EM
        # The template carries its own author and title; a deck sent out must carry ours.
        props = self.prs.core_properties
        props.title = title
        props.author = author
        props.last_modified_by = author
        props.subject = ""
        props.keywords = ""
        props.comments = ""
        props.category = ""
        props.revision = 1
        props.created = props.modified = timezone.now()

    # -- building blocks ---------------------------------------------------------------------

    @property
    def body_width_in(self) -> float:
        return self.width_in - 2 * self.margin_in

    @property
    def body_height_in(self) -> float:
        return self.body_bottom_in - self.body_top_in

    def _run(self, paragraph, text: str, *, size: float, bold=False, color=TEXT, italic=False):
        run = paragraph.add_run()
        run.text = _CONTROL_CHARS.sub("", str(text))
        font = run.font
        if self.font:
            font.name = self.font
        font.size = Pt(size)
        font.bold = bold
        font.italic = italic
        font.color.rgb = color
        return run

    def _box(self, slide, left: float, top: float, width: float, height: float):
        shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = shape.text_frame
        frame.word_wrap = True
        for side in ("left", "right", "top", "bottom"):
            setattr(frame, f"margin_{side}", Inches(0.05))
        return frame

    def _rect(self, slide, left: float, top: float, width: float, height: float, fill: RGBColor):
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height))
        shape.fill.solid()
        shape.fill.fore_color.rgb = fill
        shape.line.fill.background()
        shape.shadow.inherit = False
        return shape

    def _footer(self, slide, kicker: str = "") -> None:
        number = len(self.prs.slides)
        top = self.height_in - 0.45
        frame = self._box(slide, self.margin_in, top, self.body_width_in - 1, 0.35)
        self._run(frame.paragraphs[0], " · ".join(filter(None, [self.footer, kicker])), size=9, color=MUTED)
        frame = self._box(slide, self.width_in - self.margin_in - 1, top, 1, 0.35)
        frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
        self._run(frame.paragraphs[0], str(number), size=9, color=MUTED)

    def _new_slide(self, layout: int, title: str):
        """A slide on one of the template's layouts with ``title`` in its title placeholder; the
        layout's other placeholders stay for the caller to fill or are removed by ``_tidy``."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[layout])
        title_shape = slide.shapes.title
        if title_shape is None:  # a content layout without a title: never chosen, but be safe
            title_shape = self._box(slide, self.margin_in, 0.2, self.body_width_in, 0.8)
            title_shape.text = _CONTROL_CHARS.sub("", str(title))
        else:
            title_shape.text_frame.text = _CONTROL_CHARS.sub("", str(title))
            title_shape.text_frame.word_wrap = True
            self._clamp(title_shape)
        return slide

    def _clamp(self, shape) -> None:
        """Keep a placeholder inherited from the layout inside the slide (a template drawn for
        another slide size may have it stick out)."""
        width, height = self.prs.slide_width, self.prs.slide_height
        left, top = max(0, shape.left or 0), max(0, shape.top or 0)
        if shape.left != left or shape.top != top or left + shape.width > width or top + shape.height > height:
            shape.left, shape.top = min(left, width // 2), min(top, height // 2)
            shape.width = min(shape.width, width - shape.left)
            shape.height = min(shape.height, height - shape.top)

    @staticmethod
    def _placeholder(slide, types):
        return next(
            (p for p in slide.placeholders if p.placeholder_format.type in types and p != slide.shapes.title), None
        )

    @staticmethod
    def _tidy(slide, keep=()) -> None:
        """Remove the placeholders nothing was put in (they show "Click to add text" in PowerPoint)."""
        for ph in list(slide.placeholders):
            if ph != slide.shapes.title and ph not in keep:
                ph._element.getparent().remove(ph._element)

    def slide(self, title: str, *, kicker: str = ""):
        """A content slide on the template's title-only layout, with the footer; returns the slide."""
        slide = self._new_slide(self.layouts.title_only, title)
        self._tidy(slide)
        self._footer(slide, kicker)
        return slide

    def text_slide(self, title: str, *, kicker: str = ""):
        """A slide on the title-and-content layout, with its body placeholder over the body area
        (returned as the second value); a title-only slide and a text box where there is none."""
        if self.layouts.content is None:
            slide = self.slide(title, kicker=kicker)
            return slide, self._box(slide, self.margin_in, self.body_top_in, self.body_width_in, self.body_height_in)
        slide = self._new_slide(self.layouts.content, title)
        body = self._placeholder(slide, _BODY_TYPES)
        self._tidy(slide, keep=[body])
        self._footer(slide, kicker)
        body.left, body.top = Inches(self.margin_in), Inches(self.body_top_in)
        body.width, body.height = Inches(self.body_width_in), Inches(self.body_height_in)
        frame = body.text_frame
        frame.word_wrap = True
        for side in ("left", "right", "top", "bottom"):
            setattr(frame, f"margin_{side}", Inches(0.05))
        return slide, frame

    @staticmethod
    def _plain(paragraph) -> None:
        """No bullet and no indent, whatever the template's body style has at this level."""
        p_pr = paragraph._p.get_or_add_pPr()
        p_pr.set("marL", "0")
        p_pr.set("indent", "0")
        p_pr.insert(0, p_pr.makeelement(qn("a:buNone"), {}))

    @staticmethod
    def _bullet(paragraph, level: int = 0) -> None:
        p_pr = paragraph._p.get_or_add_pPr()
        p_pr.set("marL", str(Emu(Inches(0.3 + 0.3 * level))))
        p_pr.set("indent", str(-Emu(Inches(0.25))))
        p_pr.append(p_pr.makeelement(qn("a:buFont"), {"typeface": "Arial"}))
        p_pr.append(p_pr.makeelement(qn("a:buChar"), {"char": "•"}))

    # -- slide kinds ---------------------------------------------------------------------------

    def title_slide(self, title: str, lines: Sequence[str] = (), *, kicker: str = "", note: str = ""):
        """The cover, on the template's title layout: the title in its title placeholder, the lines
        (and the kicker and note) in its subtitle placeholder or, without one, a box below."""
        slide = self._new_slide(self.layouts.title, title)
        sub = self._placeholder(slide, _BODY_TYPES)
        self._tidy(slide, keep=[sub] if sub is not None else [])
        if sub is not None:
            self._clamp(sub)
            frame = sub.text_frame
            frame.word_wrap = True
        else:
            frame = self._box(slide, self.margin_in, self.height_in * 0.62, self.body_width_in, self.height_in * 0.3)
        entries = [(line, 18 if i == 0 else 14, i == 0, TEXT if i == 0 else MUTED) for i, line in enumerate(lines)]
        if kicker:
            entries.append((kicker, 12, False, MUTED))
        if note:
            entries.append((note, 12, True, FLAG_TEXT))
        for i, (line, size, bold, colour) in enumerate(entries):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            self._plain(p)
            p.space_after = Pt(4)
            self._run(p, line, size=size, bold=bold, color=colour)
        self._footer(slide)
        return slide

    def text(self, title: str, parts: Sequence[tuple[str, str]], *, kicker: str = "") -> list:
        """Flowing text: ``parts`` are (kind, text) with kind "heading", "para", "bullet" or "muted".
        Continues on further slides when it does not fit."""
        width = self.body_width_in - 0.1
        sizes = self.TEXT_SIZES
        budget = self.body_height_in * 72
        pages: list[list[tuple[str, str]]] = [[]]
        used = 0.0
        # One paragraph per line the user typed, so a chunk never runs two paragraphs together.
        parts = [
            (kind, segment)
            for kind, content in parts
            for segment in (content.split("\n") if kind != "heading" else [content])
            if segment.strip()
        ]
        for kind, content in parts:
            size = sizes[kind]
            lines = _wrap(content, width - (0.3 if kind == "bullet" else 0), size)
            spacing = 10 if kind == "heading" else 6
            while lines:
                room = int((budget - used - spacing) // (size * _LINE_HEIGHT))
                if kind == "heading" and room < 3:
                    room = 0  # never leave a heading alone at the bottom
                if room <= 0 and pages[-1]:
                    pages.append([])
                    used = 0.0
                    continue
                room = max(room, 1)
                chunk, lines = lines[:room], lines[room:]
                pages[-1].append((kind, " ".join(chunk) if kind != "heading" else content))
                used += len(chunk) * size * _LINE_HEIGHT + spacing
        slides = []
        for i, page in enumerate(p for p in pages if p):
            label = title if i == 0 else _("%(title)s (continued)") % {"title": title}
            slide, frame = self.text_slide(label, kicker=kicker)
            self.fill_text(frame, page)
            slides.append(slide)
        return slides

    TEXT_SIZES = {"heading": 16, "para": 14, "bullet": 14, "muted": 13}

    def fill_text(self, frame, page: Sequence[tuple[str, str]], sizes: dict | None = None) -> None:
        """Write (kind, text) paragraphs into a text frame (see ``text``)."""
        sizes = sizes or self.TEXT_SIZES
        for j, (kind, content) in enumerate(page):
            p = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
            if kind != "bullet":
                self._plain(p)
            if kind == "heading":
                p.space_before = Pt(0 if j == 0 else 6)
                p.space_after = Pt(4)
                self._run(p, content, size=sizes[kind], bold=True, color=BLUE)
            else:
                p.space_after = Pt(6)
                if kind == "bullet":
                    self._bullet(p)
                self._run(
                    p, content, size=sizes[kind], color=MUTED if kind == "muted" else TEXT, italic=kind == "muted"
                )

    def bullets(self, title: str, items: Sequence[str], *, kicker: str = "", heading: str = "") -> list:
        parts = [("heading", heading)] if heading else []
        return self.text(title, [*parts, *(("bullet", i) for i in items)], kicker=kicker)

    def grid(
        self,
        title: str,
        boxes: Sequence[tuple[str, Sequence[str]]],
        *,
        kicker: str = "",
        colours: Sequence[RGBColor] | None = None,
        empty: str = "—",
    ) -> list:
        """Two to four headed lists side by side (a SWOT); falls back to flowing text when a box
        would overflow."""
        cols = 2
        rows_n = math.ceil(len(boxes) / cols)
        gap = 0.25
        box_w = (self.body_width_in - gap * (cols - 1)) / cols
        box_h = (self.body_height_in - gap * (rows_n - 1)) / rows_n
        head_h = 0.45
        size = 13
        capacity = (box_h - head_h - 0.15) * 72
        for _label, items in boxes:
            need = sum(len(_wrap(i, box_w - 0.55, size)) * size * _LINE_HEIGHT + 4 for i in items)
            if need > capacity:
                parts: list[tuple[str, str]] = []
                for label, its in boxes:
                    parts.append(("heading", label))
                    parts.extend([("bullet", i) for i in its] or [("muted", empty)])
                return self.text(title, parts, kicker=kicker)
        slide = self.slide(title, kicker=kicker)
        for n, (label, items) in enumerate(boxes):
            left = self.margin_in + (n % cols) * (box_w + gap)
            top = self.body_top_in + (n // cols) * (box_h + gap)
            colour = colours[n] if colours else BLUE
            self._rect(slide, left, top, box_w, head_h, colour)
            frame = self._box(slide, left + 0.1, top, box_w - 0.2, head_h)
            frame.vertical_anchor = MSO_ANCHOR.MIDDLE
            self._run(frame.paragraphs[0], label, size=15, bold=True, color=WHITE)
            self._rect(slide, left, top + head_h, box_w, box_h - head_h, ROW_ALT)
            frame = self._box(slide, left + 0.1, top + head_h + 0.08, box_w - 0.2, box_h - head_h - 0.1)
            if not items:
                self._run(frame.paragraphs[0], empty, size=size, italic=True, color=MUTED)
            for i, item in enumerate(items):
                p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                p.space_after = Pt(4)
                self._bullet(p)
                self._run(p, item, size=size)
        return [slide]

    def picture(self, title: str, image: bytes | str | Path, *, kicker: str = "", caption: str = ""):
        """An image (PNG, JPEG…) scaled to fit the body, centred, with an optional caption."""
        slide = self.slide(title, kicker=kicker)
        source = io.BytesIO(image) if isinstance(image, bytes) else str(image)
        caption_in = 0.4 if caption else 0
        pic = slide.shapes.add_picture(source, Inches(self.margin_in), Inches(self.body_top_in))
        box_w, box_h = Inches(self.body_width_in), Inches(self.body_height_in - caption_in)
        scale = min(box_w / pic.width, box_h / pic.height)
        pic.width, pic.height = int(pic.width * scale), int(pic.height * scale)
        pic.left = int(Inches(self.margin_in) + (box_w - pic.width) / 2)
        pic.top = int(Inches(self.body_top_in) + (box_h - pic.height) / 2)
        if caption:
            frame = self._box(slide, self.margin_in, self.body_bottom_in - caption_in, self.body_width_in, caption_in)
            frame.paragraphs[0].alignment = PP_ALIGN.CENTER
            self._run(frame.paragraphs[0], caption, size=11, italic=True, color=MUTED)
        return slide

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()
