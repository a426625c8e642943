"""A plan export as a PowerPoint deck on the active template (``plans.exports.template``): the
cover, the executive summary on one slide, then each section's blocks laid out by ``Flow`` on as
few slides as they fit, charts native and the org chart a picture."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plans.exports.data import INTERNAL
from plans.exports.deck import Deck
from plans.exports.flow import Flow
from plans.exports.template import active_template
from plans.exports.visuals import org_chart_png


def _summary(deck: Deck, section: dict) -> None:
    """One slide: the facts on the left, the lists on the right (each already cut to fit)."""
    flow = Flow(deck, section["title"], kicker=section["kicker"])
    flow._new_slide()
    left_share = 0.52
    flow.width = deck.body_width_in * left_share
    facts, *lists = section["blocks"]
    flow.add(facts)
    flow.left = deck.margin_in + flow.width + 0.3
    flow.width = deck.body_width_in - flow.width - 0.3
    flow.top = deck.body_top_in
    for block in lists:
        flow.add(block)


def render_pptx(data: dict, *, template: bytes | bool | None = True) -> bytes:
    """The deck as bytes; ``template`` True for the active template, else the file (None: house)."""
    deck = Deck(
        title=f"{data['title']}: {data['account']}",
        footer=f"{data['account']} · {data['period']} · {data['marking']}",
        author=data["company"],
        template=active_template() if template is True else template,
    )
    internal = data["variant"] == INTERNAL
    deck.title_slide(
        data["title"],
        [data["account"], *data["subtitle"]],
        kicker=data["company"],
        note=_("Internal: contains stances and margins. Never share with the customer.") if internal else "",
    )
    for section in data["sections"]:
        if section.get("layout") == "summary":
            _summary(deck, section)
            continue
        flow = Flow(deck, section["title"], kicker=section["kicker"])
        for block in section["blocks"]:
            if block["kind"] == "orgchart":
                png = org_chart_png(
                    block["nodes"],
                    width_in=deck.body_width_in,
                    height_in=deck.body_height_in - 0.4,
                    legend=[tuple(x) for x in block["legend"]],
                )
                flow.add({"kind": "picture", "title": block["title"], "png": png})
            else:
                flow.add(block)
    return deck.to_bytes()
