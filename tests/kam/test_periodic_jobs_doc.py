"""docs/operations.md lists every job the migrations schedule, and nothing that is not scheduled."""

import re
from pathlib import Path

import pytest
from django_celery_beat.models import PeriodicTask

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


@pytest.mark.django_db
def test_the_periodic_jobs_table_lists_every_scheduled_task():
    section = DOC.read_text().split("## Periodic jobs", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\|[^|]*\| `([a-z_.]+)` \|", section, flags=re.MULTILINE))
    scheduled = set(PeriodicTask.objects.exclude(task="celery.backend_cleanup").values_list("task", flat=True))
    assert scheduled, "the migrations schedule the periodic jobs"
    assert documented == scheduled
