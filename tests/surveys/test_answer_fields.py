"""The answer form's fields (templates/survey/_answer_fields.html), read from the parsed page as a
browser and a screen reader see them: the CSAT score, then the survey's questions in order, then
the comment; each field with its label bound by for/id, the input its kind of question asks for
with the field's name, choices and values, its hint and first error tied to it by aria-describedby,
required and invalid fields marked, typed text escaped, and an earlier or submitted answer shown.
"""

from __future__ import annotations

import lxml.html
import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from stakeholders.models import QuestionKind, SurveyQuestion
from stakeholders.survey_texts import COMMENT_LABEL
from stakeholders.surveys.views import MAX_ANSWER_TEXT, SCORE_REQUIRED, SCORES, SurveyAnswerForm
from tests.survey_factories import SurveyFactory, default_survey

QUESTION = 'How satisfied are you with <us> & "them"?'
# Elements that exist only if typed text reached the page unescaped.
INJECTED = "//us | //fast | //video | //visits | //on"


def draw(form: SurveyAnswerForm) -> tuple[str, lxml.html.HtmlElement]:
    html = render_to_string("survey/_answer_fields.html", {"form": form, "question": QUESTION})
    return html, lxml.html.fragment_fromstring(html, create_parent="div")


def words(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def by_id(doc: lxml.html.HtmlElement, id_: str) -> lxml.html.HtmlElement:
    (element,) = doc.xpath("//*[@id=$id]", id=id_)
    return element


def classes(element: lxml.html.HtmlElement) -> set[str]:
    return set(element.get("class", "").split())


def first_error(form: SurveyAnswerForm, name: str) -> str | None:
    return form.errors[name][0] if name in form.errors else None


def text_hint(required: bool) -> str:
    """A free-text field's hint: "Optional · up to 2000 characters", without "Optional" if required."""
    up_to = gettext("up to %(max)s characters") % {"max": MAX_ANSWER_TEXT}
    return " · ".join([*([] if required else [gettext("Optional")]), up_to])


def choice_hint(kind: str, required: bool) -> str:
    """A rating's scale, then "Optional" unless required; a choice question has only the latter."""
    parts = [gettext("1 = lowest, 5 = highest")] if kind == QuestionKind.RATING else []
    return " · ".join([*parts, *([] if required else [gettext("Optional")])])


def assert_error(container: lxml.html.HtmlElement, name: str, error: str | None) -> None:
    """The field's first error, or none, inside its container, under the id the field points to."""
    shown = container.xpath(".//p[contains(concat(' ', @class, ' '), ' field-error ')]")
    if error is None:
        assert shown == []
        assert "has-error" not in classes(container)
        assert not container.getroottree().xpath("//*[@id=$id]", id=f"{name}-error")
    else:
        assert [(p.get("id"), words(p)) for p in shown] == [(f"{name}-error", " ".join(error.split()))]
        assert "has-error" in classes(container)


def assert_radios(
    doc: lxml.html.HtmlElement,
    name: str,
    *,
    legend: str,
    choices: list[tuple[str, str]],
    required: bool,
    checked: str | None,
    hint: str | None,
    error: str | None,
    row: bool = False,
) -> None:
    """A fieldset named by its legend, with one radio per choice in order, each inside the label
    bound to it; the hint and error are the fieldset's description."""
    fieldset = by_id(doc, f"field-{name}")
    assert fieldset.tag == "fieldset"
    (legend_element,) = fieldset.xpath("./legend")
    assert words(legend_element) == " ".join(legend.split())
    assert len(legend_element) == 0  # the question's text stayed text

    described = []
    if hint is None:
        assert not doc.xpath("//*[@id=$id]", id=f"{name}-hint")
    else:
        hint_element = by_id(doc, f"{name}-hint")
        assert hint_element.getparent() is fieldset
        assert words(hint_element) == hint
        described.append(f"{name}-hint")
    assert_error(fieldset, name, error)
    if error is not None:
        described.append(f"{name}-error")
    assert fieldset.get("aria-describedby", "").split() == described

    (options,) = fieldset.xpath("./div[contains(concat(' ', @class, ' '), ' options ')]")
    assert ("options--row" in classes(options)) == row
    drawn = []
    for label in options.xpath("./label"):
        assert "option" in classes(label)
        (radio,) = label.xpath("./input")
        assert (radio.get("type"), radio.get("name")) == ("radio", name)
        assert radio.get("id") and label.get("for") == radio.get("id")
        assert len(doc.xpath("//*[@id=$id]", id=radio.get("id"))) == 1
        assert ("required" in radio.attrib) == required
        assert radio.get("aria-invalid") == ("true" if error is not None else None)
        (caption,) = label.xpath("./span")
        drawn.append((radio.get("value"), words(caption)))
    assert drawn == choices
    assert len(fieldset.xpath(".//input")) == len(choices)
    assert [radio.get("value") for radio in fieldset.xpath(".//input[@checked]")] == ([checked] if checked else [])


def assert_text_area(
    doc: lxml.html.HtmlElement, name: str, *, label: str, value: str, hint: str, error: str | None
) -> None:
    """A textarea bound to its label, holding the answer, with its length limit; the hint and error
    are its description."""
    container = by_id(doc, f"field-{name}")
    (area,) = container.xpath(".//textarea")
    assert (area.get("name"), area.get("id")) == (name, f"id_{name}")
    assert (area.get("rows"), area.get("maxlength")) == ("4", str(MAX_ANSWER_TEXT))
    (label_element,) = doc.xpath("//label[@for=$id]", id=area.get("id"))
    assert label_element.getparent() is container
    assert words(label_element) == " ".join(label.split())
    assert len(label_element) == 0  # the question's text stayed text
    assert area.text_content() == value
    hint_element = by_id(doc, f"{name}-hint")
    assert hint_element.getparent() is container
    assert words(hint_element) == hint
    assert_error(container, name, error)
    assert area.get("aria-describedby", "").split() == [f"{name}-hint"] + ([f"{name}-error"] if error else [])


def score_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in SCORES]


