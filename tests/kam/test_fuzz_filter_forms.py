"""Every list filter under 1,000 hostile values each, at the level of its filter form.

Over HTTP (test_fuzz_filters.py, test_fuzz_list_exports.py) each example sends every parameter
of an endpoint, each a valid value or fuzz, and follows the whole page or file. Here each
parameter of each filter form gets ``EXAMPLES`` examples of its own, always hostile (``FUZZ``: the
same strategies), the others valid: the form is built as its view builds it, and then:

- ``is_valid()`` never raises, and the form's errors and the field as the page draws it (through
  the project's form renderer) never raise and never show what was typed raw;
- what the form accepts goes through the view's own selection (the account list's page of
  accounts, the dashboard's scope and cache key, the DMU's rows, the plan list, the touchpoints)
  without raising: PostgreSQL refuses NUL and lone surrogates, and a filter letting one through
  to a query is a 500. A refused filter selects as no filter does (the views drop it, or answer
  a file's request with a plain-text 400), which needs no thousand examples.

Budget: 27 parameters × ``KAM_FUZZ_FILTER_EXAMPLES`` (1,000 by default). Measured on the shared
2-core machine at a load of 15–19 (other sessions' test runs): 9 minutes for the module, of which
1 minute 41 s of this process's own CPU time, from 6 ms an example (the plan list's status) to 30 ms
(the account list's, whose filter set and page of accounts are built for each). In exchange,
test_fuzz_filters.py sends 300 examples an endpoint over HTTP instead of 1,000.
"""

from __future__ import annotations

import os

import pytest
from django.http import QueryDict
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.filters import AccountFilter
from accounts.views import _account_filter, _account_page, _filtered
from kam.portfolio import figures
from kam.portfolio.dashboard import scoped_accounts
from kam.portfolio.views import DashboardFilterForm
from plans.list_exports import PlanListFilterForm, plans_listed
from stakeholders.forms import DmuFilterForm
from stakeholders.list_exports import TouchpointFilterForm, account_touchpoints, dmu_rows
from tests.filter_endpoints import ACCOUNT_FILTERS, DASHBOARD_FILTERS
from tests.fuzz import FUZZ, as_django_reads_it
from tests.kam.test_fuzz_filters import VALID, fuzz_settings

pytestmark = [pytest.mark.django_db]

EXAMPLES = int(os.environ.get("KAM_FUZZ_FILTER_EXAMPLES", "1000"))
FIELD = engines["django"].from_string("{{ form.non_field_errors }}{{ field.errors }}{{ field }}")
DMU = ("category", "role", "stance", "stale", "ended", "sort")
TOUCHPOINTS = ("date_from", "date_to", "kind")
VALID_TOO = {"status_plan": ["", "draft", "approved"], "date_from": ["", "2026-01-01"], "date_to": ["", "2026-12-31"]}


def _account_list(request, data):
    # The view's own filter, built once per test (``request.account_filter``: accounts and people in
    # the user's scope, which cost three times what the rest of an example does), bound to the data.
    base = request.account_filter
    filterset = AccountFilter(
        data,
        queryset=base.queryset,
        owners=base.filters["owner"].queryset,
        team_leads=base.filters["team_lead"].queryset,
    )
    return filterset.form, lambda: list(_account_page(_filtered(filterset, request), "1", base.queryset))


def _dashboard(request, data):
    form = DashboardFilterForm(data, user=request.user)

    def select():
        filters = form.filters()
        form.describe(), form.account_query()
        figures.key(request.user, filters, timezone.localdate(), None, 0)
        return list(scoped_accounts(request.user, filters).values_list("pk", flat=True))

    return form, select


def _dmu(request, data):
    form = DmuFilterForm(data)
    return form, lambda: dmu_rows(request.account, request.user, form)


def _plans(request, data):
    form = PlanListFilterForm(data)
    return form, lambda: list(plans_listed(request.user, form)[:500])


def _touchpoints(request, data):
    form = TouchpointFilterForm(data)
    return form, lambda: list(form.apply(account_touchpoints(request.account, request.user)))


# The filter forms: how each view builds its form from the URL's query and what it selects with
# it; the parameters are the form's fields, which test_every_filter_form_field_is_fuzzed holds.
FILTERS = {
    "account list": (_account_list, ACCOUNT_FILTERS),
    "dashboard": (_dashboard, DASHBOARD_FILTERS),
    "dmu": (_dmu, DMU),
    "plan list": (_plans, ("status",)),
    "touchpoints": (_touchpoints, TOUCHPOINTS),
}
PARAMS = [(name, param) for name, (_build, params) in FILTERS.items() for param in params]


@pytest.fixture
def request_for(cast, rf: RequestFactory):
    from tests.plan_factories import PlanFactory

    plan = PlanFactory(account=cast.account_a)
    ids = {
        "owner": [str(cast.kam_a.pk), str(cast.kam_c.pk)],
        "team_lead": [str(cast.manager_a.pk), str(cast.manager_b.pk)],
        "period": [str(plan.period_id)],
    }

    empty = rf.get("/")
    empty.user = cast.kam_a
    account_filter = _account_filter(empty)

    def build(data: QueryDict):
        request = rf.get("/")
        request.GET = data
        request.user = cast.kam_a
        request.account = cast.account_a
        request.account_filter = account_filter
        return request

    return build, ids


def test_every_filter_form_field_is_fuzzed(request_for):
    build, _ids = request_for
    for name, (make, params) in FILTERS.items():
        form, _select = make(build(QueryDict()), QueryDict())
        assert set(form.fields) == set(params), name


@pytest.mark.parametrize(("filter_name", "param"), PARAMS, ids=[f"{n}-{p}" for n, p in PARAMS])
def test_no_filter_breaks_on_hostile_input_and_none_shows_it_raw(request_for, filter_name, param):
    build, ids = request_for
    make, params = FILTERS[filter_name]
    valid = {p: VALID_TOO.get(p) or (VALID.get(p, [""]) + ids.get(p, [])) for p in params}
    if filter_name == "plan list":
        valid["status"] = VALID_TOO["status_plan"]

    @fuzz_settings(EXAMPLES)
    @given(others=st.fixed_dictionaries({p: st.sampled_from(v) for p, v in valid.items() if p != param}), value=FUZZ)
    def check(others: dict[str, str], value: str) -> None:
        typed = as_django_reads_it(value)
        data = QueryDict(mutable=True)
        for p, v in {**others, param: typed}.items():
            data[p] = v
        data._mutable = False
        form, select = make(build(data), data)
        accepted = form.is_valid()
        html = FIELD.render({"form": form, "field": form[param]})
        if "<" in typed and len(typed) >= 6:
            assert typed not in html, ("unescaped", typed[:80])
        if accepted:
            select()

    check()
