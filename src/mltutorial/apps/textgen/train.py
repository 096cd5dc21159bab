"""Training the ladder: the bigram by counting, the MLP and the GPT by AdamW on the engine.

The GPT's recipe is nanoGPT's `train.py` for `shakespeare_char`: random windows of `block_size`
characters; AdamW (Loshchilov & Hutter 2019) with weight decay on 2-D weights only; the gradient's
global norm clipped to `grad_clip`; a learning rate that warms up linearly for `warmup_iters` and
then follows a cosine down to `min_lr` at `lr_decay_iters`. Every `eval_interval` steps the loss is
estimated on `eval_iters` batches of each split (the curve); at the end the validation loss is
computed on the *whole* validation split cut into windows, so every rung and every run (engine or
PyTorch) is scored on the same characters, in nats per character.

Named configurations (`--config NAME`, then `--key=value` to change any field):

- gpt/tiny: the smallest, for tests and `tour --quick`;
- gpt/tour: the tour's default, sized for a CPU, already writes words;
- gpt/baby: nanoGPT's CPU run of `train_shakespeare_char` (4 layers, 4 heads, 128 wide, context
  64, batch 12, 2,000 iterations, lr 1e-3 -> 1e-4); nanoGPT reports a validation loss of ~1.88.
  bench/textgen.py replays nanoGPT's own run on the engine (its seed's weights and batches) and
  bench/textgen_seeds.py measures how the final loss varies with the seed; their numbers are in
  bench/RESULTS.md, and the slow test asserts the replay's;
- gpt/shakespeare: nanoGPT's full GPU configuration (6 x 6 x 384, context 256), for patient people.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mltutorial.apps.textgen import corpus as corpus_mod
from mltutorial.apps.textgen.bigram import BigramModel
from mltutorial.apps.textgen.corpus import Corpus
from mltutorial.config import bounded, seed_field
from mltutorial.errors import UserError

MODELS = ("bigram", "mlp", "gpt")


@dataclass
class TrainConfig:
    """Optimization settings (nanoGPT's names); defaults are the baby GPT's."""

    batch_size: int = bounded(12, ge=1)
    max_iters: int = bounded(2000, ge=0)
    learning_rate: float = bounded(1e-3, gt=0)  # peak lr, reached after warmup
    min_lr: float = bounded(1e-4, ge=0)  # ~learning_rate / 10, per Chinchilla
    warmup_iters: int = bounded(100, ge=0)
    lr_decay_iters: int = bounded(2000, ge=0)  # ~max_iters, per Chinchilla
    decay_lr: bool = True
    weight_decay: float = bounded(0.1, ge=0)  # on 2-D weights only (matrices and embeddings)
    beta1: float = bounded(0.9, ge=0, lt=1)
    # nanoGPT: a bit bigger because few tokens per iteration
    beta2: float = bounded(0.99, ge=0, lt=1)
    grad_clip: float = bounded(1.0, ge=0)  # clip the global gradient norm; 0 disables
    eval_interval: int = bounded(250, ge=1)
    eval_iters: int = bounded(20, ge=1)  # batches per split for the loss curve
    seed: int = seed_field(1337)  # nanoGPT's seed; model init and batch order
    alpha: float = bounded(1.0, gt=0)  # bigram only: add-alpha smoothing


def _gpt_config(**kw: Any):
    from mltutorial.apps.textgen.gpt import GPTConfig

    return GPTConfig(**kw)


def _mlp_config(**kw: Any):
    from mltutorial.apps.textgen.mlp import MLPConfig

    return MLPConfig(**kw)


# model -> config name -> (model config overrides, train config overrides)
CONFIGS: dict[str, dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
    "gpt": {
        "tiny": (
            dict(n_layer=1, n_head=2, n_embd=32, block_size=16),
            dict(
                batch_size=16,
                max_iters=100,
                warmup_iters=5,
                lr_decay_iters=100,
                learning_rate=1e-2,  # a tiny model tolerates (and needs) a large step
                min_lr=1e-3,
                eval_interval=25,
                eval_iters=4,
            ),
        ),
        "tour": (
            # one wide layer and big batches learn fastest per second on two cores; wider or
            # longer runs cost much more time for almost no lower validation loss
            dict(n_layer=1, n_head=4, n_embd=64, block_size=32),
            dict(
                batch_size=32,
                max_iters=1200,  # enough for words to appear, in the tour's time budget
                warmup_iters=20,
                lr_decay_iters=1200,
                learning_rate=6e-3,
                min_lr=6e-4,
                eval_interval=150,
                eval_iters=8,
            ),
        ),
        "baby": (
            dict(n_layer=4, n_head=4, n_embd=128, block_size=64, dropout=0.0),
            dict(
                batch_size=12,
                max_iters=2000,
                warmup_iters=100,
                lr_decay_iters=2000,
                learning_rate=1e-3,
                min_lr=1e-4,
                eval_interval=250,
                eval_iters=20,
            ),
        ),
        "shakespeare": (
            dict(n_layer=6, n_head=6, n_embd=384, block_size=256, dropout=0.2),
            dict(
                batch_size=64,
                max_iters=5000,
                warmup_iters=100,
                lr_decay_iters=5000,
                learning_rate=1e-3,
                min_lr=1e-4,
                eval_interval=250,
                eval_iters=200,
            ),
        ),
    },
    "mlp": {
        "tiny": (
            dict(context=4, n_embd=8, n_hidden=64),
            dict(
                batch_size=32,
                max_iters=100,
                warmup_iters=5,
                lr_decay_iters=100,
                learning_rate=1e-2,
                min_lr=1e-3,
                eval_interval=50,
                eval_iters=4,
            ),
        ),
        "tour": (
            dict(context=8, n_embd=16, n_hidden=256),
            dict(
                batch_size=64,
                max_iters=600,
                warmup_iters=20,
                lr_decay_iters=600,
                learning_rate=5e-3,
                min_lr=5e-4,
                eval_interval=100,
                eval_iters=8,
            ),
        ),
        "baby": (
            dict(context=8, n_embd=24, n_hidden=512),
            dict(
                batch_size=128,
                max_iters=3000,
                warmup_iters=100,
                lr_decay_iters=3000,
                learning_rate=3e-3,
                min_lr=3e-4,
                eval_interval=250,
                eval_iters=20,
            ),
        ),
    },
    "bigram": {name: ({}, {}) for name in ("tiny", "tour", "baby")},
}


def config_names(model: str) -> list[str]:
    return list(CONFIGS[model])


def make_configs(model: str, name: str, overrides: list[str] | None = None):
    """(model config, TrainConfig) for `model`/`name` with `--key=value` overrides applied.

    A key is looked up first among the model's fields, then among the training fields; unknown
    keys and unknown names are `UserError`s listing what exists.
    """
    from mltutorial.config import parse_overrides

    if model not in CONFIGS:
        raise UserError(f"unknown model {model!r} (choose from {', '.join(MODELS)})")
    if name not in CONFIGS[model]:
        raise UserError(
            f"unknown config {name!r} for model {model} (choose from {', '.join(CONFIGS[model])})"
        )
    model_kw, train_kw = CONFIGS[model][name]
    model_cfg = None
    if model == "gpt":
        model_cfg = _gpt_config(**model_kw)
    elif model == "mlp":
        model_cfg = _mlp_config(**model_kw)
    train_cfg = TrainConfig(**train_kw)
    model_fields = {f.name for f in dataclasses.fields(model_cfg)} if model_cfg else set()
    model_args: list[str] = []
    train_args: list[str] = []
    for arg in overrides or []:
        if not arg.startswith("--"):
            raise UserError(f"unexpected argument {arg!r}: config values look like --key=value")
        key = arg[2:].partition("=")[0].replace("-", "_")
        train_fields = {f.name for f in dataclasses.fields(TrainConfig)}
        if key not in model_fields and key not in train_fields:
            import difflib

            known = sorted(model_fields | train_fields)
            close = difflib.get_close_matches(key, known, n=3)
            hint = f"; did you mean {', '.join('--' + c for c in close)}?" if close else ""
            raise UserError(
                f"unknown config key --{key} for model {model}{hint} (known: {', '.join(known)})"
            )
        (model_args if key in model_fields else train_args).append(arg)
    if model_cfg is not None and model_args:
        model_cfg = parse_overrides(type(model_cfg), model_args, base=model_cfg)
    if train_args:
        train_cfg = parse_overrides(TrainConfig, train_args, base=train_cfg)
    _check(model_cfg, train_cfg)
    return model_cfg, train_cfg


def estimate_bytes(model_cfg: Any, batch_size: int) -> float:
    """A rough lower bound on the memory one training step of this model takes, in bytes.

    Parameters four times (weights, gradients, Adam's two moments) plus the activations the
    backward pass keeps: per layer some (B, T, C) and (B, T, 4C) arrays and two (B, nh, T, T)
    attention maps; float32 throughout. Low on purpose: only a model that surely cannot fit is
    refused.
    """
    if model_cfg is None:  # the bigram: a (V, V) count table
        return 0.0
    c, v = model_cfg.n_embd, model_cfg.vocab_size
    if hasattr(model_cfg, "n_layer"):  # GPT
        t, nh, n_layer = model_cfg.block_size, model_cfg.n_head, model_cfg.n_layer
        params = v * c + t * c + n_layer * (12 * c * c + 4 * c)
        activations = batch_size * t * n_layer * (12 * c + 2 * nh * t) + 2 * batch_size * t * v
    else:  # the MLP
        fan_in = model_cfg.context * c
        params = v * c + fan_in * model_cfg.n_hidden + model_cfg.n_hidden * v
        activations = 2 * batch_size * (fan_in + model_cfg.n_hidden + v)
    return 4.0 * (4 * params + activations)


def check_fits(model_cfg: Any, batch_size: int, what: str = "this model") -> None:
    """A `UserError` before any allocation when the model cannot fit in this machine's memory."""
    from mltutorial.config import check_memory

    check_memory(estimate_bytes(model_cfg, batch_size), what)


def _check(model_cfg: Any, cfg: TrainConfig) -> None:
    """Each field's range (declared on the config dataclasses), then what ties fields together."""
    from mltutorial.config import check_config

    check_config(cfg)
    if model_cfg is not None:
        check_config(model_cfg)
    if (
        model_cfg is not None
        and hasattr(model_cfg, "n_head")
        and model_cfg.n_embd % model_cfg.n_head
    ):
        raise UserError(
            f"--n_embd={model_cfg.n_embd} must be a multiple of --n_head={model_cfg.n_head}"
        )
    check_fits(model_cfg, cfg.batch_size)


def lr_at(step: int, cfg: TrainConfig) -> float:
    """nanoGPT's get_lr: linear warmup, cosine decay to min_lr, then min_lr."""
    if not cfg.decay_lr:
        return cfg.learning_rate
    if step < cfg.warmup_iters:
        return cfg.learning_rate * (step + 1) / (cfg.warmup_iters + 1)
    if step > cfg.lr_decay_iters:
        return cfg.min_lr
    span = max(cfg.lr_decay_iters - cfg.warmup_iters, 1)
    coeff = 0.5 * (1.0 + math.cos(math.pi * (step - cfg.warmup_iters) / span))
    return cfg.min_lr + coeff * (cfg.learning_rate - cfg.min_lr)


@dataclass
class History:
    """The loss curve: per-step training loss and periodic estimates on both splits."""

    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    eval_train: list[float] = field(default_factory=list)
    eval_val: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, list]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, list]) -> History:
        return cls(**{k: list(d.get(k, [])) for k in (f.name for f in dataclasses.fields(cls))})


