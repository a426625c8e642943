"""The public survey pages behind the link in an invitation e-mail: answer, thank you, opt out.

There is no login: the token in the URL is the credential (``tokens.invitation_token``). So
every response from these views is uncacheable, never lets the browser send its URL on as a
referrer (no-referrer), sets no cookie (no CSRF cookie either: see ``answer``) and asks search
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
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kam import lib
from kam.text import CleanTextMixin
from kam.views import error_404
from stakeholders.models import QuestionKind, Survey, SurveyInvitation, SurveyQuestion, SurveyResponse
from stakeholders.survey_texts import COMMENT_LABEL
from stakeholders.surveys import mail, page, ratelimit, responses

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
# How long a drawn blank answer form is kept (``_blank_form``): its key names what it shows, so
# this only bounds the cache, and how long a deploy's new markup waits.
FORM_CACHE_SECONDS = 600


# The survey pages load our two style sheets and nothing else: no script, no inline style, no
# other site; forms post back here only, and no other site may frame them.
SURVEY_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def survey_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Headers for every response of a survey view, the 404 for a bad token included."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = error_404(request)  # the app's own page, with its scripts and icons
        else:
            response["Content-Security-Policy"] = SURVEY_CSP
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


class SurveyAnswerForm(CleanTextMixin, forms.Form):
    """The CSAT score, the survey's further questions (fields ``q<pk>``) and a comment."""

    csat_score = forms.TypedChoiceField(
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": SCORE_REQUIRED, "invalid_choice": SCORE_REQUIRED},
    )
    comment = forms.CharField(
        label=COMMENT_LABEL,
        required=False,
        max_length=MAX_ANSWER_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, questions: list[SurveyQuestion], language: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.language = language
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question, language)

    @staticmethod
    def _field(question: SurveyQuestion, language: str) -> forms.Field:
        label, options = _label(question, language), _options(question)
        if question.kind == QuestionKind.RATING:
            return forms.TypedChoiceField(
                label=label,
                required=question.required,
                choices=options,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
            )
        if question.kind == QuestionKind.CHOICE:
            return forms.ChoiceField(label=label, required=question.required, choices=options, widget=forms.RadioSelect)
        return forms.CharField(
            label=label,
            required=question.required,
            max_length=MAX_ANSWER_TEXT,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def extra_fields(self) -> list[tuple[SurveyQuestion, forms.BoundField]]:
        """(question, bound field) pairs, for the template to draw each kind its own way."""
        return [(question, self[f"q{question.pk}"]) for question in self.questions]

    def answers(self) -> dict[str, int | str]:
        """{"<question pk>": answer}, unanswered questions left out."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value not in (None, ""):
                answers[str(question.pk)] = value
        return answers


def _label(question: SurveyQuestion, language: str) -> str:
    return question.translations.get(language) or question.text


def _options(question: SurveyQuestion) -> list[tuple[int | str, str]] | None:
    """The choices of a rating or choice question (value, label); None for free text."""
    if question.kind == QuestionKind.RATING:
        return [(n, str(n)) for n in range(1, 6)]
    if question.kind == QuestionKind.CHOICE:
        return [(str(option), str(option)) for option in question.choices]
    return None


def _invitation(token: str) -> SurveyInvitation:
    invitation = page.invitation_from_token(token)
    if invitation is None:
        raise Http404
    return invitation


def _open_until(invitation: SurveyInvitation) -> date:
    return min(invitation.expires_on, invitation.campaign.close_date)


def _page(
    request: HttpRequest, template: str, invitation: SurveyInvitation, token: str, *, status: int = 200, **context
) -> HttpResponse:
    """Render in the active (the invitation's) language with what every survey page shows.

    Without the request: the pages show nothing of whoever may be signed in on this browser, so
    no context processor runs (the user, the messages, the request), and none could put it there.
    """
    language = translation.get_language()
    context = {
        "company": settings.COMPANY_NAME,
        "account": invitation.account.name,
        "language": language,
        "token": token,
        "drawn_cache_seconds": lib.DRAWN_CACHE_SECONDS,
        **context,
    }
    response = HttpResponse(render_to_string(template, context), status=status)
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
    return ratelimit.allow_client(request, "survey-submit", limit, window)


# No CSRF check, as for the opt-out below. The check protects requests that ride on the browser's
# ambient credentials (the session cookie); an answer rides on none: the secret token in the URL is
# its only credential, so a forged cross-site submit would need the token, and whoever has it can
# submit directly. Without the check the public pages set no cookie on a customer's browser, and
# the form page can send no referrer too (under no-referrer a browser sends "Origin: null" with
# every POST, same-origin ones included, and the check refuses that).
@csrf_exempt
@survey_page
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    with translation.override(mail.invitation_language(invitation)):
        if request.method == "POST" and not _submit_allowed(request):
            _limit, window = getattr(settings, "SURVEY_RATE_LIMIT", DEFAULT_RATE_LIMIT)
            response = _page(request, "survey/rate_limited.html", invitation, token, status=429)
            response["Retry-After"] = str(window)
            return response
        if not responses.invitation_is_open(invitation):
            return _page(request, "survey/closed.html", invitation, token, status=410)
        survey = invitation.campaign.survey
        language = translation.get_language()
        questions = list(survey.questions.all())
        existing = responses.existing_response(invitation)
        if request.method == "POST":
            form = SurveyAnswerForm(request.POST, questions=questions, language=language)
            if form.is_valid():
                try:
                    responses.record_response(
                        invitation=invitation,
                        csat_score=form.cleaned_data["csat_score"],
                        answers=form.answers(),
                        comment=form.cleaned_data["comment"],
                    )
                except responses.InvitationClosed:
                    # Closed between showing the form and submitting it.
                    return _page(request, "survey/closed.html", invitation, token, status=410)
                return redirect("survey:thanks", token)
            return _answer_page(request, invitation, token, questions=questions, existing=existing, form=form)
        score = request.GET.get("score")
        return _answer_page(request, invitation, token, questions=questions, existing=existing, score=score)


def _answer_page(
    request: HttpRequest,
    invitation: SurveyInvitation,
    token: str,
    *,
    questions: list[SurveyQuestion],
    existing: SurveyResponse | None,
    form: SurveyAnswerForm | None = None,
    score: str | None = None,
) -> HttpResponse:
    """The form: with a refused submit's input and errors (400), else with the earlier answer and
    the score from the link."""
    survey = invitation.campaign.survey
    if form is None and existing is None:
        blank = _blank_form(survey, questions, score)
        return _page(request, "survey/answer.html", invitation, token, blank_form=blank)
    language = translation.get_language()
    status = 200 if form is None else 400
    if form is None:
        form = SurveyAnswerForm(initial=_initial(existing, score), questions=questions, language=language)
    context = {"form": form, "existing": existing, "open_until": _open_until(invitation)}
    return _page(request, "survey/answer.html", invitation, token, status=status, **_survey_texts(survey), **context)


def _survey_texts(survey: Survey) -> dict:
    language = translation.get_language()
    return {"question": survey.text("csat_question", language), "intro": survey.text("intro_text", language)}


def _blank_form(survey: Survey, questions: list[SurveyQuestion], score: str | None) -> str:
    """The answer form without input or earlier answer (heading, introduction, fields, button):
    the same for every invitee of the survey, so drawn once per survey version
    (``page.survey_digest``), language and score from the link, and kept in each process's own
    cache ("local": the key names all it shows, so it needs no forgetting). Nothing of the invitee
    is in it. Measured behind gunicorn: building the form and drawing it
    were a quarter of the page's cost.
    """
    language = translation.get_language()
    initial = _initial(None, score)
    parts = (survey.shown_digest, language, initial.get("csat_score"), MAX_ANSWER_TEXT)
    key = "survey-form:" + lib.digest(parts)

    def draw() -> str:
        form = SurveyAnswerForm(initial=initial, questions=questions, language=language)
        return render_to_string("survey/_answer_form.html", {"form": form, **_survey_texts(survey)})

    return lib.cached(key, draw, FORM_CACHE_SECONDS, alias="local")


@survey_page
@require_http_methods(["GET", "HEAD"])
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    with translation.override(mail.invitation_language(invitation)):
        if responses.existing_response(invitation) is None:
            return redirect("survey:answer", token)
        return _page(
            request,
            "survey/thanks.html",
            invitation,
            token,
            can_change=responses.invitation_is_open(invitation),
            open_until=_open_until(invitation),
        )


# Mail clients send the one-click unsubscribe of RFC 8058 as a POST without cookies (body
# "List-Unsubscribe=One-Click"), so this view could not require a CSRF token anyway. That is safe: a
# forged request would need the secret token in the URL, and all it can do is stop survey
# e-mails to that token's own holder. Opting out works for expired invitations too.
@csrf_exempt
@survey_page
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    with translation.override(mail.invitation_language(invitation)):
        if request.method == "POST":
            responses.opt_out(invitation=invitation)
            return _page(request, "survey/opted_out.html", invitation, token)
        return _page(
            request, "survey/opt_out.html", invitation, token, opted_out_at=invitation.person.survey_opt_out_at
        )
