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

This file also holds the PyTorch reference GPT (nanoGPT's model.py, trimmed) that the parity test
in tests/apps/test_textgen.py imports.

Run: python bench/textgen.py [--iters 2000] [--config baby] [--protocol nanogpt|engine]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

HERE = Path(__file__).resolve().parent


# ----------------------------------------------------- the PyTorch reference (nanoGPT's model.py)


class CausalSelfAttention(nn.Module):
    def __init__(self, config, flash: bool = True):
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head, self.n_embd, self.dropout = config.n_head, config.n_embd, config.dropout
        self.flash = flash
        mask = torch.tril(torch.ones(config.block_size, config.block_size))
        self.register_buffer("bias", mask.view(1, 1, config.block_size, config.block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        if self.flash:
            y = F.scaled_dot_product_attention(
                q, k, v, dropout_p=self.dropout if self.training else 0, is_causal=True
            )
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = self.attn_dropout(F.softmax(att, dim=-1))
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config, flash: bool = True):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config, flash)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TorchGPT(nn.Module):
    """nanoGPT's GPT with the engine model's parameter names (wte, wpe, h.i..., ln_f, lm_head)."""

    def __init__(self, config, flash: bool = True):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.Sequential(*[Block(config, flash) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight  # nanoGPT's weight tying

    def forward(self, idx, targets=None):
        T = idx.size(1)
        pos = torch.arange(0, T, dtype=torch.long, device=idx.device)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        x = self.ln_f(self.h(x))
        logits = self.lm_head(x)
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def torch_gpt_like(engine_model, flash: bool = True, dtype=torch.float32) -> TorchGPT:
    """A TorchGPT holding exactly the engine model's current weights."""
    model = TorchGPT(engine_model.config, flash).to(dtype)
    with torch.no_grad():
        for name, p in engine_model.named_parameters():
            model.get_parameter(name).copy_(torch.from_numpy(np.ascontiguousarray(p.data)))
    return model


def torch_adamw(model: TorchGPT, cfg) -> torch.optim.AdamW:
    """nanoGPT's configure_optimizers: decay 2-D tensors, not the rest; fused off on the CPU."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": cfg.weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=cfg.learning_rate, betas=(cfg.beta1, cfg.beta2))


@torch.no_grad()
def torch_split_loss(model: TorchGPT, ids: np.ndarray, chunk: int = 256) -> float:
    from mltutorial.apps.textgen.corpus import eval_windows

    X, Y = eval_windows(ids, model.config.block_size)
    model.eval()
    total = 0.0
    for i in range(0, len(X), chunk):
        _, loss = model(torch.from_numpy(X[i : i + chunk]), torch.from_numpy(Y[i : i + chunk]))
        total += float(loss) * Y[i : i + chunk].size
    model.train()
    return total / Y.size


@torch.no_grad()
def torch_estimate(model: TorchGPT, ids: np.ndarray, cfg, seed: int) -> float:
    """The engine's `train.estimate_loss` for the torch model: same seed, same batches."""
    from mltutorial.apps.textgen.corpus import get_batch

    rng = np.random.default_rng(seed)
    model.eval()
    losses = []
    for _ in range(cfg.eval_iters):
        X, Y = get_batch(ids, model.config.block_size, cfg.batch_size, rng)
        losses.append(float(model(torch.from_numpy(X), torch.from_numpy(Y))[1]))
    model.train()
    return float(np.mean(losses))


# ------------------------------------------------- nanoGPT's own run of train.py, replayed exactly


def nanogpt_gpt(config, seed: int = 1337, flash: bool = True) -> TorchGPT:
    """The GPT that nanoGPT's train.py builds: `torch.manual_seed(seed)`, then the modules in
    model.py's order (their default inits draw from torch's generator too), then GPT._init_weights
    applied module by module and the residual projections re-drawn. Same draws, same weights."""
    torch.manual_seed(seed)
    model = TorchGPT(config, flash)

    def init(m):
        if isinstance(m, nn.Linear):
            torch.nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            torch.nn.init.normal_(m.weight, mean=0.0, std=0.02)

    model.apply(init)
    for name, p in model.named_parameters():
        if name.endswith("c_proj.weight"):
            torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))
    return model


class NanoGPTBatches:
    """nanoGPT's get_batch: `torch.randint` on torch's global generator, so that train batches
    and evaluation batches come in train.py's order (first train batch, evaluation at step 0,
    then one train batch per step, evaluations every eval_interval steps)."""

    def __init__(self, train: np.ndarray, val: np.ndarray, block_size: int, batch_size: int):
        self.ids = {"train": train, "val": val}
        self.block_size, self.batch_size = block_size, batch_size

    def get(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        data = self.ids[split]
        ix = torch.randint(len(data) - self.block_size, (self.batch_size,)).numpy()
        offsets = np.arange(self.block_size)
        return data[ix[:, None] + offsets], data[ix[:, None] + offsets + 1]

    def eval_batches(self, eval_iters: int) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
        """estimate_loss's draws: eval_iters train batches, then eval_iters val batches."""
        return {s: [self.get(s) for _ in range(eval_iters)] for s in ("train", "val")}


def nanogpt_steps(stream: NanoGPTBatches, cfg):
    """train.py's loop, as the order of its draws: yields ("eval", step, {split: batches}) every
    eval_interval steps and at the end, and ("train", step, (X, Y)) for each update. The first
    training batch is drawn before the loop, and each next one before the following evaluation
    (train.py prefetches it during the step), so the stream is consumed exactly as there."""
    X, Y = stream.get("train")
    for step in range(cfg.max_iters + 1):
        if step % cfg.eval_interval == 0 or step == cfg.max_iters:
            yield "eval", step, stream.eval_batches(cfg.eval_iters)
        if step == cfg.max_iters:
            return
        batch = (X, Y)
        X, Y = stream.get("train")
        yield "train", step, batch


def engine_batches_loss(model, batches) -> float:
    from mltutorial.apps.textgen.train import _loss_value

    model.eval()
    losses = [_loss_value(model, X, Y) for X, Y in batches]
    model.train()
    return float(np.mean(losses))


@torch.no_grad()
def torch_batches_loss(model: TorchGPT, batches, device="cpu") -> float:
    model.eval()
    losses = [
        float(model(torch.from_numpy(X).to(device), torch.from_numpy(Y).to(device))[1])
        for X, Y in batches
    ]
    model.train()
    return float(np.mean(losses))


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
        for name, p in ours.named_parameters():
            p.data[...] = peer.get_parameter(name).detach().numpy()
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
        f"measured {when}; shared machine, so ratios not seconds.",
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
