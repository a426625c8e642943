"""The house look shared by every deck: colours, ``clean_text`` and the rough text metrics the
layout paginates with (``plans.exports.deck`` re-exports them)."""

from __future__ import annotations

import textwrap
from typing import Any

from pptx.dml.color import RGBColor

from kam.text import UNUSABLE

PPTX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Characters XML cannot hold (python-pptx refuses them) and that mean nothing in a document: the
# one list every writer of the app strips (kam.text), so no stored text can fail an export.
_CONTROL_CHARS = UNUSABLE


def clean_text(value: Any) -> str:
    """User text made safe for a document: no control characters, Unix line ends, trimmed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text).strip()


BLUE = RGBColor(0x12, 0x3C, 0x5A)
LIGHT_BLUE = RGBColor(0xA9, 0xC4, 0xDA)
TEXT = RGBColor(0x21, 0x25, 0x29)
MUTED = RGBColor(0x6B, 0x77, 0x85)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
ROW_ALT = RGBColor(0xF3, 0xF6, 0xF9)
ROW_FLAG = RGBColor(0xFB, 0xE4, 0xE1)
FLAG_TEXT = RGBColor(0xB0, 0x3A, 0x2E)
LABEL_FILL = RGBColor(0xE3, 0xEB, 0xF2)
SWOT_COLOURS = {
    "S": RGBColor(0x1E, 0x84, 0x49),
    "W": RGBColor(0xE6, 0x7E, 0x22),
    "O": RGBColor(0x1F, 0x6F, 0xA8),
    "T": RGBColor(0xB0, 0x3A, 0x2E),
}

# The table style python-pptx gives new tables (Medium Style 2, accent 1): thin white rules.
TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"
_XML_ATTR = {'"': "&quot;"}

# Rough text metrics for pagination: an average character is about half the font size wide.
_CHAR_WIDTH_EM = 0.5
_LINE_HEIGHT = 1.2
_WIDE_CHAR_EM = 0.56
# Bold text runs about a tenth wider.
_BOLD_WIDTH = 1.1


def _chars_per_line(width_in: float, size_pt: float, em: float = _CHAR_WIDTH_EM) -> int:
    return max(8, int(width_in * 72 / (size_pt * em)))


def _wrap(text: str, width_in: float, size_pt: float, em: float = _CHAR_WIDTH_EM) -> list[str]:
    """Approximate lines of ``text`` in a box ``width_in`` wide, keeping explicit line breaks;
    ``em`` the average character's width in ems."""
    per_line = _chars_per_line(width_in, size_pt, em)
    lines: list[str] = []
    for segment in text.split("\n"):
        lines.extend(textwrap.wrap(segment, per_line, break_long_words=True) or [""])
    return lines
