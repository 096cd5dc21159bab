"""The GPT on our engine beside the same GPT in PyTorch (nanoGPT's CPU "baby" run), in one process.

Same model (4 layers, 4 heads, 128 wide, context 64, no biases, tied embeddings), same initial
weights, same batches in the same order, same AdamW settings and learning-rate schedule; the two
train in lock-step, one step each in turn, so the busy machine's noise falls on both alike. PyTorch
runs on the CPU with the same number of threads as NumPy's BLAS, without torch.compile, as nanoGPT's
CPU note (`--device=cpu --compile=False`). Reported: the engine's time per iteration divided by
PyTorch's, and both validation losses on the whole validation split.

By default (`--protocol nanogpt`) the run is nanoGPT's own, replayed: train.py's seed gives the
initial weights (torch.manual_seed + model.py's init, copied into the engine) and the batches
(torch.randint, in train.py's order), so the losses compare directly with nanoGPT's reported ~1.88.
`--protocol engine` runs the engine trainer's recipe instead (NumPy's generator).

The PyTorch reference GPT (nanoGPT's model.py, trimmed) is the tests' oracle and lives with them,
in tests/oracles/reference_gpt.py; this script imports it from there.

Run: python bench/textgen.py [--iters 2000] [--config baby] [--protocol nanogpt|engine]
"""

from __future__ import annotations

import argparse
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
    engine_batches_loss,
    nanogpt_gpt,
    torch_adamw,
    torch_batches_loss,
    torch_estimate,
    torch_gpt_like,
    torch_split_loss,
)

# ------------------------------------------------------------------------------ the benchmark


def app_plot(h_engine, h_peer, path: Path, label: str) -> None:
    from mltutorial.apps.textgen import app

    app.plot_curves({"engine GPT": h_engine, "PyTorch GPT": h_peer}, path, label)


def _limit_threads(n: int):
    """NumPy's BLAS and PyTorch both on `n` threads (on a shared 2-core machine 1 is fairest)."""
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n)
    return threadpool_limits(limits=n, user_api="blas")


