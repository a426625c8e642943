"""The portfolio review: the dashboard's figures as a PowerPoint deck, in the plan exports' look
(``plans.exports.deck.Deck``), over the accounts the user may see with the dashboard's filters.

Slides: title, headline figures, the portfolio matrix (drawn as shapes, bubbles coloured by
health) and the same accounts as a table, the key accounts most at risk with what would raise
their score, revenue against target by KAM, and the CSAT trend. Everything comes from one
``kam.portfolio.dashboard.build``, so the deck costs the dashboard's queries whatever the portfolio's size.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from accounts.models import HEALTH_AMBER, HEALTH_GREEN, matrix_quadrant
from kam.models import User
from kam.portfolio.dashboard import Dashboard
from kam.portfolio.health.explain import explain
from kam.portfolio.summary import REVIEWS_DUE_DAYS
from plans.exports.deck import BLUE, MUTED, TEXT, WHITE, Deck, clean_text
from plans.exports.template import active_template
from stakeholders.surveys.results import RELIABLE_ANSWERS

BAND_COLOURS = {
    "green": RGBColor(0x1E, 0x7E, 0x34),
    "amber": RGBColor(0xE0, 0x8E, 0x0B),
    "red": RGBColor(0xB0, 0x2A, 0x37),
    "": RGBColor(0xAD, 0xB5, 0xBD),
}
GRID = RGBColor(0x9F, 0xB0, 0xBF)
PLOT_FILL = RGBColor(0xF7, 0xF9, 0xFB)
# At most this many names on the matrix; the table slide that follows has them all.
LABELLED = 40


def _diameter(revenue) -> float:
    """Bubble size in inches: grows with the square root of revenue, as on the dashboard."""
    return 0.14 + min(0.36, (float(revenue or 0) / 1_000_000) ** 0.5 * 0.08)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _grouped(value) -> str:
    """A whole amount grouped as the user's language groups it: 1,234,567 or 1.234.567."""
    return number_format(round(value), force_grouping=True)


def _money(value) -> str:
    return f"{_grouped(value)} {settings.REPORTING_CURRENCY}"


def _band_label(band: str) -> str:
    return {"green": _("healthy"), "amber": _("needs attention"), "red": _("at risk")}.get(band, _("not computed"))