def assert_score(doc: lxml.html.HtmlElement, *, checked: str | None = None, error: str | None = None) -> None:
    """The CSAT score: the survey's question as legend, required, five labelled scores, no hint."""
    assert_radios(
        doc,
        "csat_score",
        legend=QUESTION,
        choices=score_choices(),
        required=True,
        checked=checked,
        hint=None,
        error=error,
    )


def assert_comment(doc: lxml.html.HtmlElement, *, value: str = "", error: str | None = None) -> None:
    """The closing comment: always optional."""
    assert_text_area(doc, "comment", label=str(COMMENT_LABEL), value=value, hint=text_hint(False), error=error)


def assert_question(
    doc: lxml.html.HtmlElement,
    question: SurveyQuestion,
    form: SurveyAnswerForm,
    *,
    checked: str | None = None,
    value: str = "",
) -> None:
    """One of the survey's questions, drawn as its kind asks, labelled in the form's language."""
    name = f"q{question.pk}"
    label = question.translations.get(form.language) or question.text
    error = first_error(form, name)
    if question.kind == QuestionKind.TEXT:
        assert_text_area(doc, name, label=label, value=value, hint=text_hint(question.required), error=error)
        return
    rating = question.kind == QuestionKind.RATING
    choices = [(str(n), str(n)) for n in range(1, 6)] if rating else [(str(c), str(c)) for c in question.choices]
    assert_radios(
        doc,
        name,
        legend=label,
        choices=choices,
        required=question.required,
        checked=checked,
        hint=choice_hint(question.kind, question.required),
        error=error,
        row=rating,
    )


def assert_fields_in_order(doc: lxml.html.HtmlElement, form: SurveyAnswerForm) -> None:
    """The score first, then the questions in the survey's order, then the comment; nothing else."""
    names = ["csat_score", *(f"q{question.pk}" for question in form.questions), "comment"]
    assert [e.get("id") for e in doc.xpath("//*[starts-with(@id, 'field-')]")] == [f"field-{n}" for n in names]
    assert {e.get("name") for e in doc.xpath("//input | //textarea | //select")} == set(names)


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
        html, doc = draw(form)
        assert_fields_in_order(doc, form)
        assert_score(doc)
        for question in form.questions:
            assert_question(doc, question, form)
        assert_comment(doc)
    assert form.questions, "the default survey has questions beside the score"
    assert "checked" not in html


