"""Hardware: the same work on a CPU with NumPy and on a GPU with CuPy

The slide: "Brief history of Machine Learning. What happened? 1. Big Data (WWW in 90s)
2. Hardware (GPUs, TPUs) 3. Software (Keras, Pytorch,...)".

We time two things, each first on the CPU (NumPy) and then, where this machine has an NVIDIA GPU
and CuPy, on the GPU: one float32 matrix product (2048 x 2048 by default: 17 GFLOP, the bread and
butter of every network), and one training step of the baby GPT that `mltutorial generate` trains
(forward, loss, backward, AdamW), run by the very same engine code on either device
(`model.to("cuda")`). Each is warmed up first, and the GPU clock stops only after the GPU has
finished (`backend.synchronize`). On a machine without a GPU the chapter says so and shows the CPU
figures alone.

What to look at: the speed-up. A matrix product is thousands of independent multiply-adds, which a
GPU's thousands of cores do at once; that, more than any new idea, is why networks that took weeks
in 2010 train in hours now. The GPT step gains less than the bare product: it is many small
operations, and each one costs a kernel launch.

Run: mltutorial run hardware  (or mltutorial hardware [--json] for the table alone)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial import engine, viz
from mltutorial.chapter import ORDER_HISTORY, Table
from mltutorial.config import bounded
from mltutorial.engine import backend, optim
from mltutorial.lessons import lesson_chapter


@dataclass
class Config:
    size: int = bounded(2048, ge=16, le=16384)  # n of the n x n float32 product (2 n^3 FLOP)
    repeats: int = bounded(3, ge=1, le=100)  # timed products per device (median), after one warm-up
    gpt_repeats: int = bounded(2, ge=1, le=100)  # timed GPT training steps per device (median)
    batch_size: int = bounded(8, ge=1, le=512)  # GPT batch (sequences of block_size characters)
    seed: int = 0


def _gpt_config() -> Any:
    """The baby GPT of the textgen app's default training run (its GPTConfig defaults)."""
    from mltutorial.apps.textgen.gpt import GPTConfig

    return GPTConfig()


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of `fn()` after one warm-up call; the GPU is waited for before each stop."""
    fn()
    backend.synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        backend.synchronize()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def time_matmul(n: int, repeats: int, device: str, seed: int = 0) -> float:
    """Median seconds of one float32 (n, n) @ (n, n) product on `device` ("cpu" or "cuda")."""
    rng = np.random.default_rng(seed)
    xp = backend.module_for(device)
    a = backend.to_device(rng.standard_normal((n, n), dtype=np.float32), device)
    b = backend.to_device(rng.standard_normal((n, n), dtype=np.float32), device)
    return _median_seconds(lambda: xp.matmul(a, b), repeats)


def time_gpt_step(batch_size: int, repeats: int, device: str, seed: int = 0) -> float:
    """Median seconds of one baby-GPT training step (forward, loss, backward, AdamW) on `device`."""
    from mltutorial.apps.textgen.gpt import GPT

    cfg = _gpt_config()
    model = GPT(cfg, seed=seed).to(device)
    opt = optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, cfg.vocab_size, (batch_size, cfg.block_size + 1))
    x = engine.tensor(ids[:, :-1], device=device)
    y = engine.tensor(ids[:, 1:], device=device)

    def step() -> None:
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return _median_seconds(step, repeats)


def gpu_name() -> str | None:
    """The GPU's name ("NVIDIA H200"), or None when there is no usable GPU."""
    if not backend.gpu_available():
        return None
    cupy = backend.module_for("cuda")
    props = cupy.cuda.runtime.getDeviceProperties(0)
    name = props.get("name", b"GPU")
    return name.decode() if isinstance(name, bytes) else str(name)