class PortfolioDeck(Deck):
    def matrix(self, title: str, points: list[dict], *, kicker: str = "", note: str = "") -> object:
        """Attractiveness (up) against our position (right), 0–100, split at 50 into the four
        quadrants; one bubble per account, sized by revenue and coloured by health."""
        slide = self.slide(title, kicker=kicker)
        size = self.body_height_in - 0.75
        left, top = self.margin_in + 0.55, self.body_top_in + 0.05
        self._rect(slide, left, top, size, size, PLOT_FILL)

        def at(x: float, y: float) -> tuple[float, float]:
            return left + size * x / 100, top + size * (1 - y / 100)

        for x1, y1, x2, y2 in ((50, 0, 50, 100), (0, 50, 100, 50)):
            (ax, ay), (bx, by) = at(x1, y1), at(x2, y2)
            line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Inches(ax), Inches(ay), Inches(bx), Inches(by))
            line.line.color.rgb = GRID
            line.line.dash_style = MSO_LINE.DASH
        for label, (x, y), align in (
            (_("Star"), (1, 99), PP_ALIGN.LEFT),
            (_("Strategic"), (51, 99), PP_ALIGN.LEFT),
            (_("Streamline"), (1, 6), PP_ALIGN.LEFT),
            (_("Status"), (51, 6), PP_ALIGN.LEFT),
        ):
            bx, by = at(x, y)
            frame = self._box(slide, bx, by, size / 2 - 0.1, 0.3)
            frame.paragraphs[0].alignment = align
            self._run(frame.paragraphs[0], label, size=11, italic=True, color=MUTED)
        frame = self._box(slide, left, top + size + 0.02, size, 0.3)
        frame.paragraphs[0].alignment = PP_ALIGN.CENTER
        self._run(frame.paragraphs[0], _("Our position") + " →", size=11, color=TEXT)
        axis = slide.shapes.add_textbox(
            Inches(left - 0.55 - size / 2 + 0.15), Inches(top + size / 2 - 0.15), Inches(size), Inches(0.3)
        )
        axis.rotation = 270
        axis.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER
        self._run(axis.text_frame.paragraphs[0], _("Attractiveness") + " →", size=11, color=TEXT)

        legend_left = left + size + 0.6
        for p in sorted(points, key=lambda p: -(p["revenue"] or 0)):  # small bubbles on top
            d = _diameter(p["revenue"])
            cx, cy = at(p["position"], p["attractiveness"])
            bubble = slide.shapes.add_shape(
                MSO_SHAPE.OVAL, Inches(cx - d / 2), Inches(cy - d / 2), Inches(d), Inches(d)
            )
            bubble.fill.solid()
            bubble.fill.fore_color.rgb = BAND_COLOURS[p["band"]]
            bubble.line.color.rgb = WHITE
            bubble.line.width = Pt(0.75)
            bubble.shadow.inherit = False
            bubble.name = clean_text(p["name"])[:60]
        # Names where they fit: the accounts at risk first, then by revenue; a name that would cover
        # another is left out (the table on the next slide has every account).
        # The quadrant names' corners count as taken.
        placed: list[tuple[float, float, float, float]] = []
        for qx, qy in ((0, 100), (50, 100), (0, 9), (50, 9)):
            x0, y0 = at(qx, qy)
            placed.append((x0, y0, x0 + 1.2, y0 + 0.3))
        order = sorted(points, key=lambda p: (p["band"] != "red", -(p["revenue"] or 0)))
        for p in order[:LABELLED]:
            name = clean_text(p["name"])[:34]
            d = _diameter(p["revenue"])
            cx, cy = at(p["position"], p["attractiveness"])
            width, height = 0.06 * len(name) + 0.1, 0.2
            for x0 in (cx + d / 2, cx - d / 2 - width):
                box = (x0, cy - height / 2, x0 + width, cy + height / 2)
                inside = left <= box[0] and box[2] <= left + size
                if inside and not any(_overlap(box, other) for other in placed):
                    placed.append(box)
                    label = self._box(slide, box[0], box[1] - 0.03, width, height + 0.06)
                    self._run(label.paragraphs[0], name, size=8, color=TEXT)
                    break

        # The legend, to the right of the plot.
        frame = self._box(slide, legend_left, top, self.width_in - legend_left - self.margin_in, 0.4)
        self._run(frame.paragraphs[0], _("Health"), size=13, bold=True, color=BLUE)
        for n, band in enumerate(("green", "amber", "red", "")):
            y = top + 0.5 + n * 0.38
            dot = slide.shapes.add_shape(
                MSO_SHAPE.OVAL, Inches(legend_left), Inches(y + 0.05), Inches(0.2), Inches(0.2)
            )
            dot.fill.solid()
            dot.fill.fore_color.rgb = BAND_COLOURS[band]
            dot.line.fill.background()
            frame = self._box(
                slide, legend_left + 0.3, y, min(3.5, self.width_in - self.margin_in - legend_left - 0.3), 0.3
            )
            text = {
                "green": _("healthy: %(n)d and above") % {"n": HEALTH_GREEN},
                "amber": _("needs attention: %(low)d to %(high)d") % {"low": HEALTH_AMBER, "high": HEALTH_GREEN - 1},
                "red": _("at risk: below %(n)d") % {"n": HEALTH_AMBER},
                "": _("not computed yet"),
            }[band]
            self._run(frame.paragraphs[0], text, size=11, color=TEXT)
        frame = self._box(slide, legend_left, top + 2.2, self.width_in - legend_left - self.margin_in, 2.5)
        frame.vertical_anchor = MSO_ANCHOR.TOP
        lines = [_("Bubble size: revenue."), note] if note else [_("Bubble size: revenue.")]
        for i, line in enumerate(lines):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            p.space_after = Pt(6)
            self._run(p, line, size=11, italic=True, color=MUTED)
        return slide


