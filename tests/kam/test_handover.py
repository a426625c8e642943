"""The leaver handover: a leaver's accounts split among successors, a note per account, recorded
in each account's history and as a HandoverNote, each successor told once with their packs."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts import tasks
from accounts.models import HANDOVER_NOTE_DAYS, Account, AccountTeamMember, HandoverNote
from accounts.services import HandoverConflict, Succession, handover_reason, user_handover
from kam.models import FreeTextConfirmation, Role
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory

NOTE_B = 'Call <b>Dr. Weiß</b> before the P&T "committee" & bring the dossier'
NOTE_SECOND = "The pharmacist prefers e-mail."
PATIENT = "Herr Müller, geb. 12.03.1958, Diabetes"
SAVE_ANYWAY = {"patient_data_confirm": "on", "patient_data_reason": "Herr Müller is the head of purchasing"}


@pytest.fixture(autouse=True)
def _language_reset():
    """A German reader's request leaves German active in this thread: not for the next test."""
    yield
    translation.deactivate()


def _url(user) -> str:
    return reverse("people-handover", args=[user.pk])


def _rows(client, leaver) -> list[int]:
    """The account ids in the order the page lists them (as its hidden fields say)."""
    page = client.get(_url(leaver))
    assert page.status_code == 200
    return [row.account.pk for row in page.context["rows"]]


def _post(client, leaver, choices: dict, *, confirm: bool = True, extra: dict | None = None):
    """``choices``: account id → (successor id, note); rows in the page's order. ``extra``: more
    of the page's fields (the patient-data confirmation)."""
    data = ({"confirm": "on"} if confirm else {}) | (extra or {})
    for i, account_id in enumerate(_rows(client, leaver)):
        successor, note = choices.get(account_id, ("", ""))
        data |= {
            f"handover-{i}-account_id": account_id,
            f"handover-{i}-successor": successor,
            f"handover-{i}-note": note,
        }
    return client.post(_url(leaver), data)


@pytest.fixture
def second(cast):
    return AccountFactory(name="Klinikum Zweite", owner=cast.kam_a)


def test_it_splits_the_accounts_among_successors_with_a_note_each(
    cast, login, second, django_capture_on_commit_callbacks
):
    seat = TeamMemberFactory(account=cast.account_c, user=cast.kam_a, function="kam", therapeutic_area="Oncology")
    report = UserFactory(username="report", manager=cast.kam_a)
    client = login(cast.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            cast.kam_a,
            {cast.account_a.pk: (cast.kam_b.pk, NOTE_B), second.pk: (cast.manager_a.pk, NOTE_SECOND)},
        )
    assert response.status_code == 302
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.is_active is False
    assert Account.objects.get(pk=cast.account_a.pk).owner == cast.kam_b
    assert Account.objects.get(pk=second.pk).owner == cast.manager_a
    # Successors get a KAM seat; the leaver's seats end, elsewhere too; reports move up.
    assert AccountTeamMember.objects.filter(account=cast.account_a, user=cast.kam_b).exists()
    assert not AccountTeamMember.objects.filter(user=cast.kam_a).exists()
    assert not AccountTeamMember.objects.filter(pk=seat.pk).exists()
    report.refresh_from_db()
    assert report.manager == cast.manager_a
    notes = {n.account_id: n for n in HandoverNote.objects.all()}
    assert set(notes) == {cast.account_a.pk, second.pk}
    first = notes[cast.account_a.pk]
    assert (first.from_user, first.to_user, first.by, first.note) == (cast.kam_a, cast.kam_b, cast.manager_a, NOTE_B)
    assert notes[second.pk].to_user == cast.manager_a and notes[second.pk].note == NOTE_SECOND


def test_each_accounts_history_names_the_handover_and_the_successor(cast, login, second):
    _post(
        login(cast.manager_a), cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, ""), second.pk: (cast.manager_a.pk, "")}
    )
    latest = cast.account_a.history.first()
    assert latest.history_user == cast.manager_a
    assert "handover" in latest.history_change_reason and str(cast.kam_b) in latest.history_change_reason
    assert str(cast.manager_a) in second.history.first().history_change_reason
    # The history still knows who owned the account before.
    assert cast.account_a.history.filter(owner=cast.kam_a).exists()
    page = login(cast.kam_b).get(reverse("accounts:history", args=[cast.account_a.pk]))
    assert f"handover to {cast.kam_b}" in page.content.decode()


