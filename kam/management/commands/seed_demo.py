"""``manage.py seed_demo``: the demo organisation (kam.demo.seed holds it)."""

from kam.demo.seed import Command  # noqa: F401  (Django looks for a Command class in this module)
