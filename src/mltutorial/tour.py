"""The tour: every chapter of the talk, discovered (no central list), run in slide order.

A chapter is one slide idea turned into a computation. A lesson module or an app registers itself by
defining a module-level `CHAPTER = Chapter(...)`:

- lessons: in `mltutorial/lessons/<name>.py` (usually through `lessons.lesson_chapter`);
- apps: in `mltutorial/apps/<app>/chapter.py`;
- the live server: in `mltutorial/live/chapter.py`.

`discover()` imports those modules and returns their chapters sorted by `order` (the position of the
slide in the talk). `run_chapter` runs one with its tour (or quick) configuration and never lets a
failure stop the others: a failed chapter becomes a `ChapterRecord` with its one-line reason. Each
record also carries the chapter's cost: CPU seconds (less sensitive to a busy machine than wall
seconds) and peak resident memory; after each chapter the memory it freed is handed back to the
operating system, so one chapter's garbage does not raise the next one's peak.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import pkgutil
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mltutorial.chapter import (  # noqa: F401  (re-exported: the tour's public names)
    ORDER_DAILY_LIFE,
    ORDER_DEEP,
    ORDER_FINAL,
    ORDER_HOW_MACHINES_LEARN,
    ORDER_INTRO,
    ORDER_NEURON,
    ORDER_PRACTICE,
    Chapter,
    ChapterContext,
    ChapterOutput,
    Table,
)
from mltutorial.files import jsonable


@dataclass
class ChapterRecord:
    chapter: Chapter
    output: ChapterOutput | None
    seconds: float
    error: str | None = None
    detail: str | None = None  # the traceback, for the report's "details" fold
    cpu_seconds: float | None = None  # the process's CPU time (all threads) during the chapter
    peak_rss_mb: float | None = None  # the chapter's peak resident memory (None: not measurable)

    def to_json(self, out_dir: Path) -> dict[str, Any]:
        """The record as results.json stores it: figures relative to the report folder `out_dir`."""
        c = self.chapter
        entry: dict[str, Any] = {
            "title": c.title,
            "order": c.order,
            "status": "ok" if self.error is None else "failed",
            "seconds": round(self.seconds, 2),
            "cpu_seconds": None if self.cpu_seconds is None else round(self.cpu_seconds, 2),
            "peak_rss_mb": None if self.peak_rss_mb is None else round(self.peak_rss_mb, 1),
            "command": c.command,
        }
        if self.output is None:
            entry["error"] = self.error
            return entry
        o = self.output
        entry.update(
            summary=o.summary,
            numbers=jsonable(o.numbers),
            data=o.data,
            citation=o.citation,
            licence=o.licence,
            figures=[_relative(p, out_dir) for p in o.figures],
        )
        return entry


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _chapter_modules() -> list[str]:
    import mltutorial.apps as apps
    import mltutorial.lessons as lessons

    names = [
        f"mltutorial.lessons.{m.name}"
        for m in pkgutil.iter_modules(lessons.__path__)
        if not m.name.startswith("_")
    ]
    for m in pkgutil.iter_modules(apps.__path__):
        if m.ispkg and not m.name.startswith("_"):
            names.append(f"mltutorial.apps.{m.name}.chapter")
    names.append("mltutorial.live.chapter")
    return names


def discover() -> tuple[list[Chapter], dict[str, str]]:
    """Return (chapters in slide order, {module: error} for chapter modules that failed to import)."""
    chapters: list[Chapter] = []
    broken: dict[str, str] = {}
    for name in _chapter_modules():
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                continue  # no chapter module there: nothing registered
            broken[name] = f"{type(exc).__name__}: {exc}"
            continue
        except Exception as exc:  # a broken chapter must not break the tour
            broken[name] = f"{type(exc).__name__}: {exc}"
            continue
        chapter = getattr(module, "CHAPTER", None)
        if isinstance(chapter, Chapter):
            chapters.append(chapter)
    chapters.sort(key=lambda c: (c.order, c.name))
    return chapters, broken


def _reset_peak_rss() -> bool:
    """Start a new high-water mark of resident memory (Linux: "5" to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float | None:
    """Resident memory's high-water mark since the last reset (VmHWM), in MB; None elsewhere."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6  # the file says kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _malloc_trim() -> None:
    """Hand freed heap memory back to the system. glibc keeps freed small blocks (a chapter's
    thousands of small arrays and Python objects) in its arenas; without this the next chapter's
    peak starts from the previous chapter's. A no-op where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        pass


def release_memory() -> None:
    """Collect garbage (cycles hold autograd graphs and figures) and trim the heap."""
    gc.collect()
    _malloc_trim()


def run_chapter(chapter: Chapter, out_dir: Path, quick: bool, seed: int = 0) -> ChapterRecord:
    """Run one chapter into `out_dir/<name>/`; any exception becomes the record's one-line error.

    The record's `peak_rss_mb` is the chapter's own peak on Linux (the high-water mark is reset
    before it starts); the memory the chapter freed is released after it ends.
    """
    folder = out_dir / chapter.name
    folder.mkdir(parents=True, exist_ok=True)
    measurable = _reset_peak_rss()
    start, cpu_start = time.perf_counter(), time.process_time()
    output: ChapterOutput | None = None
    error = detail = None
    try:
        output = chapter.run(ChapterContext(out_dir=folder, quick=quick, seed=seed))
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        error = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
        detail = traceback.format_exc()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    peak = _peak_rss_mb() if measurable else None
    release_memory()
    return ChapterRecord(
        chapter,
        output,
        seconds,
        error=error,
        detail=detail,
        cpu_seconds=cpu_seconds,
        peak_rss_mb=peak,
    )
