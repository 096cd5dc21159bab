"""The tour end to end: `tour --quick` with and without the real data, failures, the report page."""

from __future__ import annotations

import json
from pathlib import Path

import html5lib
import pytest

from helpers import data_root
from mltutorial import tour_cli
from mltutorial.chapter import Chapter, ChapterOutput
from mltutorial.cli import main
from mltutorial.tour import discover


def _check_report(out: Path) -> dict:
    results = json.loads((out / "results.json").read_text())
    page = (out / "index.html").read_text()
    html5lib.HTMLParser(strict=True).parse(page)  # raises on any parse error
    chapters, broken = discover()
    assert not broken, broken
    assert chapters, "no chapter registered"
    for c in chapters:
        entry = results["chapters"][c.name]
        assert entry["status"] == "ok", (c.name, entry.get("error"))
        assert entry["numbers"], c.name
        assert entry["summary"], c.name
        for fig in entry["figures"]:
            assert (out / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", (c.name, fig)
        assert f"id='{c.name}'" in page
    assert page.count("data:image/png;base64,") == sum(
        len(e["figures"]) for e in results["chapters"].values()
    )
    return results


def test_tour_quick_on_builtin_data(no_real_data, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["tour", "--quick", "--out", str(out)]) == 0
    results = _check_report(out)
    assert results["data_root"] is None
    assert "chapter" in capsys.readouterr().out  # the summary table


def test_tour_quick_on_real_data(tmp_path):
    if data_root() is None:
        pytest.skip("real datasets not found (set MLTUTORIAL_DATA)")
    out = tmp_path / "report"
    assert main(["tour", "--quick", "--out", str(out)]) == 0
    results = _check_report(out)
    assert results["data_root"]
    uses_builtin = [n for n, e in results["chapters"].items() if "built-in sample" in e["data"]]
    assert not uses_builtin, (
        f"chapters fell back to built-in data despite MLTUTORIAL_DATA: {uses_builtin}"
    )


def _fake(name: str, order: float, fail: bool = False) -> Chapter:
    def run(ctx):
        if fail:
            raise RuntimeError("optional dependency 'gizmo' is missing\nsecond line")
        return ChapterOutput(
            summary=f"{name} ok", numbers={"x": 1.5, "n": 1000, "nested": {"y": 2}}
        )

    return Chapter(name, name.title(), "a slide <b>quote</b>", order, f"mltutorial run {name}", run)


def test_failed_chapter_is_reported_and_tour_goes_on(monkeypatch, tmp_path, capsys):
    fakes = [_fake("alpha", 1), _fake("broken", 2, fail=True), _fake("gamma", 3)]
    monkeypatch.setattr(tour_cli, "discover", lambda: (fakes, {}))
    out = tmp_path / "r"
    assert main(["tour", "--out", str(out)]) == 1
    results = json.loads((out / "results.json").read_text())
    assert results["chapters"]["alpha"]["status"] == "ok"
    assert results["chapters"]["gamma"]["status"] == "ok"
    assert results["chapters"]["broken"]["error"] == (
        "RuntimeError: optional dependency 'gizmo' is missing"
    )
    page = (out / "index.html").read_text()
    html5lib.HTMLParser(strict=True).parse(page)
    assert "a slide &lt;b&gt;quote&lt;/b&gt;" in page  # chapter text is escaped
    assert "optional dependency" in page
    assert "FAILED" in capsys.readouterr().out


def test_only_and_skip(monkeypatch, tmp_path, capsys):
    fakes = [_fake("alpha", 1), _fake("beta", 2)]
    monkeypatch.setattr(tour_cli, "discover", lambda: (fakes, {}))
    assert main(["tour", "--only", "beta", "--json", "--out", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert list(printed["chapters"]) == ["beta"]
    assert main(["tour", "--only", "betta", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean 'beta'" in err[0]


def test_results_carry_each_chapters_cpu_seconds_and_peak_memory(monkeypatch, tmp_path):
    import sys

    import numpy as np

    def hungry(ctx):
        block = np.ones(25_000_000)  # 200 MB, touched
        return ChapterOutput(summary="ate", numbers={"sum": float(block.sum())})

    fakes = [
        Chapter("hungry", "Hungry", "s", 1, "c", hungry),
        _fake("light", 2),
        _fake("broken", 3, fail=True),
    ]
    monkeypatch.setattr(tour_cli, "discover", lambda: (fakes, {}))
    assert main(["tour", "--out", str(tmp_path)]) == 1
    chapters = json.loads((tmp_path / "results.json").read_text())["chapters"]
    for entry in chapters.values():
        assert entry["cpu_seconds"] >= 0 and "peak_rss_mb" in entry
    assert chapters["hungry"]["cpu_seconds"] > 0
    if sys.platform.startswith("linux"):  # the chapter's own peak: the high-water mark is reset
        assert chapters["hungry"]["peak_rss_mb"] >= 200
        assert chapters["light"]["peak_rss_mb"] < chapters["hungry"]["peak_rss_mb"] - 150


def _sleeper(name: str, order: float, seconds: float) -> Chapter:
    def run(ctx):
        import os
        import time

        time.sleep(seconds)
        return ChapterOutput(summary=f"{name} ok", numbers={"pid": os.getpid()})

    return Chapter(name, name.title(), "s", order, "c", run)


def test_two_jobs_run_chapters_in_their_own_processes_and_keep_slide_order(monkeypatch, tmp_path):
    import os

    from mltutorial.tour import run_chapters

    fakes = [_sleeper("slow", 1, 0.6), _sleeper("quick", 2, 0.0), _sleeper("last", 3, 0.0)]
    finished = []
    records = run_chapters(
        fakes, tmp_path, quick=True, jobs=2, on_done=lambda i, r: finished.append(i)
    )
    assert [r.chapter.name for r in records] == ["slow", "quick", "last"]  # slide order kept
    assert finished[-1] == 0  # ... though the slow one finished last
    pids = {r.output.numbers["pid"] for r in records}
    assert os.getpid() not in pids and len(pids) == 3  # one fresh process per chapter
    assert all(r.error is None and r.cpu_seconds is not None for r in records)


def test_a_chapter_that_kills_its_process_or_cannot_hand_back_fails_alone(tmp_path):
    import os
    import signal

    from mltutorial.tour import run_chapters

    def crash(ctx):
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would

    def unpicklable(ctx):
        return ChapterOutput(summary="x", numbers={"f": lambda: 1})

    fakes = [
        Chapter("crash", "Crash", "s", 1, "c", crash),
        Chapter("lambda", "Lambda", "s", 2, "c", unpicklable),
        _fake("fine", 3),
    ]
    records = run_chapters(fakes, tmp_path, quick=True, jobs=2)
    assert records[0].error == "its process died (killed by signal 9)"
    assert records[1].error.startswith("its results could not be handed back")
    assert records[2].error is None and records[2].output.summary == "fine ok"


def test_jobs_one_runs_in_this_process_and_bad_jobs_is_one_line(monkeypatch, tmp_path, capsys):
    fakes = [_sleeper("a", 1, 0.0), _sleeper("b", 2, 0.0)]
    monkeypatch.setattr(tour_cli, "discover", lambda: (fakes, {}))
    assert main(["tour", "--jobs", "1", "--json", "--out", str(tmp_path)]) == 0
    import os

    printed = json.loads(capsys.readouterr().out)
    assert printed["jobs"] == 1
    assert {c["numbers"]["pid"] for c in printed["chapters"].values()} == {os.getpid()}
    assert main(["tour", "--jobs", "-1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--jobs" in err[0]
