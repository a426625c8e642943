"""The form that records a person's survey consent."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.text import CleanTextMixin
from stakeholders.consent import DEFAULT_WORDING
from stakeholders.models import ConsentChannel, ConsentMethod, SurveyConsent


class ConsentForm(CleanTextMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsentChannel.choices, initial=ConsentChannel.EMAIL)
    method = forms.ChoiceField(label=_("How it was given"), choices=ConsentMethod.choices, initial=ConsentMethod.FORM)
    given_on = forms.DateField(label=_("Given on"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(
        label=_("Where"),
        max_length=SurveyConsent._meta.get_field("source").max_length,
        help_text=_("e.g. signed form at the visit of 3 March, reply to our e-mail of 12 May"),
    )
    wording = forms.CharField(
        label=_("Wording agreed to"),
        max_length=SurveyConsent._meta.get_field("wording").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=DEFAULT_WORDING,
    )

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("Consent cannot be given in the future."))
        return given_on
