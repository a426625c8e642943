"""Criteria are configured by administrators, but shown to every KAM: their text is escaped."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import QualificationCriterion

SCRIPT = "<script>alert(1)</script>"


def test_a_criterion_s_guidance_and_label_are_escaped_with_line_breaks_kept(cast, login):
    criterion = QualificationCriterion.objects.filter(account_type=cast.account_a.account_type, active=True).first()
    criterion.help_text = f'{SCRIPT}\nSecond line <b onmouseover="x()">bold</b>'
    criterion.label = f"Label {SCRIPT}"
    criterion.save()
    response = login(cast.kam_a).get(reverse("accounts:qualification", args=[cast.account_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert SCRIPT not in body and "<b onmouseover" not in body
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line &lt;b onmouseover=&quot;x()&quot;&gt;bold&lt;/b&gt;"
        in body
    )
    assert "Label &lt;script&gt;alert(1)&lt;/script&gt; (×" in body
