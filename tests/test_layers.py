"""Imports go down only: read every module's imports (with `ast`, nothing is run) and check the layers.

- lessons/, apps/ and live/ take the tour's protocol from `mltutorial.chapter`, never from
  `mltutorial.tour` (which discovers and imports them);
- a lesson never imports another lesson: what two lessons share lives in an underscore module of
  lessons/ (not a chapter), the engine or the data layer;
- engine/ and data/ never import lessons/, apps/ or live/;
- chapter.py, at the bottom, imports nothing of the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mltutorial

PACKAGE = Path(mltutorial.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, at any depth (function bodies too).

    `from a import b` yields both "a" and "a.b", since b may be a module.
    """
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _is(module: str, target: str) -> bool:
    return module == target or module.startswith(target + ".")


def _violations(folders: list[str], forbidden) -> list[str]:
    bad = []
    for folder in folders:
        for path in _modules(folder):
            for line, module in _imports(path):
                if forbidden(path, module):
                    bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    return sorted(set(bad))


def test_lessons_apps_and_live_never_import_the_tour():
    assert _violations(["lessons", "apps", "live"], lambda path, m: _is(m, "mltutorial.tour")) == []


def test_nothing_below_present_imports_it():
    below = ["lessons", "apps", "live", "playground", "engine", "data"]
    assert _violations(below, lambda path, m: _is(m, "mltutorial.present")) == []


def test_present_stays_above_the_tour_and_below_the_cli():
    above = ("mltutorial.cli", "mltutorial.tour_cli", "mltutorial.report")
    assert _violations(["present"], lambda path, m: any(_is(m, a) for a in above)) == []


def _sibling_lesson(path: Path, module: str) -> bool:
    if path.name.startswith("_"):  # a shared module may serve lessons; it is not one
        return False
    if not _is(module, "mltutorial.lessons") or module == "mltutorial.lessons":
        return False
    other = module.split(".")[2]  # a module of lessons/, or a name of its __init__
    lessons = {p.stem for p in (PACKAGE / "lessons").glob("*.py") if not p.stem.startswith("_")}
    return other in lessons and other != path.stem


def test_no_lesson_imports_another_lesson():
    assert _violations(["lessons"], _sibling_lesson) == []


@pytest.mark.parametrize("folder", ["engine", "data"])
def test_engine_and_data_never_import_the_layers_above(folder):
    above = ("mltutorial.lessons", "mltutorial.apps", "mltutorial.live", "mltutorial.tour")
    assert _violations([folder], lambda path, m: any(_is(m, a) for a in above)) == []


def test_the_protocol_at_the_bottom_imports_nothing_of_the_package():
    modules = [m for _, m in _imports(PACKAGE / "chapter.py")]
    assert not [m for m in modules if _is(m, "mltutorial")]


def test_the_checks_see_a_violation(tmp_path, monkeypatch):
    # the reader itself: relative and function-level imports resolve to the names checked above
    lessons = PACKAGE / "lessons"
    fake = lessons / "neuron.py"
    source = "def f():\n    from .networks import MLP\n    from ..tour import Chapter\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    found = [m for _, m in _imports(fake)]
    assert "mltutorial.lessons.networks" in found and "mltutorial.tour" in found
    assert _sibling_lesson(fake, "mltutorial.lessons.networks.MLP")
    assert not _sibling_lesson(fake, "mltutorial.lessons._images.MLP")
    assert not _sibling_lesson(lessons / "_images.py", "mltutorial.lessons.networks")
