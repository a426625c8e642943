"""The slide master every deck is built on: the administrator's uploaded template
(``plans.models.DeckTemplate``) or the built-in house template, and the layouts a deck uses from it.

A deck finds its layouts by their placeholders, not their names (a company's template names them in
its own language): a title slide (a centre title or title plus subtitle), a title-only layout, and a
title-and-content layout (a title and one body placeholder)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu, Inches

from plans.models import DeckTemplate

# An upload larger than this is refused: a template is a master and a few layouts, not a photo album.
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
# Unpacked, a template may be larger, but not a zip bomb.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024

_TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE}
_BODIES = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}
# Placeholders a slide does not copy from its layout; a layout holding only these is "title only".
_DECORATION = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}

HOUSE_BLUE = "123C5A"
HOUSE_LIGHT = "A9C4DA"


class TemplateError(ValueError):
    """The file cannot serve as a deck template; the message says why, for the administrator."""


@dataclass(frozen=True)
class Layouts:
    """Indexes of the layouts a deck uses in its template."""

    title: int
    title_only: int
    content: int | None


def _types(layout) -> list:
    return [p.placeholder_format.type for p in layout.placeholders]


def find_layouts(prs) -> Layouts:
    """The title, title-only and title-and-content layouts of a template; raises ``TemplateError``
    when no layout has a title placeholder."""
    with_title = [(n, _types(layout)) for n, layout in enumerate(prs.slide_layouts)]
    with_title = [(n, types) for n, types in with_title if any(t in _TITLES for t in types)]
    if not with_title:
        raise TemplateError(_("None of the template's slide layouts has a title placeholder."))
    horizontal = [(n, t) for n, t in with_title if PP_PLACEHOLDER.VERTICAL_TITLE not in t] or with_title
    title = next(
        (n for n, t in horizontal if PP_PLACEHOLDER.CENTER_TITLE in t or PP_PLACEHOLDER.SUBTITLE in t),
        horizontal[0][0],
    )
    title_only = next(
        (n for n, t in horizontal if all(x in _TITLES or x in _DECORATION for x in t)),
        None,
    )
    content = next(
        (
            n
            for n, t in horizontal
            if PP_PLACEHOLDER.CENTER_TITLE not in t
            and sum(x in _BODIES for x in t) == 1
            and len([x for x in t if x not in _TITLES and x not in _DECORATION]) == 1
        ),
        None,
    )
    if title_only is None:
        # A slide on the content layout with its body placeholder removed is a title-only slide.
        title_only = content if content is not None else horizontal[0][0]
    return Layouts(title=title, title_only=title_only, content=content)


def check_template(content: bytes) -> None:
    """Raise ``TemplateError`` unless ``content`` is a .pptx a deck can be built on."""
    if len(content) > MAX_TEMPLATE_BYTES:
        raise TemplateError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_TEMPLATE_BYTES // (1024 * 1024)})
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise TemplateError(_("The file unpacks to more than %(mb)d MB.") % {"mb": MAX_UNPACKED_BYTES >> 20})
        prs = Presentation(io.BytesIO(content))
    except TemplateError:
        raise
    except Exception as exc:  # python-pptx raises whatever its parsers raise on a broken file
        raise TemplateError(_("This is not a PowerPoint file (.pptx) that can be opened.")) from exc
    find_layouts(prs)


def open_template(content: bytes | None):
    """A presentation on ``content`` (the house template when None) with no slides of its own."""
    prs = Presentation(io.BytesIO(content if content is not None else house_template()))
    ids = prs.slides._sldIdLst
    for entry in list(ids):
        # The template's own sample slides: their parts are dropped with their relationships.
        prs.part.drop_rel(entry.rId)
        ids.remove(entry)
    return prs


# -- The built-in house template -------------------------------------------------------------------


def _set_box(shape, left: float, top: float, width: float, height: float) -> None:
    shape.left, shape.top, shape.width, shape.height = Inches(left), Inches(top), Inches(width), Inches(height)


def _rect_xml(shape_id: int, name: str, top: float, height: float, width: float) -> str:
    return (
        f'<p:sp {nsdecls("p", "a")}><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr/><p:nvPr/>'
        f'</p:nvSpPr><p:spPr><a:xfrm><a:off x="0" y="{Emu(Inches(top))}"/><a:ext cx="{Emu(Inches(width))}" '
        f'cy="{Emu(Inches(height))}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="{HOUSE_BLUE}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr>'
        f'<p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="en-GB"/></a:p></p:txBody></p:sp>'
    )


def _behind(sp_tree, xml: str) -> None:
    """Add a shape behind everything else on a master or layout (after the group properties)."""
    sp_tree.insert(2, parse_xml(xml))


def _text_style(size: int, colour: str, *, bold: bool = False) -> str:
    return (
        f'<a:lstStyle {nsdecls("a")}><a:lvl1pPr algn="l"><a:defRPr sz="{size * 100}" b="{int(bold)}">'
        f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></a:defRPr></a:lvl1pPr></a:lstStyle>'
    )


def _restyle(placeholder, size: int, colour: str, *, bold: bool = False, anchor: str = "") -> None:
    body = placeholder._element.txBody
    old = body.find(qn("a:lstStyle"))
    new = parse_xml(_text_style(size, colour, bold=bold))
    if old is not None:
        body.replace(old, new)
    else:
        body.insert(1, new)
    if anchor:
        body.bodyPr.set("anchor", anchor)


@lru_cache(maxsize=1)
def house_template() -> bytes:
    """python-pptx's default template made 16:9 in the house look: a dark blue title bar with the
    title in white on every content layout, a blue title slide. Built once per process."""
    prs = Presentation()
    width, height = 13.333, 7.5
    scale = width / 10
    prs.slide_width, prs.slide_height = Inches(width), Inches(height)
    master = prs.slide_master
    for layout in [master, *prs.slide_layouts]:
        for shape in layout.placeholders if layout is not master else master.placeholders:
            if shape.left is not None and layout is not master and shape._element.spPr.find(qn("a:xfrm")) is None:
                continue
            shape.left, shape.width = int(shape.left * scale), int(shape.width * scale)
    title_style = master._element.find(f"{qn('p:txStyles')}/{qn('p:titleStyle')}/{qn('a:lvl1pPr')}")
    title_style.set("algn", "l")
    rpr = title_style.find(qn("a:defRPr"))
    rpr.set("sz", "2400")
    rpr.set("b", "1")
    fill = rpr.find(qn("a:solidFill"))
    fill.clear()
    fill.append(parse_xml(f'<a:srgbClr {nsdecls("a")} val="FFFFFF"/>'))
    _behind(master.shapes._spTree, _rect_xml(90, "Title bar", 0, 1.05, width))
    for shape in master.placeholders:
        kind = shape.placeholder_format.type
        if kind == PP_PLACEHOLDER.TITLE:
            _set_box(shape, 0.5, 0.08, width - 1, 0.93)
            shape._element.txBody.bodyPr.set("anchor", "ctr")
        elif kind == PP_PLACEHOLDER.BODY:
            _set_box(shape, 0.5, 1.35, width - 1, 5.5)
    for layout in prs.slide_layouts:
        for shape in layout.placeholders:
            kind = shape.placeholder_format.type
            if kind == PP_PLACEHOLDER.TITLE and shape.top < Inches(1):
                _set_box(shape, 0.5, 0.08, width - 1, 0.93)
            elif kind == PP_PLACEHOLDER.OBJECT and layout.name == "Title and Content":
                _set_box(shape, 0.5, 1.35, width - 1, 5.5)
            elif kind in _DECORATION:
                shape.top = Inches(height - 0.5)
    cover = prs.slide_layouts[0]
    _behind(cover.shapes._spTree, _rect_xml(91, "Cover", 0, 4.3, width))
    for shape in cover.placeholders:
        kind = shape.placeholder_format.type
        if kind == PP_PLACEHOLDER.CENTER_TITLE:
            _set_box(shape, 0.9, 1.0, width - 1.8, 3.1)
            _restyle(shape, 36, "FFFFFF", bold=True, anchor="b")
        elif kind == PP_PLACEHOLDER.SUBTITLE:
            _set_box(shape, 0.9, 4.6, width - 1.8, 2.2)
            _restyle(shape, 18, "212529", anchor="t")
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# -- The active template --------------------------------------------------------------------------

# Files read by digest: a process reads each template's bytes once, and a new upload (a new
# digest) is read on the next export.
_LOADED: dict[str, bytes] = {}


def active_digest() -> str:
    """The digest of the template every deck is built on now; "house" without an upload. Part of
    each export's cache key, so a new template makes new files."""
    sha = DeckTemplate.objects.filter(is_active=True).values_list("sha256", flat=True).first()
    return sha or "house"


def active_template() -> bytes | None:
    """The uploaded template's file, or None for the house template."""
    sha = active_digest()
    if sha == "house":
        return None
    if sha not in _LOADED:
        row = DeckTemplate.objects.filter(is_active=True, sha256=sha).values_list("content", flat=True).first()
        if row is None:
            return None
        _LOADED.clear()  # keep one: templates are replaced, not used side by side
        _LOADED[sha] = bytes(row)
    return _LOADED[sha]
