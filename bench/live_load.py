"""Load test of `mltutorial live`: N simulated participants over WebSockets on loopback.

    python bench/live_load.py                      # N = 200, 500, 1000; burst and spread
    python bench/live_load.py --sizes 1000 --modes burst
    python bench/live_load.py --slides --sizes 300  # slide change -> phones showing it (present)

For each N: start the real server (`python -m mltutorial live`, SQLite file, synchronous=FULL) as a
subprocess on 127.0.0.1; N participants join over HTTP and open a WebSocket each; a presenter socket
listens. Then every participant answers the word cloud once, either all at once ("burst") or spread
uniformly over a few seconds ("spread", closer to a room). Measured:

- presenter latency: from a participant's submit to the first presenter update whose newest answer id
  covers that answer (the server sends `last_answer_id` with each count update);
- ack latency: submit to the participant's "answer received" (sent only after the commit);
- answers lost: acknowledged answers missing from the database file afterwards (must be 0);
- server CPU: the server process's user+system time during the answer phase (from /proc), as a
  percentage of one core.

With `--slides`: start `mltutorial present` instead, with a slides file of plain slides and one
question (no chapter to compute); N phones join and listen; the presenter changes slide
`--changes` times (POST /api/present/goto, one change every 0.3 s). Measured: from the request to
each phone receiving a state whose slide is the new one, p50 / p99 over all phones and changes
(goal from issue 14: 300 phones, p99 < 200 ms on a 2-core machine, server and clients together).
Writes bench/results/live_slides.md.

Everything runs on this machine (client and server share its cores). Writes
bench/results/live_load.md. Goal from the issue: 1,000 participants, p99 < 250 ms, nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

HOST = "127.0.0.1"  # loopback only, always
WORDS = [
    "data",
    "patterns",
    "statistics",
    "prediction",
    "algorithms",
    "learning",
    "models",
    "neural",
    "networks",
    "optimisation",
    "automation",
    "classification",
    "regression",
    "ai",
    "computers",
    "experience",
    "training",
    "features",
    "probability",
    "inference",
    "gradient",
    "descent",
]
RESULTS = Path(__file__).parent / "results" / "live_load.md"
SLIDES_RESULTS = Path(__file__).parent / "results" / "live_slides.md"


@dataclass
class Run:
    n: int
    mode: str
    loop: str = "auto"
    joined: int = 0
    acked: int = 0
    not_acked: int = 0
    db_answers: int = 0
    presenter_count: int = 0
    presenter_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    cpu_percent: float = 0.0
    server_cpu_s: float = 0.0  # server process CPU time in the answer phase
    client_cpu_s: float = 0.0  # this load generator's CPU time in the answer phase
    answer_phase_s: float = 0.0
    join_s: float = 0.0
    batches: int = 0
    error: str = ""

    @property
    def lost(self) -> int:
        return self.acked - self.db_answers


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[k]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _start_server(
    db_file: Path, port: int, profile: Path | None = None, loop: str = "auto"
) -> tuple[subprocess.Popen, str, str]:
    env = dict(
        os.environ,
        MLTUTORIAL_LIVE_JOIN_FAILURES="1000000",
        MLTUTORIAL_LIVE_LOOP=loop,
        PYTHONUNBUFFERED="1",
    )
    prof = ["-m", "cProfile", "-o", str(profile)] if profile else []
    cmd = [sys.executable, *prof, "-m", "mltutorial", "live", "--host", HOST, "--port", str(port),
           "--db", str(db_file), "--new-session"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    secret = code = ""
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline and not (secret and code):
        line = proc.stdout.readline()
        if not line:
            break
        if m := re.search(r"#key=(\S+)", line):
            secret = m.group(1)
        if m := re.search(r"code (\d{4}) (\d{4})", line):
            code = m.group(1) + m.group(2)
    if not (secret and code):
        proc.kill()
        raise RuntimeError("the server did not print its links")
    for _ in range(200):
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                return proc, secret, code
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not answer /healthz")


def _stop(proc: subprocess.Popen) -> None:
    """Ctrl-C, as a presenter ends the server: uvicorn re-raises the signal after its shutdown, and
    SIGINT then ends the process with KeyboardInterrupt, so a profiled server (python -m cProfile)
    still writes its stats (after SIGTERM it wrote none)."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


