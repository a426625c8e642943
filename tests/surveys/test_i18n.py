"""What customers read comes in the invitation's language: the survey pages and the invitation and
reminder e-mails in English, German and French; the German catalog holds every string of the app,
the French one the survey's; both complete, in step with the sources and compiled."""

from __future__ import annotations

import ast
import gettext
import os
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.translation import templatize

from stakeholders.management.commands.makemessages_catalogs import (
    APP_LANGUAGES,
    NOT_THE_APP,
    SURVEY_LANGUAGES,
    SURVEY_SOURCES,
)
from stakeholders.models import CampaignStatus, InvitationStatus
from stakeholders.surveys.mail import build_email
from stakeholders.surveys.responses import record_response
from stakeholders.surveys.tokens import invitation_token
from tests.stakeholder_factories import PersonFactory
from tests.survey_factories import InvitationFactory

BASE = Path(__file__).resolve().parents[2]
NB = "\u00a0"  # French typography: a no-break space before : ; ? !

# What each language must say; the English column doubles as what must not leak into the others.
PAGES = {
    "en": {
        "answer": [
            "Your feedback",
            "Send my answer",
            "4 – satisfied",
            "This link is personal. Please do not forward it.",
        ],
        "thanks": ["Thank you for your feedback!", "Your answer has been recorded.", "Change my answer"],
        "closed": ["This survey is closed", "The link has expired or the survey has ended"],
        "opt_out": ["Stop survey e-mails", "Do you no longer want to receive feedback surveys from"],
        "rate_limited": ["Please wait a moment", "Back to the survey"],
    },
    "de": {
        "answer": [
            "Ihre Rückmeldung",
            "Antwort senden",
            "4 – zufrieden",
            "Dieser Link ist persönlich. Bitte leiten Sie ihn nicht weiter.",
        ],
        "thanks": ["Vielen Dank für Ihre Rückmeldung!", "Ihre Antwort wurde gespeichert.", "Antwort ändern"],
        "closed": ["Diese Umfrage ist beendet", "Der Link ist abgelaufen oder die Umfrage ist beendet"],
        "opt_out": ["Umfrage-E-Mails abbestellen", "Möchten Sie keine Feedback-Umfragen von"],
        "rate_limited": ["Bitte warten Sie einen Moment", "Zurück zur Umfrage"],
    },
    "fr": {
        "answer": ["Votre avis", "Envoyer ma réponse", "4 – satisfait", "Ce lien est personnel."],
        "thanks": [f"Merci pour votre avis{NB}!", "Votre réponse a bien été enregistrée.", "Modifier ma réponse"],
        "closed": ["Cette enquête est terminée", "Le lien a expiré ou l’enquête est terminée"],
        "opt_out": ["Se désabonner des enquêtes", "Vous ne souhaitez plus recevoir d’enquêtes de satisfaction"],
        "rate_limited": ["Veuillez patienter un instant", "Retour à l’enquête"],
    },
}
OTHERS = {"en": ["de", "fr"], "de": ["en", "fr"], "fr": ["en", "de"]}


pytestmark = pytest.mark.usefixtures("fresh_cache")


def _page_text(response) -> str:
    # Compare with the text a reader sees, not with HTML entities.
    return unescape(response.content.decode())


def assert_speaks(response, language: str, page: str) -> None:
    text = _page_text(response)
    assert f'<html lang="{language}">' in text
    assert response["Content-Language"] == language
    for phrase in PAGES[language][page]:
        assert phrase in text, phrase
    for other in OTHERS[language]:
        for phrase in PAGES[other][page]:
            assert phrase not in text, (other, phrase)


