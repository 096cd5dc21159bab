"""Benchmark: the same work on the CPU (NumPy) and on an NVIDIA GPU (CuPy, and PyTorch on CUDA).

    python bench/hardware.py [--size 2048] [--repeats 10] [--gpt-repeats 5] [--out bench/results/hardware.md]

1. One float32 (n, n) @ (n, n) product: NumPy on the CPU, CuPy on the GPU, torch on CUDA.
2. One training step of the baby GPT of `mltutorial generate` (forward, loss, backward, AdamW) on
   mltutorial's engine, the same code on NumPy (CPU) and on CuPy (GPU), at two batch sizes.

Every figure is a median after a warm-up; GPU clocks stop after the stream is synchronised. The
claims are the speed-up ratios (CPU time / GPU time). Without a GPU the file says so plainly and
reports the CPU figures only. Needs only numpy, scipy and, for the GPU, cupy (torch optional).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))

from mltutorial.lessons import hardware  # noqa: E402


def _torch_cuda() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def _median(fn: Callable[[], Any], repeats: int, sync: Callable[[], None]) -> float:
    fn()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_matmul(torch: Any, n: int, repeats: int) -> float:
    a = torch.randn(n, n, device="cuda", dtype=torch.float32)
    b = torch.randn(n, n, device="cuda", dtype=torch.float32)
    return _median(lambda: a @ b, repeats, torch.cuda.synchronize)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--gpt-repeats", type=int, default=5)
    parser.add_argument("--batches", default="8,64", help="GPT batch sizes, comma-separated")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "hardware.md")
    args = parser.parse_args(argv)
    n = args.size
    flop = 2 * n**3
    batches = [int(b) for b in args.batches.split(",")]
    gpu = hardware.gpu_name()
    torch = _torch_cuda() if gpu else None

    print(f"matmul {n}x{n} on the CPU ...", flush=True)
    mm_cpu = hardware.time_matmul(n, args.repeats, "cpu")
    mm_gpu = hardware.time_matmul(n, args.repeats, "cuda") if gpu else None
    mm_torch = torch_matmul(torch, n, args.repeats) if torch is not None else None
    gpt = []
    for b in batches:
        print(f"GPT step, batch {b} ...", flush=True)
        cpu_s = hardware.time_gpt_step(b, args.gpt_repeats, "cpu")
        gpu_s = hardware.time_gpt_step(b, args.gpt_repeats, "cuda") if gpu else None
        gpt.append((b, cpu_s, gpu_s))

    cfg = hardware._gpt_config()
    lines = [
        "## Hardware: CPU (NumPy) vs GPU (CuPy, PyTorch CUDA)",
        "",
        f"Command: `python bench/hardware.py --size {n} --repeats {args.repeats} "
        f"--gpt-repeats {args.gpt_repeats} --batches {args.batches}`. Medians after a warm-up; "
        "GPU clocks stop after the stream is synchronised. The claims are the ratios.",
        "",
        f"- CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores; "
        f"NumPy {np.__version__}",
        f"- GPU: {gpu or 'none'}",
        f"- GPT: {cfg.n_layer} layers, {cfg.n_head} heads, {cfg.n_embd} wide, context "
        f"{cfg.block_size}, vocabulary {cfg.vocab_size} (the `mltutorial generate` default)",
        "",
    ]
    if gpu is None:
        lines += [
            "**No GPU here**: this machine has no NVIDIA GPU with CuPy, so only the CPU figures "
            "are reported. Run `bench/gpu_check.sh` on a GPU machine for the comparison.",
            "",
            "| work | CPU |",
            "| --- | --- |",
            f"| float32 matmul {n}x{n} | {mm_cpu * 1e3:.1f} ms ({flop / mm_cpu / 1e9:.0f} GFLOP/s) |",
        ]
        lines += [f"| GPT training step, batch {b} | {c * 1e3:.0f} ms |" for b, c, _ in gpt]
    else:
        assert mm_gpu is not None
        lines += [
            "| work | CPU (NumPy) | GPU (engine on CuPy) | speed-up | PyTorch CUDA |",
            "| --- | --- | --- | --- | --- |",
            f"| float32 matmul {n}x{n} | {mm_cpu * 1e3:.1f} ms ({flop / mm_cpu / 1e9:.0f} GFLOP/s) "
            f"| {mm_gpu * 1e3:.3f} ms ({flop / mm_gpu / 1e12:.1f} TFLOP/s) | {mm_cpu / mm_gpu:.0f}x "
            f"| {'-' if mm_torch is None else f'{mm_torch * 1e3:.3f} ms'} |",
        ]
        for b, c, g in gpt:
            assert g is not None
            lines.append(
                f"| GPT training step, batch {b} | {c * 1e3:.0f} ms | {g * 1e3:.1f} ms "
                f"| {c / g:.1f}x | - |"
            )
        lines += [
            "",
            "The matmul is one call (CuPy's is cuBLAS, as torch's): its ratio is the hardware's. "
            "The GPT step is a few hundred small kernels, each launched from Python: at a small "
            "batch the GPU waits on launches, and the ratio grows with the batch.",
        ]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