async def _one_run(
    n: int,
    mode: str,
    spread_s: float,
    workdir: Path,
    timeout_s: float,
    profile: Path | None,
    loop: str = "auto",
) -> Run:
    run = Run(n, mode, loop)
    port = _free_port()
    db_file = workdir / f"live-{n}-{mode}-{loop}.sqlite3"
    proc, secret, code = _start_server(db_file, port, profile, loop)
    base = f"http://{HOST}:{port}"
    ws_base = f"ws://{HOST}:{port}"
    updates: list[tuple[float, int, int]] = []  # (time, last_answer_id, count)
    try:
        # Presenter.
        presenter = await connect(f"{ws_base}/ws/presenter", max_queue=None)
        await presenter.send(json.dumps({"type": "hello", "secret": secret}))
        await presenter.recv()

        async def listen() -> None:
            async for raw in presenter:
                now = time.perf_counter()
                msg = json.loads(raw)
                if msg.get("type") == "results" and msg.get("results"):
                    r = msg["results"]
                    updates.append((now, r["last_answer_id"], r["count"]))

        listener = asyncio.create_task(listen())

        # Join over HTTP, then one WebSocket each.
        t0 = time.perf_counter()
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
            gate = asyncio.Semaphore(64)

            async def join(i: int) -> str:
                async with gate:
                    for attempt in range(4):  # a pooled keep-alive connection may be closed
                        try:
                            r = await http.post(
                                "/api/join", json={"code": code, "nickname": f"sim{i}"}
                            )
                            r.raise_for_status()
                            return r.json()["token"]
                        except httpx.TransportError:
                            if attempt == 3:
                                raise
                            await asyncio.sleep(0.2)
                    raise AssertionError("unreachable")

            tokens = await asyncio.gather(*(join(i) for i in range(n)))
        gate = asyncio.Semaphore(100)

        async def open_socket(token: str):  # type: ignore[no-untyped-def]
            async with gate:
                ws = await connect(f"{ws_base}/ws/participant?token={token}", max_queue=None)
                await ws.recv()  # the state
                return ws

        sockets = await asyncio.gather(*(open_socket(t) for t in tokens))
        run.joined = len(sockets)
        run.join_s = time.perf_counter() - t0

        # Answer phase.
        rng = random.Random(n)
        start_barrier = time.perf_counter() + 0.5
        acks: list[tuple[float, float, int | None, str]] = []

        async def answer(i: int, ws) -> None:  # type: ignore[no-untyped-def]
            delay = 0.0 if mode == "burst" else rng.uniform(0, spread_s)
            words = rng.sample(WORDS, rng.randint(1, 3))
            await asyncio.sleep(max(0.0, start_barrier + delay - time.perf_counter()))
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "answer", "q": 0, "words": words, "id": str(i)}))
            while True:
                msg = json.loads(await ws.recv())
                if msg.get("type") == "ack":
                    acks.append((sent, time.perf_counter(), msg.get("answer_id"), msg["status"]))
                    return

        cpu0 = _cpu_seconds(proc.pid)
        me0 = time.process_time()
        wall0 = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(answer(i, ws) for i, ws in enumerate(sockets))), timeout_s
        )
        # Wait for the presenter to catch up with the last ack.
        last_id = max((a[2] or 0) for a in acks)
        deadline = time.perf_counter() + 10
        while (not updates or updates[-1][1] < last_id) and time.perf_counter() < deadline:
            await asyncio.sleep(0.02)
        run.answer_phase_s = time.perf_counter() - wall0
        run.server_cpu_s = _cpu_seconds(proc.pid) - cpu0
        run.client_cpu_s = time.process_time() - me0
        run.cpu_percent = 100 * run.server_cpu_s / run.answer_phase_s
        run.acked = sum(1 for a in acks if a[3] == "received")
        run.not_acked = n - run.acked
        run.ack_ms = [1000 * (got - sent) for sent, got, _, status in acks if status == "received"]
        for sent, _, answer_id, status in acks:
            if status != "received" or answer_id is None:
                continue
            seen = next((t for t, last, _ in updates if last >= answer_id), None)
            if seen is not None:
                run.presenter_ms.append(1000 * (seen - sent))
        run.presenter_count = updates[-1][2] if updates else 0
        health = httpx.get(f"{base}/healthz", timeout=5).json()
        run.batches = int(health.get("batches", 0))
        listener.cancel()
        await presenter.close()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    except Exception as exc:  # report, don't hide: the table shows the error
        run.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        _stop(proc)
    # What is on disk after the server has stopped.
    with sqlite3.connect(db_file) as conn:
        run.db_answers = conn.execute("SELECT count(*) FROM live_answers").fetchone()[0]
    return run


