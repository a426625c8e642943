"""The pictures of a plan deck: the portfolio position and the X-ray as native PowerPoint charts
(editable in PowerPoint, data in the embedded workbook), and the org chart drawn as a PNG with Pillow."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from pptx.chart.data import BubbleChartData, XyChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

# -- Charts ---------------------------------------------------------------------------------------


def _axis(axis, title: str, low: float, high: float, unit: float, font: str, labels: dict | None = None) -> None:
    axis.minimum_scale, axis.maximum_scale, axis.major_unit = low, high, unit
    axis.has_major_gridlines = True
    axis.has_title = True
    axis.axis_title.text_frame.text = title
    run = axis.axis_title.text_frame.paragraphs[0].runs[0]
    run.font.size = Pt(11)
    run.font.bold = False
    if font:
        run.font.name = font
    axis.tick_labels.font.size = Pt(10)


def _label(point, text: str, size: float = 9) -> None:
    label = point.data_label
    label.has_text_frame = True
    label.text_frame.text = text
    label.text_frame.paragraphs[0].runs[0].font.size = Pt(size)
    label.position = XL_LABEL_POSITION.RIGHT


def add_chart(slide, block: dict, left: float, top: float, width: float, height: float, font: str = ""):
    """A chart block (``sections.chart_block``) as a native chart in the given box (inches)."""
    bubble = block["chart"] == "bubble"
    data = BubbleChartData() if bubble else XyChartData()
    for series in block["series"]:
        s = data.add_series(series["name"])
        for p in series["points"]:
            if bubble:
                s.add_data_point(p["x"], p["y"], p["size"])
            else:
                s.add_data_point(p["x"], p["y"])
    kind = XL_CHART_TYPE.BUBBLE if bubble else XL_CHART_TYPE.XY_SCATTER
    frame = slide.shapes.add_chart(kind, Inches(left), Inches(top), Inches(width), Inches(height), data)
    frame.name = block["title"][:60]
    chart = frame.chart
    chart.font.size = Pt(10)
    if font:
        chart.font.name = font
    x, y = block["x"], block["y"]
    _axis(chart.category_axis, x["title"], x["min"], x["max"], x["unit"], font)
    _axis(chart.value_axis, y["title"], y["min"], y["max"], y["unit"], font)
    chart.has_legend = len(block["series"]) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    if bubble:
        plot.bubble_scale = 35
    for series, chart_series in zip(block["series"], plot.series, strict=True):
        if not bubble:
            chart_series.marker.size = 14
        for n, p in enumerate(series["points"]):
            if p.get("label"):
                _label(chart_series.points[n], p["label"])
    return frame


# -- The org chart as a picture ---------------------------------------------------------------------

_FONT_FILES = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
_BOLD_FILES = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)
STANCE_FILL = {-2: "#B03A2E", -1: "#E67E22", 0: "#ADB5BD", 1: "#5DADE2", 2: "#1E8449"}


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False):
    from PIL import ImageFont  # noqa: PLC0415  (only the deck draws pictures)

    for path in _BOLD_FILES if bold else _FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _fit(draw, text: str, font, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def org_chart_png(
    nodes: Sequence[dict], *, width_in: float, height_in: float, legend: Sequence[tuple[int, str]] = ()
) -> bytes:
    """The reporting lines as boxes in levels, each box filled by the person's stance where known.

    ``nodes``: dicts with id, parent (an id or None), name, position, stance (or None). Drawn at
    150 dpi for the box given, so the picture fills its slide without being scaled."""
    from PIL import Image, ImageDraw  # noqa: PLC0415

    dpi = 150
    w, h = int(width_in * dpi), int(height_in * dpi)
    image = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(image)
    ids = {n["id"] for n in nodes}
    children: dict = {}
    roots = []
    for n in nodes:
        parent = n.get("parent")
        if parent in ids and parent != n["id"]:
            children.setdefault(parent, []).append(n)
        else:
            roots.append(n)
    # Levels by walking down from the roots; anything left (a cycle) joins the top level.
    levels: list[list[dict]] = []
    seen: set = set()
    current = roots
    while current:
        level = [n for n in current if n["id"] not in seen]
        seen.update(n["id"] for n in level)
        if level:
            levels.append(level)
        current = [c for n in level for c in children.get(n["id"], [])]
    rest = [n for n in nodes if n["id"] not in seen]
    if rest:
        levels = [[*(levels[0] if levels else []), *rest], *levels[1:]]
    legend_h = 50 if legend else 0
    rows = max(1, len(levels))
    # Wide levels wrap onto several rows of boxes; each row as many boxes as fit 1.5 inches each.
    per_row = max(1, int(w // (1.55 * dpi)))
    grid_rows: list[list[dict]] = []
    for level in levels:
        for start in range(0, len(level), per_row):
            grid_rows.append(level[start : start + per_row])
    rows = max(1, len(grid_rows))
    gap_y = 28
    box_h = min(90, int((h - legend_h - gap_y * (rows - 1)) / rows))
    name_font = _font(max(12, min(20, box_h // 4)), bold=True)
    small_font = _font(max(10, min(17, box_h // 5)))
    centres: dict = {}
    for r, row in enumerate(grid_rows):
        slot = w / len(row)
        box_w = int(min(slot - 16, 2.6 * dpi))
        top = r * (box_h + gap_y)
        for c, n in enumerate(row):
            cx = int(slot * c + slot / 2)
            fill = STANCE_FILL.get(n.get("stance"), "#E3EBF2")
            dark = n.get("stance") in (-2, 2, 1, -1)
            draw.rounded_rectangle(
                (cx - box_w // 2, top, cx + box_w // 2, top + box_h), radius=10, fill=fill, outline="#123C5A", width=2
            )
            colour = "white" if dark else "#123C5A"
            inner = box_w - 16
            draw.text(
                (cx, top + box_h * 0.36),
                _fit(draw, n["name"], name_font, inner),
                fill=colour,
                font=name_font,
                anchor="mm",
            )
            draw.text(
                (cx, top + box_h * 0.72),
                _fit(draw, n.get("position") or "", small_font, inner),
                fill=colour,
                font=small_font,
                anchor="mm",
            )
            centres[n["id"]] = (cx, top, top + box_h)
    for n in nodes:
        parent = n.get("parent")
        if parent in centres and n["id"] in centres and parent != n["id"]:
            px, _top, pbottom = centres[parent]
            cx, ctop, _bottom = centres[n["id"]]
            if ctop > pbottom:
                mid = (pbottom + ctop) // 2
                draw.line([(px, pbottom), (px, mid), (cx, mid), (cx, ctop)], fill="#6B7785", width=2)
    if legend:
        x = 10
        y = h - legend_h + 14
        for stance, label in legend:
            draw.rectangle((x, y, x + 22, y + 22), fill=STANCE_FILL.get(stance, "#E3EBF2"), outline="#123C5A")
            draw.text((x + 30, y + 11), label, fill="#212529", font=small_font, anchor="lm")
            x += 30 + int(draw.textlength(label, font=small_font)) + 30
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=3)
    return out.getvalue()
