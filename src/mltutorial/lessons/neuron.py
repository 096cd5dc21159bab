"""One neuron learns to tell malignant from benign tumours

Slide: "Simplifying the human brain: what is a neuron?" and "How do neurons learn? Gradient descent!
Cost function J(w, b): difference between ground truth y and output of model h_{w,b}(x),
J(w, b) = 1/2 ||h_{w,b} - y||^2."

One neuron computes h = sigma(w . x + b): a weighted sum of its inputs plus a bias, squashed by the
sigmoid into a number between 0 and 1. Here it reads two measurements of a breast-cancer biopsy (the
largest cell radius and the share of concave points on the cell outline, standardised) and answers
"how malignant does this look?". It learns by gradient descent on exactly the slide's cost
J(w, b) = 1/2 sum_i (h_i - y_i)^2.

The gradient is written by hand with the chain rule: dJ/dz_i = (h_i - y_i) h_i (1 - h_i), so
dJ/dw = X^T dJ/dz and dJ/db = sum_i dJ/dz_i. At every step the lesson also asks the engine's
automatic differentiation for the same gradient (float64) and records the largest difference: it is
at the level of rounding error, so the engine really computes what the chain rule says.

What to look at: the cost J falling step by step; the straight decision boundary w . x + b = 0 (where
h = 0.5) between the two classes, with its test accuracy next to scikit-learn's logistic regression
on the same two features; and the hand-vs-autograd difference, around 1e-15 (float64 rounding).

Run: mltutorial run neuron --num_steps=400 --lr=0.005 --features="worst radius,worst concave points"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mltutorial import viz
from mltutorial.config import bounded, seed_field
from mltutorial.errors import UserError
from mltutorial.lessons import lesson_chapter

SLIDE = "Simplifying the human brain: what is a neuron?"
CITATION = (
    "W. N. Street, W. H. Wolberg, O. L. Mangasarian, 'Nuclear feature extraction for breast tumor "
    "diagnosis', IS&T/SPIE 1993; UCI Machine Learning Repository (as bundled with scikit-learn)"
)
LICENCE = "CC BY 4.0 (UCI Machine Learning Repository)"


@dataclass
class Config:
    # Two features so the decision boundary is a line we can draw; these two separate the classes
    # well on their own (the lesson's test asserts the accuracy).
    features: str = "worst radius,worst concave points"
    # J is a sum over ~430 samples, so the step must be small: lr * n ~ 2 is still stable.
    lr: float = bounded(0.005, gt=0)
    num_steps: int = bounded(400, ge=1)
    test_size: float = bounded(0.25, gt=0, lt=1)
    # compare the hand gradient with autograd every this many steps
    check_every: int = bounded(1, ge=1)
    seed: int = seed_field(0)


@dataclass
class Result:
    feature_names: list[str]
    w: np.ndarray  # (2,) final weights
    b: float
    costs: list[float]  # J(w, b) at every step (before its update)
    grad_diff_steps: list[int]  # steps at which hand and autograd were compared
    grad_diffs: list[float]  # max |hand - autograd| over (w, b) at those steps
    train_accuracy: float
    test_accuracy: float
    sklearn_test_accuracy: float
    X_train: np.ndarray = field(repr=False)  # (n_train, 2) standardised
    y_train: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    data: str = ""
    citation: str = CITATION
    licence: str = LICENCE

    @property
    def max_grad_diff(self) -> float:
        return max(self.grad_diffs) if self.grad_diffs else float("nan")

    def summary(self) -> str:
        return (
            f"J {self.costs[0]:.1f} -> {self.costs[-1]:.1f} in {len(self.costs)} steps; "
            f"test accuracy {self.test_accuracy:.1%} (scikit-learn logistic regression "
            f"{self.sklearn_test_accuracy:.1%}); hand vs autograd gradient max diff "
            f"{self.max_grad_diff:.1e}"
        )

    def numbers(self) -> dict[str, float | int | list[float] | str]:
        return {
            "features": ", ".join(self.feature_names),
            "cost_first": self.costs[0],
            "cost_last": self.costs[-1],
            "steps": len(self.costs),
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_accuracy,
            "sklearn_test_accuracy": self.sklearn_test_accuracy,
            "max_grad_diff": self.max_grad_diff,
            "w": [float(v) for v in self.w],
            "b": self.b,
        }


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def cost_and_grad(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray, float]:
    """The slide's J(w, b) = 1/2 ||sigma(Xw + b) - y||^2 and its gradient, by the chain rule."""
    h = _sigmoid(X @ w + b)  # (n,)
    J = 0.5 * float(np.sum((h - y) ** 2))
    dz = (h - y) * h * (1.0 - h)  # (n,) dJ/dz, since dsigma/dz = sigma (1 - sigma)
    return J, X.T @ dz, float(np.sum(dz))


def autograd_grad(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, float]:
    """The same gradient from the engine's reverse-mode autodiff, in float64."""
    from mltutorial import engine

    w_t = engine.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    b_t = engine.tensor(np.asarray(b, dtype=np.float64), requires_grad=True)
    X_t = engine.tensor(np.asarray(X, dtype=np.float64))
    y_t = engine.tensor(np.asarray(y, dtype=np.float64))
    h = (X_t @ w_t + b_t).sigmoid()
    J = 0.5 * ((h - y_t) ** 2).sum()
    J.backward()
    return np.asarray(w_t.grad.data, dtype=np.float64), float(np.asarray(b_t.grad.data))