def _slides_file(workdir: Path, count: int) -> Path:
    parts = [f"# Slide {i + 1}\n\nPlain text, nothing to compute." for i in range(count)]
    parts.insert(1, "::: question wordcloud-1")
    path = workdir / "slides.md"
    path.write_text("---\ntitle: Load test\n---\n" + "\n\n---\n\n".join(parts) + "\n")
    return path


@dataclass
class SlidesRun:
    n: int
    changes: int
    joined: int = 0
    seen: int = 0  # (phone, change) pairs that arrived
    ms: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    phase_s: float = 0.0
    error: str = ""


async def _slides_run(
    n: int, changes: int, workdir: Path, timeout_s: float, profile: Path | None = None
) -> SlidesRun:
    run = SlidesRun(n, changes)
    port = _free_port()
    slides = _slides_file(workdir, changes + 2)
    env = dict(os.environ, MLTUTORIAL_LIVE_JOIN_FAILURES="1000000", PYTHONUNBUFFERED="1")
    prof = ["-m", "cProfile", "-o", str(profile)] if profile else []
    cmd = [sys.executable, *prof, "-m", "mltutorial", "present", "--slides", str(slides), "--host", HOST,
           "--port", str(port), "--db", str(workdir / f"slides-{n}.sqlite3"),
           "--report", str(workdir / "report")]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert proc.stdout is not None
    secret = code = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (secret and code):
        line = proc.stdout.readline()
        if not line:
            break
        if m := re.search(r"#key=(\S+)", line):
            secret = secret or m.group(1)
        if m := re.search(r"code (\d{4}) (\d{4})", line):
            code = m.group(1) + m.group(2)
    base = f"http://{HOST}:{port}"
    try:
        if not (secret and code):
            raise RuntimeError("the present server did not print its links")
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
            gate = asyncio.Semaphore(64)

            async def join(i: int) -> str:
                async with gate:
                    r = await http.post("/api/join", json={"code": code, "nickname": f"p{i}"})
                    r.raise_for_status()
                    return r.json()["token"]

            tokens = await asyncio.gather(*(join(i) for i in range(n)))
            sockets = []
            for t in tokens:
                ws = await connect(f"ws://{HOST}:{port}/ws/participant?token={t}", max_queue=None)
                await ws.recv()
                sockets.append(ws)
            run.joined = len(sockets)
            arrived: dict[int, list[float]] = {}

            async def listen(ws) -> None:  # type: ignore[no-untyped-def]
                async for raw in ws:
                    msg = json.loads(raw)
                    slide = msg.get("slide") if msg.get("type") == "state" else None
                    if slide is not None:
                        arrived.setdefault(slide["index"], []).append(time.perf_counter())

            listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
            headers = {"X-Presenter-Secret": secret}
            cpu0, wall0 = _cpu_seconds(proc.pid), time.perf_counter()
            sent: dict[int, float] = {}
            for k in range(changes):
                target = 2 + k  # past the question slide: plain slides only
                sent[target] = time.perf_counter()
                r = await http.post("/api/present/goto", json={"index": target}, headers=headers)
                r.raise_for_status()
                end = time.perf_counter() + timeout_s
                while len(arrived.get(target, [])) < n and time.perf_counter() < end:
                    await asyncio.sleep(0.005)
                await asyncio.sleep(0.3)
            run.phase_s = time.perf_counter() - wall0
            run.server_cpu_s = _cpu_seconds(proc.pid) - cpu0
            for target, t0 in sent.items():
                times = arrived.get(target, [])
                run.seen += len(times)
                run.ms += [1000 * (t - t0) for t in times]
            for task in listeners:
                task.cancel()
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    except Exception as exc:  # report, don't hide
        run.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        _stop(proc)
    return run


