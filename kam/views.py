"""Cross-cutting views: home, login, people and handover, error pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import AccountStatus, AccountType, Tier
from accounts.selectors import accounts_visible_to, users_assignable_by
from accounts.services import user_handover
from kam.dashboard import DashboardFilters
from kam.dashboard import build as build_dashboard
from kam.models import Country, User, subordinate_ids
from plans.models import PlanningPeriod


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class DashboardFilterForm(forms.Form):
    team_lead = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=gettext_lazy("Manager / team")
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=gettext_lazy("KAM"))
    country = forms.ChoiceField(choices=[("", "—"), *Country.choices], required=False, label=gettext_lazy("Country"))
    region = forms.CharField(required=False, max_length=100, label=gettext_lazy("Region"))
    account_type = forms.ChoiceField(
        choices=[("", "—"), *AccountType.choices], required=False, label=gettext_lazy("Type")
    )
    tier = forms.ChoiceField(choices=[("", "—"), *Tier.choices], required=False, label=gettext_lazy("Tier"))
    period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.all(), required=False, label=gettext_lazy("Period"))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = _people_visible_to(user).filter(is_active=True).order_by("last_name")
        self.fields["team_lead"].queryset = people.filter(role="manager")
        self.fields["owner"].queryset = people.filter(role="kam")
        for f in self.fields.values():
            f.widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            )

    def filters(self) -> DashboardFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return DashboardFilters(
            owner=data["owner"].pk if data.get("owner") else None,
            team_lead=data["team_lead"].pk if data.get("team_lead") else None,
            country=data.get("country") or "",
            region=data.get("region") or "",
            account_type=data.get("account_type") or "",
            tier=data.get("tier") or "",
            period=data.get("period"),
        )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The portfolio dashboard: the same page for a KAM, a manager and an administrator, each
    over the accounts they may see."""
    form = DashboardFilterForm(request.GET or None, user=request.user)
    board = build_dashboard(request.user, form.filters())
    chart = {
        "matrix": [
            {
                "x": row["position"],
                "y": row["attractiveness"],
                "r": _bubble(row["revenue"]),
                "name": row["name"],
                "url": reverse("accounts:detail", args=[row["pk"]]),
                "score": row["qualification_score"],
            }
            for row in board.matrix
        ],
        "funnel": [
            board.plans["draft"],
            board.plans["submitted"],
            board.plans["changes_requested"],
            board.plans["approved"],
        ],
        "csat": [{"year": row["year"].year, "pct": row["pct"]} for row in board.csat_by_year if row["year"]],
    }
    return render(
        request,
        "kam/dashboard.html",
        {
            "form": form,
            "d": board,
            "chart": chart,
            "cap": request.user.effective_key_account_cap,
            "query": request.GET.urlencode(),
        },
        status=200 if not request.GET or form.is_valid() else 400,
    )


def _bubble(revenue) -> float:
    if not revenue:
        return 4
    return round(min(28, 4 + (float(revenue) / 1_000_000) ** 0.5 * 6), 1)


def _people_visible_to(user: User):
    if user.is_administrator:
        return User.objects.all()
    if user.is_manager:
        return User.objects.filter(Q(pk=user.pk) | Q(pk__in=subordinate_ids(user)))
    return User.objects.filter(pk=user.pk)


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    people = (
        _people_visible_to(request.user)
        .select_related("manager", "team")
        .annotate(owned=Count("owned_accounts", filter=Q(owned_accounts__status=AccountStatus.ACTIVE)))
        .order_by("-is_active", "last_name", "first_name")
    )
    return render(request, "kam/people_list.html", {"people": people})


@login_required
def people_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(_people_visible_to(request.user).select_related("manager", "team"), pk=pk)
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
    person = get_object_or_404(_people_visible_to(request.user), pk=pk, is_active=True)
    if not _may_hand_over(request.user, person) or person.pk == request.user.pk:
        raise Http404
    form = HandoverForm(request.POST if request.method == "POST" else None, by=request.user, leaving=person)
    if request.method == "POST" and form.is_valid():
        moved = user_handover(leaving=person, new_owner=form.cleaned_data["new_owner"], by=request.user)
        messages.success(
            request,
            _("%(person)s was deactivated; %(n)d accounts now belong to %(owner)s.")
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
    # No context processors beyond the basics: the database may be what failed.
    return render(request, "500.html", status=500)
