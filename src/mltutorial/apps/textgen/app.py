"""The textgen app's verbs, shared by the CLI and the tour: train (or resume), load, ladder, plot.

Everything here only orchestrates: the models live in bigram.py / mlp.py / gpt.py, the loop in
train.py, the file format in checkpoint.py.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mltutorial.apps.textgen import checkpoint as ckpt_mod
from mltutorial.apps.textgen import corpus as corpus_mod
from mltutorial.apps.textgen import train as train_mod
from mltutorial.apps.textgen.corpus import Corpus
from mltutorial.apps.textgen.train import History, TrainConfig, TrainResult
from mltutorial.apps.textgen.vocab import CharVocab
from mltutorial.clitools import figures_after
from mltutorial.config import check_config
from mltutorial.errors import DataError, UserError
from mltutorial.files import Array, check_arrays

Pathish = str | os.PathLike[str]


@dataclass
class TrainRun:
    result: TrainResult
    corpus: Corpus
    config_name: str
    ckpt: Path
    figure: Path | None


def save_checkpoint(
    path: Pathish,
    *,
    kind: str,
    model: Any,
    model_config: Any,
    config: TrainConfig,
    corpus: Corpus,
    config_name: str,
    step: int,
    history: History,
    optimizer: Any = None,
    rng: np.random.Generator | None = None,
    val_loss: float | None = None,
) -> Path:
    meta = {
        "model": kind,
        "config_name": config_name,
        "vocab": "".join(corpus.vocab.chars),
        "model_config": dataclasses.asdict(model_config) if model_config is not None else {},
        "train_config": dataclasses.asdict(config),
        "step": step,
        "rng_state": rng.bit_generator.state if rng is not None else None,
        "history": history.as_dict(),
        "dataset": corpus.label,
        "data_path": corpus.path,
        "val_loss": val_loss,
    }
    optim_state = train_mod.optimizer_state(optimizer, model) if optimizer is not None else None
    return ckpt_mod.save(path, meta, ckpt_mod.model_state(model), optim_state)


def _build(meta: dict[str, Any], state: dict[str, np.ndarray], where: str) -> Any:
    kind = meta["model"]
    vocab_size = len(meta["vocab"])
    try:
        if kind == "bigram":
            from mltutorial.apps.textgen.bigram import BigramModel

            alpha = meta["train_config"].get("alpha", 1.0)
            check_arrays(state, {"counts": Array((vocab_size, vocab_size))}, where)
            if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
                raise DataError(f"{where}: checkpoint with smoothing alpha {alpha!r}, not > 0")
            if (state["counts"] < 0).any():
                raise DataError(f"{where}: checkpoint with negative bigram counts")
            return BigramModel(alpha=float(alpha)).load_state(state), None
        if kind == "gpt":
            from mltutorial.apps.textgen.gpt import GPTConfig

            cfg: Any = GPTConfig(**meta["model_config"])
        elif kind == "mlp":
            from mltutorial.apps.textgen.mlp import MLPConfig

            cfg = MLPConfig(**meta["model_config"])
        else:
            raise DataError(f"{where}: unknown model kind {kind!r} in checkpoint")
    except (TypeError, KeyError) as exc:
        raise DataError(f"{where}: checkpoint config does not fit this version ({exc})") from None
    if cfg.vocab_size != vocab_size:
        raise DataError(f"{where}: model vocab_size {cfg.vocab_size} != {vocab_size} characters")
    try:
        check_config(cfg)  # an edited header: sizes in range and small enough to build
        train_mod.check_fits(cfg, 1, what=f"{where}'s model")
    except UserError as exc:
        raise DataError(f"{where}: checkpoint config: {exc}") from None
    model = train_mod.build_model(kind, cfg, seed=0)
    ckpt_mod.load_model_state(model, state, where)
    return model, cfg


def load_checkpoint(path: Pathish) -> tuple[Any, CharVocab, dict[str, Any]]:
    """(model ready to sample, its vocabulary, the checkpoint's header)."""
    meta, state, _ = ckpt_mod.load(path)
    model, _ = _build(meta, state, str(path))
    if hasattr(model, "eval"):
        model.eval()
    return model, CharVocab(meta["vocab"]), meta


def _curve_path(out: Path, plot: Pathish | None) -> Path:
    return Path(plot) if plot else out.with_name(out.stem + "-loss.png")


def train_command(
    *,
    data: Pathish | None,
    model: str,
    config: str,
    overrides: list[str],
    out: Pathish | None,
    resume: Pathish | None,
    plot: Pathish | None,
) -> TrainRun:
    """What `generate train` does: fresh or resumed training, checkpoints, loss-curve figure."""
    if resume is not None:
        return _resume(resume, data=data, overrides=overrides, out=out, plot=plot)
    model_cfg, cfg = train_mod.make_configs(model, config, overrides)
    corpus = corpus_mod.load(data)
    out_path = Path(out) if out else Path(f"textgen-{model}.npz")
    if model == "bigram":
        result = train_mod.fit_bigram(corpus, cfg)
        path = save_checkpoint(
            out_path,
            kind="bigram",
            model=result.model,
            model_config=None,
            config=cfg,
            corpus=corpus,
            config_name=config,
            step=0,
            history=result.history,
            val_loss=result.val_loss,
        )
        return TrainRun(result, corpus, config, path, None)
    model_cfg = dataclasses.replace(model_cfg, vocab_size=corpus.vocab.size)
    net = train_mod.build_model(model, model_cfg, seed=cfg.seed)
    return _fit(net, corpus, cfg, model_cfg, config, out_path, plot)


def _fit(
    net: Any,
    corpus: Corpus,
    cfg: TrainConfig,
    model_cfg: Any,
    config_name: str,
    out_path: Path,
    plot: Pathish | None,
    **state: Any,
) -> TrainRun:
    start_step = state.get("start_step", 0)

    def on_eval(step: int, optimizer: Any, rng: np.random.Generator, history: History) -> None:
        if step == start_step:  # nothing learned yet in this run: no checkpoint to keep
            return
        save_checkpoint(
            out_path,
            kind=net.kind,
            model=net,
            model_config=model_cfg,
            config=cfg,
            corpus=corpus,
            config_name=config_name,
            step=step,
            history=history,
            optimizer=optimizer,
            rng=rng,
        )

    existed = out_path.exists()
    try:
        result = train_mod.fit_neural(
            net,
            corpus,
            cfg,
            model_config=model_cfg,
            on_eval=on_eval,
            desc=f"{net.kind} ({config_name})",
            **state,
        )
    except (KeyboardInterrupt, UserError):
        # interrupted or diverged: leave no checkpoint of an unfinished run behind
        if not existed:
            out_path.unlink(missing_ok=True)
        raise
    path = save_checkpoint(
        out_path,
        kind=net.kind,
        model=net,
        model_config=model_cfg,
        config=cfg,
        corpus=corpus,
        config_name=config_name,
        step=result.step,
        history=result.history,
        optimizer=result.optimizer,
        rng=result.rng,
        val_loss=result.val_loss,
    )
    with figures_after(path):
        figure = plot_curves(
            {f"{net.kind} ({config_name})": result.history},
            _curve_path(out_path, plot),
            corpus.label,
        )
    return TrainRun(result, corpus, config_name, path, figure)


def _resume(
    path: Pathish,
    *,
    data: Pathish | None,
    overrides: list[str],
    out: Pathish | None,
    plot: Pathish | None,
) -> TrainRun:
    meta, state, optim_state = ckpt_mod.load(path)
    kind = meta["model"]
    if kind == "bigram":
        raise DataError(f"{path}: a bigram checkpoint has nothing to resume (it is counted)")
    if data is None and meta.get("data_path") and Path(meta["data_path"]).is_file():
        data = meta["data_path"]
    corpus = corpus_mod.load(data)
    diff = ckpt_mod.vocab_mismatch(meta["vocab"], corpus.vocab.chars)
    if diff:
        raise DataError(f"{path}: vocabulary differs from the data's ({diff})")
    net, model_cfg = _build(meta, state, str(path))
    try:
        base = TrainConfig(**meta.get("train_config", {}))
        check_config(base)
    except TypeError as exc:
        raise DataError(f"{path}: checkpoint train config does not fit ({exc})") from None
    except UserError as exc:
        raise DataError(f"{path}: checkpoint train config: {exc}") from None
    from mltutorial.config import parse_overrides

    cfg = parse_overrides(TrainConfig, overrides, base=base) if overrides else base
    train_mod.check_fits(model_cfg, cfg.batch_size)
    optimizer = train_mod.make_optimizer(net, cfg)
    if optim_state:
        train_mod.load_optimizer_state(optimizer, net, optim_state)
    rng = np.random.default_rng(cfg.seed)
    if meta.get("rng_state"):
        try:
            rng.bit_generator.state = meta["rng_state"]
        except (TypeError, ValueError, KeyError):
            raise DataError(f"{path}: checkpoint with a damaged random-generator state") from None
    history = History.from_dict(meta.get("history", {}))
    out_path = Path(out) if out else Path(path)
    return _fit(
        net,
        corpus,
        cfg,
        model_cfg,
        meta.get("config_name", "?"),
        out_path,
        plot,
        optimizer=optimizer,
        rng=rng,
        start_step=int(meta["step"]),
        history=history,
    )


@dataclass
class Ladder:
    corpus: Corpus
    results: list[TrainResult]
    figure: Path | None


def run_ladder(
    *,
    data: Pathish | None = None,
    corpus: Corpus | None = None,
    config: str = "tour",
    overrides: list[str] | None = None,
    plot: Pathish | None = None,
    val_chars: int | None = None,
) -> Ladder:
    """Bigram, MLP and GPT on the same split; validation loss of each on the whole val split
    (or on its first `val_chars` characters, for a quick run)."""
    corpus = corpus or corpus_mod.load(data)
    results = [train_mod.fit_bigram(corpus, TrainConfig(), val_chars)]
    for kind in ("mlp", "gpt"):
        model_cfg, cfg = train_mod.make_configs(kind, config, _for(kind, overrides or []))
        model_cfg = dataclasses.replace(model_cfg, vocab_size=corpus.vocab.size)
        net = train_mod.build_model(kind, model_cfg, seed=cfg.seed)
        results.append(
            train_mod.fit_neural(
                net,
                corpus,
                cfg,
                model_config=model_cfg,
                desc=f"{kind} ({config})",
                val_chars=val_chars,
            )
        )
    figure = None
    if plot:
        curves = {f"{r.kind} ({config})": r.history for r in results if r.history.step}
        figure = plot_curves(curves, plot, corpus.label, baseline=("bigram", results[0].val_loss))
    return Ladder(corpus, results, figure)


def _for(kind: str, overrides: list[str]) -> list[str]:
    """The overrides that apply to `kind` (training keys apply to both neural rungs)."""
    from mltutorial.apps.textgen.gpt import GPTConfig
    from mltutorial.apps.textgen.mlp import MLPConfig

    mine = {f.name for f in dataclasses.fields(GPTConfig if kind == "gpt" else MLPConfig)}
    other = {f.name for f in dataclasses.fields(MLPConfig if kind == "gpt" else GPTConfig)}
    keep = []
    for arg in overrides:
        key = arg[2:].partition("=")[0].replace("-", "_")
        if key in mine or key not in other:
            keep.append(arg)
    return keep


def plot_curves(
    curves: dict[str, History],
    path: Pathish,
    data_label: str,
    baseline: tuple[str, float] | None = None,
) -> Path:
    """Training and validation loss against step: one model in the house train/val colours;
    several, one colour per model (train dashed, validation solid)."""
    from mltutorial import viz

    fig, ax = viz.figure(width=7.0, height=4.2)
    for i, (name, h) in enumerate(curves.items()):
        color = tcolor = viz.CYCLE[i % len(viz.CYCLE)]
        if len(curves) == 1:
            tcolor, color = viz.COLORS["train"], viz.COLORS["val"]
        if h.step:
            smooth = _smooth(np.asarray(h.loss), 25)
            ax.plot(
                h.step,
                smooth,
                color=tcolor,
                alpha=0.35,
                lw=1,
                label=f"{name}: train (per step, smoothed)",
            )
        ax.plot(
            h.eval_step,
            h.eval_train,
            "--o",
            color=tcolor,
            ms=3,
            lw=1.2,
            label=f"{name}: train (estimate)",
        )
        ax.plot(h.eval_step, h.eval_val, "-o", color=color, ms=3, lw=2, label=f"{name}: validation")
    if baseline:
        ax.axhline(
            baseline[1],
            color=viz.COLORS["peer"],
            ls=":",
            lw=1.5,
            label=f"{baseline[0]} validation ({baseline[1]:.2f})",
        )
    ax.set_xlabel("training step")
    ax.set_ylabel("cross-entropy loss (nats per character)")
    ax.set_title(f"Learning to write like {data_label[:60]}")
    ax.legend(fontsize=8)
    return viz.save(fig, path, title='ChatGPT slide: "generation of text", character by character')


def _smooth(x: np.ndarray, window: int) -> np.ndarray:
    if len(x) < window:
        return x
    kernel = np.ones(window) / window
    head = np.cumsum(x[: window - 1]) / np.arange(1, window)
    return np.concatenate([head, np.convolve(x, kernel, mode="valid")])
