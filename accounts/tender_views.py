"""Pages to add, change and delete an account's tenders (with their lots) and contracts.

Whoever may change the account's commercial data (``account_access(...).edit``: the owner, the
managers above, administrators) may change its tenders and contracts; the firewall (rule
``tender.edit``) keeps medical colleagues out first, with its own reason. Every account is looked
up through ``accounts_visible_to``: an account the user cannot see is a 404, and so is a tender or
contract of another account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import Account, Contract, Tender
from accounts.selectors import account_access, accounts_visible_to
from accounts.tender_forms import ContractForm, LotFormSetFactory, TenderForm
from kam import firewall

SECTION = "#tenders"


def _editable_account(request: HttpRequest, pk: int) -> Account:
    account = get_object_or_404(accounts_visible_to(request.user).select_related("owner"), pk=pk)
    firewall.require(request.user, "tender.edit")
    if not account_access(request.user, account).edit:
        raise PermissionDenied(_("Only the account's owner and their managers can change its tenders and contracts."))
    return account


def _back(account: Account) -> HttpResponseRedirect:
    return HttpResponseRedirect(account.get_absolute_url() + SECTION)


def _tender_page(request: HttpRequest, account: Account, tender: Tender | None) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    form = TenderForm(post, instance=tender, account=account)
    lots = LotFormSetFactory(post, instance=form.instance, prefix="lots")
    # All checked, so that every mistake is shown at once (the status against the lots last: it
    # reads both).
    if post is not None and all([form.is_valid(), lots.is_valid(), form.agrees_with(lots)]):
        try:
            services.tender_save(tender=form.instance, lots=lots, by=request.user)
        except IntegrityError as exc:
            # A lot number a colleague added meanwhile (a stale page): the database refuses it.
            if lots.constraint not in str(exc):
                raise
            lots.refuse(_("Nothing was saved: a lot number repeats one the tender has already. Reload and save again."))
        else:
            messages.success(request, _("Tender “%(title)s” saved.") % {"title": form.instance.title})
            return _back(account)
    context = {"form": form, "lots": lots, "account": account, "tender": tender}
    return render(request, "accounts/tender_form.html", context, status=400 if post is not None else 200)


@login_required
def tender_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _tender_page(request, _editable_account(request, pk), None)


@login_required
def tender_edit(request: HttpRequest, pk: int, tender_pk: int) -> HttpResponse:
    account = _editable_account(request, pk)
    return _tender_page(request, account, get_object_or_404(Tender, account=account, pk=tender_pk))


@login_required
@require_POST
def tender_delete(request: HttpRequest, pk: int, tender_pk: int) -> HttpResponse:
    account = _editable_account(request, pk)
    tender = get_object_or_404(Tender, account=account, pk=tender_pk)
    services.tender_or_contract_delete(row=tender, by=request.user)
    messages.success(request, _("Tender “%(title)s” deleted.") % {"title": tender.title})
    return _back(account)


def _contract_page(request: HttpRequest, account: Account, contract: Contract | None) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    form = ContractForm(post, instance=contract, account=account, user=request.user)
    if post is not None and form.is_valid():
        services.contract_save(form=form, by=request.user)
        messages.success(request, _("Contract “%(title)s” saved.") % {"title": form.instance.title})
        return _back(account)
    context = {"form": form, "account": account, "contract": contract}
    return render(request, "accounts/contract_form.html", context, status=400 if post is not None else 200)


@login_required
def contract_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _contract_page(request, _editable_account(request, pk), None)


@login_required
def contract_edit(request: HttpRequest, pk: int, contract_pk: int) -> HttpResponse:
    account = _editable_account(request, pk)
    return _contract_page(request, account, get_object_or_404(Contract, account=account, pk=contract_pk))


@login_required
@require_POST
def contract_delete(request: HttpRequest, pk: int, contract_pk: int) -> HttpResponse:
    account = _editable_account(request, pk)
    contract = get_object_or_404(Contract, account=account, pk=contract_pk)
    services.tender_or_contract_delete(row=contract, by=request.user)
    messages.success(request, _("Contract “%(title)s” deleted.") % {"title": contract.title})
    return _back(account)
