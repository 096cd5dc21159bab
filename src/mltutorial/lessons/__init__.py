"""Lessons: one module per slide idea, each `Config -> run(cfg) -> Result -> plot(result, path)`.

A lesson module has:
- a docstring whose first line is its title and which quotes the slide it comes from;
- `Config`, a dataclass of typed fields with defaults (overridable as `--key=value`);
- `run(cfg: Config) -> Result`, seeded, that only computes;
- `Result`, a dataclass with `summary() -> str` (one line) and `numbers() -> dict` (key numbers);
- `plot(result, path) -> Path | list[Path]`, which writes the figure(s);
- `CHAPTER = lesson_chapter(__name__, ...)` to join the tour.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

from mltutorial.chapter import Chapter, ChapterContext, ChapterOutput, Table
from mltutorial.errors import UserError


def names() -> list[str]:
    """Every lesson module's name, alphabetically (see `in_slide_order` for the talk's order)."""
    found = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    return sorted(found)


def get(name: str) -> ModuleType:
    """Import lesson `name`, or raise a UserError listing the lessons that exist."""
    if name not in names():
        import difflib

        close = difflib.get_close_matches(name, names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UserError(f"unknown lesson {name!r}{hint} (see 'mltutorial lessons')")
    return importlib.import_module(f"{__name__}.{name}")


def in_slide_order() -> list[ModuleType]:
    """Every lesson module, in the order of the talk's slides (their chapter's `order`)."""
    modules = [get(name) for name in names()]
    return sorted(modules, key=lambda m: getattr(getattr(m, "CHAPTER", None), "order", 1e9))


def title(module: ModuleType) -> str:
    doc = inspect.getdoc(module) or module.__name__
    return doc.splitlines()[0].strip()


def explanation(module: ModuleType) -> str:
    """The docstring without its title line and without the 'Run:' paragraph."""
    doc = inspect.getdoc(module) or ""
    body = doc.split("\n", 1)[1] if "\n" in doc else ""
    paragraphs = [p.strip() for p in body.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p and not p.lower().startswith("run"))


def _as_paths(value: Any) -> list[Path]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [Path(v) for v in value]
    return [Path(value)]


def run_lesson(module: ModuleType, cfg: Any, out_dir: Path) -> tuple[Any, list[Path]]:
    """Run a lesson and draw its figure(s) into `out_dir`; return (result, figure paths)."""
    result = module.run(cfg)
    name = module.__name__.rsplit(".", 1)[-1]
    figures = _as_paths(module.plot(result, out_dir / f"{name}.png"))
    return result, figures


def lesson_chapter(
    module_name: str,
    *,
    slide: str,
    order: float,
    tour: dict[str, Any] | None = None,
    quick: dict[str, Any] | None = None,
) -> Chapter:
    """A tour chapter for a lesson: runs its Config with `tour` (or `quick`) overrides."""
    name = module_name.rsplit(".", 1)[-1]

    def run(ctx: ChapterContext) -> ChapterOutput:
        module = importlib.import_module(module_name)
        overrides = dict(tour or {})
        if ctx.quick:
            overrides.update(quick or {})
        fields = {f for f in module.Config.__dataclass_fields__}
        if "seed" in fields:
            overrides.setdefault("seed", ctx.seed)
        cfg = module.Config(**overrides)
        result, figures = run_lesson(module, cfg, ctx.out_dir)
        numbers = result.numbers()
        out = ChapterOutput(
            summary=result.summary(),
            numbers=numbers,
            figures=figures,
            text=explanation(module),
        )
        for attr in ("data", "citation", "licence"):
            value = getattr(result, attr, None)
            if isinstance(value, str) and value:
                setattr(out, attr, value)
        tables = getattr(result, "tables", None)
        if callable(tables):
            out.tables = [t for t in tables() if isinstance(t, Table)]
        samples = getattr(result, "samples", None)
        if callable(samples):
            out.samples = list(samples())
        return out

    module = importlib.import_module(module_name)
    args = " ".join(f"--{k}={v}" for k, v in (tour or {}).items())
    return Chapter(
        name=name,
        title=title(module),
        slide=slide,
        order=order,
        command=f"mltutorial run {name} {args}".strip(),
        run=run,
    )