def run(
    config_name: str = "baby",
    iters: int | None = None,
    data: str | None = None,
    threads: int = 1,
    save: str | None = None,
    timing_iters: int | None = None,
    engine_ckpt: str | None = None,
    protocol: str = "nanogpt",
) -> dict:
    """Lock-step training of both for `timing_iters` (default: all) iterations, timed; then
    PyTorch alone to the end, the engine's result then coming from `engine_ckpt` (a checkpoint of
    `mltutorial generate train --config NAME`, which is the same computation: same seed, same
    initial weights, same batches).

    protocol "nanogpt": nanoGPT's own run replayed: initial weights from `torch.manual_seed(seed)`
    and model.py's init (copied into the engine model), batches from `torch.randint` in
    train.py's order, evaluation batches drawn from the same stream. protocol "engine": the
    engine trainer's run (`mltutorial generate train`): NumPy's generator for both."""
    import dataclasses

    from mltutorial.apps.textgen import corpus as corpus_mod
    from mltutorial.apps.textgen import train as T
    from mltutorial.apps.textgen.gpt import GPT

    load_before = os.getloadavg()[0]
    limits = _limit_threads(threads)
    corpus = corpus_mod.load(data)
    model_cfg, cfg = T.make_configs("gpt", config_name)
    model_cfg = dataclasses.replace(model_cfg, vocab_size=corpus.vocab.size)
    if iters is not None:
        cfg = dataclasses.replace(cfg, max_iters=iters)
    if protocol not in ("nanogpt", "engine"):
        raise SystemExit(f"--protocol: nanogpt or engine, not {protocol!r}")
    if protocol == "nanogpt" and engine_ckpt:
        raise SystemExit("--engine-ckpt holds an engine-protocol run: add --protocol engine")
    ours = GPT(model_cfg, seed=cfg.seed)
    if protocol == "nanogpt":
        peer = nanogpt_gpt(model_cfg, cfg.seed)
        copy_into_engine(peer, ours)
    else:
        peer = torch_gpt_like(ours, flash=True)
    stream = NanoGPTBatches(corpus.train, corpus.val, model_cfg.block_size, cfg.batch_size)
    opt_ours = T.make_optimizer(ours, cfg)
    opt_peer = torch_adamw(peer, cfg)
    params_ours = [p for _, p in T.unique_parameters(ours)]
    rng = np.random.default_rng(cfg.seed)
    t_ours = t_peer = 0.0
    loss_ours = loss_peer = float("nan")
    h_ours, h_peer = T.History(), T.History()

    def evaluate(step: int, engine: bool = True) -> None:
        """nanoGPT's estimate_loss (eval_iters batches per split), same batches for both."""
        if protocol == "nanogpt":  # estimate_loss's batches, from train.py's stream
            drawn = stream.eval_batches(cfg.eval_iters)
            splits = {"train": drawn["train"], "val": drawn["val"]}
            pairs = [(h_peer, lambda b: torch_batches_loss(peer, b))]
            if engine:
                pairs.insert(0, (h_ours, lambda b: engine_batches_loss(ours, b)))
        else:
            splits = {"train": corpus.train, "val": corpus.val}
            pairs = [(h_peer, lambda ids: torch_estimate(peer, ids, cfg, cfg.seed + 1))]
            if engine:
                pairs.insert(0, (h_ours, lambda ids: T.estimate_loss(ours, ids, cfg, cfg.seed + 1)))
        for h, est in pairs:
            h.eval_step.append(step)
            h.eval_train.append(est(splits["train"]))
            h.eval_val.append(est(splits["val"]))
        ours_text = f"engine {h_ours.eval_val[-1]:.4f}  " if engine else ""
        print(
            f"eval {step:5d}  val {ours_text}torch {h_peer.eval_val[-1]:.4f}",
            file=sys.stderr,
            flush=True,
        )

    print(
        f"textgen bench: GPT {config_name}, {cfg.max_iters} iterations, {threads} threads",
        file=sys.stderr,
    )
    timed = min(timing_iters or cfg.max_iters, cfg.max_iters)

    def next_batch():
        if protocol == "nanogpt":
            return stream.get("train")
        return corpus_mod.get_batch(corpus.train, model_cfg.block_size, cfg.batch_size, rng)

    X_next, Y_next = next_batch() if protocol == "nanogpt" else (None, None)
    for step in range(cfg.max_iters):
        lockstep = step < timed
        if step % cfg.eval_interval == 0:
            evaluate(step, engine=lockstep)
        lr = T.lr_at(step, cfg)
        if protocol == "nanogpt":  # train.py fetches the next batch before the evaluation
            X, Y = X_next, Y_next
            X_next, Y_next = next_batch()
        else:
            X, Y = next_batch()
        if not lockstep:  # PyTorch alone, untimed
            for g in opt_peer.param_groups:
                g["lr"] = lr
            _, lp = peer(torch.from_numpy(X), torch.from_numpy(Y))
            opt_peer.zero_grad(set_to_none=True)
            lp.backward()
            torch.nn.utils.clip_grad_norm_(peer.parameters(), cfg.grad_clip)
            opt_peer.step()
            loss_peer = float(lp.item())
            h_peer.step.append(step)
            h_peer.loss.append(loss_peer)
            if step % 100 == 0:
                print(f"step {step:5d}  torch {loss_peer:.4f}", file=sys.stderr, flush=True)
            continue
        t0 = time.perf_counter()
        T.set_lr(opt_ours, lr)
        _, loss = ours(X, Y)
        opt_ours.zero_grad()
        loss.backward()
        T.clip_grad_norm(params_ours, cfg.grad_clip)
        opt_ours.step()
        loss_ours = float(loss.item())
        t1 = time.perf_counter()
        for g in opt_peer.param_groups:
            g["lr"] = lr
        _, lp = peer(torch.from_numpy(X), torch.from_numpy(Y))
        opt_peer.zero_grad(set_to_none=True)
        lp.backward()
        torch.nn.utils.clip_grad_norm_(peer.parameters(), cfg.grad_clip)
        opt_peer.step()
        loss_peer = float(lp.item())
        t2 = time.perf_counter()
        t_ours += t1 - t0
        t_peer += t2 - t1
        for h, value in ((h_ours, loss_ours), (h_peer, loss_peer)):
            h.step.append(step)
            h.loss.append(value)
            h.lr.append(lr)
        if step % 100 == 0 or step == cfg.max_iters - 1:
            print(
                f"step {step:5d}  engine {loss_ours:.4f} ({t_ours / (step + 1) * 1e3:.0f} ms/it)"
                f"  torch {loss_peer:.4f} ({t_peer / (step + 1) * 1e3:.0f} ms/it)",
                file=sys.stderr,
                flush=True,
            )
    full = timed == cfg.max_iters
    evaluate(cfg.max_iters, engine=full)
    val_peer = torch_split_loss(peer, corpus.val)
    lockstep_gap = max(abs(a - b) for a, b in zip(h_ours.loss, h_peer.loss[:timed]))
    engine_source = "this run"
    h_engine, ckpt_gap = h_ours, float("nan")
    if full:
        val_ours = T.split_loss(ours, corpus.val)
    elif engine_ckpt:
        from mltutorial.apps.textgen import app

        for _ in range(240):  # the engine's run may still be going: wait up to 2 hours
            model, _, meta = app.load_checkpoint(engine_ckpt)
            if meta["step"] >= cfg.max_iters and meta.get("val_loss") is not None:
                break
            print(f"waiting for {engine_ckpt} (step {meta['step']})", file=sys.stderr, flush=True)
            time.sleep(30)
        expect = (dataclasses.asdict(model_cfg), cfg.max_iters, cfg.seed, cfg.learning_rate)
        got = (
            meta["model_config"],
            meta["step"],
            meta["train_config"]["seed"],
            meta["train_config"]["learning_rate"],
        )
        if expect != got:
            raise SystemExit(f"{engine_ckpt}: not this configuration ({got} != {expect})")
        val_ours = T.split_loss(model, corpus.val)
        h_engine = T.History.from_dict(meta["history"])
        ckpt_gap = max(abs(a - b) for a, b in zip(h_engine.loss[:timed], h_ours.loss))
        engine_source = f"`{engine_ckpt}` (`mltutorial generate train --config {config_name}`)"
    else:
        val_ours = float("nan")
    limits.restore_original_limits()
    if save and full:
        from mltutorial.apps.textgen import app

        app.save_checkpoint(
            save,
            kind="gpt",
            model=ours,
            model_config=model_cfg,
            config=cfg,
            corpus=corpus,
            config_name=config_name,
            step=cfg.max_iters,
            history=h_ours,
            optimizer=opt_ours,
            rng=rng,
            val_loss=val_ours,
        )
    if save:
        app_plot(
            h_engine, h_peer, Path(save).with_name(Path(save).stem + "-loss.png"), corpus.label
        )
    n = max(timed, 1)
    return {
        "load": (load_before, os.getloadavg()[0]),
        "config": config_name,
        "protocol": protocol,
        "iters": cfg.max_iters,
        "threads": threads,
        "dataset": corpus.label,
        "params": ours.n_params(),
        "ms_per_iter_engine": t_ours / n * 1e3,
        "ms_per_iter_torch": t_peer / n * 1e3,
        "ratio": (t_ours / t_peer) if t_peer else float("nan"),
        "val_engine": val_ours,
        "val_torch": val_peer,
        "est_val_engine": h_engine.eval_val[-1],
        "timing_iters": timed,
        "lockstep_gap": lockstep_gap,
        "ckpt_gap": ckpt_gap,
        "engine_source": engine_source,
        "est_val_torch": h_peer.eval_val[-1],
        "curve_engine": list(zip(h_engine.eval_step, h_engine.eval_val)),
        "curve_torch": list(zip(h_peer.eval_step, h_peer.eval_val)),
        "train_last_engine": loss_ours,
        "train_last_torch": loss_peer,
        "model": dataclasses.asdict(model_cfg),
        "train": dataclasses.asdict(cfg),
    }


