"""The floors of the house point one way, and every module stands on one of them.

``lint-imports`` (run by ``make test``) checks the layers contract in pyproject.toml. import-linter
does not allow a layer inside another, so the two apps that hold two floors (``kam``: the core and,
on top, ``kam.portfolio`` and ``kam.demo``; ``stakeholders``: the people and, above them,
``stakeholders.surveys``) name their lower floor module by module. This test makes sure a new
module cannot slip out of the contract.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPLIT_APPS = {"kam": {"portfolio", "demo"}, "stakeholders": {"surveys"}}


def _layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [{m.strip() for part in layer.split("|") for m in part.split(":")} for layer in contract["layers"]]


def _children(app: str) -> set[str]:
    names = set()
    for path in (ROOT / app).iterdir():
        if path.name.startswith(("_", ".")) or "." in path.stem:
            continue
        if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()):
            names.add(f"{app}.{path.stem}")
    return names


def test_every_module_of_a_split_app_stands_on_exactly_one_floor():
    named = [module for layer in _layers() for module in layer]
    for app, upper in SPLIT_APPS.items():
        for module in _children(app):
            covering = [n for n in named if module == n or module.startswith(n + ".") or n.startswith(module + ".")]
            if module.removeprefix(app + ".") in upper:
                assert covering == [module], module
            else:
                assert covering, f"{module} is on no floor: add it to the layers contract in pyproject.toml"
