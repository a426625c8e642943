"""The portfolio dashboard (home page) and its PowerPoint review deck."""

from __future__ import annotations

import dataclasses
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import json_script
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import HEALTH_AMBER, HEALTH_GREEN, AccountType, Quadrant, Tier
from accounts.selectors import accounts_visible_to
from kam import firewall, lib, outbox, status
from kam.models import Country, Role, User
from kam.portfolio.calendar import tender_calendar_url
from kam.portfolio.dashboard import Dashboard, DashboardFilters
from kam.portfolio.dashboard import build as build_dashboard
from kam.portfolio.health import KEY_INFLUENCE, PART_LABELS, WEIGHTS
from kam.portfolio.review import build_review
from kam.portfolio.summary import REVIEWS_DUE_DAYS
from kam.portfolio.tender_figures import WON_LOST_DAYS
from kam.portfolio.upcoming import UPCOMING_DAYS
from plans.exports.deck import PPTX_CONTENT_TYPE
from plans.models import PlanningPeriod, PlanStatus
from stakeholders.surveys.results import RELIABLE_ANSWERS


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, carried in the URL. Choices are read once each (people, periods),
    so the form costs two queries whatever it offers; drawn, it is kept (``drawn_key``, ``_drawn``)."""

    team_lead = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=gettext_lazy("Manager / team")
    )
    owner = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=gettext_lazy("KAM"))
    country = forms.ChoiceField(choices=[("", "—"), *Country.choices], required=False, label=gettext_lazy("Country"))
    region = forms.CharField(required=False, max_length=100, label=gettext_lazy("Region"))
    account_type = forms.ChoiceField(
        choices=[("", "—"), *AccountType.choices], required=False, label=gettext_lazy("Type")
    )
    tier = forms.ChoiceField(choices=[("", "—"), *Tier.choices], required=False, label=gettext_lazy("Tier"))
    period = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=gettext_lazy("Period"))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A KAM cannot filter their way into another team: only people in scope are offered.
        people = (
            User.objects.visible_to(user)
            .filter(is_active=True, role__in=[Role.MANAGER, Role.KAM])
            .order_by("last_name", "first_name", "pk")
        )
        # From five columns, not whole users: an administrator is offered 460 people at 10,000 accounts.
        by_role = people.choices_by_role()
        managers = [("", "—"), *by_role.get(Role.MANAGER, [])]
        kams = [("", "—"), *by_role.get(Role.KAM, [])]
        # Given as callables, which Django reads only when the fields are drawn or validated: most
        # views take the drawn fields from the cache (``drawn_key``), and 460 people normalized on
        # assignment (for the field and again for its widget) were half this form's cost (~2.5 ms).
        self.people = (managers, kams)
        self.fields["team_lead"].choices = lambda: managers
        self.fields["owner"].choices = lambda: kams
        self.periods = list(PlanningPeriod.objects.all())
        self.fields["period"].choices = [("", "—")] + [(p.pk, p.name) for p in self.periods]
        for f in self.fields.values():
            f.widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            )

    def drawn_key(self) -> str:
        """A cache key for the drawn fields: everything they show (labels, choices, the values
        given) in the active language. Another user's scope offers other people, a renamed person
        is shown by another name: another key. The people offered are named as read, not through
        the fields' choices (see ``__init__``)."""
        others = [name for name in self.fields if name not in ("team_lead", "owner")]
        people = [(name, self[name].value(), bool(self[name].errors)) for name in ("team_lead", "owner")]
        return "filters:" + lib.digest((get_language(), lib.form_shown(self, others), people, self.people))

    def filters(self, today: date | None = None) -> DashboardFilters:
        """The filters as given; without a period, the one covering ``today``."""
        today = today or timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        filters = DashboardFilters(
            owner=data.get("owner"),
            team_lead=data.get("team_lead"),
            country=data.get("country") or "",
            region=data.get("region") or "",
            account_type=data.get("account_type") or "",
            tier=data.get("tier") or "",
            periods=self.periods,
        )
        chosen = {p.pk: p for p in self.periods}.get(data.get("period"))
        filters.period = chosen or filters.current_period(today)
        return filters

    def describe(self) -> list[str]:
        """The filters set, in words ("KAM: Anna Alt"), for the portfolio review's title slide."""
        if not self.is_valid():
            return []
        described = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            shown = dict(field.choices).get(value, value) if hasattr(field, "choices") else value
            described.append(f"{field.label}: {shown}")
        return described

    def account_query(self) -> str:
        """The filters the account list and its exports understand, as a query string."""
        data = self.cleaned_data if self.is_valid() else {}
        return urlencode(
            {k: data[k] for k in ("owner", "team_lead", "country", "region", "account_type", "tier") if data.get(k)}
        )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The portfolio dashboard: the same page for a KAM, a manager and an administrator, each
    over the accounts they may see. Medical colleagues get their accounts without the figures."""
    if not firewall.allows(request.user, "portfolio.figures"):
        return _figure_free_home(request)
    form = DashboardFilterForm(request.GET or None, user=request.user)
    board = build_dashboard(request.user, form.filters())
    # What the figures fragment (kam/_dashboard_figures.html) is drawn from: the board and the
    # filters as query strings; everything else in it is fixed for a release.
    shown = {
        "d": board,
        "query": request.GET.urlencode(),
        "account_query": form.account_query(),
        "tender_calendar_url": tender_calendar_url(form.account_query()),
    }
    return render(
        request,
        "kam/dashboard.html",
        {
            **shown,
            "form": form,
            **_drawn(form, board, shown),
            "cap": request.user.effective_key_account_cap,
            "scope": form.describe(),
            # Only administrators can do something about background jobs that stopped running.
            "jobs_late": request.user.is_administrator and status.beat_is_late(status.last_beat()),
            "dead_tasks": request.user.is_administrator and outbox.dead_count(),
        },
        status=200 if not request.GET or form.is_valid() else 400,
    )


def _drawn(form: DashboardFilterForm, board: Dashboard, shown: dict) -> dict[str, str]:
    """The dashboard's two large parts, drawn: the filter fields (an administrator is offered 460
    people at 10,000 accounts) and the figures (tiles, tables, the matrix table of up to 400 rows,
    the charts' data: about 8 ms of template work at 10,040 accounts). Each is kept under a key
    naming all it shows, both read in one round trip (a hung Redis costs its timeout per call), so
    the first view after a health refresh that changed nothing shown draws nothing; a refresh that
    changed some figures but no account of the matrix still reuses the matrix table."""
    parts = {
        "filter_fields": (form.drawn_key(), lambda: render_to_string("kam/_dashboard_filters.html", {"form": form})),
        "figures": (_figures_key(board, shown), lambda: _draw_figures(board, shown)),
    }
    drawn = lib.cached_many(dict(parts.values()), lib.DRAWN_CACHE_SECONDS)
    return {name: drawn[key] for name, (key, _draw) in parts.items()}


def _figures_key(board: Dashboard, shown: dict) -> str:
    """A key for the drawn figures: every field of the board (the matrix by its digest; the
    accounts at risk and unqualified by what is shown of them; the health rows' age as shown,
    in words that change with the clock), the query strings, the language and time zone. Not the
    board's own cache key, which a health refresh renews whether or not a figure changed."""
    fields = []
    for field in dataclasses.fields(board):
        value = getattr(board, field.name)
        if field.name in ("key", "matrix"):  # the matrix: by matrix_digest
            continue
        if field.name == "health":
            value = {**value, "oldest": naturaltime(value["oldest"]) if value.get("oldest") else None}
        elif field.name == "at_risk":
            value = [
                (
                    r["account"].pk,
                    r["account"].name,
                    str(r["account"].owner),
                    r["health"].score,
                    r["band"],
                    r["weakest"],
                )
                for r in value
            ]
        elif field.name == "unqualified":
            value = [(a.pk, a.name, a.qualification_score, str(a.owner)) for a in value]
        fields.append((field.name, value))
    context = (shown["query"], shown["account_query"], shown["tender_calendar_url"])
    return "figures:" + lib.digest((get_language(), timezone.get_current_timezone_name(), context, fields))


def _draw_figures(board: Dashboard, shown: dict) -> str:
    matrix_rows = lib.cached(
        f"matrix:{get_language()}:{board.matrix_digest}",
        lambda: render_to_string("kam/_matrix_rows.html", {"rows": board.matrix}),
        lib.DRAWN_CACHE_SECONDS,
    )
    return render_to_string(
        "kam/_dashboard_figures.html",
        {
            **shown,
            "matrix_rows": matrix_rows,
            "chart": json_script(_chart_data(board), "dashboard-data"),
            "tender_tables": [
                (_("Our product"), board.tender_results.get("products", [])),
                (_("Competitor"), board.tender_results.get("competitors", [])),
            ],
            "won_lost_years": WON_LOST_DAYS // 365,
            "bands": {"green": HEALTH_GREEN, "amber": HEALTH_AMBER},
            # The numbers the page's words quote, from where they are defined.
            "reviews_due_days": REVIEWS_DUE_DAYS,
            "upcoming_days": UPCOMING_DAYS,
            "reliable_answers": RELIABLE_ANSWERS,
            "key_influence": KEY_INFLUENCE,
            "health_weights": [(PART_LABELS[name], weight) for name, weight in WEIGHTS.items()],
        },
    )


def _figure_free_home(request: HttpRequest) -> HttpResponse:
    """Home for medical colleagues: the accounts they have a seat on, behind the firewall's figures."""
    accounts = accounts_visible_to(request.user).select_related("owner").order_by("name")[:200]
    return render(request, "kam/home_medical.html", {"accounts": accounts})


def _chart_data(board) -> dict:
    """What the charts draw; every chart also has a table on the page with the same figures. The
    charts' words come along, in the user's language."""
    return {
        "labels": {
            "key_accounts": _("Key accounts"),
            "position": _("Our position"),
            "attractiveness": _("Attractiveness"),
            "health": _("Health"),
            "not_computed": _("not computed yet"),
            "quadrants": {q.value: str(q.label) for q in Quadrant},
            "funnel": [
                str(s.label)
                for s in (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.CHANGES_REQUESTED, PlanStatus.APPROVED)
            ],
            "csat": _("CSAT %"),
            "answers": _("Answers"),
            "revenue": _("Revenue"),
            "target": _("Target"),
        },
        "matrix": [
            {
                "x": row["position"],
                "y": row["attractiveness"],
                "r": _bubble(row["revenue"]),
                "name": row["name"],
                "url": row["url"],
                "health": row["health"],
                "band": row["band"],
            }
            for row in board.matrix
        ],
        "funnel": [
            board.plans["draft"],
            board.plans["submitted"],
            board.plans["changes_requested"],
            board.plans["approved"],
        ],
        "csat": [
            {"label": row["label"], "pct": row["pct"], "answers": row["answers"]}
            for row in board.csat_by_quarter
            if row["quarter"]
        ],
        "revenue": {
            "currency": board.revenue.currency,
            "rows": [
                {"owner": row["owner"], "actual": float(row["actual"]), "target": float(row["target"])}
                for row in board.revenue_by_owner
            ],
        },
    }


def _bubble(revenue) -> float:
    if not revenue:
        return 4
    return round(min(28, 4 + (float(revenue) / 1_000_000) ** 0.5 * 6), 1)


@login_required
@require_safe
def portfolio_review(request: HttpRequest) -> HttpResponse:
    """The dashboard, with its filters, as a PowerPoint deck."""
    firewall.require(request.user, "portfolio.figures")
    form = DashboardFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return HttpResponse(_("Some filters were not understood."), status=400, content_type="text/plain")
    today = timezone.localdate()
    board = build_dashboard(request.user, form.filters(today), today=today)
    response = HttpResponse(
        build_review(board, user=request.user, scope=form.describe(), today=today), content_type=PPTX_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"portfolio-review-{today.isoformat()}.pptx"
    )
    # Revenue and health of accounts: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
