"""`mltutorial tour`: run every chapter of the talk in slide order and write the report.

On the terminal: one progress line per chapter, then a summary table (chapter, data, key numbers,
seconds). In the output folder: `index.html` (self-contained: figures embedded, no network),
`results.json` (every number) and each chapter's figures in its own subfolder. A chapter that fails is
reported with its one-line reason; the tour goes on and exits with status 1 at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from mltutorial import __version__
from mltutorial.clitools import Parser, add_seed, output_dir, print_json
from mltutorial.errors import UserError
from mltutorial.files import write_json, write_text
from mltutorial.tour import Chapter, ChapterRecord, default_jobs, discover, run_chapters


def _select(chapters: list[Chapter], only: str | None, skip: str | None) -> list[Chapter]:
    known = {c.name for c in chapters}
    wanted = {n.strip() for n in only.split(",") if n.strip()} if only else set(known)
    dropped = {n.strip() for n in skip.split(",") if n.strip()} if skip else set()
    unknown = sorted((wanted | dropped) - known)
    if unknown:
        import difflib

        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise UserError(
            f"unknown chapter {', '.join(hints)}; chapters are: {', '.join(c.name for c in chapters)}"
        )
    selected = [c for c in chapters if c.name in wanted and c.name not in dropped]
    if not selected:
        raise UserError("--only and --skip leave no chapter to run")
    return selected


def _environment(quick: bool, seconds: float, jobs: int = 1) -> dict[str, Any]:
    data_root = os.environ.get("MLTUTORIAL_DATA")
    return {
        "mltutorial": __version__,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()}",
        "data_root": data_root if data_root and Path(data_root).is_dir() else None,
        "quick": quick,
        "jobs": jobs,
        "seconds": round(seconds, 1),
    }


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_table(records: list[ChapterRecord]) -> None:
    cols = shutil.get_terminal_size((120, 20)).columns
    name_w = max([len(r.chapter.name) for r in records] + [7])
    data_w = 34
    rest = max(cols - name_w - data_w - 14, 30)
    print()
    print(f"{'chapter':<{name_w}}  {'data':<{data_w}}  {'key numbers':<{rest}}  {'seconds':>7}")
    print("-" * (name_w + data_w + rest + 13))
    for r in records:
        if r.output is not None:
            data, numbers = r.output.data, r.output.summary
        else:
            data, numbers = "-", f"FAILED: {r.error}"
        print(
            f"{r.chapter.name:<{name_w}}  {_clip(data, data_w):<{data_w}}  "
            f"{_clip(numbers, rest):<{rest}}  {r.seconds:>7.1f}"
        )


def main(argv: list[str], prog: str) -> int:
    parser = Parser(
        prog=prog,
        description="Run the whole talk, chapter by chapter in slide order, and write an HTML report.",
    )
    parser.add_argument(
        "--out", default="mltutorial-report", help="report folder (default: %(default)s)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny configurations (about a minute)")
    parser.add_argument("--only", metavar="NAMES", help="comma-separated chapters to run")
    parser.add_argument("--skip", metavar="NAMES", help="comma-separated chapters to leave out")
    parser.add_argument("--list", action="store_true", help="list the chapters and exit")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print results.json to stdout at the end (with --list: the chapters)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS threads (default 1: the tour's models are too small to gain from more, and BLAS "
        "threads thrash when the machine is busy)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="chapters run at once, each in its own process (default: one per core, at most 2; "
        "1 runs them one by one in this process)",
    )
    add_seed(parser)
    args = parser.parse_args(argv)
    if args.threads < 1:
        raise UserError("--threads must be at least 1")
    if args.jobs < 0:
        raise UserError("--jobs must be at least 1 (or 0 for the default)")
    for flag, names in (("--only", args.only), ("--skip", args.skip)):
        if names is not None and not any(n.strip() for n in names.split(",")):
            raise UserError(f"{flag} {names!r} names no chapter")
    # A folder that cannot be written fails in a second, before the chapters are even imported.
    out_dir = None if args.list else output_dir(args.out)

    chapters, broken = discover()
    if args.list:
        if args.json:
            print_json(
                {
                    "chapters": [
                        {"name": c.name, "title": c.title, "order": c.order, "command": c.command}
                        for c in chapters
                    ],
                    "broken_modules": broken,
                }
            )
            return 0
        for c in chapters:
            print(f"{c.name:<26} {c.title}")
        for module, error in broken.items():
            print(f"{'(broken)':<26} {module}: {error}")
        return 0
    selected = _select(chapters, args.only, args.skip)
    assert out_dir is not None

    # Human output goes to stderr when --json owns stdout.
    say = (lambda s: print(s, file=sys.stderr, flush=True)) if args.json else print
    data_root = os.environ.get("MLTUTORIAL_DATA")
    say(
        f"mltutorial tour: {len(selected)} chapters"
        + (" (quick)" if args.quick else "")
        + f"; data: {data_root if data_root else 'built-in samples (MLTUTORIAL_DATA not set)'}"
    )
    for module, error in broken.items():
        say(f"  ! could not load chapter module {module}: {error}")

    start = time.perf_counter()
    jobs = args.jobs or default_jobs()
    if jobs > 1 and len(selected) > 1:
        say(f"  {jobs} chapters at a time (one process each; --jobs 1 runs them one by one)")
    width = len(str(len(selected)))

    def started(i: int, chapter: Chapter) -> None:
        say(f"[{i + 1:>{width}}/{len(selected)}] {chapter.name}: {chapter.title} ...")

    def done(i: int, rec: ChapterRecord) -> None:
        if rec.error is None and rec.output is not None:
            say(f"  {rec.chapter.name} done in {rec.seconds:.1f} s: {rec.output.summary}")
        else:
            say(f"  {rec.chapter.name} FAILED after {rec.seconds:.1f} s: {rec.error}")

    # What survives a chapter (modules, caches, the records) lives until the process ends: frozen,
    # the garbage collector skips it, so the collection after each chapter (and the automatic ones
    # inside it) scans only the newer objects instead of every imported module's.
    gc.freeze()
    # With --json, stdout carries the one JSON object only: a chapter's stray prints go to stderr.
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        records = run_chapters(
            selected,
            out_dir,
            quick=args.quick,
            seed=args.seed,
            jobs=jobs,
            threads=args.threads,
            on_start=started,
            on_done=done,
        )
    gc.unfreeze()  # the collector as it was (the tests run the tour inside their own process)
    seconds = time.perf_counter() - start

    from mltutorial.report import render

    env = _environment(args.quick, seconds, jobs)
    results = {
        **env,
        "chapters": {r.chapter.name: r.to_json(out_dir) for r in records},
        "broken_modules": broken,
    }
    write_json(out_dir / "results.json", results)
    write_text(out_dir / "index.html", render(records, env, broken, out_dir))

    if args.json:
        print_json(results)
    else:
        _print_table(records)
    failed = [r.chapter.name for r in records if r.error is not None]
    say(
        f"\nreport: {out_dir / 'index.html'}  (results: {out_dir / 'results.json'}); "
        f"{len(records) - len(failed)}/{len(records)} chapters ok in {seconds:.0f} s"
    )
    if failed or broken:
        say(f"failed: {', '.join(failed + list(broken))}")
        return 1
    return 0