def build_review(board: Dashboard, *, user: User, scope: list[str], today: date | None = None) -> bytes:
    """The deck as bytes. ``scope`` describes the filters ("KAM: …"), for the title slide."""
    today = today or timezone.localdate()
    company = settings.COMPANY_NAME
    period = str(board.plans["period"]) if board.plans.get("period") else ""
    deck = PortfolioDeck(
        template=active_template(),
        title=_("Portfolio review"),
        footer=" · ".join(filter(None, [_("Portfolio review"), period, date_format(today, "DATE_FORMAT")])),
        author=company,
    )
    scope_line = " · ".join(scope) if scope else _("All accounts you can see")
    deck.title_slide(
        _("Portfolio review"),
        [
            period or _("No planning period"),
            scope_line,
            _("Prepared on %(date)s by %(user)s") % {"date": date_format(today, "DATE_FORMAT"), "user": user},
        ],
        kicker=company,
        note=_("Internal: contains revenue and account health."),
    )

    computed = ""
    if board.health.get("oldest"):
        computed = _("Health computed %(age)s ago.") % {"age": timesince(board.health["oldest"])}
    revenue = board.revenue
    attainment = f" ({revenue.attainment_pct} %)" if revenue.attainment_pct is not None else ""
    last_csat = next((r for r in reversed(board.csat_by_year) if r["year"]), None)
    a, p, o, h = board.accounts, board.plans, board.objectives, board.health
    headline = [
        (
            _("Key accounts"),
            _("%(n)d: %(hospitals)s, %(pharmacies)s, %(wholesalers)s")
            % {
                "n": a["key"],
                "hospitals": ngettext("%(n)d hospital", "%(n)d hospitals", a["hospitals"]) % {"n": a["hospitals"]},
                "pharmacies": ngettext("%(n)d pharmacy", "%(n)d pharmacies", a["pharmacies"]) % {"n": a["pharmacies"]},
                "wholesalers": ngettext("%(n)d wholesaler", "%(n)d wholesalers", a["wholesalers"])
                % {"n": a["wholesalers"]},
            },
        ),
        (
            _("Health of the key accounts"),
            ngettext(
                "%(avg)s on average; %(g)d healthy, %(a)d needs attention, %(r)d at risk",
                "%(avg)s on average; %(g)d healthy, %(a)d need attention, %(r)d at risk",
                h["amber"],
            )
            % {"avg": h["avg"] if h["avg"] is not None else "—", "g": h["green"], "a": h["amber"], "r": h["red"]},
        ),
        (
            _("Plan coverage"),
            _("%(pct)s of key accounts with an approved plan (%(n)d)")
            % {
                "pct": f"{p['coverage_pct']} %" if p["coverage_pct"] is not None else "—",
                "n": p["covered_key_accounts"],
            },
        ),
        (
            _("Plan reviews"),
            ngettext(
                "%(over)d overdue, %(due)d due in %(days)d day",
                "%(over)d overdue, %(due)d due in %(days)d days",
                REVIEWS_DUE_DAYS,
            )
            % {"over": p["reviews_overdue"], "due": p["reviews_due"], "days": REVIEWS_DUE_DAYS},
        ),
        (
            _("Objectives"),
            _("%(on)d on track, %(risk)d at risk, %(done)d achieved")
            % {"on": o["on_track"], "risk": o["at_risk"], "done": o["achieved"]},
        ),
        (
            _("Actions"),
            _("%(over)d overdue; %(done)d of %(total)d done")
            % {"over": board.actions["overdue"], "done": board.actions["done"], "total": board.actions["total"]},
        ),
        (
            _("Revenue %(year)s") % {"year": revenue.year},
            _("%(actual)s of %(target)s target%(att)s")
            % {"actual": _money(revenue.revenue_actual), "target": _money(revenue.revenue_target), "att": attainment}
            + (" · " + _("some exchange rates missing") if revenue.missing_rates else ""),
        ),
        (
            _("Customer satisfaction"),
            ngettext("%(pct)s in %(year)d (%(n)d answer)", "%(pct)s in %(year)d (%(n)d answers)", last_csat["answers"])
            % {
                "pct": f"{last_csat['pct']} %" if last_csat["pct"] is not None else "—",
                "year": last_csat["year"].year,
                "n": last_csat["answers"],
            }
            if last_csat
            else _("No answers yet"),
        ),
        (_("Stale key contacts"), _("%(n)d past their contact cadence") % {"n": board.stale_stakeholders}),
    ]
    deck.table(
        _("Headline figures"),
        ["", ""],
        [list(row) for row in headline],
        kicker=computed or scope_line,
        widths=[1, 2.4],
        header=False,
        label_column=True,
        size=15,
    )

    deck.matrix(
        _("Portfolio matrix"),
        board.matrix,
        kicker=_("Key accounts by attractiveness and our position"),
        note=computed,
    )
    deck.table(
        _("Portfolio matrix: the accounts"),
        [
            _("Account"),
            _("Quadrant"),
            _("Attractiveness"),
            _("Position"),
            _("Revenue %(year)s (%(currency)s)") % {"year": revenue.year, "currency": revenue.currency},
            _("Health"),
        ],
        [
            [
                m["name"],
                str(matrix_quadrant(m["attractiveness"], m["position"]).label),
                str(m["attractiveness"]),
                str(m["position"]),
                _grouped(m["revenue"]) if m["revenue"] is not None else "—",
                f"{m['health']} · {_band_label(m['band'])}" if m["health"] is not None else _("not computed"),
            ]
            for m in board.matrix
        ],
        kicker=_("Key accounts by attractiveness and our position"),
        widths=[3.6, 1.4, 1.3, 1.1, 1.4, 1.9],
        numeric=[2, 3, 4],
        flagged=[m["band"] == "red" for m in board.matrix],
        empty=_("No key account is placed in the matrix yet."),
    )

    at_risk_rows, flags = [], []
    for r in board.at_risk:
        parts = [part for part in explain(r["health"]) if part.value is not None]
        weakest = min(parts, key=lambda part: part.value) if parts else None
        at_risk_rows.append(
            [
                r["account"].name,
                str(r["account"].owner),
                f"{r['health'].score} · {_band_label(r['band'])}",
                f"{weakest.label}: {weakest.value}" if weakest else "—",
                weakest.advice if weakest else "",
            ]
        )
        flags.append(r["band"] == "red")
    deck.table(
        _("Key accounts most at risk"),
        [_("Account"), _("Owner"), _("Health"), _("Weakest part"), _("What would raise it")],
        at_risk_rows,
        kicker=computed or _("Lowest health first"),
        widths=[2.6, 1.7, 1.5, 1.9, 4.0],
        flagged=flags,
        empty=_("No key account has a health score yet."),
    )

    deck.table(
        _("Revenue %(year)s against target by KAM (%(currency)s)")
        % {"year": revenue.year, "currency": revenue.currency},
        [_("KAM"), _("Revenue"), _("Target"), _("Attainment")],
        [
            [
                r["owner"],
                _grouped(r["actual"]),
                _grouped(r["target"]),
                f"{r['attainment']} %" if r["attainment"] is not None else "—",
            ]
            for r in board.revenue_by_owner
        ],
        # Cut as on the page (BY_KAM_LIMIT): say so, or the slide reads as every KAM.
        kicker=_("Converted at yearly rates")
        + (
            " · "
            + _("the %(n)s KAMs furthest behind target, of %(total)s")
            % {"n": len(board.revenue_by_owner), "total": board.revenue_owners}
            if board.revenue_owners > len(board.revenue_by_owner)
            else ""
        ),
        widths=[3, 2, 2, 1.5],
        numeric=[1, 2, 3],
        empty=_("No revenue recorded for this year."),
    )
    deck.table(
        _("Customer satisfaction by quarter"),
        [_("Quarter"), _("CSAT"), _("Answers"), _("Response rate")],
        [
            [
                r["label"],
                (f"{r['pct']} %" if r["pct"] is not None else "—") + (" *" if r["indicative"] else ""),
                str(r["answers"]),
                f"{r['rate']} %" if r["rate"] is not None else "—",
            ]
            for r in board.csat_by_quarter
        ],
        kicker=_("Share of answers of 4 or 5"),
        widths=[2, 1.5, 1.5, 1.5],
        numeric=[1, 2, 3],
        note=_("* indicative: fewer than %(n)d answers") % {"n": RELIABLE_ANSWERS},
        empty=_("No survey answers yet."),
    )
    return deck.to_bytes()
