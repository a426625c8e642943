"""The handover page's forms: one row per account of the leaver (successor and note) and the
confirmation. The successors are read once for the page and grouped per row, the account's own
team first (``kam.owner_choices``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import HANDOVER_NOTE_MAX, Account, AccountTeamMember
from accounts.selectors import users_assignable_by
from kam.compliance import PatientDataCheckMixin
from kam.models import MEDICAL_ROLES, User
from kam.owner_choices import Colleagues, colleagues, offer, regrouped
from kam.text import CleanTextMixin

ROWS_PREFIX = "handover"
ACCOUNTS_CHANGED = _("The accounts of this person changed while the page was open; check this row again.")


class HandoverRowForm(PatientDataCheckMixin, CleanTextMixin, forms.Form):
    """One account of the leaver: its successor and the note, which the successor is mailed and
    the account page shows, so it is checked for patient data as every free text is."""

    # Which account the row was drawn for: a row whose account changed is refused, not misapplied.
    account_id = forms.IntegerField(widget=forms.HiddenInput)
    successor = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Successor"))
    note = forms.CharField(
        label=_("Handover note"),
        required=False,
        max_length=HANDOVER_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, account: Account, found: Colleagues, **kwargs) -> None:
        super().__init__(*args, initial={"account_id": account.pk}, **kwargs)
        self.account = account
        offer(self.fields["successor"], found)
        self.fields["successor"].widget.attrs["aria-label"] = _("Successor for %(account)s") % {"account": account.name}
        self.fields["note"].widget.attrs["aria-label"] = _("Handover note for %(account)s") % {"account": account.name}

    def clean_account_id(self) -> int:
        value = self.cleaned_data["account_id"]
        if value != self.account.pk:
            raise forms.ValidationError(ACCOUNTS_CHANGED, code="accounts_changed")
        return value


class HandoverConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Deactivate this person and hand each account to the successor chosen for it"), required=True
    )


def handover_accounts(leaving: User) -> list[Account]:
    """Every account the leaver owns, archived ones too: each needs a successor."""
    return list(
        Account.objects.filter(owner=leaving)
        .only("pk", "name", "city", "status", "account_type")
        .order_by("name", "pk")
    )


def handover_rows(data, *, by: User, leaving: User, accounts: list[Account]) -> list[HandoverRowForm]:
    """One bound (or unbound) row per account, in a fixed number of queries: the successors any
    row may offer (colleagues on the leaver's account teams, then whom ``by`` may assign; never
    the leaver, an administrator, an inactive user or a medical colleague, who owns no account),
    and the teams, to put each account's own team first."""
    not_owners = {"pk": leaving.pk}
    team_users = User.objects.filter(account_teams__account__owner=leaving).exclude(**not_owners)
    found = colleagues(
        team=team_users.exclude(role__in=MEDICAL_ROLES),
        others=users_assignable_by(by).exclude(**not_owners).exclude(role__in=MEDICAL_ROLES),
    )
    teams: dict[int, set[int]] = {}
    for account_id, user_id in AccountTeamMember.objects.filter(account__in=[a.pk for a in accounts]).values_list(
        "account_id", "user_id"
    ):
        teams.setdefault(account_id, set()).add(user_id)
    return [
        HandoverRowForm(
            data,
            prefix=f"{ROWS_PREFIX}-{i}",
            account=account,
            found=regrouped(found, teams.get(account.pk, ())),
        )
        for i, account in enumerate(accounts)
    ]