def _load(cfg: Config):
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    bunch = load_breast_cancer()
    names = [str(n) for n in bunch.feature_names]
    wanted = [f.strip() for f in cfg.features.split(",") if f.strip()]
    if len(wanted) != 2:
        raise UserError(f"--features needs exactly two feature names, got {len(wanted)}")
    for f in wanted:
        if f not in names:
            import difflib

            close = difflib.get_close_matches(f, names, n=2)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UserError(f"unknown breast cancer feature {f!r}{hint}")
    X = bunch.data[:, [names.index(f) for f in wanted]].astype(np.float64)
    # In scikit-learn's copy 0 = malignant, 1 = benign; the neuron answers "malignant?" (1).
    y = (bunch.target == 0).astype(np.float64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=cfg.test_size, random_state=cfg.seed, stratify=y
    )
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    label = f"scikit-learn breast cancer (Wisconsin diagnostic), {len(y)} samples"
    return wanted, (X_train - mean) / std, y_train, (X_test - mean) / std, y_test, label


def run(cfg: Config) -> Result:
    if cfg.num_steps < 1:
        raise UserError("--num_steps must be at least 1")
    if not 0 < cfg.test_size < 1:
        raise UserError(f"--test_size={cfg.test_size}: must be a fraction between 0 and 1")
    if not cfg.lr > 0:
        raise UserError(f"--lr={cfg.lr}: must be a positive number")
    names, X_train, y_train, X_test, y_test, label = _load(cfg)
    rng = np.random.default_rng(cfg.seed)
    w = rng.normal(0.0, 0.1, size=2)
    b = 0.0
    costs: list[float] = []
    diff_steps: list[int] = []
    diffs: list[float] = []
    for step in range(1, cfg.num_steps + 1):
        J, dw, db = cost_and_grad(w, b, X_train, y_train)
        if not np.isfinite(J):
            raise UserError(f"cost is not finite at step {step}; lower the learning rate")
        costs.append(J)
        if cfg.check_every > 0 and (step - 1) % cfg.check_every == 0:
            aw, ab = autograd_grad(w, b, X_train, y_train)
            diff_steps.append(step)
            diffs.append(float(max(np.max(np.abs(aw - dw)), abs(ab - db))))
        w = w - cfg.lr * dw  # gradient descent: a small step against the gradient
        b = b - cfg.lr * db

    def accuracy(X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean((_sigmoid(X @ w + b) >= 0.5) == (y == 1)))

    from sklearn.linear_model import LogisticRegression

    peer = LogisticRegression().fit(X_train, y_train)
    return Result(
        feature_names=names,
        w=w,
        b=float(b),
        costs=costs,
        grad_diff_steps=diff_steps,
        grad_diffs=diffs,
        train_accuracy=accuracy(X_train, y_train),
        test_accuracy=accuracy(X_test, y_test),
        sklearn_test_accuracy=float(peer.score(X_test, y_test)),
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        data=label,
    )


def plot(result: Result, path: str | Path) -> Path:
    fig, axes = viz.figure(3, 1, width=4.6, height=4.0)
    ax_cost, ax_db, ax_diff = axes

    steps = np.arange(1, len(result.costs) + 1)
    ax_cost.plot(steps, result.costs, color=viz.COLORS["train"], label="J(w, b) on training set")
    ax_cost.set_xlabel("gradient descent step")
    ax_cost.set_ylabel("J(w, b) = 1/2 ||h - y||^2")
    ax_cost.set_title(f"Cost falls: {result.costs[0]:.0f} -> {result.costs[-1]:.0f}")
    ax_cost.legend()

    X_all = np.vstack([result.X_train, result.X_test])
    lo, hi = X_all.min(axis=0) - 0.5, X_all.max(axis=0) + 0.5
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    h = _sigmoid(result.w[0] * g0 + result.w[1] * g1 + result.b)
    ax_db.contourf(g0, g1, h, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    ax_db.contour(g0, g1, h, levels=[0.5], colors="k", linewidths=1.5)
    for cls, name, color in (
        (1, "malignant", viz.COLORS["spam"]),
        (0, "benign", viz.COLORS["ham"]),
    ):
        m = result.y_test == cls
        ax_db.scatter(*result.X_test[m].T, s=14, color=color, edgecolor="white", lw=0.4, label=name)
    ax_db.plot([], [], color="k", label="boundary h = 0.5")
    ax_db.set_xlim(lo[0], hi[0])
    ax_db.set_ylim(lo[1], hi[1])
    ax_db.set_xlabel(f"{result.feature_names[0]} (standardised)")
    ax_db.set_ylabel(f"{result.feature_names[1]} (standardised)")
    ax_db.set_title(f"Decision boundary: test accuracy {result.test_accuracy:.1%}")
    ax_db.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9)

    diffs = np.maximum(np.asarray(result.grad_diffs), 1e-18)
    ax_diff.semilogy(
        result.grad_diff_steps,
        diffs,
        ".",
        ms=3,
        color=viz.COLORS["ours"],
        label="max |hand - autograd|",
    )
    ax_diff.axhline(1e-6, color=viz.COLORS["peer"], ls="--", label="test tolerance 1e-6")
    ax_diff.set_ylim(1e-17, 1e-3)
    ax_diff.set_xlabel("gradient descent step")
    ax_diff.set_ylabel("largest difference over (w, b)")
    ax_diff.set_title(f"Hand gradient = autograd (max {result.max_grad_diff:.0e})")
    ax_diff.legend(loc="upper right", fontsize=8)
    return viz.save(fig, path, title=f"{SLIDE} One neuron, h = sigma(w.x + b)")


CHAPTER = lesson_chapter(
    __name__,
    slide=SLIDE,
    order=41,
    tour={"num_steps": 400},
    quick={"num_steps": 60, "check_every": 10},
)
