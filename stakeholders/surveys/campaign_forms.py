"""Survey campaign forms: bad input becomes a clear error and what was typed stays on the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountType, Tier
from accounts.selectors import accounts_visible_to, users_assignable_by
from kam.models import Country, User
from kam.text import CleanTextMixin
from stakeholders.models import Survey, SurveyCampaign
from stakeholders.surveys.audience import campaign_accounts

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

SEND_NOW, SEND_LATER = "now", "later"
AUDIENCE_FIELDS = ("account_types", "tiers", "owners", "regions", "countries")


class CampaignForm(CleanTextMixin, forms.ModelForm):
    """A new campaign. The audience filters become ``campaign.audience``; for anyone but an
    administrator the accounts are also pinned to those the creator can see (see ``clean``)."""

    account_types = forms.MultipleChoiceField(
        label=_("Account types"), choices=AccountType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    owners = forms.ModelMultipleChoiceField(
        label=_("Owners (KAMs)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6, "data-search": ""}),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        choices=[],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6, "data-search": ""}),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=Country.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6, "data-search": ""}),
    )
    send_mode = forms.ChoiceField(
        label=_("Send"),
        choices=[(SEND_NOW, _("Now, after the preview")), (SEND_LATER, _("At a scheduled time"))],
        initial=SEND_NOW,
        widget=forms.RadioSelect,
    )
    send_at = forms.DateTimeField(label=_("Scheduled time"), required=False, widget=DATETIME)
    recurrence_months = forms.IntegerField(
        label=_("Repeat every (months)"),
        required=False,
        min_value=1,
        max_value=24,
        help_text=_("Optional, 1–24. Leave empty for a one-off campaign."),
    )
    throttle_days = forms.IntegerField(
        label=_("Do not survey anyone surveyed within (days)"),
        initial=90,
        min_value=30,
        max_value=730,
        help_text=_("Never survey the same person more often than every 30–90 days."),
    )
    reminder_after_days = forms.IntegerField(
        label=_("Remind non-responders after (days)"), initial=7, min_value=1, max_value=30
    )

    class Meta:
        model = SurveyCampaign
        fields = [
            "name",
            "survey",
            "close_date",
            "recurrence_months",
            "anonymous",
            "throttle_days",
            "reminder_after_days",
        ]
        widgets = {"close_date": DATE}
        help_texts = {
            "anonymous": _(
                "Results are shown only for groups of at least five answers; no per-person scores and no "
                "follow-ups on low scores."
            ),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["survey"].empty_label = None
        default = Survey.objects.filter(is_default=True).values_list("pk", flat=True).first()
        if default is not None:
            self.fields["survey"].initial = default
        self.fields["owners"].queryset = users_assignable_by(user).assignable().order_by("last_name", "first_name")
        regions = (
            accounts_visible_to(user).exclude(region="").values_list("region", flat=True).distinct().order_by("region")
        )
        self.fields["regions"].choices = [(r, r) for r in regions]
        self.audience: dict[str, list] = {}

    def clean_send_at(self):
        send_at = self.cleaned_data.get("send_at")
        if self.cleaned_data.get("send_mode") != SEND_LATER:
            return None
        if send_at is None:
            raise forms.ValidationError(_("Choose the time to send, or send now."))
        if send_at <= timezone.now():
            raise forms.ValidationError(_("The scheduled time must be in the future."))
        return send_at

    def clean_close_date(self):
        close_date = self.cleaned_data["close_date"]
        if close_date <= timezone.localdate():
            raise forms.ValidationError(_("The close date must be in the future."))
        return close_date

    def clean(self) -> dict:
        data = super().clean()
        send_at = data.get("send_at") or timezone.now()
        close_date = data.get("close_date")
        if close_date and "send_at" not in self.errors and close_date <= timezone.localdate(send_at):
            self.add_error(
                "close_date",
                _("The close date must be after the send date (%(date)s).")
                % {"date": date_format(timezone.localdate(send_at), "SHORT_DATE_FORMAT")},
            )
        if not any(f in self.errors for f in AUDIENCE_FIELDS):
            self._clean_audience(data)
        return data

    def _clean_audience(self, data: dict) -> None:
        """Turn the filters into ``audience``. A manager's audience is pinned to the accounts they
        can see, stored on the campaign, so that a scheduled dispatch (run later, by nobody in
        particular) still respects the scope of the person who set it up."""
        rules: dict[str, list] = {}
        for name in AUDIENCE_FIELDS:
            values = data.get(name) or []
            if values:
                rules[name] = [u.pk for u in values] if name == "owners" else list(values)
        accounts = campaign_accounts(SurveyCampaign(audience=rules))
        if not self.user.is_administrator:
            accounts = accounts.filter(pk__in=accounts_visible_to(self.user).values("pk"))
            ids = list(accounts.order_by("pk").values_list("pk", flat=True))
            if not ids:
                raise forms.ValidationError(_("None of your active key accounts matches these filters."))
            rules["accounts"] = ids
        elif not accounts.exists():
            raise forms.ValidationError(_("No active key account matches these filters."))
        self.audience = rules

    def save(self, commit: bool = True) -> SurveyCampaign:
        campaign = super().save(commit=False)
        campaign.audience = self.audience
        campaign.send_at = self.cleaned_data.get("send_at") or timezone.now()
        campaign.created_by = self.user
        if commit:
            campaign.save()
        return campaign


class FollowUpCloseForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Called Dr. Weber, agreed on a delivery fix")}),
    )
