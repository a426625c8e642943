"""Cross-cutting views: home, login, people and handover, error pages."""

from __future__ import annotations

import sys
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_safe

from accounts.health import AMBER, GREEN, PART_LABELS, WEIGHTS
from accounts.models import AccountStatus, AccountType, Tier
from accounts.selectors import accounts_visible_to, users_assignable_by
from accounts.services import user_handover
from kam import firewall, outage, outbox, status
from kam.dashboard import DashboardFilters
from kam.dashboard import build as build_dashboard
from kam.models import Country, Role, User
from kam.portfolio_review import build_review
from kam.widgets import quick_widgets
from plans.exports import PPTX_CONTENT_TYPE
from plans.models import PlanningPeriod


class LoginForm(AuthenticationForm):
    """Django's login form with its username length enforced. Django sets the field's max_length
    after building it, so no validator checked it: a username of any length reached
    ``authenticate()``, and django-axes' 255-character column for failed attempts answered a
    longer one with a 500."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Each part's state as JSON, for a load balancer and for people: 503 only when the database,
    without which no page works, is down; a late beat or a missing worker is reported, not fatal."""
    checks = status.report()
    database_up = checks["database"].ok
    everything_up = all(check.ok for check in checks.values())
    body = {"status": "ok" if everything_up else ("degraded" if database_up else "down")}
    body.update({name: check.as_json() for name, check in checks.items()})
    response = JsonResponse(body, status=200 if database_up else 503)
    response["Cache-Control"] = "no-store"
    return response


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, carried in the URL. Choices are read once each (people, periods),
    so the form costs two queries whatever it offers."""

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
        people = list(
            User.objects.visible_to(user)
            .filter(is_active=True, role__in=[Role.MANAGER, Role.KAM])
            .order_by("last_name", "first_name", "pk")
            .only("pk", "first_name", "last_name", "username", "role")
        )
        self.fields["team_lead"].choices = [("", "—")] + [(p.pk, str(p)) for p in people if p.role == Role.MANAGER]
        self.fields["owner"].choices = [("", "—")] + [(p.pk, str(p)) for p in people if p.role == Role.KAM]
        self.periods = list(PlanningPeriod.objects.all())
        self.fields["period"].choices = [("", "—")] + [(p.pk, p.name) for p in self.periods]
        for f in self.fields.values():
            f.widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            )
        quick_widgets(self)  # an administrator's KAM list holds hundreds of names

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
    return render(
        request,
        "kam/dashboard.html",
        {
            "form": form,
            "d": board,
            "chart": _chart_data(board),
            "cap": request.user.effective_key_account_cap,
            "query": request.GET.urlencode(),
            "account_query": form.account_query(),
            "scope": form.describe(),
            "bands": {"green": GREEN, "amber": AMBER},
            "health_weights": [(PART_LABELS[name], weight) for name, weight in WEIGHTS.items()],
            # Only administrators can do something about background jobs that stopped running.
            "jobs_late": request.user.is_administrator and status.beat_is_late(status.last_beat()),
            "dead_tasks": request.user.is_administrator and outbox.dead_count(),
        },
        status=200 if not request.GET or form.is_valid() else 400,
    )


def _figure_free_home(request: HttpRequest) -> HttpResponse:
    """Home for medical colleagues: the accounts they have a seat on, behind the firewall's figures."""
    accounts = accounts_visible_to(request.user).select_related("owner").order_by("name")[:200]
    return render(request, "kam/home_medical.html", {"accounts": accounts})


def _chart_data(board) -> dict:
    """What the charts draw; every chart also has a table on the page with the same figures."""
    return {
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


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    people = (
        User.objects.visible_to(request.user)
        .select_related("manager", "team")
        .annotate(owned=Count("owned_accounts", filter=Q(owned_accounts__status=AccountStatus.ACTIVE)))
        .order_by("-is_active", "last_name", "first_name")
    )
    return render(request, "kam/people_list.html", {"people": people})


@login_required
def people_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.visible_to(request.user).select_related("manager", "team"), pk=pk)
    accounts = accounts_visible_to(request.user).filter(owner=person).order_by("name")
    can_handover = person.is_active and person.pk != request.user.pk and _may_hand_over(request.user, person)
    return render(
        request,
        "kam/people_detail.html",
        {"person": person, "accounts": accounts, "can_handover": can_handover},
    )


def _may_hand_over(by: User, person: User) -> bool:
    return by.is_administrator or (by.is_manager and by.is_above(person))


class HandoverForm(forms.Form):
    new_owner = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Hand over to"))
    confirm = forms.BooleanField(
        label=gettext_lazy("Deactivate this person and move their accounts and team seats"), required=True
    )

    def __init__(self, *args, by: User, leaving: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = users_assignable_by(by).exclude(pk=leaving.pk)


@login_required
def people_handover(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.visible_to(request.user), pk=pk, is_active=True)
    if not _may_hand_over(request.user, person) or person.pk == request.user.pk:
        raise Http404
    form = HandoverForm(request.POST if request.method == "POST" else None, by=request.user, leaving=person)
    if request.method == "POST" and form.is_valid():
        moved = user_handover(leaving=person, new_owner=form.cleaned_data["new_owner"], by=request.user)
        messages.success(
            request,
            ngettext(
                "%(person)s was deactivated; %(n)d account now belongs to %(owner)s.",
                "%(person)s was deactivated; %(n)d accounts now belong to %(owner)s.",
                moved,
            )
            % {"person": person, "n": moved, "owner": form.cleaned_data["new_owner"]},
        )
        return HttpResponseRedirect(person.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "kam/people_handover.html", {"person": person, "form": form}, status=status)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # A database outage outside a view (in a middleware) is a 503 all the same; Django calls
    # this handler while handling the exception, so it is the one in sys.exc_info().
    if outage.is_outage(sys.exc_info()[1]):
        return outage.outage_response(request)
    # No context processors beyond the basics: the database may be what failed.
    return render(request, "500.html", status=500)