# The pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_answer_page_speaks_the_invitations_language(client, cast, language):
    invitation = InvitationFactory(account=cast.account_a, language=language)
    response = client.get(reverse("survey:answer", args=[invitation_token(invitation)]))
    assert response.status_code == 200
    assert_speaks(response, language, "answer")


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_thank_you_page_speaks_the_invitations_language(client, cast, language):
    invitation = InvitationFactory(account=cast.account_a, language=language)
    token = invitation_token(invitation)
    assert client.post(reverse("survey:answer", args=[token]), {"csat_score": "4"}).status_code == 302
    response = client.get(reverse("survey:thanks", args=[token]))
    assert response.status_code == 200
    assert_speaks(response, language, "thanks")


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_closed_page_speaks_the_invitations_language(client, cast, language):
    invitation = InvitationFactory(account=cast.account_a, language=language, campaign__status=CampaignStatus.CLOSED)
    response = client.get(reverse("survey:answer", args=[invitation_token(invitation)]) + "?score=5")
    assert response.status_code == 410
    assert_speaks(response, language, "closed")


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_opt_out_page_speaks_the_invitations_language(client, cast, language):
    invitation = InvitationFactory(account=cast.account_a, language=language)
    response = client.get(reverse("survey:opt-out", args=[invitation_token(invitation)]))
    assert_speaks(response, language, "opt_out")


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_rate_limited_page_speaks_the_invitations_language(client, cast, settings, language):
    settings.SURVEY_RATE_LIMIT = (0, 60)
    invitation = InvitationFactory(account=cast.account_a, language=language)
    response = client.post(reverse("survey:answer", args=[invitation_token(invitation)]), {"csat_score": "4"})
    assert response.status_code == 429
    assert_speaks(response, language, "rate_limited")


def test_the_answer_page_dates_and_form_errors_are_in_the_invitations_language(client, cast):
    invitation = InvitationFactory(account=cast.account_a, language="de", expires_on=date(2030, 3, 14))
    invitation.campaign.close_date = date(2030, 6, 30)
    invitation.campaign.save(update_fields=["close_date"])
    record_response(invitation=invitation, csat_score=3, answers={}, comment="")
    url = reverse("survey:answer", args=[invitation_token(invitation)])
    text = _page_text(client.get(url))
    assert "Sie können Ihre Antwort bis zum 14. März 2030 ändern." in text
    assert "Antwort aktualisieren" in text
    text = _page_text(client.post(url, {"csat_score": "9"}))
    assert "Bitte prüfen Sie Ihre Antwort:" in text
    assert "Bitte wählen Sie eine Bewertung von 1 bis 5." in text
    assert "Please choose a score" not in text


# The e-mails ------------------------------------------------------------------------------------

EMAILS = {
    "en": {
        "subject": "How are we doing, Müller & Söhne Klinik?",
        "reminder": "Reminder: how are we doing, Müller & Söhne Klinik?",
        "both": [
            "Dear Dr. Brenner,",
            "The link is personal and valid until 14 Mar 2030.",
            "You receive this e-mail because you agreed to receive feedback requests from us.",
            "very dissatisfied",
        ],
        "text": ["Or open the survey:"],
        "html": ["Stop these e-mails"],
        "reminder_line": "A short reminder, in case our first e-mail got lost",
    },
    "de": {
        "subject": "Müller & Söhne Klinik: Wie zufrieden sind Sie mit uns?",
        "reminder": "Erinnerung – Müller & Söhne Klinik: Wie zufrieden sind Sie mit uns?",
        "both": [
            "Guten Tag Dr. Brenner,",
            "Der Link ist persönlich und bis zum 14. März 2030 gültig.",
            "Sie erhalten diese E-Mail, weil Sie zugestimmt haben, Feedback-Anfragen von uns zu erhalten.",
            "sehr unzufrieden",
        ],
        "text": ["Oder öffnen Sie die Umfrage:"],
        "html": ["Diese E-Mails abbestellen"],
        "reminder_line": "Eine kurze Erinnerung, falls unsere erste E-Mail untergegangen ist",
    },
    "fr": {
        "subject": f"Müller & Söhne Klinik{NB}: comment évaluez-vous notre collaboration{NB}?",
        "reminder": f"Rappel – Müller & Söhne Klinik{NB}: comment évaluez-vous notre collaboration{NB}?",
        "both": [
            "Bonjour Dr. Brenner,",
            "Ce lien est personnel et valable jusqu’au 14 mars 2030.",
            "Vous recevez cet e-mail car vous avez accepté de recevoir nos demandes d’avis.",
            "très insatisfait",
        ],
        "text": [f"Ou ouvrez l’enquête{NB}:"],
        "html": ["Ne plus recevoir ces e-mails"],
        "reminder_line": "Un petit rappel, au cas où notre premier e-mail vous aurait échappé",
    },
}


