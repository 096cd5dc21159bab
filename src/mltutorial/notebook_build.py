"""The tutorial's notebooks: percent-format sources shipped in the package, built into .ipynb.

The source of truth is one Jupytext percent-format file per chapter in `mltutorial/notebooks/`
(`12_neuron.py`: plain Python, `# %%` between cells, `# %% [markdown]` for text), and worked
solutions in `mltutorial/notebooks/solutions/`. `build(source)` turns one into a notebook without
outputs; `write_all(folder)` writes them all (what `mltutorial notebooks` and the repository's
`notebooks/` folder hold). Jupytext is the `notebooks` extra: imported only when building.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

SOLUTIONS = "solutions"
DEFAULT_DIR = (
    "mltutorial-notebooks"  # where `mltutorial notebooks` writes, beside mltutorial-report
)
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
_NAME = re.compile(r"^(\d\d)_([a-z_]+)\.py$")


def source_dir() -> Path:
    """The installed package's notebook sources (a real folder: the package is never zipped)."""
    return Path(str(resources.files("mltutorial") / "notebooks"))


def sources(folder: Path | None = None) -> list[Path]:
    """The chapter notebooks' sources, in slide order (their numeric prefix)."""
    folder = folder or source_dir()
    return sorted(p for p in folder.glob("*.py") if _NAME.match(p.name))


def solution_sources(folder: Path | None = None) -> list[Path]:
    return sources((folder or source_dir()) / SOLUTIONS)


def chapter_of(path: Path) -> str:
    """'12_neuron.py' -> 'neuron'."""
    match = _NAME.match(path.name)
    if match is None:
        raise ValueError(f"not a notebook source name: {path.name}")
    return match.group(2)


def notebook_for(chapter: str) -> str | None:
    """The notebook file of a tour chapter ('neuron' -> '12_neuron.ipynb'), or None if it has none."""
    return _notebooks().get(chapter)


@lru_cache(maxsize=1)
def _notebooks() -> dict[str, str]:
    return {chapter_of(p): p.with_suffix(".ipynb").name for p in sources()}


def build(source: Path) -> str:
    """The .ipynb text of one percent-format source: no outputs, Python 3 kernel, stable bytes."""
    import jupytext

    notebook = jupytext.reads(source.read_text("utf-8"), fmt="py:percent")
    notebook.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(notebook.cells):
        cell.id = f"cell-{i}"  # stable ids: a rebuild gives the same bytes
        cell.metadata = {}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return jupytext.writes(notebook, fmt="ipynb")


def write_all(dest: Path, folder: Path | None = None) -> list[Path]:
    """Build every notebook and solution into `dest` (and `dest/solutions`); return the paths.

    Everything is built in memory first, so a failure writes nothing.
    """
    built: list[tuple[Path, str]] = []
    for src in sources(folder):
        built.append((dest / src.with_suffix(".ipynb").name, build(src)))
    for src in solution_sources(folder):
        built.append((dest / SOLUTIONS / src.with_suffix(".ipynb").name, build(src)))
    for path, text in built:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(path)
    return [p for p, _ in built]
