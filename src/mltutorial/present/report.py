"""The computed side of the talk: a tour report folder, and the chapters it lacks computed meanwhile.

`mltutorial tour --out DIR` writes `DIR/results.json` (every chapter's numbers and figure paths) and
one folder per chapter. `Report` reads that; a chapter the slides need that is not there (or failed)
is computed by `Report.compute_missing()` in a worker thread, one chapter after another, by calling
the tour (`mltutorial.tour.run_chapter`) with the chapter's tour configuration, while the server
already serves. Each finished chapter is merged into results.json, so the next start finds it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mltutorial.errors import UserError
from mltutorial.files import write_json

RESULTS = "results.json"


@dataclass
class ChapterStatus:
    """ready, queued, computing (since `started`), or failed (with its one-line reason)."""

    state: str
    started: float | None = None
    error: str = ""


class Report:
    """A report folder: the chapters' numbers and figures, and the missing ones being computed."""

    def __init__(self, folder: str | Path, quick: bool = False):
        self.folder = Path(folder)
        self.quick = quick
        self._lock = threading.Lock()
        self.results: dict[str, Any] = {}
        self.status: dict[str, ChapterStatus] = {}
        self._thread: threading.Thread | None = None
        self.version = 0  # bumped when a chapter becomes ready (pages re-fetch their slides)
        path = self.folder / RESULTS
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise UserError(f"{path}: not a tour results.json ({exc})") from None
            chapters = data.get("chapters") if isinstance(data, dict) else None
            if not isinstance(chapters, dict):
                raise UserError(f"{path}: not a tour results.json (no 'chapters')")
            self.results = data
        for name, entry in self.chapters.items():
            if isinstance(entry, dict) and entry.get("status") == "ok":
                self.status[name] = ChapterStatus("ready")

    @property
    def chapters(self) -> dict[str, Any]:
        return self.results.setdefault("chapters", {})

    def ready(self, chapter: str) -> bool:
        st = self.status.get(chapter)
        return st is not None and st.state == "ready"

    def figure(self, chapter: str, n: int) -> Path | None:
        """The chapter's n-th figure (0-based) as a file, if it is ready and exists."""
        if not self.ready(chapter):
            return None
        figures = self.chapters[chapter].get("figures") or []
        if not 0 <= n < len(figures):
            return None
        path = (self.folder / figures[n]).resolve()
        if not path.is_relative_to(self.folder.resolve()) or not path.is_file():
            return None
        return path

    def number(self, chapter: str, path: tuple[str, ...]) -> Any:
        """A value from the chapter's numbers; KeyError when it has no such key."""
        value: Any = self.chapters[chapter].get("numbers", {})
        for key in path:
            if not isinstance(value, dict) or key not in value:
                raise KeyError(".".join((chapter, *path)))
            value = value[key]
        return value

    def progress(self) -> dict[str, Any]:
        """What the pages show while chapters compute: each chapter's state and seconds."""
        now = time.time()
        with self._lock:
            out = {}
            for name, st in self.status.items():
                item: dict[str, Any] = {"state": st.state}
                if st.started is not None and st.state == "computing":
                    item["seconds"] = round(now - st.started)
                if st.error:
                    item["error"] = st.error
                out[name] = item
        queue = [n for n, st in self.status.items() if st.state in ("queued", "computing")]
        return {"version": self.version, "chapters": out, "pending": len(queue)}

    # -- computing what is missing ----------------------------------------------------------------

    def missing(self, needed: list[str]) -> list[str]:
        return [name for name in needed if not self.ready(name)]

    def forget_stale(self, numbers: list[tuple[str, tuple[str, ...]]]) -> list[str]:
        """Chapters whose report lacks a number the slides read (a report from an older version):
        marked not ready, so that `compute_missing` computes them again."""
        stale = []
        for chapter, path in numbers:
            if not self.ready(chapter):
                continue
            try:
                self.number(chapter, path)
            except KeyError:
                self.status.pop(chapter, None)
                stale.append(chapter)
        return stale

    def compute_missing(self, needed: list[str], known: dict[str, Any] | None = None) -> None:
        """Start computing the chapters of `needed` that are not ready (in a worker thread)."""
        todo = self.missing(needed)
        if not todo:
            return
        with self._lock:
            for name in todo:
                self.status[name] = ChapterStatus("queued")
        self._thread = threading.Thread(
            target=self._compute, args=(todo,), name="present-compute", daemon=True
        )
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _compute(self, names: list[str]) -> None:
        from threadpoolctl import threadpool_limits

        from mltutorial.tour import discover, run_chapter

        chapters = {c.name: c for c in discover()[0]}
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            with self._lock:
                self.status[name] = ChapterStatus("computing", started=time.time())
            chapter = chapters.get(name)
            if chapter is None:
                self._done(name, None, "the chapter could not be loaded")
                continue
            # One BLAS thread: the server shares this machine and must stay responsive.
            with threadpool_limits(limits=1):
                rec = run_chapter(chapter, self.folder, quick=self.quick)
            entry = rec.to_json(self.folder)
            self._done(name, entry, rec.error)

    def _done(self, name: str, entry: dict[str, Any] | None, error: str | None) -> None:
        with self._lock:
            if entry is not None:
                self.chapters[name] = entry
                self.results.setdefault("quick", self.quick)
                # on a read-only folder the slides still show it; the next start computes it again
                with contextlib.suppress(OSError):
                    write_json(self.folder / RESULTS, self.results)
            self.status[name] = (
                ChapterStatus("ready") if error is None else ChapterStatus("failed", error=error)
            )
            self.version += 1
