"""The relationship X-ray of an account: the org chart, the coverage matrix, the gaps and the map of
stakeholders by influence and stance. The account comes from ``accounts_visible_to``; anything else
is a 404. The map is left out for those the firewall hides the stance from."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kam import firewall
from stakeholders import firewalled
from stakeholders.models import STANCE_SHORT, Affiliation, Stance
from stakeholders.selectors import decorate, dmu_for_account, xray_quadrant
from stakeholders.views import visible_account

MAP_W, MAP_H, PAD = 760, 440, 50


def _map_points(rows: list[Affiliation]) -> list[dict]:
    """Place each stakeholder on the influence × stance grid; people sharing a cell fan out."""
    cells: dict[tuple[int, int], list[Affiliation]] = defaultdict(list)
    for a in rows:
        cells[(a.stance, a.influence)].append(a)
    col_w = (MAP_W - 2 * PAD) / 5
    row_h = (MAP_H - 2 * PAD) / 5
    points = []
    for (stance, influence), members in cells.items():
        cx = PAD + (stance + 2) * col_w + col_w / 2
        cy = MAP_H - PAD - (influence - 1) * row_h - row_h / 2
        per_row = 2 if len(members) > 1 else 1
        for i, a in enumerate(members):
            dx = ((i % per_row) - (per_row - 1) / 2) * (col_w / 2)
            dy = ((i // per_row) - ((len(members) - 1) // per_row) / 2) * 16
            points.append(
                {
                    "a": a,
                    "x": round(cx + dx, 1),
                    "y": round(cy + dy, 1),
                    "label": a.person.last_name[:18],
                    "covered": a.cov.covered,
                    "stale": a.stale,
                }
            )
    return points


def _org_tree(rows: list[Affiliation]) -> list[dict]:
    by_id = {a.pk: {"a": a, "children": []} for a in rows}
    roots = []
    for a in rows:
        node = by_id[a.pk]
        parent = by_id.get(a.reports_to_id)
        (parent["children"] if parent else roots).append(node)
    return roots


@login_required
def account_xray(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_account(request, pk)
    rows = decorate(list(dmu_for_account(account)), request.user)
    hide_stance = firewall.hides(request.user, "affiliation.stance")
    colleagues = {}
    for a in rows:
        a.person_url = a.person.get_absolute_url()  # drawn up to three times per person: reversed once
        for c in a.cov.commercial + a.cov.medical:
            colleagues[c.user_id] = c.user
    columns = sorted(colleagues.values(), key=lambda u: (u.is_medical, u.last_name))
    matrix = []
    for a in rows:
        strengths = {c.user_id: c.strength for c in a.cov.commercial + a.cov.medical}
        matrix.append({"a": a, "cells": [strengths.get(u.pk) for u in columns]})
    col_w = (MAP_W - 2 * PAD) / 5
    row_h = (MAP_H - 2 * PAD) / 5
    return render(
        request,
        "stakeholders/account_xray.html",
        {
            "account": account,
            "rows": rows,
            "tree": _org_tree(rows),
            "columns": columns,
            "matrix": matrix,
            "show_medical_column": firewall.hides(request.user, "coverage.medical"),
            "gaps": firewalled.gaps_for(account, rows, request.user),
            # The map places people by stance: it is the stance.
            "points": [] if hide_stance else _map_points(rows),
            "show_map": not hide_stance,
            "map": {
                "w": MAP_W,
                "h": MAP_H,
                "pad": PAD,
                "mid_x": MAP_W / 2 + col_w / 2,
                "mid_y": MAP_H - PAD - 2 * row_h,
                "stances": [
                    {"x": round(PAD + (v + 2) * col_w + col_w / 2, 1), "label": STANCE_SHORT[v]}
                    for v, _l in Stance.choices
                ],
                "influences": [
                    {"y": round(MAP_H - PAD - (i - 1) * row_h - row_h / 2, 1), "label": i} for i in range(1, 6)
                ],
                "quadrants": {
                    "tl": xray_quadrant(5, -1),
                    "tr": xray_quadrant(5, 1),
                    "bl": xray_quadrant(1, -1),
                    "br": xray_quadrant(1, 1),
                },
            },
            "tab": "xray",
        },
    )
