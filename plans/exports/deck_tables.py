"""Tables on slides for ``plans.exports.deck.Deck``: split across slides with the header repeated,
rows sized by the text metrics, written as XML in one go."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.utils.translation import gettext as _
from pptx.dml.color import RGBColor
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls
from pptx.util import Emu, Inches

from plans.exports.look import (
    _BOLD_WIDTH,
    _CONTROL_CHARS,
    _LINE_HEIGHT,
    _XML_ATTR,
    BLUE,
    FLAG_TEXT,
    LABEL_FILL,
    MUTED,
    ROW_ALT,
    ROW_FLAG,
    TABLE_STYLE,
    TEXT,
    WHITE,
    _wrap,
)


class TableSlides:
    """The table methods of ``Deck`` (a mixin: it uses the deck's geometry, font and slides)."""

    def _row_height_pt(
        self, cells: Sequence[str], widths_in: Sequence[float], size: float, bold: Iterable[int] | bool = ()
    ) -> float:
        """The height of a table row; ``bold`` the columns set in bold (True: all), which run wider."""
        bold = set(range(len(cells))) if bold is True else set(bold or ())
        lines = max(
            len(_wrap(c, max(w - 0.2, 0.3) / (_BOLD_WIDTH if n in bold else 1), size, self.char_em))
            for n, (c, w) in enumerate(zip(cells, widths_in, strict=True))
        )
        return lines * size * _LINE_HEIGHT + 6

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        kicker: str = "",
        widths: Sequence[float] | None = None,
        numeric: Iterable[int] = (),
        flagged: Sequence[bool] | None = None,
        groups: Sequence[str] | None = None,
        header: bool = True,
        label_column: bool = False,
        note: str = "",
        empty: str = "",
        size: float = 11,
        max_rows: int | None = None,
    ) -> list:
        """A table with a filled header row, continued on further slides past ``max_rows`` rows or
        when the rows would not fit; the header repeats on every slide.

        ``groups`` gives each row a group label: a full-width row announces each new group (and
        the current one again at the top of a continuation slide). ``flagged`` rows are tinted
        and their last cell is set in red.
        """
        if not rows:
            return self.text(title, [("muted", empty or _("Nothing to show."))], kicker=kicker)
        ncols = len(columns)
        rel = list(widths) if widths else [1.0] * ncols
        widths_in = [self.body_width_in * w / sum(rel) for w in rel]
        numeric = set(numeric)
        flagged = list(flagged) if flagged is not None else [False] * len(rows)
        max_rows = max_rows or self.max_table_rows
        note_in = 0.35 if note else 0
        budget = (self.body_height_in - note_in) * 72
        header_pt = self._row_height_pt(columns, widths_in, size, True) if header else 0

        def group_pt(label: str) -> float:
            return self._row_height_pt([label], [self.body_width_in], size, True)

        # Pages of items: ("group", label) or ("row", index).
        chunks: list[list[tuple[str, Any]]] = [[]]
        used = header_pt
        for i, row in enumerate(rows):
            new_group = groups is not None and (i == 0 or groups[i] != groups[i - 1])
            height = self._row_height_pt(row, widths_in, size, {0} if label_column else ()) + (
                group_pt(groups[i]) if new_group else 0
            )
            if chunks[-1] and (len(chunks[-1]) >= max_rows or used + height > budget):
                chunks.append([])
                used = header_pt
                if groups is not None and not new_group:
                    chunks[-1].append(("group", groups[i]))
                    used += group_pt(groups[i])
            if new_group:
                chunks[-1].append(("group", groups[i]))
            chunks[-1].append(("row", i))
            used += height
        slides = []
        for n, chunk in enumerate(chunks):
            label = title if len(chunks) == 1 else f"{title} ({n + 1}/{len(chunks)})"
            slide = self.slide(label, kicker=kicker)
            top = self.body_top_in
            if note:
                frame = self._box(slide, self.margin_in, top, self.body_width_in, note_in)
                self._run(frame.paragraphs[0], note, size=11, italic=True, color=MUTED)
                top += note_in
            self.draw_table(
                slide,
                self.margin_in,
                top,
                widths_in,
                columns,
                chunk,
                rows,
                size=size,
                numeric=numeric,
                flagged=flagged,
                header=header,
                label_column=label_column,
            )
            slides.append(slide)
        return slides

    def draw_table(
        self,
        slide,
        left: float,
        top: float,
        widths_in: Sequence[float],
        columns: Sequence[str],
        chunk: Sequence[tuple[str, Any]],
        rows: Sequence[Sequence[str]],
        *,
        size: float,
        numeric: set[int],
        flagged: Sequence[bool],
        header: bool = True,
        label_column: bool = False,
    ):
        """One slide's part of a table at (left, top): ``chunk`` lists ("group", label) and
        ("row", index into ``rows``) items. Returns the table's shape, as tall as its rows."""
        ncols = len(columns)
        width = sum(widths_in)
        trs: list[str] = []
        total_pt = 0.0
        if header:
            height = self._row_height_pt(columns, widths_in, size, True)
            total_pt += height
            trs.append(
                self._tr_xml(
                    height,
                    [self._tc_xml(name, size, True, WHITE, BLUE, c in numeric) for c, name in enumerate(columns)],
                )
            )
        k = 0
        for kind, item in chunk:
            if kind == "group":
                tcs = [self._tc_xml(item, size, True, BLUE, LABEL_FILL, False, span=ncols)]
                tcs += ['<a:tc hMerge="1"><a:txBody><a:bodyPr/><a:lstStyle/><a:p/></a:txBody><a:tcPr/></a:tc>'] * (
                    ncols - 1
                )
                height = self._row_height_pt([item], [width], size, True)
                total_pt += height
                trs.append(self._tr_xml(height, tcs))
                k = 0
                continue
            row, flag = rows[item], flagged[item]
            fill = ROW_FLAG if flag else (ROW_ALT if k % 2 else WHITE)
            k += 1
            tcs = []
            for c, value in enumerate(row):
                is_label = label_column and c == 0
                last_flag = flag and c == ncols - 1
                tcs.append(
                    self._tc_xml(
                        value,
                        size,
                        is_label or last_flag,
                        FLAG_TEXT if last_flag else (BLUE if is_label else TEXT),
                        LABEL_FILL if is_label else fill,
                        c in numeric,
                    )
                )
            height = self._row_height_pt(row, widths_in, size, {0} if label_column else ())
            total_pt += height
            trs.append(self._tr_xml(height, tcs))
        nrows = len(trs)
        shape = slide.shapes.add_table(
            nrows, ncols, Inches(left), Inches(top), Inches(width), Emu(int(total_pt * 12700))
        )
        grid = "".join(f'<a:gridCol w="{int(Inches(w))}"/>' for w in widths_in)
        tbl = parse_xml(
            f"<a:tbl {nsdecls('a')}>"
            f'<a:tblPr firstRow="{int(header)}" bandRow="0"><a:tableStyleId>{TABLE_STYLE}</a:tableStyleId></a:tblPr>'
            f"<a:tblGrid>{grid}</a:tblGrid>{''.join(trs)}</a:tbl>"
        )
        old = shape._element.graphic.graphicData.tbl
        old.getparent().replace(old, tbl)
        return shape

    # Tables are written as XML in one go: cell by cell through python-pptx's object model costs
    # about a millisecond a cell, which a plan with a hundred actions feels.

    @staticmethod
    def _tr_xml(height_pt: float, tcs: list[str]) -> str:
        return f'<a:tr h="{int(height_pt * 12700)}">{"".join(tcs)}</a:tr>'

    def _tc_xml(
        self, value: str, size: float, bold: bool, color: RGBColor, fill: RGBColor, right: bool, span: int = 1
    ) -> str:
        props = (
            f'<a:rPr lang="en-GB" sz="{int(size * 100)}" b="{int(bold)}" dirty="0">'
            f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
            + (f'<a:latin typeface="{xml_escape(self.font, _XML_ATTR)}"/>' if self.font else "")
            + "</a:rPr>"
        )
        align = '<a:pPr algn="r"/>' if right else ""
        paragraphs = "".join(
            f"<a:p>{align}<a:r>{props}<a:t>{xml_escape(line)}</a:t></a:r></a:p>"
            for line in _CONTROL_CHARS.sub("", str(value)).split("\n")
        )
        margin_x, margin_y = int(Inches(0.08)), int(Inches(0.03))
        span_attr = f' gridSpan="{span}"' if span > 1 else ""
        return (
            f'<a:tc{span_attr}><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/>{paragraphs}</a:txBody>'
            f'<a:tcPr marL="{margin_x}" marR="{margin_x}" marT="{margin_y}" marB="{margin_y}" anchor="ctr">'
            f'<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></a:tcPr></a:tc>'
        )

    def key_values(self, title: str, pairs: Sequence[Sequence[str]], *, kicker: str = "") -> list:
        """Label and value in two columns, the labels shaded."""
        return self.table(
            title, ["", ""], [list(p) for p in pairs], kicker=kicker, widths=[1, 2.2], header=False, label_column=True
        )
