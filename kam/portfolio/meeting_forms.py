"""The review meeting's two forms: who takes part when it starts, and a decision on an account."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Account
from kam import patient_data
from kam.compliance import kinds_text
from kam.models import User
from kam.owner_choices import offer
from kam.portfolio.meetings import owner_colleagues, participant_choices
from kam.text import CleanTextMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A decision's due date is offered this many days ahead (no later than its plan's period ends).
DEFAULT_DUE_DAYS = 14


class MeetingStartForm(forms.Form):
    participants = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Participants besides you"),
        help_text=_("Your team is ticked; colleagues with a seat on the team's key accounts may be added."),
    )

    def __init__(self, *args, manager: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = participant_choices(manager)
        self.fields["participants"].queryset = choices
        if not self.is_bound:
            self.initial["participants"] = list(choices.filter(pk__in=User.objects.below(manager).values("pk")))


class DecisionForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=pgettext_lazy("review meeting", "Decision"), max_length=200)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Owner"))
    due_date = forms.DateField(label=_("Due"), widget=DATE)

    def __init__(
        self, *args, account: Account, today: date | None = None, latest_due: date | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        found = owner_colleagues(account)
        offer(self.fields["owner"], found)
        # Less typing: the account's owner and a fortnight, each changeable.
        if account.owner_id in found.assignable:
            self.initial.setdefault("owner", account.owner_id)
        due = self.today + timedelta(days=DEFAULT_DUE_DAYS)
        self.initial.setdefault("due_date", min(due, latest_due) if latest_due and latest_due >= self.today else due)
        self.fields["title"].widget.attrs["placeholder"] = _("What was decided")

    def clean_title(self) -> str:
        title = self.cleaned_data["title"]
        if findings := patient_data.find(title):
            # A decision is a line of the minutes, mailed to every participant: it carries none,
            # so there is nothing to confirm here (the step pages' notes may, with a reason).
            raise forms.ValidationError(
                _("This looks like patient data (%(kinds)s). A decision goes into the minutes: write it without."),
                code="patient_data",
                params={"kinds": kinds_text(findings)},
            )
        return title

    def clean_due_date(self) -> date:
        due = self.cleaned_data["due_date"]
        if due < self.today:
            raise forms.ValidationError(_("Choose a due date from today on."), code="past")
        return due
