"""Account pages. Every view fetches accounts through ``accounts_visible_to``; anything else is a 404."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db import IntegrityError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import services
from accounts.exports import EXPORTERS, export_filename
from accounts.filters import AccountFilter
from accounts.forms import (
    AccountForm,
    AccountTypeChoiceForm,
    FinancialsFormSetFactory,
    ListingFormSetFactory,
    QualificationForm,
    ReassignForm,
    TeamFormSetFactory,
)
from accounts.history import account_changes
from accounts.models import (
    Account,
    AccountStatus,
    AccountTeamMember,
    Listing,
)
from accounts.selectors import (
    account_access,
    account_owners_visible_to,
    accounts_visible_to,
)
from kam import firewall
from kam.lib import CountingPaginator
from kam.models import Role, User

PAGE_SIZE = 25


def _get_account(request: HttpRequest, pk: int) -> Account:
    return get_object_or_404(accounts_visible_to(request.user).select_related("owner", "parent", "health"), pk=pk)


def _get_editable_account(request: HttpRequest, pk: int) -> Account:
    account = _get_account(request, pk)
    if not account_access(request.user, account).edit:
        raise PermissionDenied(_("Only the account's owner and their managers can change it."))
    return account


def _account_filter(request: HttpRequest, visible: QuerySet[Account] | None = None) -> AccountFilter:
    """The account list's filters from the URL, over the accounts the user may see (``visible``,
    else read here); owners and teams on offer are only those in the user's scope."""
    if visible is None:
        visible = accounts_visible_to(request.user)
    colleagues = User.objects.visible_to(request.user).filter(is_active=True)
    # Owners of the accounts in view, and the KAMs in scope even before they own one (the
    # dashboard offers those, and links its filters here).
    owners = (
        User.objects.filter(
            Q(pk__in=account_owners_visible_to(request.user).values("pk"))
            | Q(pk__in=colleagues.filter(role=Role.KAM).values("pk"))
        )
        .only("username", "first_name", "last_name")
        # The id last: namesakes in a stable order, so the drawn filters' cache key is stable too.
        .order_by("last_name", "first_name", "pk")
    )
    team_leads = colleagues.filter(role=Role.MANAGER)
    return AccountFilter(
        request.GET or None,
        queryset=visible.select_related("owner", "parent", "health"),
        owners=owners,
        team_leads=team_leads.order_by("last_name", "first_name", "pk"),
    )


def _filtered(filterset: AccountFilter, request: HttpRequest):
    qs = filterset.qs
    # The id last, so that rows with the same sort value keep their place from page to page.
    return qs.order_by(*qs.query.order_by, "pk") if request.GET.get("sort") else qs.order_by("name", "pk")


def _account_page(accounts: QuerySet[Account], number: str | None, visible: QuerySet[Account]) -> Page:
    """One page of ``accounts``, counted in the query that picks it, with their owner, parent and
    health joined for that page only: joined in the query that sorts the accounts and cuts the
    page, they were joined for every account that matched (a few thousand for a national head).
    ``visible``: the accounts the user may see."""

    def rows(ids: Sequence[int]) -> QuerySet[Account]:
        # Ids that accounts_visible_to chose a moment ago, in the query above.
        return (
            Account.objects.filter(pk__in=ids)
            .select_related("owner", "parent", "health")
            # A parent the user cannot see is not named (as on the account page).
            .annotate(parent_visible=Exists(visible.filter(pk=OuterRef("parent_id"))))
            .order_by()
        )

    return CountingPaginator(accounts.select_related(None), PAGE_SIZE, rows=rows).get_page(number)


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    # Read once: for a manager, the selector reads the people below them first (a query).
    visible = accounts_visible_to(request.user)
    filterset = _account_filter(request, visible)
    page = _account_page(_filtered(filterset, request), request.GET.get("page"), visible)
    query = request.GET.copy()
    query.pop("page", None)
    filter_fields, filters_key = filterset.drawn_fields(request.user)
    return render(
        request,
        "accounts/account_list.html",
        {
            "filter": filterset,
            # Drawn from the cache when drawn before with the same content: an administrator is
            # offered 460 owners, whose options were a fifth of the page's work.
            "filter_fields": filter_fields,
            "filters_key": filters_key,
            "page": page,
            "query": query.urlencode(),
            "total": page.paginator.count,
        },
    )


@login_required
@require_safe
def account_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered account list as CSV or XLSX. A filter that does not apply (an owner outside
    the user's scope, an unknown value) is refused rather than silently dropped."""
    if fmt not in EXPORTERS:
        raise Http404(_("Unknown export format."))
    firewall.require(request.user, "portfolio.figures")  # health and revenue against target
    filterset = _account_filter(request)
    if filterset.is_bound and not filterset.form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in filterset.form.errors.items())
        # Plain text: the errors quote what was typed, and as HTML that would run as a script.
        return HttpResponseBadRequest(
            _("These filters were not understood: %(errors)s") % {"errors": errors},
            content_type="text/plain; charset=utf-8",
        )
    today = timezone.localdate()
    return EXPORTERS[fmt](_filtered(filterset, request), today.year, export_filename(today))


