"""Cross-cutting views: home, login, people and handover, error pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import AccountStatus
from accounts.selectors import accounts_visible_to, users_assignable_by
from accounts.services import user_handover
from kam.models import User, subordinate_ids


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = accounts_visible_to(user).filter(status=AccountStatus.ACTIVE)
    counts = visible.aggregate(
        total=Count("pk"),
        key=Count("pk", filter=Q(is_key_account=True)),
        owned_key=Count("pk", filter=Q(is_key_account=True, owner=user)),
        hospitals=Count("pk", filter=Q(account_type="hospital")),
        pharmacies=Count("pk", filter=Q(account_type="pharmacy")),
        wholesalers=Count("pk", filter=Q(account_type="wholesaler")),
        unqualified_key=Count("pk", filter=Q(is_key_account=True, qualifies=False)),
    )
    recent = visible.select_related("owner").order_by("-updated_at")[:8]
    return render(
        request,
        "kam/home.html",
        {"counts": counts, "recent": recent, "cap": user.effective_key_account_cap},
    )


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