def test_the_note_shows_escaped_on_the_account_page_with_the_pack_link(cast, login):
    _post(login(cast.manager_a), cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, NOTE_B)})
    note = HandoverNote.objects.get()
    page = login(cast.kam_b).get(cast.account_a.get_absolute_url()).content.decode()
    assert "Call &lt;b&gt;Dr. Weiß&lt;/b&gt; before the P&amp;T &quot;committee&quot;" in page
    assert "<b>Dr. Weiß</b>" not in page
    assert reverse("plans:handover-pack", args=[note.pk]) in page
    # The team sees it too; after HANDOVER_NOTE_DAYS it is gone from the page.
    assert "Dr. Weiß" in login(cast.access).get(cast.account_a.get_absolute_url()).content.decode()
    HandoverNote.objects.update(created_at=note.created_at - timedelta(days=HANDOVER_NOTE_DAYS + 1))
    assert "Dr. Weiß" not in login(cast.kam_b).get(cast.account_a.get_absolute_url()).content.decode()


@pytest.mark.parametrize("bad", ["admin", "inactive", "medical", "leaver", "outsider", "garbage"])
def test_a_successor_who_may_not_take_over_is_refused_and_the_notes_are_kept(cast, login, second, bad):
    successor = {
        "admin": cast.admin.pk,
        "inactive": UserFactory(manager=cast.manager_a, is_active=False).pk,
        "medical": UserFactory(manager=cast.manager_a, role=Role.MSL).pk,
        "leaver": cast.kam_a.pk,
        "outsider": cast.kam_c.pk,
        "garbage": "12abc",
    }[bad]
    response = _post(
        login(cast.manager_a),
        cast.kam_a,
        {cast.account_a.pk: (successor, NOTE_B), second.pk: (cast.kam_b.pk, NOTE_SECOND)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was handed over yet" in page
    # What was typed comes back, escaped, in every row.
    assert "Call &lt;b&gt;Dr. Weiß&lt;/b&gt;" in page and NOTE_SECOND in page
    [bad_row] = [row for row in response.context["rows"] if row.errors]
    assert bad_row.account.pk == cast.account_a.pk and "successor" in bad_row.errors
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.is_active and not HandoverNote.objects.exists()
    assert Account.objects.get(pk=second.pk).owner == cast.kam_a


def test_an_administrator_posted_as_successor_is_named_in_the_message(cast, login):
    response = _post(login(cast.admin), cast.kam_a, {cast.account_a.pk: (cast.admin.pk, "")})
    assert response.status_code == 400
    assert "is inactive or an administrator" in response.content.decode()


def test_it_needs_a_successor_per_account_and_a_confirmation(cast, login, second):
    client = login(cast.manager_a)
    missing = _post(client, cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, "kept text")})
    assert missing.status_code == 400 and "kept text" in missing.content.decode()
    unconfirmed = _post(
        client, cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, ""), second.pk: (cast.kam_b.pk, "")}, confirm=False
    )
    assert unconfirmed.status_code == 400
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.is_active


def test_a_row_for_another_account_than_drawn_is_refused(cast, login, second):
    client = login(cast.manager_a)
    data = {"confirm": "on"}
    for i, _account in enumerate(_rows(client, cast.kam_a)):
        data |= {f"handover-{i}-account_id": cast.account_c.pk, f"handover-{i}-successor": cast.kam_b.pk}
    response = client.post(_url(cast.kam_a), data)
    assert response.status_code == 400
    assert "changed while the page was open" in response.content.decode()
    assert Account.objects.get(pk=cast.account_c.pk).owner == cast.kam_c


