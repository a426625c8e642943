"""The demo is the top floor: it may import any app, nothing in the apps imports it (only the
seed_demo command, the tests and the benchmarks do), and it imports at the top of its modules."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "kam", "plans", "stakeholders")
ENTRY = ROOT / "kam" / "demo" / "management" / "commands" / "seed_demo.py"


def _imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node, node.module))
    return found


def test_nothing_in_the_apps_imports_the_demo():
    demo = ROOT / "kam" / "demo"
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == ENTRY or demo in path.parents:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno}"
                for node, name in _imports(tree)
                if name == "kam.demo" or name.startswith("kam.demo.")
            ]
    assert offenders == []


def test_the_demo_imports_at_the_top_of_its_modules():
    inside = []
    for path in [*(ROOT / "kam" / "demo").rglob("*.py"), ENTRY]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                inside += [f"{path.relative_to(ROOT)}:{node.lineno}" for node, _name in _imports(function)]
    assert inside == []