def _slides_report(runs: list[SlidesRun], machine: str, command: str) -> str:
    lines = [
        "## Slide changes reaching the phones (`bench/live_load.py --slides`)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine}. Server (`mltutorial present`) and all phones' sockets run on this "
        "machine. Latency = from the presenter's slide change request (POST /api/present/goto) to "
        "each phone receiving the state that names the new slide.",
        "",
        "| phones | changes | arrived | p50 | p99 | max | server CPU |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        if r.error:
            lines.append(f"| {r.n} | {r.changes} | error: {r.error} | | | | |")
            continue
        lines.append(
            f"| {r.n} | {r.changes} | {r.seen}/{r.n * r.changes} | {_pct(r.ms, 50):.0f} ms | "
            f"{_pct(r.ms, 99):.0f} ms | {max(r.ms, default=float('nan')):.0f} ms | "
            f"{100 * r.server_cpu_s / max(r.phase_s, 1e-9):.0f}% |"
        )
    for r in runs:
        if not r.error and r.n >= 300:
            met = _pct(r.ms, 99) < 200 and r.seen == r.n * r.changes
            lines.append("")
            lines.append(
                f"- Goal (300 phones, p99 < 200 ms): **{'met' if met else 'NOT met'}** with {r.n} "
                f"phones (p99 {_pct(r.ms, 99):.0f} ms)."
            )
    return "\n".join(lines) + "\n"


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; load average at start "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (the machine is shared with other jobs)"
    )