def _invitation_in(language: str):
    person = PersonFactory(title="Dr.", last_name="Brenner", preferred_language=language)
    return InvitationFactory(
        person=person, account__name="Müller & Söhne Klinik", language=language, expires_on=date(2030, 3, 14)
    )


def _bodies(email) -> tuple[str, str]:
    [(alternative, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return email.body, unescape(alternative)


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_invitation_email_speaks_the_invitations_language(db, language):
    email = build_email(_invitation_in(language))
    expected = EMAILS[language]
    # The subject is plain text: an ampersand stays an ampersand.
    assert email.subject == expected["subject"]
    text, html = _bodies(email)
    assert f'<html lang="{language}">' in html
    for phrase in expected["both"]:
        assert phrase in text, phrase
        assert phrase in html, phrase
    for phrase in expected["text"]:
        assert phrase in text, phrase
    for phrase in expected["html"]:
        assert phrase in html, phrase
    assert expected["reminder_line"] not in text
    for other in OTHERS[language]:
        for phrase in EMAILS[other]["both"]:
            assert phrase not in text and phrase not in html, (other, phrase)


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_the_reminder_email_speaks_the_invitations_language(db, language):
    email = build_email(_invitation_in(language), reminder=True)
    expected = EMAILS[language]
    assert email.subject == expected["reminder"]
    text, html = _bodies(email)
    assert expected["reminder_line"] in text and expected["reminder_line"] in html
    assert expected["both"][0] in text


def test_an_invitation_in_a_language_the_survey_lacks_is_english_in_page_and_email(client, cast):
    invitation = InvitationFactory(account=cast.account_a, language="it", status=InvitationStatus.SENT)
    email = build_email(invitation)
    assert email.subject == f"How are we doing, {cast.account_a.name}?"
    assert '<html lang="en">' in email.alternatives[0][0]
    assert_speaks(client.get(reverse("survey:answer", args=[invitation_token(invitation)])), "en", "answer")


# The catalogs -----------------------------------------------------------------------------------

PO_STRING = re.compile(r'^"(.*)"$')


def read_po(path: Path) -> tuple[dict, list[dict]]:
    """The catalog a .po file describes, keyed as Python's gettext keys a compiled one (msgid, or
    (msgid, n) for plural forms, with "context\\x04" in front for msgctxt), and its raw entries."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    field = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:  # the last entry ends too
        line = raw.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, field = {"flags": set()}, None
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _space, value = line.partition(" ")
            entry[field] = ast.literal_eval(value)
    catalog: dict = {}
    for e in entries:
        key = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            for name, value in e.items():
                if name.startswith("msgstr["):
                    catalog[(key, int(name[7:-1]))] = value
        else:
            catalog[key] = e["msgstr"]
    return catalog, entries


# What makemessages hands to xgettext as keywords: name -> which arguments are (context, msgid, plural).
KEYWORDS = {
    "_": ("msgid",),
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "gettext_noop": ("msgid",),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "npgettext": ("context", "msgid", "plural"),
    "npgettext_lazy": ("context", "msgid", "plural"),
}
PY_STRING = r"u?'(?:[^'\\]|\\.)*'|u?\"(?:[^\"\\]|\\.)*\""
TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext|_)\(((?:\s*(?:{PY_STRING})\s*,?)+)")


def _keys(kinds: tuple[str, ...], strings: list[str]) -> set:
    """The catalog keys of one marked string, as read_po keys them."""
    parts = dict(zip(kinds, strings, strict=False))
    key = parts["msgid"] if "context" not in parts else f"{parts['context']}\x04{parts['msgid']}"
    return {(key, 0), (key, 1)} if "plural" in parts else {key}


def msgids_in(paths: list[Path]) -> set:
    """Every string these files mark for translation, read without GNU gettext: templates through
    Django's own templatize (what makemessages hands to xgettext), Python through its AST."""
    found: set = set()
    for path in paths:
        code = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            for node in ast.walk(ast.parse(code)):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
                kinds = KEYWORDS.get(name)
                args = node.args[: len(kinds)] if kinds else []
                if kinds and len(args) == len(kinds) and all(isinstance(a, ast.Constant) for a in args):
                    found |= _keys(kinds, [a.value for a in args])
            continue
        for name, args in TEMPLATE_CALL.findall(templatize(code, origin=str(path))):
            found |= _keys(KEYWORDS[name], [ast.literal_eval(a) for a in re.findall(PY_STRING, args)])
    return found


def source_msgids() -> set:
    """What the survey sources mark: the French catalog's strings, and part of the German one's."""
    paths = []
    for source in SURVEY_SOURCES:
        path = BASE / source
        paths.extend(sorted(path.glob("*.*")) if source.endswith("/") else [path])
    return msgids_in(paths)


def app_msgids() -> set:
    """What the whole app marks, as makemessages_catalogs extracts it for German."""
    skipped = {part.rstrip("/*") for part in NOT_THE_APP}
    paths = []
    for folder, subfolders, files in os.walk(BASE):
        # Pruned as makemessages prunes: hidden folders (the virtualenv) and what is not the app.
        top = Path(folder) == BASE
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and not (top and d in skipped)]
        paths.extend(Path(folder) / name for name in files if name.endswith((".py", ".html", ".txt")))
    return msgids_in(sorted(paths))


def test_the_sources_hold_the_survey_strings():
    # The reader below must see the strings, or the next test would compare two empty sets.
    msgids = source_msgids()
    assert {"Send my answer", "How are we doing, %(account)s?", "Please choose a score from 1 to 5."} <= msgids
    assert len(msgids) > 40
    everything = app_msgids()
    assert msgids < everything
    assert {"Key accounts", ("%(n)s account", 0), ("%(n)s account", 1)} <= everything
    assert len(everything) > 1500


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def assert_complete(catalog_path: Path, expected: set) -> None:
    """The catalog holds exactly the expected strings, every one translated, none fuzzy, each with
    the placeholders of its source (a plural's singular may leave the count out: "Ein Punkt")."""
    catalog, entries = read_po(catalog_path)
    header = catalog.pop("")
    language = catalog_path.parts[-3]
    assert f"Language: {language}\n" in header and "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=2;" in header  # a singular and a plural, as every form below has
    missing, stale = expected - set(catalog), set(catalog) - expected
    assert not missing and not stale, (
        f"run `manage.py makemessages_catalogs`, translate, compilemessages: missing {sorted(missing, key=str)[:5]}, "
        f"stale {sorted(stale, key=str)[:5]}"
    )
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        if not entry["msgid"]:
            continue
        if "msgid_plural" not in entry:
            assert entry["msgstr"].strip(), f"untranslated: {entry['msgid']!r}"
            # The same placeholders, or rendering fails (or silently drops a value) in that language.
            assert sorted(PLACEHOLDER.findall(entry["msgstr"])) == sorted(PLACEHOLDER.findall(entry["msgid"]))
            continue
        wanted = set(PLACEHOLDER.findall(entry["msgid_plural"]))
        for form in ("msgstr[0]", "msgstr[1]"):
            assert entry[form].strip(), f"untranslated: {entry['msgid']!r} {form}"
            assert set(PLACEHOLDER.findall(entry[form])) <= wanted, (entry["msgid"], form)
        assert set(PLACEHOLDER.findall(entry["msgstr[1]"])) == wanted, entry["msgid"]


def test_every_app_string_is_translated_into_german():
    assert_complete(BASE / "locale" / "de" / "LC_MESSAGES" / "django.po", app_msgids())


@pytest.mark.parametrize("language", [lang for lang in SURVEY_LANGUAGES if lang not in APP_LANGUAGES])
def test_every_survey_string_is_translated_and_nothing_else_is_in_the_catalog(language):
    assert_complete(BASE / "locale" / language / "LC_MESSAGES" / "django.po", source_msgids())


@pytest.mark.parametrize("language", SURVEY_LANGUAGES)
def test_the_committed_mo_file_is_compiled_from_the_po_file(language):
    """Compares contents, not file times (git does not keep those): a .po edited without running
    compilemessages leaves a .mo with a different catalog."""
    folder = BASE / "locale" / language / "LC_MESSAGES"
    expected, _entries = read_po(folder / "django.po")
    # msgfmt leaves the extraction time out of the compiled header, so that only translations count.
    expected[""] = re.sub(r"POT-Creation-Date: [^\n]*\n", "", expected[""])
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled._catalog == expected
    assert compiled.gettext("Send my answer") != "Send my answer"
