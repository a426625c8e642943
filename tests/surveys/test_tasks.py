"""The survey tasks live in stakeholders/surveys/tasks.py under their old names, and a worker finds them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SURVEY_TASKS = {
    "stakeholders.send_invitations",
    "stakeholders.sweep_invitations",
    "stakeholders.send_survey_reminders",
    "stakeholders.dispatch_scheduled_campaigns",
    "stakeholders.alert_low_score",
}


def test_a_fresh_worker_process_registers_every_survey_task_by_its_name():
    # A new interpreter: in this one the test modules have imported the tasks already.
    script = (
        "import json, django; django.setup(); from kam.celery import app; "
        "app.loader.import_default_modules(); print(json.dumps(sorted(app.tasks)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kam.settings_test"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    registered = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert registered >= SURVEY_TASKS
    # The app's own tasks module, which the survey tasks left, is still found.
    assert {"stakeholders.retention_sweep", "stakeholders.import_run"} <= registered
