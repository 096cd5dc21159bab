"""Forward time of one 224x224 image through six ImageNet networks: mltutorial's engine vs PyTorch.

The column Canziani et al. (2017) measured beside accuracy and operations: inference time. Both sides
run the very same architecture file, `src/mltutorial/lessons/_zoo.py`: once as written (engine), once
with its two engine imports replaced by `import torch as engine` / `from torch import nn` (PyTorch).
The torch model gets He-normal weights (so its logits are O(1), not ~0 as with torch's default
init), copied into the engine model, so the outputs must agree too: the table gives the largest
difference of the 1,000 logits relative to the largest logit, and whether the top-5 classes agree.

Per model, in one process, interleaved: engine forward, torch forward, repeated; the best of each is
kept and the ratio engine / torch reported. A model whose first engine forward exceeds --limit
seconds is not repeated; one whose build or first forward fails is skipped, with the reason.

Run: python bench/complexity.py [--repeats 5] [--limit 120] [--models ResNet-18,MobileNetV2]
Writes bench/results/complexity.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
import types
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from mltutorial import engine
from mltutorial.lessons import _zoo
from mltutorial.lessons.complexity import PUBLISHED, count

HERE = Path(__file__).resolve().parent


def torch_zoo() -> types.ModuleType:
    """The zoo's source with its engine imports swapped for torch's: same classes, torch modules."""
    source = Path(_zoo.__file__).read_text(encoding="utf-8")
    swapped = source.replace("from mltutorial import engine\n", "import torch as engine\n")
    swapped = swapped.replace("from mltutorial.engine import nn\n", "from torch import nn\n")
    assert swapped.count("import torch") == 2, "the zoo's imports changed: update bench/complexity"
    module = types.ModuleType("torch_zoo")
    exec(compile(swapped, "torch_zoo", "exec"), module.__dict__)
    return module


def scale_preserving_init(model: torch.nn.Module) -> None:
    """He-normal weights (std sqrt(2 / fan-in)) and small random biases, so activations neither
    vanish nor explode through 20-50 layers and the logits are O(1): then comparing the two
    frameworks' outputs means something (torch's default init leaves these nets' logits near 0)."""
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
            elif name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.1)


def copy_weights(torch_model: torch.nn.Module, engine_model) -> int:
    """Load the torch model's parameters and buffers into the engine model; return how many."""
    ours = engine_model.state_dict()
    theirs = {k: v.detach().numpy() for k, v in torch_model.state_dict().items()}
    state = {k: theirs[k].astype(np.asarray(ours[k]).dtype) for k in ours if k in theirs}
    missing = [k for k in ours if k not in theirs]
    if missing:
        raise RuntimeError(f"engine keys torch lacks: {missing[:3]}")
    engine_model.load_state_dict(state)
    return len(state)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_model(name: str, tz: types.ModuleType, repeats: int, limit: float) -> dict:
    row: dict = {"name": name}
    row["params"], row["macs"] = count(name)
    torch.manual_seed(0)
    t_model = tz.MODELS[name]().eval()
    scale_preserving_init(t_model)
    with engine.meta():  # no init of our own: the torch weights are copied in just below
        e_model = _zoo.MODELS[name]()
    e_model.eval()
    copy_weights(t_model, e_model)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 224, 224)).astype(np.float32)
    xt, xe = torch.from_numpy(x), engine.tensor(x)
    with torch.no_grad():
        t_model(xt)  # warm-up: torch allocators and kernels
        start = time.perf_counter()
        with engine.no_grad():
            y_e = e_model(xe).numpy()
        first_engine = time.perf_counter() - start
        y_t = t_model(xt).numpy()
        row["rel_diff"] = float(np.abs(y_e - y_t).max() / np.abs(y_t).max())
        row["same_top5"] = bool(np.array_equal(np.argsort(-y_e[0])[:5], np.argsort(-y_t[0])[:5]))
        e_times, t_times = [first_engine], []
        reps = repeats if first_engine <= limit else 0
        row["note"] = "" if reps else f"first engine forward {first_engine:.0f} s > {limit:.0f} s"
        t_times.append(best(lambda: t_model(xt), 1))
        for _ in range(max(0, reps - 1)):
            with engine.no_grad():
                e_times.append(best(lambda: e_model(xe), 1))
            t_times.append(best(lambda: t_model(xt), 1))
    row["engine_s"], row["torch_s"] = min(e_times), min(t_times)
    row["ratio"] = row["engine_s"] / row["torch_s"]
    return row


def write(rows: list[dict], skipped: list[str], args: argparse.Namespace) -> Path:
    lines = [
        "## complexity: forward time of one 224x224 image, engine vs PyTorch",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores (shared with other jobs), "
        f"Python {platform.python_version()}, NumPy {np.__version__}, torch {torch.__version__}"
        f"; {args.threads} thread(s) on each side (NumPy's BLAS via threadpoolctl, "
        f"torch.set_num_threads). 1-minute load average before / after: {args.load_before:.1f} / "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (above about 1 the times are inflated).",
        "",
        "Same architecture file (`lessons/_zoo.py`) on both sides, torch's (He-normal) weights "
        "copied into the engine; batch of 1, eval mode, no autograd; best of "
        f"{args.repeats} interleaved runs each. MACs counted by `engine.summary` (meta device). "
        "Ratio = engine time / torch time (lower is better for the engine). "
        "Run: `python bench/complexity.py`.",
        "",
        "| model | params | GMACs | top-1 % (published) | engine s | torch s | engine / torch "
        "| max logit diff / max logit | same top-5 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['params']:,} | {r['macs'] / 1e9:.2f} | "
            f"{PUBLISHED[r['name']].top1:.3f} | {r['engine_s']:.3f} | {r['torch_s']:.4f} | "
            f"**{r['ratio']:.2f}x** | {r['rel_diff']:.1e} | {'yes' if r['same_top5'] else 'NO'} |"
        )
    notes = [f"- {r['name']}: {r['note']}" for r in rows if r["note"]]
    notes += [f"- skipped {s}" for s in skipped]
    if notes:
        lines += ["", "Notes:", *notes]
    lines.append("")
    out = HERE / "results" / "complexity.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed forwards per side")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds: no repeats beyond")
    parser.add_argument("--models", default=",".join(_zoo.MODELS), help="comma-separated names")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads = torch threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    args.load_before = os.getloadavg()[0]
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in _zoo.MODELS]
    if unknown:
        print(f"unknown models {unknown}; known: {', '.join(_zoo.MODELS)}", file=sys.stderr)
        return 2
    tz = torch_zoo()
    rows, skipped = [], []
    for name in names:
        try:
            row = bench_model(name, tz, args.repeats, args.limit)
        except Exception as exc:  # report it and go on with the other models
            skipped.append(f"{name}: {type(exc).__name__}: {exc}")
            print(f"{name}: skipped ({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        gc.collect()  # free this pair of models (VGG-16: over 0.5 GB each) before the next
        rows.append(row)
        print(
            f"{name:12s} engine {row['engine_s']:.3f} s  torch {row['torch_s']:.4f} s  "
            f"ratio {row['ratio']:.2f}x  rel diff {row['rel_diff']:.1e}",
            flush=True,
        )
    print(f"wrote {write(rows, skipped, args)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