def _cap_warning(request: HttpRequest, account: Account) -> None:
    count = services.key_account_count(account.owner)
    cap = account.owner.effective_key_account_cap
    if account.is_key_account and count > cap:
        messages.warning(
            request,
            ngettext(
                "%(owner)s now has %(count)d key account, more than the cap of %(cap)d. Choose a few accounts only.",
                "%(owner)s now has %(count)d key accounts, more than the cap of %(cap)d. Choose a few accounts only.",
                count,
            )
            % {"owner": account.owner, "count": count, "cap": cap},
        )


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    firewall.require(request.user, "account.create")
    chosen = AccountTypeChoiceForm(request.GET)
    if not chosen.is_valid():
        raise Http404(_("Unknown account type."))
    initial = {"account_type": chosen.cleaned_data["type"] or None, "currency": "EUR", "country": request.user.country}
    form = AccountForm(request.POST if request.method == "POST" else None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        account = services.account_save(account=form.instance, by=request.user)
        messages.success(request, _("Account “%(name)s” created.") % {"name": account.name})
        _cap_warning(request, account)
        return HttpResponseRedirect(account.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/account_form.html", {"form": form, "account": None}, status=status)


@login_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_editable_account(request, pk)
    form = AccountForm(request.POST if request.method == "POST" else None, instance=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        account = services.account_save(account=form.instance, by=request.user)
        messages.success(request, _("Changes saved."))
        _cap_warning(request, account)
        return HttpResponseRedirect(account.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/account_form.html", {"form": form, "account": account}, status=status)


@login_required
@require_POST
def account_archive(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_account(request, pk)
    if not account_access(request.user, account).archive:
        raise PermissionDenied(_("Only the account's owner and their managers can archive it."))
    services.account_set_status(account=account, status=AccountStatus.ARCHIVED, by=request.user)
    messages.success(request, _("“%(name)s” was archived. You can restore it at any time.") % {"name": account.name})
    return HttpResponseRedirect(account.get_absolute_url())


@login_required
@require_POST
def account_restore(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_account(request, pk)
    if not account_access(request.user, account).archive:
        raise PermissionDenied(_("Only the account's owner and their managers can restore it."))
    services.account_set_status(account=account, status=AccountStatus.ACTIVE, by=request.user)
    messages.success(request, _("“%(name)s” is active again.") % {"name": account.name})
    return HttpResponseRedirect(account.get_absolute_url())


@login_required
def account_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_account(request, pk)
    if not account_access(request.user, account).reassign:
        raise PermissionDenied(_("Only a manager above the owner can reassign this account."))
    form = ReassignForm(request.POST if request.method == "POST" else None, user=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        services.account_reassign(account=account, new_owner=form.cleaned_data["new_owner"], by=request.user)
        messages.success(request, _("The account now belongs to %(owner)s.") % {"owner": account.owner})
        _cap_warning(request, account)
        return HttpResponseRedirect(account.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/account_reassign.html", {"form": form, "account": account}, status=status)


@login_required
def account_qualification(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_editable_account(request, pk)
    form = QualificationForm(request.POST if request.method == "POST" else None, account=account)
    if request.method == "POST" and form.is_valid():
        services.account_qualify(
            account=account,
            scores=form.scores(),
            override=form.override_value(),
            reason=form.cleaned_data.get("reason") or "",
            by=request.user,
        )
        messages.success(request, _("Qualification saved."))
        _cap_warning(request, account)
        return HttpResponseRedirect(account.get_absolute_url() + "#qualification")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/account_qualification.html", {"form": form, "account": account}, status=status)


def _formset_page(
    request: HttpRequest, pk: int, factory, template: str, queryset=None, title: str = ""
) -> HttpResponse:
    account = _get_editable_account(request, pk)
    kwargs = {"instance": account}
    if queryset is not None:
        kwargs["queryset"] = queryset
    formset = factory(request.POST if request.method == "POST" else None, **kwargs)
    if request.method == "POST" and formset.is_valid():
        try:
            services.account_rows_save(account=account, formset=formset)
        except IntegrityError as exc:
            # A new row for a key the account has already (the page was stale): it was a 500.
            if formset.constraint not in str(exc):
                raise
            formset.refuse(
                _("Nothing was saved: a new row repeats one the account has already. Reload the page and save again.")
            )
        else:
            messages.success(request, _("%(what)s saved.") % {"what": title})
            return HttpResponseRedirect(account.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"formset": formset, "account": account, "title": title}, status=status)


@login_required
def account_listings(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Listing.objects.select_related("product", "competitor_product")
    return _formset_page(request, pk, ListingFormSetFactory, "accounts/account_formset.html", qs, _("Listings"))


@login_required
def account_financials(request: HttpRequest, pk: int) -> HttpResponse:
    return _formset_page(request, pk, FinancialsFormSetFactory, "accounts/account_formset.html", None, _("Financials"))


@login_required
def account_team(request: HttpRequest, pk: int) -> HttpResponse:
    qs = AccountTeamMember.objects.select_related("user")
    return _formset_page(request, pk, TeamFormSetFactory, "accounts/account_formset.html", qs, _("Account team"))


@login_required
def account_history(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_account(request, pk)
    changes = account_changes(account, request.user)
    return render(request, "accounts/account_history.html", {"account": account, "changes": changes})