def test_each_kind_of_question_is_drawn_its_own_way(every_kind):
    form = SurveyAnswerForm(questions=every_kind, language="en")
    _html, doc = draw(form)
    assert_fields_in_order(doc, form)
    assert_score(doc)
    for question in every_kind:
        assert_question(doc, question, form)
    assert_comment(doc)


def test_the_question_texts_and_choices_are_escaped(every_kind):
    form = SurveyAnswerForm(questions=every_kind, language="en")
    html, doc = draw(form)
    assert not doc.xpath(INJECTED)
    assert f"<legend>{escape(QUESTION)}</legend>" in html
    assert escape("Speed <fast?>") in html
    assert 'value="&lt;Video&gt;"' in html
    assert 'value="Visit &amp; talk"' in html


def test_an_earlier_answer_and_a_score_from_the_link_are_shown(every_kind):
    rating, tone, choice, again, text, why = every_kind
    initial = {
        "csat_score": 4,
        f"q{rating.pk}": 2,
        f"q{choice.pk}": "Visit & talk",
        f"q{again.pk}": "No",
        f"q{text.pk}": 'More <visits> & "calls"',
        "comment": "Fine.",
    }
    form = SurveyAnswerForm(initial=initial, questions=every_kind, language="en")
    html, doc = draw(form)
    assert_score(doc, checked="4")
    assert_question(doc, rating, form, checked="2")
    assert_question(doc, tone, form)
    assert_question(doc, choice, form, checked="Visit & talk")
    assert_question(doc, again, form, checked="No")
    assert_question(doc, text, form, value='More <visits> & "calls"')
    assert_question(doc, why, form)
    assert_comment(doc, value="Fine.")
    assert len(doc.xpath("//input[@checked]")) == 4
    assert "More &lt;visits&gt; &amp; &quot;calls&quot;</textarea>" in html
    assert not doc.xpath(INJECTED)


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
    submitted = {key.format(**names): value for key, value in data.items()}
    form = SurveyAnswerForm(data=submitted, questions=every_kind, language="en")
    form.is_valid()
    html, doc = draw(form)

    def checked(name: str, choices: list[str]) -> str | None:
        """The submitted value's radio is checked; a value that is no choice checks none."""
        return submitted[name] if submitted.get(name) in choices else None

    assert_fields_in_order(doc, form)
    assert_score(
        doc, checked=checked("csat_score", [v for v, _label in score_choices()]), error=first_error(form, "csat_score")
    )
    for question in every_kind:
        name = f"q{question.pk}"
        if question.kind == QuestionKind.TEXT:
            assert_question(doc, question, form, value=submitted.get(name, ""))
        else:
            choices = [str(n) for n in range(1, 6)] if question.kind == QuestionKind.RATING else question.choices
            assert_question(doc, question, form, checked=checked(name, choices))
    assert_comment(doc, value=submitted.get("comment", ""), error=first_error(form, "comment"))
    # The errors shown are the ones the input deserves, not merely whatever the form says.
    assert ("csat_score" in form.errors) == (submitted.get("csat_score") not in {"3", "5"})
    for question in (tone, again, why):
        assert (f"q{question.pk}" in form.errors) == (not submitted.get(f"q{question.pk}"))
    assert not doc.xpath(INJECTED)
    for name in ["comment", *(f"q{question.pk}" for question in every_kind if question.kind == QuestionKind.TEXT)]:
        assert f">{escape(submitted.get(name, ''))}</textarea>" in html


@pytest.mark.parametrize("language", ["de", "fr"])
def test_errors_and_hints_in_the_invitations_language(every_kind, language):
    with translation.override(language):
        form = SurveyAnswerForm(data={"comment": "x" * 2001}, questions=every_kind, language=language)
        assert not form.is_valid()
        _html, doc = draw(form)
        assert_score(doc, error=str(SCORE_REQUIRED))
        for question in every_kind:
            assert_question(doc, question, form)
        assert_comment(doc, value="x" * 2001, error=first_error(form, "comment"))
    # Drawn in the invitation's language, not in English.
    assert words(by_id(doc, "csat_score-error")) != "Please choose a score from 1 to 5."
    assert words(by_id(doc, "comment-hint")) != f"Optional · up to {MAX_ANSWER_TEXT} characters"
    assert "2001" in words(by_id(doc, "comment-error"))
    assert "Ensure this value" not in words(by_id(doc, "comment-error"))