def write_section(r: dict, path: Path) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    m, t = r["model"], r["train"]
    lines = [
        f"## textgen: GPT on the engine vs the same GPT in PyTorch ({r['config']} config)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, PyTorch {torch.__version__} (CPU, {r['threads']} thread(s) for both, no compile); "
        f"measured {when}; 1-minute load average before / after: {r['load'][0]:.1f} / "
        f"{r['load'][1]:.1f} on {os.cpu_count()} cores; shared machine, so ratios not seconds.",
        "",
        f"Data: {r['dataset']} (90/10 split). Model: {m['n_layer']} layers, {m['n_head']} heads, "
        f"{m['n_embd']} wide, context {m['block_size']}, dropout {m['dropout']}, bias {m['bias']}, "
        f"{r['params']:,} parameters (without position embeddings); batch {t['batch_size']}, "
        f"{r['iters']} iterations, AdamW lr {t['learning_rate']:g} -> {t['min_lr']:g} "
        f"(warmup {t['warmup_iters']}, cosine to {t['lr_decay_iters']}), betas ({t['beta1']}, "
        f"{t['beta2']}), weight decay {t['weight_decay']} on 2-D weights, grad clip {t['grad_clip']}.",
        (
            "Protocol: **nanoGPT's own run, replayed** (`--protocol nanogpt`): train.py's seed "
            f"{t['seed']}, so the initial weights come from `torch.manual_seed({t['seed']})` and "
            "model.py's init (and are copied into the engine model), and the training and "
            "evaluation batches from `torch.randint` in train.py's order. The last row below is "
            "therefore nanoGPT's own number for this configuration, computed by the engine."
            if r["protocol"] == "nanogpt"
            else "Protocol: the engine trainer's run (`--protocol engine`, as `mltutorial generate "
            f"train --config {r['config']}`): NumPy's generator seeded {t['seed']} for the initial "
            "weights and the batches; the estimate uses 20 fixed batches."
        ),
        "Both start from the same weights and see the same batches; they train in lock-step"
        + (
            "."
            if r["timing_iters"] == r["iters"]
            else f" for the first {r['timing_iters']} iterations (the timed part), after which "
            f"PyTorch trains alone to {r['iters']}; "
            + (
                f"the engine's {r['iters']}-iteration result comes from {r['engine_source']}, the "
                f"same computation run separately (its per-step training losses match this run's "
                f"lock-step engine to {r['ckpt_gap']:.1e})."
                if r["engine_source"] != "this run"
                else "the engine's final losses were not measured in this run (nan below)."
            )
        ),
        f"Per-step training losses, engine vs PyTorch, over the lock-step part: largest "
        f"difference {r['lockstep_gap']:.1e} nats.",
        "",
        "| | engine (NumPy) | PyTorch | engine / PyTorch |",
        "| --- | ---: | ---: | ---: |",
        f"| time per iteration (mean of {r['timing_iters']} lock-step iterations) | "
        f"{r['ms_per_iter_engine']:.0f} ms | {r['ms_per_iter_torch']:.0f} ms "
        f"| **{r['ratio']:.2f}x** (goal <= 1.5) |",
        f"| validation loss (whole val split, nats/char) | {r['val_engine']:.4f} | "
        f"{r['val_torch']:.4f} | {r['val_engine'] - r['val_torch']:+.4f} |",
        f"| validation loss (nanoGPT's estimate: {t['eval_iters']} random batches) | "
        f"{r['est_val_engine']:.4f} | {r['est_val_torch']:.4f} | "
        f"{r['est_val_engine'] - r['est_val_torch']:+.4f} |",
        "",
        "Validation loss along the way (nanoGPT's estimate), engine / PyTorch: "
        + ", ".join(
            f"step {s}: {a:.3f} / {b:.3f}"
            for (s, a), (_, b) in zip(r["curve_engine"], r["curve_torch"])
        )
        + ".",
        "",
        f"nanoGPT reports a validation loss of about 1.88 for this configuration (its estimate on "
        f"20 random batches); goal for the engine: <= 1.90. Run: `python bench/textgen.py "
        f"--config {r['config']} --iters {r['iters']} --protocol {r['protocol']}"
        + (
            f" --timing-iters {r['timing_iters']} --engine-ckpt CKPT"
            if r["timing_iters"] != r["iters"]
            else ""
        )
        + "`.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="baby")
    p.add_argument("--iters", type=int, default=None, help="default: the config's (2000 for baby)")
    p.add_argument("--data", default=None)
    p.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
    p.add_argument(
        "--save", default=None, help="write the engine model's checkpoint (+ loss figure)"
    )
    p.add_argument(
        "--timing-iters",
        type=int,
        default=None,
        help="time this many lock-step iterations, then train PyTorch alone",
    )
    p.add_argument(
        "--engine-ckpt",
        default=None,
        help="with --timing-iters: the engine's full run (generate train) to compare",
    )
    p.add_argument(
        "--protocol",
        default="nanogpt",
        choices=["nanogpt", "engine"],
        help="nanogpt: replay nanoGPT's own run (torch's seed 1337 init and batches, default); "
        "engine: the engine trainer's run (NumPy's generator)",
    )
    p.add_argument("--out", default=str(HERE / "results" / "textgen.md"))
    args = p.parse_args(argv)
    r = run(
        args.config,
        args.iters,
        args.data,
        args.threads,
        args.save,
        args.timing_iters,
        args.engine_ckpt,
        args.protocol,
    )
    write_section(r, Path(args.out))
    print(Path(args.out).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
