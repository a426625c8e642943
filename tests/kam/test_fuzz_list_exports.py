"""The list exports' filters under fuzz (the helpers of test_fuzz_filters): never a 500, refusals
in plain text, and every file that is served opens."""

from __future__ import annotations

import io

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from plans.models import PlanStatus
from stakeholders.models import TouchpointKind
from tests.kam.test_fuzz_filters import assert_safe, fuzz_settings, get, kam, queries  # noqa: F401

EXAMPLES = 150
DMU = ("category", "role", "stance", "stale", "ended", "sort")
TOUCHPOINTS = ("date_from", "date_to", "kind")
IDS = {
    "status": [s for s, _label in PlanStatus.choices],
    "kind": [k for k, _label in TouchpointKind.choices],
    "date_from": ["2026-01-01", "01.02.2026"],
    "date_to": ["2026-12-31"],
}


def _opens(response, fmt: str) -> None:
    if response.status_code != 200:
        return
    if fmt == "csv":
        b"".join(response.streaming_content).decode("utf-8")
    else:
        load_workbook(io.BytesIO(response.content))


@fuzz_settings(EXAMPLES)
@given(query=st.data(), fmt=st.sampled_from(["csv", "xlsx"]))
def test_the_dmu_export_survives_any_filter(cast, kam, query, fmt):  # noqa: F811
    q = query.draw(queries(DMU, IDS))
    response = get(kam, reverse("stakeholders:dmu-export", args=[cast.account_a.pk, fmt]), q)
    assert_safe(response, q)
    _opens(response, fmt)


@fuzz_settings(EXAMPLES)
@given(query=st.data(), fmt=st.sampled_from(["csv", "xlsx"]))
def test_the_touchpoint_export_survives_any_filter(cast, kam, query, fmt):  # noqa: F811
    q = query.draw(queries(TOUCHPOINTS, IDS))
    response = get(kam, reverse("stakeholders:touchpoints-export", args=[cast.account_a.pk, fmt]), q)
    assert_safe(response, q)
    _opens(response, fmt)


@fuzz_settings(EXAMPLES)
@given(query=st.data(), fmt=st.sampled_from(["csv", "xlsx"]))
def test_the_plan_export_survives_any_filter(cast, kam, query, fmt):  # noqa: F811
    q = query.draw(queries(("status",), IDS))
    response = get(kam, reverse("plans:list-export", args=[fmt]), q)
    assert_safe(response, q)
    _opens(response, fmt)
