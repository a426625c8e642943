"""People pages: who is in the user's scope, what they own, and handing a leaver's work over."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import AccountStatus
from accounts.selectors import accounts_visible_to, users_assignable_by
from accounts.services import user_handover
from kam.models import User
from kam.owner_choices import colleagues, offer


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
        # The colleagues on the teams of the leaver's accounts first: they know the accounts.
        found = colleagues(
            team=User.objects.filter(account_teams__account__owner=leaving).exclude(pk=leaving.pk),
            others=users_assignable_by(by).exclude(pk=leaving.pk),
        )
        offer(self.fields["new_owner"], found)


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
