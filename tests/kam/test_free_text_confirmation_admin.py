"""The administrators' review of free-text confirmations (kam.admin.FreeTextConfirmationAdmin):
only administrators see it, it is read-only but for "reviewed", and it lists without the text."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kam.models import FreeTextConfirmation, Role
from stakeholders.models import Touchpoint
from tests.factories import UserFactory

LIST = reverse("admin:kam_freetextconfirmation_changelist")


@pytest.fixture
def staff_admin(db):
    return UserFactory(username="staff_admin", role=Role.ADMIN, is_staff=True)


@pytest.fixture
def confirmations(cast):
    kind = ContentType.objects.get_for_model(Touchpoint)
    return [
        FreeTextConfirmation.objects.create(
            user=cast.kam_a,
            content_type=kind,
            object_id=1000 + i,
            object_label=f"touchpoint #{1000 + i}",
            url=f"/stakeholders/touchpoints/{1000 + i}/",
            fields=["summary"],
            field_names=["summary"],
            kinds=["birth_date", "diagnosis"] if i % 2 else ["patient_id"],
            reason=f"Reason <b>{i}</b>",
        )
        for i in range(3)
    ]


def test_administrators_see_the_confirmations(staff_admin, confirmations, login, django_assert_max_num_queries):
    client = login(staff_admin)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert "touchpoint #1001" in content and 'href="/stakeholders/touchpoints/1001/"' in content
    assert "a date of birth, a diagnosis next to a person" in content
    assert "Reason &lt;b&gt;1&lt;/b&gt;" in content and "Reason <b>1</b>" not in content


def test_the_kind_filter_lists_one_kind(staff_admin, confirmations, login):
    response = login(staff_admin).get(LIST, {"kind": "patient_id"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [confirmations[2], confirmations[0]]


@pytest.mark.parametrize("role", ["kam_a", "manager_a", "medical", "access", "head"])
def test_no_one_else_sees_them(cast, confirmations, login, role):
    response = login(getattr(cast, role)).get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_who_are_not_administrators_do_not_see_them(db, confirmations, login):
    staff = UserFactory(username="staff_kam", role=Role.KAM, is_staff=True)
    assert login(staff).get(LIST).status_code == 403


def test_it_is_read_only(staff_admin, confirmations, login):
    client = login(staff_admin)
    assert client.get(reverse("admin:kam_freetextconfirmation_add")).status_code == 403
    change = reverse("admin:kam_freetextconfirmation_change", args=[confirmations[0].pk])
    assert client.get(change).status_code == 200
    client.post(change, {"reason": "changed", "reviewed": "on"})
    confirmations[0].refresh_from_db()
    assert (confirmations[0].reason, confirmations[0].reviewed) == ("Reason <b>0</b>", False)
    delete = reverse("admin:kam_freetextconfirmation_delete", args=[confirmations[0].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert FreeTextConfirmation.objects.count() == 3


def test_administrators_mark_confirmations_reviewed(staff_admin, confirmations, login):
    client = login(staff_admin)
    chosen = [confirmations[0].pk, confirmations[1].pk]
    response = client.post(LIST, {"action": "mark_reviewed", "_selected_action": chosen}, follow=True)
    assert "2 confirmations marked as reviewed." in response.content.decode()
    reviewed = FreeTextConfirmation.objects.filter(reviewed=True)
    assert sorted(reviewed.values_list("pk", flat=True)) == sorted(chosen)
    assert {c.reviewed_by for c in reviewed} == {staff_admin}
    assert all(c.reviewed_at for c in reviewed)