@dataclass
class TrainResult:
    model: Any
    kind: str
    model_config: Any
    config: TrainConfig
    step: int
    history: History
    train_loss: float  # on the whole training split (bigram) or its eval estimate
    val_loss: float  # on the whole validation split, nats per character
    seconds: float
    n_params: int
    optimizer: Any = None
    rng: np.random.Generator | None = None


def fit_bigram(corpus: Corpus, cfg: TrainConfig, val_chars: int | None = None) -> TrainResult:
    """Count pairs in the training split; score the validation split (its first `val_chars`)."""
    start = time.perf_counter()
    model = BigramModel(alpha=cfg.alpha).fit(corpus.train, corpus.vocab.size)
    return TrainResult(
        model,
        "bigram",
        None,
        cfg,
        0,
        History(),
        model.loss(corpus.train),
        model.loss(corpus.val[:val_chars]),
        time.perf_counter() - start,
        model.n_params,
    )


# ---------------------------------------------------------------- neural rungs (engine)


def build_model(kind: str, model_cfg: Any, seed: int):
    if kind == "gpt":
        from mltutorial.apps.textgen.gpt import GPT

        return GPT(model_cfg, seed=seed)
    if kind == "mlp":
        from mltutorial.apps.textgen.mlp import CharMLP

        return CharMLP(model_cfg, seed=seed)
    raise UserError(f"unknown model {kind!r} (choose from {', '.join(MODELS)})")