def test_the_page_offers_each_accounts_team_first_and_no_administrators(cast, login, second):
    TeamMemberFactory(account=second, user=cast.kam_b)
    page = login(cast.manager_a).get(_url(cast.kam_a))
    rows = {row.account.pk: row for row in page.context["rows"]}
    groups = dict(rows[second.pk].fields["successor"].choices)
    assert "Account team" in groups and [pk for pk, _label in groups["Account team"]] == [cast.kam_b.pk]
    offered = {pk for _g, options in rows[cast.account_a.pk].fields["successor"].choices if _g for pk, _l in options}
    assert cast.kam_b.pk in offered and cast.admin.pk not in offered and cast.kam_a.pk not in offered
    assert 'data-search="1"' in page.content.decode()


def test_each_successor_is_told_once_with_their_packs(cast, login, second, django_capture_on_commit_callbacks):
    third = AccountFactory(name="Apotheke Drei", owner=cast.kam_a)
    client = login(cast.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            client,
            cast.kam_a,
            {
                cast.account_a.pk: (cast.kam_b.pk, NOTE_B),
                second.pk: (cast.kam_b.pk, ""),
                third.pk: (cast.manager_a.pk, ""),
            },
        )
    to_b = [m for m in mail.outbox if m.to == [cast.kam_b.email]]
    to_manager = [m for m in mail.outbox if m.to == [cast.manager_a.email]]
    assert len(to_b) == 1 and len(to_manager) == 1 and len(mail.outbox) == 2
    notes = HandoverNote.objects.filter(to_user=cast.kam_b)
    for note in notes:
        assert reverse("plans:handover-pack", args=[note.pk]) in to_b[0].body
    html = to_b[0].alternatives[0][0]
    assert "Call &lt;b&gt;Dr. Weiß&lt;/b&gt;" in html and "<b>Dr. Weiß</b>" not in html
    # A second run of the task (a redelivered message) tells nobody again.
    tasks.notify_handover(sorted(HandoverNote.objects.values_list("pk", flat=True)))
    assert len(mail.outbox) == 2
    assert not HandoverNote.objects.filter(notified_at__isnull=True).exists()


def test_only_managers_above_the_leaver_may_hand_over(cast, login):
    url = _url(cast.kam_a)
    assert login(cast.kam_b).get(url).status_code == 404
    assert login(cast.manager_b).get(url).status_code == 404
    assert login(cast.head).get(url).status_code == 200
    assert login(cast.admin).get(url).status_code == 200


def test_the_handover_page_costs_the_same_queries_whatever_the_number_of_accounts(
    cast, login, django_assert_num_queries
):
    client = login(cast.manager_a)
    client.get(_url(cast.kam_a))  # warm the session
    with django_assert_num_queries(7) as few:
        client.get(_url(cast.kam_a))
    for _i in range(12):
        TeamMemberFactory(account=AccountFactory(owner=cast.kam_a), user=UserFactory(manager=cast.manager_a))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(_url(cast.kam_a))
    assert len(response.context["rows"]) == 13


def test_people_pages_are_scoped(cast, login):
    client = login(cast.manager_a)
    assert client.get(reverse("people-list")).status_code == 200
    assert client.get(reverse("people-detail", args=[cast.kam_a.pk])).status_code == 200
    assert client.get(reverse("people-detail", args=[cast.kam_c.pk])).status_code == 404
    assert login(cast.kam_a).get(reverse("people-detail", args=[cast.kam_b.pk])).status_code == 404


def test_the_successors_e_mail_is_in_their_language(cast, login, django_capture_on_commit_callbacks):
    cast.kam_b.language = "de"
    cast.kam_b.save()
    with django_capture_on_commit_callbacks(execute=True):
        _post(login(cast.manager_a), cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, NOTE_SECOND)})
    [message] = mail.outbox
    assert message.subject == f"Übergabe von {cast.kam_a}: 1 Account"
    assert "Übergabepaket (PDF)" in message.body and NOTE_SECOND in message.body


def test_a_leaver_without_accounts_is_only_deactivated(cast, login):
    leaver = UserFactory(username="no_accounts", manager=cast.manager_a)
    TeamMemberFactory(account=cast.account_a, user=leaver)
    response = login(cast.manager_a).post(_url(leaver), {"confirm": "on"})
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active and not AccountTeamMember.objects.filter(user=leaver).exists()
    assert not HandoverNote.objects.exists()


