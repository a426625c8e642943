"""A plan export as a PowerPoint deck: each section's blocks laid out on ``Deck`` slides."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plans.exports.data import INTERNAL
from plans.exports.deck import SWOT_COLOURS, Deck


def render_pptx(data: dict) -> bytes:
    deck = Deck(
        title=f"{data['title']}: {data['account']}",
        footer=f"{data['account']} · {data['period']} · {data['marking']}",
        author=data["company"],
    )
    internal = data["variant"] == INTERNAL
    deck.title_slide(
        data["title"],
        [data["account"], *data["subtitle"]],
        kicker=data["company"],
        note=_("Internal: contains stances and margins. Never share with the customer.") if internal else "",
    )
    for section in data["sections"]:
        kicker = section["kicker"]
        flow: list[tuple[str, str]] = []

        def flush(section=section, kicker=kicker, flow=flow) -> None:
            if not flow:
                return
            headings = [text for kind, text in flow if kind == "heading"]
            if len(headings) == 1:
                # One heading: it becomes the slide's title.
                deck.text(headings[0], [p for p in flow if p[0] != "heading"], kicker=kicker)
            else:
                deck.text(section["title"], list(flow), kicker=kicker)
            flow.clear()

        for block in section["blocks"]:
            kind = block["kind"]
            if kind == "text":
                flow.append(("heading", block["title"]))
                flow.append(("para", block["text"]) if block["text"] else ("muted", block["placeholder"]))
            elif kind == "bullets":
                flow.append(("heading", block["title"]))
                flow.extend(("bullet", i) for i in block["items"])
                if not block["items"]:
                    flow.append(("muted", block["empty"]))
            else:
                flush()
                if kind == "table":
                    deck.table(
                        block["title"],
                        block["columns"],
                        block["rows"],
                        kicker=kicker,
                        widths=block["widths"],
                        numeric=block["numeric"],
                        flagged=block["flagged"],
                        groups=block["groups"],
                        note=block["note"],
                        empty=block["empty"],
                    )
                elif kind == "facts":
                    deck.key_values(block["title"], block["rows"], kicker=kicker)
                elif kind == "swot":
                    deck.grid(
                        block["title"],
                        [(q["label"], q["items"]) for q in block["quadrants"]],
                        kicker=kicker,
                        colours=[SWOT_COLOURS[q["key"]] for q in block["quadrants"]],
                    )
        flush()
    return deck.to_bytes()
