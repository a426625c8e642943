"""The account row formsets refuse a raised TOTAL_FORMS with a message, and build no more forms
than their cap."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AccountFinancials


def test_a_raised_total_forms_is_refused_and_saves_nothing(cast, login):
    total = 201
    data = {
        "financials-TOTAL_FORMS": str(total),
        "financials-INITIAL_FORMS": "0",
        "financials-MIN_NUM_FORMS": "0",
        "financials-MAX_NUM_FORMS": "1000",
    }
    for i in range(total):
        data[f"financials-{i}-year"] = str(1800 + i)
        data[f"financials-{i}-revenue_actual"] = "1"
    response = login(cast.kam_a).post(reverse("accounts:financials", args=[cast.account_a.pk]), data)
    assert response.status_code == 400
    assert "at most 200" in response.content.decode()
    assert len(response.context["formset"].forms) <= 200
    assert not AccountFinancials.objects.filter(account=cast.account_a).exists()
