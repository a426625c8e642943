"""The public survey pages behind the link in an invitation e-mail: answer, thank you, opt out.

There is no login: the token in the URL is the credential (``surveys.invitation_token``). So
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
import secrets
from collections.abc import Callable
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.html import conditional_escape
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kam.text import CleanTextMixin
from kam.views import error_404
from stakeholders import ratelimit, surveys
from stakeholders.models import QuestionKind, SurveyInvitation, SurveyQuestion, SurveyResponse
from stakeholders.survey_texts import COMMENT_LABEL

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


# Every response, the answer form included, is never cached and sends no referrer.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
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
        if "Cache-Control" in response or "Expires" in response:
            add_never_cache_headers(response)  # merges with what the view set
        else:  # what add_never_cache_headers writes, without parsing and re-joining the header
            response["Cache-Control"] = NEVER_CACHE
            response["Expires"] = http_date()
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

    def fields_html(self, question: str) -> SafeString:
        """``answer_fields_html`` with this form's input and errors."""
        return answer_fields_html(
            question=question,
            questions=self.questions,
            language=self.language,
            values={name: self[name].value() for name in self.fields},
            errors={name: errors[0] for name, errors in self.errors.items()} if self.is_bound else {},
        )

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


# The answer form's fields are drawn in Python, from the questions, without a form when there is
# no input to check: through Django's widgets and the template language they cost more than the
# rest of the page (the public page every invited person opens). The markup is what our template
# and Django's radio widgets drew; tests/stakeholders/test_survey_form_markup.py holds it to that.


def answer_fields_html(
    *, question: str, questions: list[SurveyQuestion], language: str, values: dict, errors: dict[str, str]
) -> SafeString:
    """The score (under ``question``), the survey's questions and the comment, as the answer
    page's form shows them: with ``values`` (a form's initial or submitted values, by field name)
    and ``errors`` (the first error per field name)."""
    texts = _field_texts(language)

    def radios(name: str, options: tuple, **kwargs) -> str:
        value, error = values.get(name), errors.get(name, "")
        chosen = "" if value is None else str(value)  # what the radio widget compares, as text
        # An error may quote the input: drawn afresh, not kept.
        draw = _radios_html.__wrapped__ if error else _radios_html
        return draw(name, options, chosen, error, **kwargs)

    out = [radios("csat_score", texts["scores"], legend=question, hint=None, required=True)]
    for survey_question in questions:
        name, options = f"q{survey_question.pk}", _options(survey_question)
        label, required = _label(survey_question, language), survey_question.required
        if options is None:
            out.append(_textarea_html(name, label, values, errors, texts["optional_text" if not required else "text"]))
            continue
        rating = survey_question.kind == QuestionKind.RATING
        hint = texts["scale"] + ("" if required else " · ") if rating else ""
        if not required:
            hint += texts["optional"]
        out.append(radios(name, tuple(options), legend=label, hint=hint, required=required, row=rating))
    out.append(_textarea_html("comment", texts["comment"], values, errors, texts["optional_text"]))
    return mark_safe("".join(out))  # every value in it is escaped


@functools.lru_cache(maxsize=16)
def _field_texts(language: str) -> dict:
    """The fields' own words in ``language``, looked up once."""
    with translation.override(language):
        limit = gettext("up to %(max)s characters") % {"max": MAX_ANSWER_TEXT}
        return {
            "scores": tuple((value, str(label)) for value, label in SCORES),
            "comment": str(COMMENT_LABEL),
            "scale": gettext("1 = lowest, 5 = highest"),
            "optional": gettext("Optional"),
            "text": limit,
            "optional_text": gettext("Optional") + " · " + limit,
        }


# Options, labels and hints come from our code and the survey, the chosen value is compared with
# the options: so the same fieldset is drawn for many invitations (a survey's scales).
@functools.lru_cache(maxsize=1024)
def _radios_html(
    name: str,
    options: tuple,
    chosen: str,
    error: str,
    *,
    legend: str,
    hint: str | None,
    required: bool,
    row: bool = False,
) -> str:
    """A fieldset of radio buttons; the score's has no hint and names only its error."""
    error = conditional_escape(error)
    if hint is None:
        described = f' class="has-error" aria-describedby="{name}-error"' if error else ""
    else:
        error_class, error_id = (' class="has-error"', f" {name}-error") if error else ("", "")
        described = f'{error_class} aria-describedby="{name}-hint{error_id}"'
    out = [f'<fieldset id="field-{name}"{described}>\n<legend>{conditional_escape(legend)}</legend>\n']
    if hint is not None:
        out.append(f'<p class="scale-hint" id="{name}-hint">{conditional_escape(hint)}</p>\n')
    if error:
        out.append(f'<p class="field-error" id="{name}-error">{error}</p>\n')
    out.append(f'<div class="options{" options--row" if row else ""}">\n')
    # As Django's RadioSelect: the first option equal to the value as text is checked; attributes
    # in flatatt's order (those with a value sorted, then the bare ones sorted).
    invalid, must = (' aria-invalid="true"' if error else "", " required" if required else "")
    checked = False
    for index, (option, label) in enumerate(options):
        check = " checked" if not checked and str(option) == chosen else ""
        checked = checked or bool(check)
        out.append(
            f'<label class="option" for="id_{name}_{index}"><input type="radio" name="{name}"'
            f' value="{conditional_escape(option)}"{invalid} id="id_{name}_{index}"{check}{must}>'
            f"<span>{conditional_escape(label)}</span></label>\n"
        )
    out.append("</div>\n</fieldset>\n")
    return "".join(out)


