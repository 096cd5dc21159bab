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

`run_chapters` runs a list of them, `jobs` at a time. The chapters share nothing but the report
folder (each writes its own subfolder), so on a machine with two cores two of them can run at once:
each in a child process forked from this one, which starts with every module already imported and
shares those pages with its parent, runs one chapter and hands its record back through a pipe. A
chapter that crashes its process (a segfault, the out-of-memory killer) becomes a failed record
like any other.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import multiprocessing
import multiprocessing.connection
import os
import pkgutil
import signal
import sys
import time
import traceback
from collections.abc import Callable
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


def default_jobs() -> int:
    """How many chapters run at once by default: one per core this process may use, at most two.

    Two keep both cores of a small machine busy; more would mostly add memory, because the longest
    chapters, not the count, then set the wall time.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _child(
    chapter: Chapter,
    out_dir: Path,
    quick: bool,
    seed: int,
    threads: int,
    conn: multiprocessing.connection.Connection,
) -> None:
    """A forked child: run one chapter and send its record's fields back (never the chapter)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the children
    os.environ["MLTUTORIAL_QUIET"] = "1"  # two chapters' progress bars would overwrite each other
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        rec = run_chapter(chapter, out_dir, quick=quick, seed=seed)
    fields = (rec.output, rec.seconds, rec.error, rec.detail, rec.cpu_seconds, rec.peak_rss_mb)
    try:
        conn.send(fields)
    except Exception as exc:  # an output that cannot be pickled is that chapter's failure only
        reason = f"its results could not be handed back ({type(exc).__name__}: {exc})"
        conn.send((None, rec.seconds, reason, traceback.format_exc(), rec.cpu_seconds, None))
    conn.close()


def run_chapters(
    chapters: list[Chapter],
    out_dir: Path,
    quick: bool,
    seed: int = 0,
    jobs: int = 1,
    threads: int = 1,
    on_start: Callable[[int, Chapter], None] | None = None,
    on_done: Callable[[int, ChapterRecord], None] | None = None,
) -> list[ChapterRecord]:
    """Run `chapters` (at most `jobs` at once, each in its own forked process when `jobs` > 1) and
    return their records in the chapters' order. `on_start(i, chapter)` and `on_done(i, record)`
    report progress; chapters start in the given order and finish in any order.
    """
    on_start = on_start or (lambda i, c: None)
    on_done = on_done or (lambda i, r: None)
    records: list[ChapterRecord | None] = [None] * len(chapters)
    if jobs <= 1 or len(chapters) < 2 or not _can_fork():
        from threadpoolctl import threadpool_limits

        for i, chapter in enumerate(chapters):
            on_start(i, chapter)
            with threadpool_limits(limits=threads):
                records[i] = run_chapter(chapter, out_dir, quick=quick, seed=seed)
            gc.freeze()  # what a chapter leaves (its lazily imported modules) is not rescanned
            on_done(i, records[i])
        return records  # type: ignore[return-value]

    context = multiprocessing.get_context("fork")
    waiting = list(enumerate(chapters))
    running: dict[multiprocessing.connection.Connection, tuple[int, Any, float]] = {}
    # The children inherit this process's objects; frozen, the children's collections leave them
    # alone, and their pages stay shared instead of being copied on the first collection.
    gc.freeze()
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                i, chapter = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child,
                    args=(chapter, out_dir, quick, seed, threads, send),
                    name=f"mltutorial-tour-{chapter.name}",
                    daemon=True,
                )
                on_start(i, chapter)
                process.start()
                send.close()  # the child holds the only writing end: its exit reads as end of file
                running[receive] = (i, process, time.perf_counter())
            # Read a result as soon as it comes: a big one fills the pipe, and its child cannot
            # exit before the parent reads it.
            for receive in multiprocessing.connection.wait(list(running)):
                i, process, started = running.pop(receive)
                try:
                    output, seconds, error, detail, cpu, peak = receive.recv()
                except (EOFError, OSError):
                    process.join()
                    code = process.exitcode
                    died = f"killed by signal {-code}" if code and code < 0 else f"status {code}"
                    output, error, detail, cpu, peak = (
                        None,
                        f"its process died ({died})",
                        None,
                        None,
                        None,
                    )
                    seconds = time.perf_counter() - started
                receive.close()
                process.join()
                rec = ChapterRecord(
                    chapters[i], output, seconds, error, detail, cpu_seconds=cpu, peak_rss_mb=peak
                )
                records[i] = rec
                on_done(i, rec)
    finally:
        for _, process, _ in running.values():  # interrupted: stop the chapters still running
            process.terminate()
            process.join()
    return records  # type: ignore[return-value]
