"""SurveyAnswerForm.fields_html draws what the answer page's template drew with Django's widgets.

The reference is that template's form part, kept in tests/stakeholders/reference/answer_fields.html.
Only the whitespace between tags and the order of an element's attributes may differ (Django's
widgets write them in the order they were set).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import engines
from django.test.html import parse_html
from django.utils import translation

from stakeholders.models import QuestionKind, SurveyQuestion
from stakeholders.survey_views import SurveyAnswerForm
from tests.survey_factories import SurveyFactory, default_survey

REFERENCE = engines["django"].from_string(
    (Path(__file__).resolve().parent / "reference" / "answer_fields.html").read_text(encoding="utf-8")
)
QUESTION = 'How satisfied are you with <us> & "them"?'


def assert_same_markup(form: SurveyAnswerForm) -> str:
    expected = REFERENCE.render(
        {
            "form": form,
            "question": QUESTION,
            "extra_fields": [(question, form[f"q{question.pk}"]) for question in form.questions],
        }
    )
    drawn = form.fields_html(QUESTION)
    assert parse_html(drawn) == parse_html(expected)
    return drawn


@pytest.fixture
def every_kind(db):
    """A survey with each kind of question, required and optional, and awkward text."""
    survey = SurveyFactory(languages="en,de,fr")
    questions = [
        SurveyQuestion.objects.create(survey=survey, order=1, kind=QuestionKind.RATING, text="Speed <fast?>"),
        SurveyQuestion.objects.create(survey=survey, order=2, kind=QuestionKind.RATING, text="Tone", required=True),
        SurveyQuestion.objects.create(
            survey=survey, order=3, kind=QuestionKind.CHOICE, text="Meet how?", choices=["Visit & talk", "<Video>", "1"]
        ),
        SurveyQuestion.objects.create(
            survey=survey, order=4, kind=QuestionKind.CHOICE, text="Again?", choices=["Yes", "No"], required=True
        ),
        SurveyQuestion.objects.create(survey=survey, order=5, kind=QuestionKind.TEXT, text="What's missing?"),
        SurveyQuestion.objects.create(survey=survey, order=6, kind=QuestionKind.TEXT, text="Why?", required=True),
    ]
    return questions


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_empty_form_of_the_default_survey(db, language):
    with translation.override(language):
        form = SurveyAnswerForm(questions=list(default_survey().questions.all()), language=language)
        drawn = assert_same_markup(form)
    assert "checked" not in drawn


def test_an_earlier_answer_and_a_score_from_the_link_are_shown(every_kind):
    rating, _tone, choice, again, text, _why = every_kind
    initial = {
        "csat_score": 4,
        f"q{rating.pk}": 2,
        f"q{choice.pk}": "Visit & talk",
        f"q{again.pk}": "No",
        f"q{text.pk}": 'More <visits> & "calls"',
        "comment": "Fine.",
    }
    form = SurveyAnswerForm(initial=initial, questions=every_kind, language="en")
    drawn = assert_same_markup(form)
    assert drawn.count(" checked") == 4
    assert "More &lt;visits&gt; &amp; &quot;calls&quot;</textarea>" in drawn


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"comment": "Deliveries were late."},
        {"csat_score": "9", "comment": "x" * 2001},
        {"csat_score": "3", "q{rating}": "6", "q{choice}": "Nope", "q{why}": ""},
        {"csat_score": "5", "q{tone}": "4", "q{again}": "Yes", "q{why}": "Because & so <on>", "q{choice}": "1"},
    ],
)
def test_submitted_input_and_errors_are_shown(every_kind, data):
    rating, tone, choice, again, _text, why = every_kind
    names = {"rating": rating.pk, "tone": tone.pk, "choice": choice.pk, "again": again.pk, "why": why.pk}
    form = SurveyAnswerForm(
        data={key.format(**names): value for key, value in data.items()}, questions=every_kind, language="en"
    )
    form.is_valid()
    assert_same_markup(form)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_errors_and_hints_in_the_invitations_language(every_kind, language):
    with translation.override(language):
        form = SurveyAnswerForm(data={"comment": "x" * 2001}, questions=every_kind, language=language)
        assert not form.is_valid()
        assert_same_markup(form)
