"""Rendered exports are kept by a digest of their content: a repeated download is not rendered
again, any change renders anew, and a worker renders each plan ahead after it is saved."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches
from django.urls import reverse

from plans.exports import cache
from plans.exports.cache import export_key, render_cached
from plans.exports.data import plan_export_data
from plans.services import step_save
from tests.plan_factories import ObjectiveFactory


@pytest.fixture(autouse=True)
def empty_export_cache():
    caches["exports"].clear()
    yield
    caches["exports"].clear()


@pytest.fixture
def counted(monkeypatch):
    """Count the real renders while still producing the real files."""
    calls: list[str] = []
    for fmt, (render, content_type) in list(cache.RENDERERS.items()):

        def counting(data, render=render, fmt=fmt):
            calls.append(fmt)
            return render(data)

        monkeypatch.setitem(cache.RENDERERS, fmt, (counting, content_type))
    return calls


def test_the_same_content_is_rendered_once(cast, plan, counted):
    data = plan_export_data(plan, variant="internal", user=cast.kam_a, today=date(2026, 7, 2))
    first = render_cached(data, "pdf")
    second = render_cached(data, "pdf")
    assert first == second and first.startswith(b"%PDF")
    assert counted == ["pdf"]


def test_any_change_to_the_plan_or_the_format_renders_anew(cast, plan, counted):
    before = plan_export_data(plan, variant="internal", user=cast.kam_a, today=date(2026, 7, 2))
    render_cached(before, "pptx")
    ObjectiveFactory(plan=plan, title="Second objective, added later")
    after = plan_export_data(plan, variant="internal", user=cast.kam_a, today=date(2026, 7, 2))
    assert export_key(before, "pptx") != export_key(after, "pptx")
    assert export_key(after, "pptx") != export_key(after, "pdf")
    render_cached(after, "pptx")
    assert counted == ["pptx", "pptx"]


def test_the_joint_and_internal_plans_never_share_a_file(cast, plan):
    internal = plan_export_data(plan, variant="internal", user=cast.kam_a, today=date(2026, 7, 2))
    joint = plan_export_data(plan, variant="joint", user=cast.kam_a, today=date(2026, 7, 2))
    assert export_key(internal, "pdf") != export_key(joint, "pdf")


@pytest.mark.django_db(transaction=True)
def test_saving_a_step_renders_the_exports_ahead_so_the_managers_download_is_not_rendered(
    cast, plan, settings, counted, login
):
    settings.PLAN_EXPORT_PRERENDER = True
    step = plan.steps.get(number=4)
    step_save(
        plan=plan,
        number=4,
        content={"value_proposition": "Fewer days in hospital"},
        expected_version=step.version,
        by=cast.kam_a,
    )
    # The worker (eager in tests) rendered both variants in both formats after the commit.
    assert sorted(counted) == ["pdf", "pdf", "pptx", "pptx"]
    counted.clear()
    response = login(cast.manager_a).get(reverse("plans:export", args=[plan.pk, "internal", "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert counted == []


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_only_skips_the_prerender(cast, plan, settings, monkeypatch, caplog, counted):
    from kam.celery import app
    from kam.models import OutboxTask

    settings.PLAN_EXPORT_PRERENDER = True

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(type(app.signature("x")), "apply_async", down)
    step = plan.steps.get(number=4)
    saved = step_save(
        plan=plan, number=4, content={"value_proposition": "x"}, expected_version=step.version, by=cast.kam_a
    )
    assert saved.version == step.version + 1
    assert counted == []
    # Recorded in the outbox: the sweeper renders it once the broker is back.
    assert OutboxTask.objects.filter(task="plans.prerender_exports", state="pending").exclude(last_error="").exists()


def test_prerender_skips_what_is_cached_and_a_plan_that_is_gone(cast, plan, counted):
    assert cache.prerender(plan.pk) == 4
    assert cache.prerender(plan.pk) == 0
    assert cache.prerender(10**9) == 0
    assert len(counted) == 4


def test_prerender_renders_in_each_language_the_team_reads_so_a_german_download_hits(cast, plan, counted, login):
    cast.kam_a.language = "de"
    cast.kam_a.save(update_fields=["language"])
    # The market-access colleague on the team chose no language: the default is rendered for them.
    assert cache.team_languages(plan) == ["de", "en"]
    assert cache.prerender(plan.pk) == 8
    counted.clear()
    response = login(cast.kam_a).get(reverse("plans:export", args=[plan.pk, "internal", "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert counted == []
