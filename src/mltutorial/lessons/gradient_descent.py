"""Gradient descent, step by step, on the cost surface of a two-parameter model

Slide: "How do neurons learn? Gradient descent! Cost function J(w, b): difference between ground
truth y and output of model h_{w,b}(x)."

A model with just two parameters, h_{w,b}(x) = w x + b, predicts an iris flower's petal width from its
petal length (scikit-learn's iris data, 150 flowers, in centimetres). With two parameters the whole
cost J(w, b) = 1/(2n) ||h - y||^2 can be drawn as a contour map, and each run of gradient descent
as a path across it: start somewhere, compute the gradient (here by the engine's autograd), take a
step of size lr against it, repeat. The cost is divided by n so the learning rate does not depend on
how many flowers there are.

The minimum is also known in closed form (least squares), so "converged" has a plain meaning: the
cost is within `rel_tol` (0.1%) of the minimum cost J*. The valley is long and narrow (petal lengths
are far from zero, so w and b trade off against each other): the Hessian's eigenvalues differ by a
factor of about 100. A small learning rate creeps down the valley; a larger one gets there in fewer
steps; beyond 2 / (largest eigenvalue) the steps overshoot further each time and the path leaves
the map.

What to look at: the paths on the contour map, and the table of steps to converge for each learning
rate, next to the stability limit 2 / lambda_max.

Run: mltutorial run gradient_descent --lrs=0.01,0.03,0.1,0.11 --max_steps=4000
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

SLIDE = "How do neurons learn? Gradient descent!"
CITATION = "R. A. Fisher, 'The use of multiple measurements in taxonomic problems', 1936 (UCI / scikit-learn)"
LICENCE = "CC BY 4.0 (UCI Machine Learning Repository)"


@dataclass
class Config:
    lrs: list[float] = field(default_factory=lambda: [0.01, 0.03, 0.1, 0.11], metadata=bounds(gt=0))
    max_steps: int = bounded(
        4000, ge=1
    )  # enough for the smallest lr to arrive (the lesson reports its steps)
    rel_tol: float = bounded(1e-3, gt=0)  # converged when J <= (1 + rel_tol) J*
    w0: float = -0.5  # starting point, away from the minimum (w*, b*) ~ (0.42, -0.36)
    b0: float = 2.0
    seed: int = seed_field(0)


@dataclass
class Run:
    lr: float
    path: np.ndarray  # (steps + 1, 2): (w, b) before each step and after the last
    costs: list[float]
    converged_step: int | None  # first step at which J <= (1 + rel_tol) J*, None if never
    diverged_step: int | None  # step at which trainer.fit reported divergence


@dataclass
class Result:
    runs: list[Run]
    w_star: float
    b_star: float
    J_star: float
    eigenvalues: tuple[float, float]  # of the Hessian of J, smallest first
    rel_tol: float
    max_steps: int
    x: np.ndarray = field(repr=False)  # petal length (cm)
    y: np.ndarray = field(repr=False)  # petal width (cm)
    data: str = "scikit-learn iris (Fisher 1936), 150 samples: petal width from petal length"
    citation: str = CITATION
    licence: str = LICENCE

    @property
    def lr_limit(self) -> float:
        return 2.0 / self.eigenvalues[1]

    def steps_to_converge(self) -> dict[str, int | None]:
        return {f"{r.lr:g}": r.converged_step for r in self.runs}

    def summary(self) -> str:
        parts = []
        for r in self.runs:
            if r.converged_step is not None:
                parts.append(f"lr {r.lr:g}: {r.converged_step} steps")
            elif r.diverged_step is not None:
                parts.append(f"lr {r.lr:g}: diverged at step {r.diverged_step}")
            else:
                parts.append(f"lr {r.lr:g}: not within {self.max_steps}")
        return (
            f"steps to reach J* + {self.rel_tol:.1%}: "
            + ", ".join(parts)
            + f"; stable only for lr < {self.lr_limit:.3f}"
        )

    def numbers(self) -> dict[str, object]:
        return {
            "w_star": self.w_star,
            "b_star": self.b_star,
            "J_star": self.J_star,
            "hessian_eigenvalues": list(self.eigenvalues),
            "condition_number": self.eigenvalues[1] / self.eigenvalues[0],
            "lr_limit": self.lr_limit,
            "steps_to_converge": self.steps_to_converge(),
            "final_cost": {f"{r.lr:g}": r.costs[-1] for r in self.runs},
            "diverged_step": {f"{r.lr:g}": r.diverged_step for r in self.runs},
        }

    def tables(self) -> list[Table]:
        rows = []
        for r in self.runs:
            rows.append(
                [
                    r.lr,
                    r.converged_step if r.converged_step is not None else "-",
                    r.diverged_step if r.diverged_step is not None else "-",
                    r.costs[-1],
                ]
            )
        return [
            Table(
                "Gradient descent per learning rate",
                ["lr", "steps to converge", "diverged at", "final J"],
                rows,
            )
        ]


def cost(w: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """J(w, b) = 1/(2n) sum_i (w x_i + b - y_i)^2, for arrays of (w, b) (for the contour map)."""
    r = w[..., None] * x + b[..., None] - y  # (..., n)
    return 0.5 * np.mean(r**2, axis=-1)


def _descend(lr: float, x: np.ndarray, y: np.ndarray, cfg: Config, J_star: float) -> Run:
    from mltutorial.engine import nn, optim
    from mltutorial.engine.trainer import DivergenceError, fit

    model = nn.Linear(1, 1)
    model.weight.data[...] = cfg.w0
    model.bias.data[...] = cfg.b0
    path = [(cfg.w0, cfg.b0)]
    target = (1.0 + cfg.rel_tol) * J_star
    converged: list[int] = []

    def on_step(step: int, J: float) -> bool:
        path.append((float(model.weight.data.ravel()[0]), float(model.bias.data.ravel()[0])))
        if target >= J:  # J was measured before this step's update
            converged.append(step)
            return True
        return False

    def half_mse(y_hat, y_true):  # the slide's J, divided by n
        return 0.5 * ((y_hat - y_true) ** 2).mean()

    diverged = None
    try:
        history = fit(
            model,
            half_mse,
            optim.SGD(model.parameters(), lr=lr),
            (x[:, None].astype(np.float32), y[:, None].astype(np.float32)),
            num_steps=cfg.max_steps,
            max_cost=1e6,
            on_step=on_step,
            progress=False,
        )
        costs = history.cost
    except DivergenceError as exc:
        diverged, costs = exc.step, exc.history.cost
    # The step that measured J <= target counts as converged (its update is drawn but harmless).
    return Run(lr, np.asarray(path), list(costs), converged[0] if converged else None, diverged)


def run(cfg: Config) -> Result:
    if not cfg.lrs or any(lr <= 0 for lr in cfg.lrs):
        raise UserError("--lrs needs one or more positive learning rates, e.g. --lrs=0.01,0.1")
    if cfg.max_steps < 1:
        raise UserError("--max_steps must be at least 1")
    from sklearn.datasets import load_iris

    iris = load_iris()
    x, y = iris.data[:, 2].astype(np.float64), iris.data[:, 3].astype(np.float64)
    A = np.column_stack([x, np.ones_like(x)])  # (n, 2)
    (w_star, b_star), *_ = np.linalg.lstsq(A, y, rcond=None)
    J_star = float(cost(np.array(w_star), np.array(b_star), x, y))
    eig = np.linalg.eigvalsh(A.T @ A / len(x))  # Hessian of J: constant for a linear model
    runs = [_descend(lr, x, y, cfg, J_star) for lr in cfg.lrs]
    return Result(
        runs,
        float(w_star),
        float(b_star),
        J_star,
        (float(eig[0]), float(eig[1])),
        cfg.rel_tol,
        cfg.max_steps,
        x,
        y,
    )


def _note(r: Run, max_steps: int) -> str:
    if r.converged_step is not None:
        return f"converged in {r.converged_step} steps"
    if r.diverged_step is not None:
        return f"diverged at step {r.diverged_step}"
    return f"not converged in {max_steps} steps"


def plot(result: Result, path: str | Path) -> Path:
    n_maps = len(result.runs)
    ncols = min(3, n_maps + 1)
    nrows = -(-(n_maps + 1) // ncols)
    fig, axes = viz.figure(ncols, nrows, width=4.3, height=3.7, squeeze=False)
    flat = list(axes.ravel())
    ws, bs = result.w_star, result.b_star
    start = result.runs[0].path[0]
    w_lo, w_hi = min(start[0], ws) - 0.25, max(start[0], ws) + 0.6
    b_lo, b_hi = min(start[1], bs) - 0.9, max(start[1], bs) + 0.4
    W, B = np.meshgrid(np.linspace(w_lo, w_hi, 150), np.linspace(b_lo, b_hi, 150))
    J = cost(W, B, result.x, result.y)
    levels = result.J_star * np.geomspace(1.02, J.max() / result.J_star, 16)

    for i, r in enumerate(result.runs):
        ax = flat[i]
        color = viz.CYCLE[i % len(viz.CYCLE)]
        ax.contourf(W, B, J, levels=levels, cmap="Blues_r", alpha=0.55)
        ax.contour(W, B, J, levels=levels, colors="white", linewidths=0.4)
        p = r.path
        ax.plot(
            p[:, 0],
            p[:, 1],
            ".-",
            color=viz.COLORS["ours"],
            ms=2.5,
            lw=0.8,
            label=f"path: {len(p) - 1} steps",
        )
        ax.plot(*p[0], "ko", ms=6, label="start")
        ax.plot(ws, bs, "*", color="gold", mec="k", ms=14, label="minimum (closed form)")
        ax.set_xlim(w_lo, w_hi)
        ax.set_ylim(b_lo, b_hi)
        ax.set_xlabel("w (cm of width per cm of length)")
        ax.set_ylabel("b (cm)")
        ax.set_title(f"lr = {r.lr:g}: {_note(r, result.max_steps)}", color=color)
        ax.legend(loc="lower left", fontsize=7.5, frameon=True, framealpha=0.9)

    ax_cost = flat[n_maps]
    for i, r in enumerate(result.runs):
        gap = np.maximum(np.asarray(r.costs) - result.J_star, 1e-12)
        ax_cost.loglog(
            np.arange(1, len(gap) + 1),
            gap,
            color=viz.CYCLE[i % len(viz.CYCLE)],
            label=f"lr = {r.lr:g}",
        )
    ax_cost.axhline(
        result.rel_tol * result.J_star,
        color=viz.COLORS["peer"],
        ls="--",
        label=f"converged: J - J* < {result.rel_tol:g} J*",
    )
    ax_cost.set_xlabel("step")
    ax_cost.set_ylabel("J(w, b) - J*  (cm^2)")
    ax_cost.set_title(f"Distance to the minimum (stable for lr < {result.lr_limit:.3f})")
    ax_cost.legend(fontsize=8, loc="upper right", frameon=True, framealpha=0.9)
    rest = flat[n_maps + 1 :]
    if rest:  # steps to converge per learning rate, in the spare panel
        ax_bar = rest[0]
        for i, r in enumerate(result.runs):
            color = viz.CYCLE[i % len(viz.CYCLE)]
            if r.converged_step is not None:
                height, note, hatch = r.converged_step, f"{r.converged_step}", None
            elif r.diverged_step is not None:
                height, note, hatch = 0, f"diverged\n(step {r.diverged_step})", None
            else:
                height, note, hatch = result.max_steps, f"> {result.max_steps}", "//"
            ax_bar.bar(i, height, color=color, hatch=hatch)
            ax_bar.annotate(
                note,
                (i, height),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
        ax_bar.set_xticks(range(len(result.runs)))
        ax_bar.set_xticklabels([f"lr = {r.lr:g}" for r in result.runs])
        ax_bar.set_ylabel("steps to converge (J - J* < rel_tol J*)")
        ax_bar.set_ylim(0, max(1, ax_bar.get_ylim()[1]) * 1.12)
        ax_bar.set_title("Steps to converge, per learning rate")
        for ax in rest[1:]:
            ax.set_visible(False)
    return viz.save(fig, path, title=f"{SLIDE} h(x) = w x + b on iris petals, contours of J(w, b)")


CHAPTER = lesson_chapter(
    __name__,
    slide=SLIDE,
    order=42,
    tour={},
    quick={"lrs": [0.1, 0.11], "max_steps": 500},
)