def _textarea_html(name: str, label: str, values: dict, errors: dict[str, str], hint: str) -> str:
    error = conditional_escape(errors[name]) if name in errors else ""
    value = values.get(name)
    described = f"{name}-hint{f' {name}-error' if error else ''}"
    return "".join(
        [
            f'<div class="mb-4{" has-error" if error else ""}" id="field-{name}">\n',
            f'<label class="form-label" for="id_{name}">{conditional_escape(label)}</label>\n',
            f'<p class="scale-hint mt-0" id="{name}-hint">{conditional_escape(hint)}</p>\n',
            f'<p class="field-error" id="{name}-error">{error}</p>\n' if error else "",
            f'<textarea class="form-control" name="{name}" id="id_{name}" rows="4" maxlength="{MAX_ANSWER_TEXT}"'
            f' aria-describedby="{described}">{conditional_escape("" if value is None else value)}</textarea>\n',
            "</div>\n",
        ]
    )


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


def _page_from_layout(
    request: HttpRequest, template: str, invitation: SurveyInvitation, token: str, *, context: dict, slots: dict
) -> HttpResponse:
    """What ``_page`` renders, filled into the template's layout (``_layout``): ``slots`` are the
    values that differ from one invitation or request to the next, ``context`` the rest (strings
    and flags, the layout's key)."""
    language = translation.get_language()
    slots = {
        "company": settings.COMPANY_NAME,
        "account": invitation.account.name,
        "token": token,
        **slots,
    }
    # An empty value goes into the key instead: the template may test it ({% if intro %}).
    context = {"language": language, **context, **{name: "" for name, value in slots.items() if value == ""}}
    filled = [slot for slot in slots if slots[slot] != ""]
    pieces = list(_layout(template, tuple(sorted(context.items())), tuple(sorted(filled))))
    for n in range(1, len(pieces), 2):
        pieces[n] = conditional_escape(slots[pieces[n]])  # as the template escapes a variable
    response = HttpResponse("".join(pieces))
    response["Content-Language"] = language
    return response


@functools.lru_cache(maxsize=64)
def _layout(template: str, context: tuple, slots: tuple) -> tuple[str, ...]:
    """``template`` rendered once per language and context, with a marker in place of each slot:
    the text between markers, and the slots' names at the odd places.

    The answer page is the one page every invited person opens; rendering it through the
    template language cost more than everything else it does. What is cached holds nothing of
    any invitation: account, company, token, answers and dates are all slots, filled
    in (escaped) per request. The marker is random per rendering, letters and digits only, so
    escaping leaves it intact; the values are filled into the pieces in one pass, so no value is
    ever searched for markers. tests/stakeholders/test_survey_page.py holds the result to the
    template rendered whole.
    """
    marker = f"kamslot{secrets.token_hex(8)}"
    marked = {**dict(context), **{slot: mark_safe(f"{marker}{slot}{marker}") for slot in slots}}
    pieces = tuple(get_template(template).render(marked).split(marker))
    # A slot shown through a filter (|upper, |truncatechars) would leave a changed marker behind.
    if any(piece not in slots for piece in pieces[1::2]) or any(marker in p.lower() for p in pieces[::2]):
        raise ImproperlyConfigured(f"{template}: every slot must be shown as it is")
    return pieces


def _date(value: date | datetime) -> str:
    """As the template's ``|date:"DATE_FORMAT"``, in the current time zone and language."""
    return _date_in(
        timezone.localtime(value).date() if isinstance(value, datetime) else value, translation.get_language()
    )


@functools.lru_cache(maxsize=256)
def _date_in(day: date, language: str) -> str:
    with translation.override(language):
        return date_filter(day, "DATE_FORMAT")


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
    the score from the link. Without errors, filled into the template's layout."""
    survey = invitation.campaign.survey
    language = translation.get_language()
    question = survey.text("csat_question", language)
    if form is not None:
        fields = form.fields_html(question)
    else:
        values = _initial(existing, score)
        fields = answer_fields_html(question=question, questions=questions, language=language, values=values, errors={})
    slots = {
        "fields": fields,
        "intro": survey.text("intro_text", language),
        "submitted_on": _date(existing.submitted_at) if existing else "",
        "open_until": _date(_open_until(invitation)),
    }
    if form is None and not settings.DEBUG:  # in development a template may have changed
        context = {"existing": existing is not None}
        response = _page_from_layout(request, "survey/answer.html", invitation, token, context=context, slots=slots)
    else:
        status = 200 if form is None else 400
        template = "survey/answer.html"
        response = _page(request, template, invitation, token, status=status, form=form, existing=existing, **slots)
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
# "List-Unsubscribe=One-Click"), so this view could not require a CSRF token anyway. That is safe: a
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
