"""Where the baby GPT's training step goes, engine beside PyTorch: its phases and its ops.

The same model as bench/textgen.py (nanoGPT's CPU "baby" config, nanoGPT's own initial weights
copied into the engine) on the same Tiny Shakespeare batches. Two tables, both engine time /
PyTorch time, each side's steps or ops interleaved with the other's, medians:

- the step's phases: forward (to the loss), backward, gradient clipping, the AdamW step;
- the ops at the model's shapes, forward and backward together: the four linear layers of a
  block, GELU, LayerNorm, causal attention (on q, k, v cut from one c_attn output, as the model
  does) and the cross-entropy of the logits.

It explains the ratio bench/textgen.py measures; it is not a second claim of it.

Run: python bench/textgen_parts.py [--steps 40] [--repeats 100] [--threads 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the tests' PyTorch oracle

from oracles.reference_gpt import (  # noqa: E402
    NanoGPTBatches,
    copy_into_engine,
    nanogpt_gpt,
    torch_adamw,
)

PHASES = ("forward", "backward", "clip", "optimizer")


def _median_ms(times: list[float]) -> float:
    return float(np.median(times)) * 1e3


def phases(steps: int) -> tuple[dict[str, tuple[float, float]], dict]:
    """{phase: (engine ms, torch ms)}, medians over `steps` interleaved training steps."""
    from mltutorial.apps.textgen import corpus as corpus_mod
    from mltutorial.apps.textgen import train as T
    from mltutorial.apps.textgen.gpt import GPT

    corpus = corpus_mod.load(None)
    model_cfg, cfg = T.make_configs("gpt", "baby")
    model_cfg = dataclasses.replace(model_cfg, vocab_size=corpus.vocab.size)
    ours, peer = GPT(model_cfg, seed=cfg.seed), nanogpt_gpt(model_cfg, cfg.seed)
    copy_into_engine(peer, ours)
    opt_ours, opt_peer = T.make_optimizer(ours, cfg), torch_adamw(peer, cfg)
    params = [p for _, p in T.unique_parameters(ours)]
    stream = NanoGPTBatches(corpus.train, corpus.val, model_cfg.block_size, cfg.batch_size)
    times: dict[str, list[float]] = {f"{side} {ph}": [] for side in ("e", "t") for ph in PHASES}
    for step in range(steps + 3):
        X, Y = stream.get("train")
        t = [time.perf_counter()]
        _, loss = ours(X, Y)
        t.append(time.perf_counter())
        opt_ours.zero_grad()
        loss.backward()
        t.append(time.perf_counter())
        T.clip_grad_norm(params, cfg.grad_clip)
        t.append(time.perf_counter())
        opt_ours.step()
        t.append(time.perf_counter())
        _, lp = peer(torch.from_numpy(X), torch.from_numpy(Y))
        t.append(time.perf_counter())
        opt_peer.zero_grad(set_to_none=True)
        lp.backward()
        t.append(time.perf_counter())
        torch.nn.utils.clip_grad_norm_(peer.parameters(), cfg.grad_clip)
        t.append(time.perf_counter())
        opt_peer.step()
        t.append(time.perf_counter())
        if step < 3:  # warm-up
            continue
        for i, ph in enumerate(PHASES):
            times[f"e {ph}"].append(t[i + 1] - t[i])
            times[f"t {ph}"].append(t[i + 5] - t[i + 4])
    table = {ph: (_median_ms(times[f"e {ph}"]), _median_ms(times[f"t {ph}"])) for ph in PHASES}
    shape = dict(
        batch=cfg.batch_size,
        block=model_cfg.block_size,
        n_embd=model_cfg.n_embd,
        n_head=model_cfg.n_head,
        n_layer=model_cfg.n_layer,
        vocab=corpus.vocab.size,
    )
    return table, shape


def ops(shape: dict, repeats: int) -> list[tuple[str, float, float, int]]:
    """[(op, engine ms, torch ms, uses per step)], forward + backward, interleaved medians."""
    from mltutorial import engine
    from mltutorial.engine.nn import functional as F

    tf = torch.nn.functional
    B, T, C, H, V = (shape[k] for k in ("batch", "block", "n_embd", "n_head", "vocab"))
    n_layer = shape["n_layer"]
    rng = np.random.default_rng(0)

    def arrays(*shapes):
        return [rng.standard_normal(s).astype(np.float32) * 0.5 for s in shapes]

    def attention(lib):
        def fn(qkv):
            q, k, v = qkv.split(C, dim=2)
            q, k, v = (a.reshape(B, T, H, C // H).transpose(1, 2) for a in (q, k, v))
            if lib is engine:
                return F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return tf.scaled_dot_product_attention(q, k, v, is_causal=True)

        return fn

    targets = rng.integers(V, size=B * T)
    cases = [
        ("linear c_attn (C -> 3C)", (F.linear, tf.linear), [(B, T, C), (3 * C, C)], n_layer),
        ("linear attn c_proj (C -> C)", (F.linear, tf.linear), [(B, T, C), (C, C)], n_layer),
        ("linear c_fc (C -> 4C)", (F.linear, tf.linear), [(B, T, C), (4 * C, C)], n_layer),
        (
            "linear mlp c_proj (4C -> C)",
            (F.linear, tf.linear),
            [(B, T, 4 * C), (C, 4 * C)],
            n_layer,
        ),
        ("GELU (exact) on (B, T, 4C)", (F.gelu, tf.gelu), [(B, T, 4 * C)], n_layer),
        (
            "LayerNorm on (B, T, C)",
            (lambda x, w: F.layer_norm(x, (C,), w), lambda x, w: tf.layer_norm(x, (C,), w)),
            [(B, T, C), (C,)],
            2 * n_layer + 1,
        ),
        ("causal attention", (attention(engine), attention(torch)), [(B, T, 3 * C)], n_layer),
        (
            "cross-entropy of the logits",
            (
                lambda x: F.cross_entropy(x, engine.tensor(targets)),
                lambda x: tf.cross_entropy(x, torch.from_numpy(targets)),
            ),
            [(B * T, V)],
            1,
        ),
    ]
    rows = []
    for name, (fe, ft), shapes, uses in cases:
        xs = arrays(*shapes)
        te_in = [engine.tensor(x, requires_grad=True) for x in xs]
        tt_in = [torch.tensor(x, requires_grad=True) for x in xs]
        ye, yt = fe(*te_in), ft(*tt_in)
        ge, gt = engine.tensor(np.ones(ye.shape, np.float32)), torch.ones(tuple(yt.shape))
        te, tt = [], []
        for i in range(repeats + 3):
            for side in ("e", "t") if i % 2 else ("t", "e"):
                start = time.perf_counter()
                if side == "e":
                    fe(*te_in).backward(ge)
                else:
                    ft(*tt_in).backward(gt)
                (te if side == "e" else tt).append(time.perf_counter() - start)
            for a in te_in:
                a.grad = None
            for a in tt_in:
                a.grad = None
        rows.append((name, _median_ms(te[3:]), _median_ms(tt[3:]), uses))
    return rows


def write(path: Path, phase_table: dict, shape: dict, op_rows: list, args, loads) -> None:
    e_total = sum(e for e, _ in phase_table.values())
    t_total = sum(t for _, t in phase_table.values())
    lines = [
        "## textgen, part by part: where the baby GPT's step goes, engine vs PyTorch",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, NumPy {np.__version__}, PyTorch {torch.__version__} "
        f"({args.threads} thread(s) each); measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"1-minute load average before / after: {loads[0]:.1f} / {loads[1]:.1f} on 2 cores.",
        "",
        f"Model: nanoGPT's baby config ({shape['n_layer']} layers, {shape['n_head']} heads, "
        f"{shape['n_embd']} wide, context {shape['block']}, batch {shape['batch']}, vocabulary "
        f"{shape['vocab']}), nanoGPT's initial weights copied into the engine, Tiny Shakespeare "
        "batches. It explains the ratio of bench/textgen.py; it is not a second claim of it. "
        "Run: `python bench/textgen_parts.py`.",
        "",
        f"The step's phases (medians of {args.steps} interleaved training steps):",
        "",
        "| phase | engine (ms) | PyTorch (ms) | engine / PyTorch |",
        "| --- | ---: | ---: | ---: |",
    ]
    for ph, (e, t) in phase_table.items():
        lines.append(f"| {ph} | {e:.1f} | {t:.1f} | {e / t:.2f} |")
    lines.append(
        f"| whole step (sum of the medians) | {e_total:.1f} | {t_total:.1f} | "
        f"**{e_total / t_total:.2f}** |"
    )
    lines += [
        "",
        f"The ops at the model's shapes, forward and backward together (medians of {args.repeats} "
        "interleaved calls); per step = one call's difference times the number of uses in a step:",
        "",
        "| op | engine (ms) | PyTorch (ms) | engine / PyTorch | uses per step | "
        "engine - PyTorch per step (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, e, t, uses in op_rows:
        lines.append(
            f"| {name} | {e:.3f} | {t:.3f} | {e / t:.2f} | {uses} | {(e - t) * uses:+.1f} |"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=40, help="timed training steps (default 40)")
    p.add_argument("--repeats", type=int, default=100, help="timed calls per op (default 100)")
    p.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
    p.add_argument("--out", default=str(HERE / "results" / "textgen_parts.md"))
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    before = os.getloadavg()[0]
    with threadpool_limits(args.threads):
        phase_table, shape = phases(args.steps)
        op_rows = ops(shape, args.repeats)
    write(Path(args.out), phase_table, shape, op_rows, args, (before, os.getloadavg()[0]))
    print(Path(args.out).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