@dataclass
class Result:
    size: int
    batch_size: int
    matmul_cpu_s: float
    gpt_cpu_s: float
    gpu_name: str | None = None
    matmul_gpu_s: float | None = None
    gpt_gpu_s: float | None = None

    @property
    def gflops_cpu(self) -> float:
        return 2 * self.size**3 / self.matmul_cpu_s / 1e9

    @property
    def gflops_gpu(self) -> float | None:
        return None if self.matmul_gpu_s is None else 2 * self.size**3 / self.matmul_gpu_s / 1e9

    def speedups(self) -> tuple[float, float] | None:
        if self.matmul_gpu_s is None or self.gpt_gpu_s is None:
            return None
        return self.matmul_cpu_s / self.matmul_gpu_s, self.gpt_cpu_s / self.gpt_gpu_s

    def summary(self) -> str:
        up = self.speedups()
        if up is None:
            return (
                f"no GPU on this machine: {self.size}x{self.size} matmul "
                f"{self.gflops_cpu:.0f} GFLOP/s on the CPU, GPT step {self.gpt_cpu_s * 1e3:.0f} ms"
            )
        return (
            f"{self.gpu_name}: matmul {up[0]:.0f}x faster than the CPU "
            f"({self.gflops_gpu:.0f} vs {self.gflops_cpu:.0f} GFLOP/s), GPT step {up[1]:.1f}x"
        )

    def numbers(self) -> dict[str, Any]:
        up = self.speedups()
        return {
            "gpu": self.gpu_name or "none",
            "matmul_size": self.size,
            "matmul_cpu_gflops": round(self.gflops_cpu, 2),
            "gpt_step_cpu_ms": round(self.gpt_cpu_s * 1e3, 2),
            "matmul_gpu_gflops": None if up is None else round(self.gflops_gpu or 0.0, 1),
            "gpt_step_gpu_ms": None if up is None else round((self.gpt_gpu_s or 0.0) * 1e3, 3),
            "matmul_speedup": None if up is None else round(up[0], 1),
            "gpt_step_speedup": None if up is None else round(up[1], 2),
        }

    def rows(self) -> list[list[Any]]:
        """One row per measurement: what, CPU time, GPU time (or "no GPU"), speed-up."""
        up = self.speedups()
        mm = f"float32 matmul {self.size}x{self.size}"
        gpt = f"baby GPT training step (batch {self.batch_size})"
        if up is None:
            return [
                [mm, f"{self.matmul_cpu_s * 1e3:.1f} ms", "no GPU", "-"],
                [gpt, f"{self.gpt_cpu_s * 1e3:.1f} ms", "no GPU", "-"],
            ]
        return [
            [mm, f"{self.matmul_cpu_s * 1e3:.1f} ms", f"{self.matmul_gpu_s * 1e3:.2f} ms",
             f"{up[0]:.0f}x"],
            [gpt, f"{self.gpt_cpu_s * 1e3:.1f} ms", f"{self.gpt_gpu_s * 1e3:.2f} ms",
             f"{up[1]:.1f}x"],
        ]  # fmt: skip

    def tables(self) -> list[Table]:
        device = self.gpu_name or "GPU"
        return [
            Table("CPU (NumPy) vs GPU (CuPy)", ["work", "CPU", device, "speed-up"], self.rows())
        ]


def run(cfg: Config) -> Result:
    """Time the product and the GPT step on the CPU, then on the GPU if there is one."""
    result = Result(
        size=cfg.size,
        batch_size=cfg.batch_size,
        matmul_cpu_s=time_matmul(cfg.size, cfg.repeats, "cpu", cfg.seed),
        gpt_cpu_s=time_gpt_step(cfg.batch_size, cfg.gpt_repeats, "cpu", cfg.seed),
    )
    name = gpu_name()
    if name is not None:
        result.gpu_name = name
        result.matmul_gpu_s = time_matmul(cfg.size, cfg.repeats, "cuda", cfg.seed)
        result.gpt_gpu_s = time_gpt_step(cfg.batch_size, cfg.gpt_repeats, "cuda", cfg.seed)
    return result


def plot(result: Result, path: Path) -> Path:
    """Two bar charts: matmul throughput (GFLOP/s) and GPT steps per second, CPU vs GPU."""
    fig, (ax_mm, ax_gpt) = viz.figure(ncols=2, width=4.2, height=3.4)
    labels = ["CPU\n(NumPy)"]
    mm = [result.gflops_cpu]
    gpt = [1 / result.gpt_cpu_s]
    if result.gpu_name is not None:
        labels.append(f"{result.gpu_name}\n(CuPy)")
        mm.append(result.gflops_gpu or 0.0)
        gpt.append(1 / (result.gpt_gpu_s or 1.0))
    colors = [viz.COLORS["peer"], viz.COLORS["ours"]][: len(labels)]
    for ax, values, title, unit in (
        (ax_mm, mm, f"float32 matmul {result.size}x{result.size}", "GFLOP/s"),
        (ax_gpt, gpt, "baby GPT training steps", "steps per second"),
    ):
        ax.bar(labels, values, color=colors)
        ax.set_title(title)
        ax.set_ylabel(unit)
        if len(values) == 2 and values[0] > 0:
            ax.set_yscale("log")
        for i, v in enumerate(values):
            ax.annotate(f"{v:,.1f}", (i, v), ha="center", va="bottom", fontsize=9)
    if result.gpu_name is None:
        ax_mm.text(
            0.5, 0.5, "no GPU on this machine", transform=ax_mm.transAxes, ha="center",
            color=viz.COLORS["ours"], fontweight="bold",
        )  # fmt: skip
    return viz.save(fig, path, title="Same work, CPU vs GPU")


def table_text(result: Result) -> str:
    """The table as plain text, for `mltutorial hardware`."""
    head = ["work", "CPU (NumPy)", result.gpu_name or "GPU (CuPy)", "speed-up"]
    rows = [head, *result.rows()]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    if result.gpu_name is None:
        lines.append("no GPU on this machine (CuPy and an NVIDIA GPU are needed): CPU figures only")
    return "\n".join(lines)


CHAPTER = lesson_chapter(
    __name__,
    slide="What happened? 1. Big Data (WWW in 90s) 2. Hardware (GPUs, TPUs) "
    "3. Software (Keras, Pytorch,...)",
    order=ORDER_HISTORY,
    quick=dict(size=256, repeats=1, gpt_repeats=1, batch_size=2),
)
