"""Do's and don'ts of building a model, measured on handwritten digits

Slide: "Creating a ML model: do's and dont's. Do's: Start simple, increase size wisely (finite
resources, easier to train). Dont's: Choose non-learnable parameters of your model at random." and
"Get better over time (with more data!)"

Three experiments on scikit-learn's handwritten digits (1,797 images of 8x8 pixels, ten classes),
each with a network of one hidden tanh layer trained by the engine (Adam, full batch). The data is
split once: a test set that no choice ever sees, a validation set for making choices, and the rest
for training.

(a) Start simple, increase size wisely. The hidden layer grows from 1 neuron to 256 on a small
training set (300 images). Tiny networks underfit: training and validation error are both high.
Large ones drive the training error to zero while the validation error stops improving and
creeps back up: the gap between the two is overfitting, and every extra neuron is paid for in
parameters and time. The lesson reports the smallest width whose validation error is within one
point of the best, and its parameter count against the largest network's.

(b) Don't choose non-learnable parameters at random. Learning rate and width are not learned by
gradient descent. Every combination of a grid is trained; the one with the lowest validation error
is then scored once on the test set, against the median test error of the grid (a random pick from
the same grid is as likely to be any of its cells, so its median outcome is the grid's median).

(c) Get better over time, with more data. The same network is trained on growing training sets:
validation error falls as the number of examples grows.

What to look at: the train/validation gap opening as the network grows; the validation-chosen
setting's test error far below a random pick's; the learning curve falling with more data.

Run: mltutorial run practice --widths=1,2,4,8,16,32,64,128,256 --steps=200 --n_small=300
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mltutorial import viz
from mltutorial.chapter import Table
from mltutorial.config import bounded, bounds, seed_field
from mltutorial.errors import UserError
from mltutorial.lessons import lesson_chapter
from mltutorial.progress import bar

SLIDE = "Creating a ML model: do's and dont's"
CITATION = (
    "E. Alpaydin, C. Kaynak, 'Optical Recognition of Handwritten Digits', UCI Machine Learning "
    "Repository, 1998 (as bundled with scikit-learn)"
)
LICENCE = "CC BY 4.0 (UCI Machine Learning Repository)"


@dataclass
class Config:
    # (a) model size: widths of the hidden layer, trained on a small set so overfitting shows
    widths: list[int] = field(
        default_factory=lambda: [1, 2, 4, 8, 16, 32, 64, 128, 256], metadata=bounds(ge=1)
    )
    n_small: int = bounded(300, ge=2)
    # (b) the grid of non-learnable parameters: learning rates from far too small to far too large
    grid_lrs: list[float] = field(
        default_factory=lambda: [1e-4, 1e-3, 1e-2, 1e-1, 1.0], metadata=bounds(gt=0)
    )
    grid_widths: list[int] = field(default_factory=lambda: [4, 16, 64], metadata=bounds(ge=1))
    # (c) learning curve: training-set sizes (the largest is capped at what the split leaves)
    sizes: list[int] = field(
        default_factory=lambda: [30, 60, 125, 250, 500, 1000], metadata=bounds(ge=1)
    )
    width: int = bounded(64, ge=1)  # the network used for (a)'s lr and for (c)
    lr: float = bounded(0.01, gt=0)  # Adam; full batch
    # Adam steps per training run (full batch: enough to fit the training set)
    steps: int = bounded(200, ge=1)
    test_fraction: float = bounded(0.25, gt=0, lt=1)
    val_fraction: float = bounded(0.2, gt=0, lt=1)  # of what is left after the test set
    seed: int = seed_field(0)


@dataclass
class Result:
    widths: list[int]
    size_train_errors: list[float]
    size_val_errors: list[float]
    size_params: list[int]
    grid: list[tuple[float, int, float, float]]  # (lr, width, val error, test error)
    chosen: tuple[float, int, float, float]
    sizes: list[int]
    curve_train_errors: list[float]
    curve_val_errors: list[float]
    n_train: int
    n_val: int
    n_test: int
    data: str = "scikit-learn handwritten digits (UCI optical recognition), 1,797 samples"
    citation: str = CITATION
    licence: str = LICENCE

    @property
    def best_width(self) -> int:
        """The smallest width whose validation error is within 1 point of the best one."""
        best = min(self.size_val_errors)
        for w, e in zip(self.widths, self.size_val_errors):
            if e <= best + 0.01:
                return w
        return self.widths[-1]

    @property
    def random_median_test_error(self) -> float:
        return float(np.median([g[3] for g in self.grid]))

    def summary(self) -> str:
        i = self.widths.index(self.best_width)
        lr, width, _, test = self.chosen
        return (
            f"(a) width {self.widths[0]}: val error {self.size_val_errors[0]:.1%}, width "
            f"{self.best_width} is enough ({self.size_val_errors[i]:.1%}, "
            f"{self.size_params[i]:,} parameters), width "
            f"{self.widths[-1]} ({self.size_params[-1]:,} parameters): train "
            f"{self.size_train_errors[-1]:.1%} vs val "
            f"{self.size_val_errors[-1]:.1%}; (b) chosen on validation lr {lr:g} width {width}: "
            f"test error {test:.1%} vs random pick median {self.random_median_test_error:.1%}; "
            f"(c) {self.sizes[0]} -> {self.sizes[-1]} examples: val error "
            f"{self.curve_val_errors[0]:.1%} -> {self.curve_val_errors[-1]:.1%}"
        )

    def numbers(self) -> dict[str, object]:
        return {
            "n_train": self.n_train,
            "n_val": self.n_val,
            "n_test": self.n_test,
            "widths": self.widths,
            "size_train_errors": self.size_train_errors,
            "size_val_errors": self.size_val_errors,
            "size_params": self.size_params,
            "best_width": self.best_width,
            "grid": [
                {"lr": lr, "width": w, "val_error": v, "test_error": t} for lr, w, v, t in self.grid
            ],
            "chosen_lr": self.chosen[0],
            "chosen_width": self.chosen[1],
            "chosen_test_error": self.chosen[3],
            "random_median_test_error": self.random_median_test_error,
            "sizes": self.sizes,
            "curve_train_errors": self.curve_train_errors,
            "curve_val_errors": self.curve_val_errors,
        }

    def tables(self) -> list[Table]:
        return [
            Table(
                "(b) every grid setting: validation chooses, test judges",
                ["lr", "width", "validation error", "test error"],
                [[lr, w, v, t] for lr, w, v, t in self.grid],
            )
        ]


def _split(cfg: Config):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)  # (1797, 64) pixels in [0, 1]
    y = digits.target.astype(np.int64)
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=cfg.test_fraction, random_state=cfg.seed, stratify=y
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=cfg.val_fraction, random_state=cfg.seed, stratify=y_rest
    )
    return X_train, y_train, X_val, y_val, X_test, y_test


def _train(X, y, width: int, lr: float, cfg: Config, seed: int, may_diverge: bool = False):
    """A one-hidden-layer tanh network fitted by full-batch Adam (tanh: no dead units at width 1).

    A grid setting that diverges (`may_diverge`) gives None: a bad pick, scored as guessing. For
    the user's own `--lr` the DivergenceError goes up to the command line as one clear line.
    """
    from mltutorial import engine
    from mltutorial.engine import nn, optim
    from mltutorial.engine.trainer import DivergenceError, fit

    engine.manual_seed(seed)
    model = nn.Sequential(nn.Linear(X.shape[1], width), nn.Tanh(), nn.Linear(width, 10))
    try:
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.Adam(model.parameters(), lr=lr),
            (X, y),
            num_steps=cfg.steps,
            progress=False,
        )
    except DivergenceError:
        if not may_diverge:
            raise
        return None
    return model


def _error(model, X: np.ndarray, y: np.ndarray) -> float:
    from mltutorial import engine

    if model is None:  # a diverged run is as good as guessing
        return 0.9
    with engine.no_grad():
        logits = model(engine.tensor(X)).numpy()  # (n, 10)
    y_hat = logits.argmax(axis=1)
    if not np.all(np.isfinite(logits)):
        return 0.9
    return float(np.mean(y_hat != y))


def _n_params(n_in: int, width: int) -> int:
    return n_in * width + width + width * 10 + 10


def run(cfg: Config) -> Result:
    if not cfg.widths or not cfg.grid_lrs or not cfg.grid_widths or not cfg.sizes:
        raise UserError("widths, grid_lrs, grid_widths and sizes each need at least one value")
    if min(cfg.widths + cfg.grid_widths + cfg.sizes) < 1 or cfg.steps < 1:
        raise UserError("widths, sizes and steps must be positive")
    if not (0 < cfg.test_fraction < 1 and 0 < cfg.val_fraction < 1):
        raise UserError("--test_fraction and --val_fraction must be fractions between 0 and 1")
    from threadpoolctl import threadpool_limits

    X_train, y_train, X_val, y_val, X_test, y_test = _split(cfg)
    rng = np.random.default_rng(cfg.seed)
    order = rng.permutation(len(y_train))
    small = order[: min(cfg.n_small, len(order))]
    sizes = sorted({min(s, len(order)) for s in cfg.sizes})
    total = len(cfg.widths) + len(cfg.grid_lrs) * len(cfg.grid_widths) + len(sizes)
    pbar = bar(total, desc="practice: training networks")

    # Small matrices: one BLAS thread is faster than several competing for two cores.
    with threadpool_limits(limits=1, user_api="blas"):
        # (a) start simple, increase size wisely
        size_train, size_val = [], []
        for w in cfg.widths:
            model = _train(X_train[small], y_train[small], w, cfg.lr, cfg, cfg.seed)
            size_train.append(_error(model, X_train[small], y_train[small]))
            size_val.append(_error(model, X_val, y_val))
            pbar.update(1)

        # (b) non-learnable parameters chosen on validation, judged once on test
        grid = []
        for lr in cfg.grid_lrs:
            for w in cfg.grid_widths:
                model = _train(X_train, y_train, w, lr, cfg, cfg.seed, may_diverge=True)
                grid.append((lr, w, _error(model, X_val, y_val), _error(model, X_test, y_test)))
                pbar.update(1)
        chosen = min(grid, key=lambda g: (g[2], g[1]))  # lowest validation error, then smaller

        # (c) more data
        curve_train, curve_val = [], []
        for n in sizes:
            idx = order[:n]
            model = _train(X_train[idx], y_train[idx], cfg.width, cfg.lr, cfg, cfg.seed)
            curve_train.append(_error(model, X_train[idx], y_train[idx]))
            curve_val.append(_error(model, X_val, y_val))
            pbar.update(1)
    pbar.close()

    return Result(
        widths=list(cfg.widths),
        size_train_errors=size_train,
        size_val_errors=size_val,
        size_params=[_n_params(X_train.shape[1], w) for w in cfg.widths],
        grid=grid,
        chosen=chosen,
        sizes=sizes,
        curve_train_errors=curve_train,
        curve_val_errors=curve_val,
        n_train=len(y_train),
        n_val=len(y_val),
        n_test=len(y_test),
    )


def plot(result: Result, path: str | Path) -> Path:
    fig, (ax_a, ax_b, ax_c) = viz.figure(3, 1, width=4.8, height=4.8)
    pct = 100.0

    # (a) train / validation error against width
    widths = np.asarray(result.widths)
    train_err = np.asarray(result.size_train_errors) * pct
    val_err = np.asarray(result.size_val_errors) * pct
    best_i = result.widths.index(result.best_width)
    ax_a.plot(widths, train_err, "o-", color=viz.COLORS["train"], label="training error")
    ax_a.plot(widths, val_err, "s-", color=viz.COLORS["val"], label="validation error")
    ax_a.axvline(
        result.best_width,
        color=viz.COLORS["peer"],
        ls="--",
        label=f"width {result.best_width}: within 1 point of best\n"
        f"({result.size_params[best_i]:,} parameters)",
    )
    ax_a.set_xscale("log", base=2)
    ax_a.set_xticks(widths)
    ax_a.set_xticklabels([str(w) for w in result.widths])
    ax_a.set_xlabel("neurons in the hidden layer (model size)")
    ax_a.set_ylabel("error (%)")
    ax_a.set_title("(a) Start simple, increase size wisely")
    ax_a.annotate(
        "underfit: both errors high",
        (widths[0], val_err[0]),
        xytext=(8, -4),
        textcoords="offset points",
        fontsize=8,
        va="top",
    )
    ax_a.legend(fontsize=8, loc="upper right")
    # zoom on the validation error of the larger networks, where overfitting shows
    big = widths >= result.best_width / 4
    if big.sum() >= 2:
        ins = ax_a.inset_axes([0.42, 0.22, 0.55, 0.36])
        ins.plot(widths[big], val_err[big], "s-", color=viz.COLORS["val"], ms=4)
        ins.plot(widths[big], train_err[big], "o-", color=viz.COLORS["train"], ms=3)
        ins.axvline(result.best_width, color=viz.COLORS["peer"], ls="--")
        ins.set_xscale("log", base=2)
        ins.set_xticks(widths[big])
        ins.set_xticklabels([str(w) for w in widths[big]], fontsize=7)
        ins.tick_params(labelsize=7)
        ins.set_title(
            f"zoom: width {result.widths[-1]} ({result.size_params[-1]:,} parameters)\n"
            f"overfits: train {train_err[-1]:.0f}%, validation {val_err[-1]:.1f}%",
            fontsize=7,
            fontweight="normal",
        )

    # (b) test error of every grid setting: chosen on validation vs a random pick
    tests = np.asarray([g[3] for g in result.grid]) * pct
    order = np.argsort(tests)
    labels = [f"lr {result.grid[i][0]:g}, w {result.grid[i][1]}" for i in order]
    colors = [
        viz.COLORS["ours"] if result.grid[i] == result.chosen else viz.COLORS["peer"] for i in order
    ]
    ax_b.barh(np.arange(len(order)), tests[order], color=colors)
    ax_b.set_yticks(np.arange(len(order)))
    ax_b.set_yticklabels(labels, fontsize=7)
    ax_b.invert_yaxis()
    med = result.random_median_test_error * pct
    ax_b.axvline(med, color="k", ls="--", label=f"random pick, median: {med:.1f}%")
    from matplotlib.patches import Patch

    handles = [
        ax_b.get_lines()[-1],
        Patch(
            color=viz.COLORS["ours"], label=f"chosen on validation: {result.chosen[3] * pct:.1f}%"
        ),
        Patch(color=viz.COLORS["peer"], label="the other grid settings"),
    ]
    ax_b.set_xlabel("test error (%)")
    ax_b.set_title("(b) Choose non-learnable parameters by validation")
    ax_b.legend(handles=handles, fontsize=8, loc="upper right", frameon=True, framealpha=0.9)

    # (c) learning curve
    ax_c.semilogx(
        result.sizes,
        np.asarray(result.curve_train_errors) * pct,
        "o-",
        color=viz.COLORS["train"],
        label="training error",
    )
    ax_c.semilogx(
        result.sizes,
        np.asarray(result.curve_val_errors) * pct,
        "s-",
        color=viz.COLORS["val"],
        label="validation error",
    )
    ax_c.set_xticks(result.sizes)
    ax_c.set_xticklabels([str(s) for s in result.sizes])
    ax_c.set_xlabel("training examples")
    ax_c.set_ylabel("error (%)")
    ax_c.set_title("(c) Get better over time (with more data!)")
    ax_c.legend(fontsize=8)
    return viz.save(fig, path, title=f"{SLIDE}, on handwritten digits")


CHAPTER = lesson_chapter(
    __name__,
    slide="Creating a ML model: do's and dont's. Start simple, increase size wisely. Don't choose "
    "non-learnable parameters of your model at random. Get better over time (with more data!)",
    order=60,
    tour={"steps": 150},
    quick={
        "widths": [1, 4, 16, 64],
        "grid_lrs": [1e-3, 1e-1],
        "grid_widths": [4, 32],
        "sizes": [50, 200, 800],
        "steps": 80,
    },
)