def test_the_service_refuses_a_handover_that_misses_an_account(cast, second):
    with pytest.raises(HandoverConflict):
        user_handover(
            leaving=cast.kam_a, successions=[Succession(cast.account_a.pk, cast.kam_b, "")], by=cast.manager_a
        )
    assert Account.objects.filter(owner=cast.kam_a).count() == 2


def test_a_long_name_keeps_the_change_reason_within_its_column(cast):
    long = UserFactory(first_name="Maximiliane " * 6, last_name="Mustermann-Schnarrenberger " * 3)
    reason = handover_reason(cast.kam_a, long)
    assert len(reason) <= 100 and reason.startswith("handover to Maximiliane")


def test_administrators_read_the_handovers_in_the_admin(cast, login):
    _post(login(cast.manager_a), cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, "")})
    cast.admin.is_staff = cast.admin.is_superuser = True
    cast.admin.save()
    client = login(cast.admin)
    page = client.get(reverse("admin:accounts_handovernote_changelist"))
    assert page.status_code == 200 and "Account A" in page.content.decode()
    assert client.get(reverse("admin:accounts_handovernote_add")).status_code == 403


# Patient data in a note --------------------------------------------------------------------------


def test_a_note_that_looks_like_patient_data_is_refused_and_what_was_typed_is_kept(cast, login, second):
    response = _post(
        login(cast.manager_a),
        cast.kam_a,
        {cast.account_a.pk: (cast.kam_b.pk, f"Visit first. {PATIENT}"), second.pk: (cast.kam_b.pk, NOTE_SECOND)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This looks like patient data" in page
    assert "a date of birth" in page and "a diagnosis next to a person" in page
    assert f"Visit first. {PATIENT}</textarea>" in page and f"{NOTE_SECOND}</textarea>" in page
    assert 'name="patient_data_confirm"' in page and 'name="patient_data_reason"' in page
    [flagged] = [row for row in response.context["rows"] if row.errors]
    assert flagged.account.pk == cast.account_a.pk and list(flagged.errors) == ["note"]
    cast.kam_a.refresh_from_db()
    assert cast.kam_a.is_active and not HandoverNote.objects.exists()
    assert not FreeTextConfirmation.objects.exists()


def test_the_patient_data_warning_shows_with_the_other_mistakes_of_the_page(cast, login):
    response = _post(login(cast.manager_a), cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, PATIENT)}, confirm=False)
    assert response.status_code == 400
    assert "This looks like patient data" in response.content.decode()
    assert "confirm" in response.context["confirm"].errors


def test_a_confirmed_note_is_handed_over_and_its_confirmation_recorded(cast, login):
    response = _post(
        login(cast.manager_a), cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, PATIENT)}, extra=SAVE_ANYWAY
    )
    assert response.status_code == 302
    note = HandoverNote.objects.get()
    assert note.note == PATIENT and note.to_user == cast.kam_b
    confirmation = FreeTextConfirmation.objects.get()
    assert confirmation.user == cast.manager_a
    assert confirmation.content_type.model_class() is HandoverNote and confirmation.object_id == note.pk
    assert confirmation.field_names == ["note"] and confirmation.kinds == ["birth_date", "diagnosis"]
    assert confirmation.reason == SAVE_ANYWAY["patient_data_reason"]
    assert confirmation.url == cast.account_a.get_absolute_url()


def test_a_confirmation_needs_a_reason_and_hands_nothing_over_without_one(cast, login):
    response = _post(
        login(cast.manager_a),
        cast.kam_a,
        {cast.account_a.pk: (cast.kam_b.pk, PATIENT)},
        extra={"patient_data_confirm": "on"},
    )
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert not HandoverNote.objects.exists() and not FreeTextConfirmation.objects.exists()


def test_a_clean_note_is_handed_over_without_a_confirmation(cast, login):
    response = _post(login(cast.manager_a), cast.kam_a, {cast.account_a.pk: (cast.kam_b.pk, NOTE_SECOND)})
    assert response.status_code == 302
    assert HandoverNote.objects.get().note == NOTE_SECOND
    assert not FreeTextConfirmation.objects.exists()
