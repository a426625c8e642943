"""The public survey pages behind the link in an invitation e-mail: answer, thank you, opt out.

There is no login: the token in the URL is the credential (``surveys.invitation_token``). So
every response from these views is uncacheable, never lets the browser send its URL on as a
referrer (no-referrer; strict-origin on the form page, see FORM_REFERRER_POLICY) and asks search
engines to stay away; an unknown or tampered token gets the app's ordinary 404, which says
nothing about why. GET never changes anything, because mail gateways open links to
scan them: a ?score=N link only preselects the score.

Pages are rendered in the invitation's language and show only our company name, the account's
name and the survey: nothing about the user who may happen to be logged in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kam.views import error_404
from kam.widgets import QuickRadioSelect
from stakeholders import ratelimit, surveys
from stakeholders.models import QuestionKind, SurveyInvitation, SurveyQuestion, SurveyResponse

MAX_ANSWER_TEXT = 2000
SCORES = [
    (1, _("1 – very dissatisfied")),
    (2, _("2 – dissatisfied")),
    (3, _("3 – neutral")),
    (4, _("4 – satisfied")),
    (5, _("5 – very satisfied")),
]
SCORE_REQUIRED = _("Please choose a score from 1 to 5.")
# Submits per client address and window (seconds); the lead may set SURVEY_RATE_LIMIT in settings.
DEFAULT_RATE_LIMIT = (20, 600)


# The page with the answer form cannot use no-referrer: under that policy browsers send
# "Origin: null" with the form's POST, and Django's CSRF check rejects every submit. strict-origin
# sends only "https://our-host", never the path, so the token still never leaves in a Referer
# (and the page loads nothing from other sites anyway).
FORM_REFERRER_POLICY = "strict-origin"


def survey_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Headers for every response of a survey view, the 404 for a bad token included."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = error_404(request)
        add_never_cache_headers(response)  # Cache-Control: ... no-store ..., private
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


class SurveyAnswerForm(forms.Form):
    """The CSAT score, the survey's further questions (fields ``q<pk>``) and a comment."""

    csat_score = forms.TypedChoiceField(
        choices=SCORES,
        coerce=int,
        widget=QuickRadioSelect,
        error_messages={"required": SCORE_REQUIRED, "invalid_choice": SCORE_REQUIRED},
    )
    comment = forms.CharField(
        label=_("Anything else you would like to tell us?"),
        required=False,
        max_length=MAX_ANSWER_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, questions: list[SurveyQuestion], language: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question, language)

    @staticmethod
    def _field(question: SurveyQuestion, language: str) -> forms.Field:
        label = question.translations.get(language) or question.text
        if question.kind == QuestionKind.RATING:
            return forms.TypedChoiceField(
                label=label,
                required=question.required,
                choices=[(n, str(n)) for n in range(1, 6)],
                coerce=int,
                empty_value=None,
                widget=QuickRadioSelect,
            )
        if question.kind == QuestionKind.CHOICE:
            options = [(str(option), str(option)) for option in question.choices]
            return forms.ChoiceField(label=label, required=question.required, choices=options, widget=QuickRadioSelect)
        return forms.CharField(
            label=label,
            required=question.required,
            max_length=MAX_ANSWER_TEXT,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def extra_fields(self) -> list[tuple[SurveyQuestion, forms.BoundField]]:
        return [(question, self[f"q{question.pk}"]) for question in self.questions]

    def answers(self) -> dict[str, int | str]:
        """{"<question pk>": answer}, unanswered questions left out."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value not in (None, ""):
                answers[str(question.pk)] = value
        return answers


def _invitation(token: str) -> SurveyInvitation:
    invitation = surveys.invitation_from_token(token)
    if invitation is None:
        raise Http404
    return invitation


def _open_until(invitation: SurveyInvitation) -> date:
    return min(invitation.expires_on, invitation.campaign.close_date)


def _page(
    request: HttpRequest, template: str, invitation: SurveyInvitation, token: str, *, status: int = 200, **context
) -> HttpResponse:
    """Render in the active (the invitation's) language with what every survey page shows."""
    language = translation.get_language()
    context = {
        "company": settings.COMPANY_NAME,
        "account": invitation.account.name,
        "language": language,
        "token": token,
        **context,
    }
    response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return response


def _initial(existing: SurveyResponse | None, score: str | None) -> dict:
    initial: dict = {}
    if existing is not None:
        initial = {"csat_score": existing.csat_score, "comment": existing.comment}
        initial.update({f"q{pk}": value for pk, value in existing.answers.items()})
    if score in {"1", "2", "3", "4", "5"}:
        # The score clicked in the e-mail wins over an earlier answer: it is the newer intent.
        initial["csat_score"] = int(score)
    return initial


def _submit_allowed(request: HttpRequest) -> bool:
    limit, window = getattr(settings, "SURVEY_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    return ratelimit.allow(f"survey-submit:{request.META.get('REMOTE_ADDR', '')}", limit, window)


@survey_page
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    with translation.override(surveys.invitation_language(invitation)):
        if request.method == "POST" and not _submit_allowed(request):
            _limit, window = getattr(settings, "SURVEY_RATE_LIMIT", DEFAULT_RATE_LIMIT)
            response = _page(request, "survey/rate_limited.html", invitation, token, status=429)
            response["Retry-After"] = str(window)
            return response
        if not surveys.invitation_is_open(invitation):
            return _page(request, "survey/closed.html", invitation, token, status=410)
        survey = invitation.campaign.survey
        language = translation.get_language()
        questions = list(survey.questions.all())
        existing = surveys.existing_response(invitation)
        status = 200
        if request.method == "POST":
            form = SurveyAnswerForm(request.POST, questions=questions, language=language)
            if form.is_valid():
                try:
                    surveys.record_response(
                        invitation=invitation,
                        csat_score=form.cleaned_data["csat_score"],
                        answers=form.answers(),
                        comment=form.cleaned_data["comment"],
                    )
                except surveys.InvitationClosed:
                    # Closed between showing the form and submitting it.
                    return _page(request, "survey/closed.html", invitation, token, status=410)
                return redirect("survey:thanks", token)
            status = 400
        else:
            form = SurveyAnswerForm(
                initial=_initial(existing, request.GET.get("score")), questions=questions, language=language
            )
        response = _page(
            request,
            "survey/answer.html",
            invitation,
            token,
            status=status,
            form=form,
            intro=survey.text("intro_text", language),
            question=survey.text("csat_question", language),
            existing=existing,
            open_until=_open_until(invitation),
        )
        response["Referrer-Policy"] = FORM_REFERRER_POLICY
        return response


@survey_page
@require_http_methods(["GET", "HEAD"])
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    with translation.override(surveys.invitation_language(invitation)):
        if surveys.existing_response(invitation) is None:
            return redirect("survey:answer", token)
        return _page(
            request,
            "survey/thanks.html",
            invitation,
            token,
            can_change=surveys.invitation_is_open(invitation),
            open_until=_open_until(invitation),
        )


# Mail clients send the one-click unsubscribe of RFC 8058 as a POST without cookies (body
# "List-Unsubscribe=One-Click"), so this one view cannot require a CSRF token. That is safe: a
# forged request would need the secret token in the URL, and all it can do is stop survey
# e-mails to that token's own holder. Opting out works for expired invitations too.
@csrf_exempt
@survey_page
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    with translation.override(surveys.invitation_language(invitation)):
        if request.method == "POST":
            surveys.opt_out(invitation=invitation)
            return _page(request, "survey/opted_out.html", invitation, token)
        return _page(
            request, "survey/opt_out.html", invitation, token, opted_out_at=invitation.person.survey_opt_out_at
        )
