"""Checks for the hardware notebook: throughput from a timing; a fair timer (warm-up, sync, median)."""

from __future__ import annotations

import time

import numpy as np

from mltutorial.exercises._check import Wrong, call, close, verdict


def check_gflops(fn) -> bool:
    """`fn(n, seconds)` -> GFLOP/s of one (n, n) @ (n, n) product that took `seconds`."""

    def check() -> None:
        hint = "each of the n*n outputs needs n multiplies and n adds: 2 n^3 FLOP, / seconds / 1e9"
        for n, seconds in ((2048, 0.25), (100, 1e-3), (3, 2.0)):
            close(float(call(fn, n, seconds)), 2 * n**3 / seconds / 1e9, f"n={n}: {hint}")

    return verdict(check)


def check_timer(fn) -> bool:
    """`fn(work, repeats, sync)` -> the median seconds of `repeats` calls of `work()`, after one
    untimed warm-up call, each clock stopped only after `sync()` (a GPU works asynchronously)."""

    def check() -> None:
        hint = (
            "call work() once untimed (warm-up), then repeats times: start = time.perf_counter(); "
            "work(); sync(); times.append(time.perf_counter() - start); return the median"
        )
        events: list[str] = []
        durations = iter([0.05, 0.0, 0.03, 0.01, 0.02, 0.0])  # the warm-up is the slow one

        def work() -> None:
            events.append("work")
            time.sleep(next(durations, 0.0))

        def sync() -> None:
            events.append("sync")

        got = call(fn, work, 3, sync)
        n_work = events.count("work")
        if n_work != 4:
            raise Wrong(f"work() ran {n_work} times for repeats=3: expected 1 warm-up + 3. {hint}")
        timed = [i for i, e in enumerate(events) if e == "work"][1:]
        if any(i + 1 >= len(events) or events[i + 1] != "sync" for i in timed):
            raise Wrong(
                f"call sync() right after each timed work(), before the clock stops. {hint}"
            )
        if not np.isfinite(float(got)) or not 0.008 <= float(got) <= 0.025:
            raise Wrong(f"expected the median of the 3 timed runs (~0.01 s), got {got}. {hint}")

    return verdict(check)