def _report(runs: list[Run], machine: str, command: str, spread_s: float) -> str:
    lines = [
        "## Live server load (`bench/live_load.py`)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine}. The load generator (all participants' sockets) and the server share "
        "these cores, on loopback (127.0.0.1).",
        "",
        "Each participant joins over HTTP, opens a WebSocket and answers the word cloud once: "
        f"*burst* = all at the same moment, *spread* = uniformly over {spread_s:g} s. "
        "Presenter latency = a participant's submit to the presenter's count update that includes "
        'it; ack = submit to "answer received" (sent after the commit, SQLite WAL, '
        "synchronous=FULL). Lost = acknowledged answers missing from the database file after the "
        "server stopped. Server CPU = the server process's user+system time during the answer "
        "phase, in % of one core, and per acknowledged answer; client CPU = this load generator's "
        "own CPU time in that phase (it competes for the same cores). Loop = the server's event "
        "loop, asyncio (the standard library) or uvloop (optional, `pip install uvloop`; uvicorn "
        "takes it automatically when installed), run one after the other in the same invocation.",
        "",
        "| participants | mode | loop | acked | in DB | lost | presenter p50 | presenter p99 | ack p50 | "
        "ack p99 | answers/commit | server CPU | server CPU/answer | client CPU | answer phase |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        if r.error:
            lines.append(
                f"| {r.n} | {r.mode} | {r.loop} | error: {r.error} | | | | | | | | | | | |"
            )
            continue
        per_commit = r.acked / r.batches if r.batches else float("nan")
        lines.append(
            f"| {r.n} | {r.mode} | {r.loop} | {r.acked} | {r.db_answers} | {r.lost} | "
            f"{_pct(r.presenter_ms, 50):.0f} ms | {_pct(r.presenter_ms, 99):.0f} ms | "
            f"{_pct(r.ack_ms, 50):.0f} ms | {_pct(r.ack_ms, 99):.0f} ms | {per_commit:.1f} | "
            f"{r.cpu_percent:.0f}% | {1000 * r.server_cpu_s / max(1, r.acked):.2f} ms | "
            f"{r.client_cpu_s:.2f} s | {r.answer_phase_s:.1f} s |"
        )
    goal = [r for r in runs if r.n == 1000 and not r.error]
    lines.append("")
    for r in goal:
        ok = _pct(r.presenter_ms, 99) < 250 and r.lost == 0 and r.acked == r.n
        lines.append(
            f"- Goal (1,000 participants, presenter p99 < 250 ms, nothing lost), {r.mode}, "
            f"{r.loop}: "
            f"**{'met' if ok else 'NOT met'}** (p99 {_pct(r.presenter_ms, 99):.0f} ms, "
            f"{r.lost} lost, {r.acked}/{r.n} acknowledged)."
        )
    lines += [
        "- Peer: Claper, the best-known open-source Mentimeter alternative, states 300 attendees on "
        "3 vCPU / 4 GB; it is not run here side by side (Elixir/Phoenix + PostgreSQL, not "
        "installable offline), so this is a stated figure, not a measured ratio.",
        "- Joining (HTTP join + WebSocket open for all participants) took "
        + ", ".join(
            f"{r.join_s:.1f} s for {r.n}" for r in runs if not r.error and r.mode == runs[0].mode
        )
        + " (joins are group-committed like answers; the HTTP requests dominate).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 1000])
    parser.add_argument(
        "--modes", nargs="+", choices=["burst", "spread"], default=["burst", "spread"]
    )
    parser.add_argument("--spread", type=float, default=5.0, help="seconds the spread mode uses")
    parser.add_argument("--timeout", type=float, default=120.0, help="answer phase limit, seconds")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--slides",
        action="store_true",
        help="measure slide changes reaching the phones (mltutorial present) instead of answers",
    )
    parser.add_argument("--changes", type=int, default=20, help="slide changes (--slides)")
    parser.add_argument("--profile", type=Path, help="cProfile the server into this file")
    parser.add_argument(
        "--loops",
        nargs="+",
        choices=["asyncio", "uvloop", "auto"],
        default=["asyncio"],
        help="server event loops to run one after the other (uvloop must be installed)",
    )
    args = parser.parse_args(argv)
    if args.slides and args.out == RESULTS:
        args.out = SLIDES_RESULTS
    if max(args.sizes) > 2000:
        parser.error("at most 2000 participants")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * max(args.sizes) + 200  # client and server each hold one socket per participant
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft < need:
            print(f"ulimit -n is {soft}; {need} file descriptors are needed", file=sys.stderr)
            return 2
    machine = _machine()
    command = "python bench/live_load.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.slides:
        slide_runs = []
        with tempfile.TemporaryDirectory(prefix="live-slides-") as tmp:
            for n in args.sizes:
                r = asyncio.run(_slides_run(n, args.changes, Path(tmp), args.timeout, args.profile))
                slide_runs.append(r)
                print(
                    f"N={n:5d} slide changes {r.changes}: arrived {r.seen}/{n * r.changes} "
                    f"p50 {_pct(r.ms, 50):.0f} ms p99 {_pct(r.ms, 99):.0f} ms {r.error}",
                    flush=True,
                )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(_slides_report(slide_runs, machine, command.strip()))
        print(f"wrote {args.out}")
        return 0
    runs = []
    with tempfile.TemporaryDirectory(prefix="live-load-") as tmp:
        for n in args.sizes:
            for mode in args.modes:
                for loop in args.loops:
                    run = asyncio.run(
                        _one_run(n, mode, args.spread, Path(tmp), args.timeout, args.profile, loop)
                    )
                    runs.append(run)
                    print(
                        f"N={n:5d} {mode:6s} {loop:7s} acked {run.acked} in DB {run.db_answers} lost {run.lost} "
                        f"presenter p50 {_pct(run.presenter_ms, 50):.0f} ms p99 "
                        f"{_pct(run.presenter_ms, 99):.0f} ms ack p99 {_pct(run.ack_ms, 99):.0f} ms "
                        f"CPU {run.cpu_percent:.0f}% batches {run.batches} {run.error}",
                        flush=True,
                    )
    command = "python bench/live_load.py" + (
        ""
        if argv is None and len(sys.argv) == 1
        else " " + " ".join(sys.argv[1:] if argv is None else argv)
    )
    text = _report(runs, machine, command, args.spread)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_suffix(".md.tmp")
    tmp_out.write_text(text)
    os.replace(tmp_out, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
