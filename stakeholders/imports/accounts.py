"""Importing accounts (a Veeva-style account export): matched on the CRM id, parents by theirs.

Accounts come by the thousand, not the hundred thousand: each row is saved on its own (in a
savepoint), so model validation and history run as for a form, and a row the database refuses is
a rejection rather than a lost chunk. Only accounts the importing user may edit are written; a new
account is theirs unless the owner column names someone they may assign."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Account, AccountType, Currency, Tier
from accounts.selectors import accounts_visible_to, users_assignable_by
from kam.models import Country, User, subordinate_ids
from stakeholders.imports.engine import Row, Run, changes, message, text
from stakeholders.imports.values import BadValue, normalise, parse_choice, parse_decimal, parse_int

ACCOUNT_TYPES = {
    "wholesaler": AccountType.WHOLESALER,
    "wholesale": AccountType.WHOLESALER,
    "grosshandel": AccountType.WHOLESALER,
    "grosshaendler": AccountType.WHOLESALER,
    "distributor": AccountType.WHOLESALER,
    "pharmacy": AccountType.PHARMACY,
    "pharmacie": AccountType.PHARMACY,
    "apotheke": AccountType.PHARMACY,
    "hospital": AccountType.HOSPITAL,
    "krankenhaus": AccountType.HOSPITAL,
    "klinik": AccountType.HOSPITAL,
    "clinic": AccountType.HOSPITAL,
    "hopital": AccountType.HOSPITAL,
    "spital": AccountType.HOSPITAL,
}
COUNTRIES = {normalise(str(label)): code for code, label in Country.choices} | {
    "deutschland": "DE",
    "oesterreich": "AT",
    "schweiz": "CH",
    "frankreich": "FR",
    "italien": "IT",
    "spanien": "ES",
    "niederlande": "NL",
    "belgien": "BE",
    "uk": "GB",
    "great britain": "GB",
}
DECIMALS = ("annual_turnover", "turnover_goal", "gross_margin_pct", "average_discount_pct")


class AccountRun(Run):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visible = accounts_visible_to(self.user)
        # Who may edit an account, as accounts.selectors.account_access decides it: administrators
        # all, managers their own and their team's, anyone else their own. None means all.
        if self.user.is_administrator:
            self.editors_of: set[int] | None = None
        elif self.user.is_manager:
            below = User.objects.filter(pk__in=subordinate_ids(self.user)).values_list("pk", flat=True)
            self.editors_of = {self.user.pk, *below}
        else:
            self.editors_of = {self.user.pk}
        self.owners: dict[str, User | None] = {}
        self.seen: set[str] = set()  # CRM ids accepted so far in this file
        self.deferred: list[Row] = []

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        crm_id = values.get("crm_id", "")
        if not crm_id:
            raise BadValue(_("No external id: without it the row could not be matched on the next import."))
        data["crm_id"] = text(crm_id, Account, "crm_id")
        for field in ("name", "region", "city"):
            if values.get(field):
                data[field] = text(values[field], Account, field)
        address = ", ".join(v for v in (values.get("address", ""), values.get("postcode", "")) if v)
        if address:
            data["address"] = text(address, Account, "address")
        if values.get("account_type"):
            data["account_type"] = parse_choice(values["account_type"], ACCOUNT_TYPES, _("account type"))
        if values.get("country"):
            code = values["country"].strip().upper()
            data["country"] = (
                code if code in Country.values else parse_choice(values["country"], COUNTRIES, _("country"))
            )
        if values.get("currency"):
            code = values["currency"].strip().upper()
            if code not in Currency.values:
                raise BadValue(_("“%(value)s” is not a known currency.") % {"value": code[:10]})
            data["currency"] = code
        if values.get("tier"):
            tier = values["tier"].strip().upper()
            if tier not in Tier.values:
                raise BadValue(_("Tier must be A, B or C."))
            data["tier"] = tier
        if values.get("beds"):
            data["beds"] = parse_int(values["beds"], 0, 100_000)
        for field in DECIMALS:
            if values.get(field):
                data[field] = parse_decimal(values[field]).quantize(Decimal("0.01"))
        if values.get("owner"):
            data["owner"] = self.owner(values["owner"])
        return data

    def owner(self, name: str) -> User:
        key = name.strip().lower()
        if key not in self.owners:
            self.owners[key] = (
                users_assignable_by(self.user)
                .assignable()
                .filter(Q(email__iexact=key) | Q(username__iexact=key))
                .first()
            )
        found = self.owners[key]
        if found is None:
            raise BadValue(_("“%(value)s” is not someone you may make an account's owner.") % {"value": name[:60]})
        return found

    def process(self, rows: list[Row], *, final: bool = False) -> None:
        for line, cells in rows:
            try:
                data = self.clean(self.values(cells))
            except BadValue as exc:
                self.reject(line, cells, str(exc))
                continue
            if data["crm_id"] in self.seen:
                self.reject(line, cells, _("This external id appears earlier in the file."))
                continue
            parent_id = values_parent = self.values(cells).get("parent", "")
            if values_parent:
                parent_id = self.visible.filter(crm_id=values_parent).values_list("pk", flat=True).first()
                if parent_id is None and not self.apply and values_parent in self.seen:
                    parent_id = 0  # created earlier in this dry run
                if parent_id is None:
                    if not final:
                        self.deferred.append((line, cells))
                        continue
                    self.reject(
                        line,
                        cells,
                        _("The parent account “%(id)s” is not among the accounts you can see.")
                        % {"id": values_parent[:64]},
                    )
                    continue
            self.row(line, cells, data, parent_id or None)

    def row(self, line: int, cells: list[str], data: dict[str, Any], parent_id: int | None) -> None:
        account = Account.objects.filter(crm_id=data["crm_id"]).first()
        if account is not None and not (
            self.visible.filter(pk=account.pk).exists()
            and (self.editors_of is None or account.owner_id in self.editors_of)
        ):
            self.reject(line, cells, _("An account with this external id exists and you may not edit it."))
            return
        if parent_id is not None:
            data["parent_id"] = parent_id
        if account is None:
            missing = [str(Account._meta.get_field(f).verbose_name) for f in ("name", "account_type") if f not in data]
            if missing:
                self.reject(line, cells, _("A new account needs: %(fields)s.") % {"fields": ", ".join(missing)})
                return
            data.setdefault("country", self.user.country or Country.DE)
            data.setdefault("owner", self.user)
            account = Account(**data)
            outcome = "created"
        else:
            if (
                "owner" in data
                and data["owner"].pk != account.owner_id
                and not (self.editors_of is None or self.user.is_manager)
            ):
                self.reject(line, cells, _("Only managers above the owner may hand an account over."))
                return
            outcome = "updated" if changes(account, data) else "unchanged"
        if outcome != "unchanged" and self.apply:
            try:
                with transaction.atomic():
                    account.full_clean(validate_unique=False, validate_constraints=False)
                    self.stamp(account).save()
            except ValidationError as exc:
                self.reject(line, cells, message(exc))
                return
            except IntegrityError:
                self.reject(line, cells, _("The database refused this row (a conflicting account)."))
                return
        elif outcome != "unchanged":
            try:
                account.full_clean(exclude=["parent", "owner"], validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                self.reject(line, cells, message(exc))
                return
        self.seen.add(data["crm_id"])
        self.counts[outcome] += 1

    def finish(self) -> None:
        deferred, self.deferred = self.deferred, []
        self.process(deferred, final=True)
