"""The tour's cost: wall time and peak memory of `mltutorial tour`, chapter by chapter.

Runs `python -m mltutorial tour --json` in a child process (the way a user runs it, with the real data
when MLTUTORIAL_DATA is set), reads each chapter's wall seconds, CPU seconds and own peak memory from
its results.json (CPU seconds are the steadier number on a busy machine), and measures the memory
of the whole run in a second run of the same command. Two runs, because watching the memory slows
what it watches: reading a process's smaps_rollup holds that process's memory-map lock, and the
chapters, which map and unmap large arrays all the time, wait for it. The tour runs chapters in
forked child processes (`--jobs`), which share the pages of everything their parent imported, so no one process's resident size is the run's memory and the
sum of their resident sizes counts the shared pages once per process. The figure quoted is the
peak, sampled every 100 ms, of the sum over the tour's processes of their proportional set size
(PSS, /proc/PID/smaps_rollup: each shared page divided among the processes sharing it), which is
the physical memory the run occupies; the largest single process's resident peak (`os.wait4`'s
ru_maxrss for the tour and its children) is printed beside it. The 1-minute load average is
recorded before and after: on a busy machine the seconds are inflated, so compare runs only at a
similar load, and quote the idle one.

Goal (issue 19): <= 60 s wall and <= 0.6 GB peak on an idle 2-core machine with the real data.

Run: MLTUTORIAL_DATA=/path/to/data python bench/tour.py [--quick] [--only a,b] [--threads 1]
     [--jobs N]
Writes bench/results/tour.md (and prints it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOAL_SECONDS, GOAL_GB = 60.0, 0.6


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and its descendants; `peak_gb` is the highest sum seen."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kb = pid, every, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            total = sum(_pss_kb(p) for p in _tree(self.pid))
            self.peak_kb = max(self.peak_kb, total)
            self.stopped.wait(self.every)

    @property
    def peak_gb(self) -> float:
        return self.peak_kb * 1024 / 1e9


def run_tour(
    args: argparse.Namespace, out_dir: Path, memory: bool
) -> tuple[dict, float, float, float]:
    """(results.json, wall seconds, peak summed PSS in GB (0 unless `memory`), largest process's
    peak RSS in GB)."""
    cmd = [sys.executable, "-m", "mltutorial", "tour", "--json", "--out", str(out_dir)]
    cmd += ["--threads", str(args.threads), "--seed", str(args.seed), "--jobs", str(args.jobs)]
    if args.quick:
        cmd.append("--quick")
    if args.only:
        cmd += ["--only", args.only]
    env = {**os.environ, "MLTUTORIAL_QUIET": "1"}
    start = time.perf_counter()
    with open(out_dir / "stdout.json", "wb") as stdout, open(out_dir / "stderr.txt", "wb") as err:
        child = subprocess.Popen(cmd, stdout=stdout, stderr=err, env=env)
        sampler = TreeMemory(child.pid) if memory else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        if sampler is not None:
            sampler.stopped.set()
            sampler.join()
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: a chapter failed, still measured
        tail = (out_dir / "stderr.txt").read_text(errors="replace")[-2000:]
        raise SystemExit(f"mltutorial tour exited with status {status}:\n{tail}")
    # ru_maxrss is in kilobytes on Linux (bytes on macOS); the children's, once reaped, count too
    scale = 1 if sys.platform == "darwin" else 1024
    largest_gb = usage.ru_maxrss * scale / 1e9
    results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    return results, wall, sampler.peak_gb if sampler else 0.0, largest_gb


def _number(x: float | None, digits: int) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the tour's tiny configurations")
    parser.add_argument("--only", default="", help="comma-separated chapters")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=0, help="the tour's --jobs (0: its default)")
    parser.add_argument("--out", default=str(HERE / "results" / "tour.md"))
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mltutorial-tour-bench-") as tmp:
        results, wall, _, _ = run_tour(args, Path(tmp), memory=False)
    load_between = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mltutorial-tour-bench-") as tmp:
        _, memory_wall, peak_gb, largest_gb = run_tour(args, Path(tmp), memory=True)
    load_after = os.getloadavg()[0]
    chapters = results["chapters"]
    data = os.environ.get("MLTUTORIAL_DATA") or "built-in samples (MLTUTORIAL_DATA not set)"
    command = "python bench/tour.py" + (" --quick" if args.quick else "")
    command += f" --only {args.only}" if args.only else ""
    lines = [
        "## The tour: `mltutorial tour`, wall time and peak memory",
        "",
        f"Command: `{command}` (threads {args.threads}, jobs {results.get('jobs', '?')}); data: {data}.",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU threads visible, Python "
        f"{platform.python_version()}",
        f"- 1-min load average before / between the two runs / after: {load_before:.1f} / "
        f"{load_between:.1f} / {load_after:.1f} "
        "(above about 0.5 the seconds are inflated: rerun idle before quoting)",
        f"- Wall clock of the whole run (start-up, chapters, report): **{wall:.1f} s** "
        f"(goal <= {GOAL_SECONDS:.0f} s idle); the table below is this run's",
        f"- Peak memory, measured in a second run (summed PSS of its processes, sampled every "
        f"100 ms; that run took {memory_wall:.1f} s): **{peak_gb:.2f} GB** (goal <= {GOAL_GB} GB); "
        f"the largest single process's peak RSS: {largest_gb:.2f} GB",
        "",
        "| chapter | status | seconds | share | CPU seconds | peak MB |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    total = sum(c["seconds"] for c in chapters.values()) or 1.0
    cpu_total = sum(c.get("cpu_seconds") or 0.0 for c in chapters.values())
    for name, c in sorted(chapters.items(), key=lambda kv: -kv[1]["seconds"]):
        lines.append(
            f"| {name} | {c['status']} | {c['seconds']:.1f} | {c['seconds'] / total:.0%} "
            f"| {_number(c.get('cpu_seconds'), 1)} | {_number(c.get('peak_rss_mb'), 0)} |"
        )
    lines += [
        "",
        f"Chapters' sum: {total:.1f} s ({cpu_total:.1f} CPU seconds); with several jobs the "
        "chapters overlap, so the wall clock is less than their sum. Peak MB is each chapter's own "
        "high-water mark of resident memory (Linux; with --jobs 1 it includes what earlier chapters "
        "left behind, in a child process the pages it shares with the parent).",
        "",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
