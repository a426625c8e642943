"""The surveys are a floor above the rest of stakeholders: nothing below imports them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# kam core, accounts and stakeholders outside stakeholders/surveys/ (the floors below the surveys).
TOP_OF_KAM = {"portfolio", "demo", "urls.py", "api_urls.py"}


def _lower_floor_modules() -> list[Path]:
    paths = []
    for package in ("kam", "accounts", "stakeholders"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT / package).parts
            if package == "kam" and parts[0] in TOP_OF_KAM:
                continue
            if package == "stakeholders" and parts[0] == "surveys":
                continue
            paths.append(path)
    return paths


def _imports_surveys(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            named = {alias.name for alias in node.names}
            if node.module.startswith("stakeholders.surveys") or (node.module == "stakeholders" and "surveys" in named):
                lines.append(node.lineno)
        elif isinstance(node, ast.Import) and any(a.name.startswith("stakeholders.surveys") for a in node.names):
            lines.append(node.lineno)
    return lines


def test_no_lower_floor_module_imports_the_surveys():
    modules = _lower_floor_modules()
    assert any(path.name == "models.py" and path.parent.name == "stakeholders" for path in modules)
    offenders = {str(path.relative_to(ROOT)): lines for path in modules if (lines := _imports_surveys(path))}
    assert offenders == {}