def unique_parameters(model: Any) -> list[tuple[str, Any]]:
    """(name, parameter) once per parameter object: a tied weight is updated once, as in torch."""
    seen: set[int] = set()
    out = []
    for name, p in model.named_parameters():
        if id(p) not in seen:
            seen.add(id(p))
            out.append((name, p))
    return out


def make_optimizer(model: Any, cfg: TrainConfig):
    """nanoGPT's configure_optimizers: weight decay on tensors with >= 2 dims, none on the rest."""
    from mltutorial.engine import optim

    params = unique_parameters(model)
    decay = [p for _, p in params if p.data.ndim >= 2]
    no_decay = [p for _, p in params if p.data.ndim < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    return optim.AdamW(groups, lr=cfg.learning_rate, betas=(cfg.beta1, cfg.beta2))


def set_lr(optimizer: Any, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


def clip_grad_norm(params: list[Any], max_norm: float) -> float:
    """The engine's clip_grad_norm_ (torch's): scale gradients to a joint L2 norm <= max_norm."""
    from mltutorial.engine.nn.utils import clip_grad_norm_

    return float(clip_grad_norm_(params, max_norm).item())


def sample_batch(model: Any, ids: np.ndarray, batch_size: int, rng: np.random.Generator):
    """A training batch for `model`: windows (GPT) or contexts with their next character (MLP)."""
    n = model.context_size
    if model.kind == "gpt":
        return corpus_mod.get_batch(ids, n, batch_size, rng)
    if len(ids) <= n:
        raise UserError(
            f"a split of {len(ids)} characters is too short for context={n} (needs {n + 1}); "
            "use a longer text or a smaller --context"
        )
    starts = rng.integers(0, len(ids) - n, size=batch_size)
    X = ids[starts[:, None] + np.arange(n)]  # (B, n)
    return X, ids[starts + n]  # (B,)


def _loss_value(model: Any, X: np.ndarray, Y: np.ndarray) -> float:
    from mltutorial import engine

    with engine.no_grad():
        _, loss = model(X, Y)
    return float(loss.item())


def estimate_loss(model: Any, ids: np.ndarray, cfg: TrainConfig, seed: int) -> float:
    """Mean loss over `eval_iters` random batches (the same batches at every evaluation)."""
    rng = np.random.default_rng(seed)
    # an MLP batch scores batch_size characters, a GPT batch batch_size * block_size: give the
    # MLP's estimate as many characters as a GPT's would have, or its curve is mostly noise
    n = cfg.batch_size if model.kind == "gpt" else cfg.batch_size * 32
    model.eval()
    losses = [_loss_value(model, *sample_batch(model, ids, n, rng)) for _ in range(cfg.eval_iters)]
    model.train()
    return float(np.mean(losses))


def split_loss(model: Any, ids: np.ndarray, tokens_per_chunk: int = 16384) -> float:
    """Loss on a whole split in nats per character (every character scored once).

    GPT: consecutive windows of block_size (as during training, early positions see less context);
    MLP: every position with its full context.
    """
    from mltutorial.apps.textgen.mlp import context_windows

    if model.kind == "gpt":
        X, Y = corpus_mod.eval_windows(ids, model.context_size)
        chunk = max(1, tokens_per_chunk // model.context_size)  # windows per forward pass
    else:
        X, Y = context_windows(ids, model.context_size)
        chunk = tokens_per_chunk
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(X), chunk):
        xb, yb = X[i : i + chunk], Y[i : i + chunk]
        total += _loss_value(model, xb, yb) * yb.size
        count += yb.size
    model.train()
    return total / count


def optimizer_state(optimizer: Any, model: Any) -> dict[str, np.ndarray]:
    """The AdamW moments and step counts, keyed "<parameter name>/<field>" (for checkpoints)."""
    out: dict[str, np.ndarray] = {}
    for name, p in unique_parameters(model):
        for key, value in optimizer.state.get(id(p), {}).items():
            out[f"{name}/{key}"] = np.asarray(value)
    return out


def load_optimizer_state(optimizer: Any, model: Any, state: dict[str, np.ndarray]) -> None:
    """Put saved moments back, in place of the optimizer's (empty) per-parameter state."""
    params = dict(unique_parameters(model))
    rebuilt: dict[int, dict[str, Any]] = {}
    for key, value in state.items():
        name, _, field_ = key.rpartition("/")
        if name not in params:
            raise UserError(f"optimizer state names a parameter {name!r} the model lacks")
        p = params[name]
        if value.ndim and value.shape != p.data.shape:
            raise UserError(f"optimizer state for {name!r} has shape {value.shape}")
        rebuilt.setdefault(id(p), {})[field_] = (
            value.astype(p.data.dtype) if value.ndim else value.item()
        )
    optimizer.state.clear()
    optimizer.state.update(rebuilt)


def fit_neural(
    model: Any,
    corpus: Corpus,
    cfg: TrainConfig,
    *,
    model_config: Any = None,
    optimizer: Any = None,
    rng: np.random.Generator | None = None,
    start_step: int = 0,
    history: History | None = None,
    on_eval: Callable[[int, Any, np.random.Generator, History], None] | None = None,
    desc: str = "train",
    final_eval: bool = True,
    val_chars: int | None = None,
) -> TrainResult:
    """Train `model` from `start_step` to `cfg.max_iters`; evaluate every `eval_interval` steps.

    `on_eval(step, optimizer, rng, history)` runs after each evaluation (the CLI saves a
    checkpoint there), with the state *before* step `step`'s update, so resuming from it repeats
    the uninterrupted run exactly. The final validation loss is on the whole validation split, or
    its first `val_chars` characters (the tour's quick mode).
    """
    from mltutorial.progress import bar

    optimizer = optimizer or make_optimizer(model, cfg)
    rng = rng or np.random.default_rng(cfg.seed)
    history = history or History()
    params = [p for _, p in unique_parameters(model)]
    eval_seed = cfg.seed + 1  # the loss curve's batches: fixed, and apart from training's
    model.train()
    start = time.perf_counter()
    progress = bar(max(cfg.max_iters - start_step, 0), desc=desc)

    def evaluate(step: int) -> None:
        history.eval_step.append(step)
        history.eval_train.append(estimate_loss(model, corpus.train, cfg, eval_seed))
        history.eval_val.append(estimate_loss(model, corpus.val, cfg, eval_seed))
        progress.set_postfix(
            loss=f"{history.loss[-1] if history.loss else float('nan'):.3f}",
            val=f"{history.eval_val[-1]:.3f}",
        )
        if on_eval is not None:
            on_eval(step, optimizer, rng, history)

    try:
        for step in range(start_step, cfg.max_iters):
            if step % cfg.eval_interval == 0 and (
                not history.eval_step or history.eval_step[-1] != step
            ):
                evaluate(step)
            lr = lr_at(step, cfg)
            set_lr(optimizer, lr)
            X, Y = sample_batch(model, corpus.train, cfg.batch_size, rng)
            _, loss = model(X, Y)
            optimizer.zero_grad()
            loss.backward()
            if cfg.grad_clip > 0:
                clip_grad_norm(params, cfg.grad_clip)
            optimizer.step()
            value = float(loss.item())
            if not math.isfinite(value):
                raise UserError(
                    f"the training loss became {value} at step {step}; "
                    f"try a smaller --learning_rate (now {cfg.learning_rate})"
                )
            history.step.append(step)
            history.loss.append(value)
            history.lr.append(lr)
            progress.update(1)
            progress.set_postfix(loss=f"{value:.3f}", refresh=False)
        step = cfg.max_iters
        if not history.eval_step or history.eval_step[-1] != step:
            evaluate(step)
    finally:
        progress.close()
    train_seconds = time.perf_counter() - start
    val_loss = split_loss(model, corpus.val[:val_chars]) if final_eval else history.eval_val[-1]
    return TrainResult(
        model,
        model.kind,
        model_config,
        cfg,
        cfg.max_iters,
        history,
        history.eval_train[-1],
        val_loss,
        train_seconds,
        model.n_params(),
        optimizer,
        rng,
    )
