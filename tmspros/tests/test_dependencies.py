"""Apps depend on each other in one direction: parcours on attachments, never the reverse."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(app: str) -> dict[str, set[str]]:
    """{file: modules it imports} for the app's code (its tests aside)."""
    found = {}
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
                names.add("<importlib>")
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("app", "forbidden"), [("attachments", "parcours"), ("attachments", "news")]
)
def test_an_app_never_imports_the_app_that_depends_on_it(app, forbidden):
    offenders = {
        path: sorted(name for name in names if name.split(".")[0] == forbidden)
        for path, names in imported_modules(app).items()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_no_module_is_found_at_run_time_to_dodge_an_import_cycle():
    for app in ("parcours", "attachments", "profiles", "accounts", "news"):
        for path, names in imported_modules(app).items():
            assert "<importlib>" not in names, path
