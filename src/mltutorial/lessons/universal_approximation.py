"""One hidden layer approximates a continuous function better with every neuron you add

Slide: "Universal Approximation Theorem. Neural networks can approximate any continuous function with
arbitrary accuracy given a sufficient number of neurons."

The target is a continuous function on [-3, 3] with a slow wave and a narrow bump,
f(x) = sin(1.5 x) + 0.5 exp(-10 (x - 1)^2). A network with one hidden layer of N tanh neurons,
h(x) = sum_j v_j tanh(w_j x + b_j) + c, is trained on 128 points with the engine (Adam, cosine-decayed
learning rate, mean squared error). Each tanh neuron is one smooth step; a sum of N steps can follow
the curve more closely as N grows. The network grows by doubling, N = 1, 2, 4, ..., 64: the new
neurons start with zero output weight, so each larger network begins exactly where the smaller one
ended and only gets better. Error is measured as the largest gap |h(x) - f(x)| on a fine grid of
2,001 points (not only the training points).

What to look at: the fits drawn over the target (one neuron is a single step; 64 trace the bump),
and the maximum error falling as N doubles. The theorem promises that enough neurons exist; the
training run shows gradient descent finding them.

Run: mltutorial run universal_approximation --max_neurons=64 --steps=500 --lr=0.03
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mltutorial import viz
from mltutorial.config import bounded, seed_field
from mltutorial.errors import UserError
from mltutorial.lessons import lesson_chapter
from mltutorial.progress import progress

SLIDE = "Universal Approximation Theorem"


def target(x: np.ndarray) -> np.ndarray:
    """f(x) = sin(1.5 x) + 0.5 exp(-10 (x - 1)^2): a wave plus a narrow bump."""
    return np.sin(1.5 * x) + 0.5 * np.exp(-10.0 * (x - 1.0) ** 2)


@dataclass
class Config:
    max_neurons: int = bounded(64, ge=1)  # N = 1, 2, 4, ... up to this
    steps: int = bounded(500, ge=1)  # Adam steps for each N (the cosine schedule restarts for each)
    lr: float = bounded(0.03, gt=0)
    n_train: int = bounded(128, ge=2)  # training points, evenly spaced on [-3, 3]
    n_grid: int = bounded(2001, ge=2)  # where the max error is measured
    seed: int = seed_field(0)


@dataclass
class Result:
    neurons: list[int]
    max_errors: list[float]  # max |h - f| on the fine grid, per N
    rms_errors: list[float]
    final_costs: list[float]  # training MSE at the end of each N's training
    x_grid: np.ndarray = field(repr=False)
    fits: list[np.ndarray] = field(repr=False)  # h(x_grid) per N
    x_train: np.ndarray = field(repr=False)
    data: str = "synthetic: f(x) = sin(1.5x) + 0.5 exp(-10 (x-1)^2) on [-3, 3]"

    def summary(self) -> str:
        pairs = ", ".join(f"{n}: {e:.3f}" for n, e in zip(self.neurons, self.max_errors))
        return (
            f"max error by neurons {pairs}; {self.max_errors[0] / self.max_errors[-1]:.0f}x "
            f"smaller with {self.neurons[-1]} than with {self.neurons[0]}"
        )

    def numbers(self) -> dict[str, object]:
        return {
            "neurons": self.neurons,
            "max_errors": self.max_errors,
            "rms_errors": self.rms_errors,
            "final_train_mse": self.final_costs,
            "error_ratio_first_over_last": self.max_errors[0] / self.max_errors[-1],
        }


def _sizes(max_neurons: int) -> list[int]:
    sizes = [1]
    while sizes[-1] * 2 <= max_neurons:
        sizes.append(sizes[-1] * 2)
    return sizes


def _grow(params: dict[str, np.ndarray], n_new: int, rng: np.random.Generator) -> dict:
    """Add `n_new` neurons whose steps sit at random places in [-3, 3], with zero output weight."""
    w = rng.normal(0.0, 2.0, size=(n_new, 1))  # slopes of the new steps
    centre = rng.uniform(-3.0, 3.0, size=n_new)  # where each step switches
    return {
        "0.weight": np.vstack([params["0.weight"], w]),
        "0.bias": np.concatenate([params["0.bias"], -w[:, 0] * centre]),
        "2.weight": np.hstack([params["2.weight"], np.zeros((1, n_new))]),
        "2.bias": params["2.bias"],
    }


def run(cfg: Config) -> Result:
    from threadpoolctl import threadpool_limits

    # Small matrices: one BLAS thread is faster than several competing for two cores.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(cfg)


def _run(cfg: Config) -> Result:
    if cfg.max_neurons < 1 or cfg.steps < 1 or cfg.n_train < 2 or cfg.lr <= 0 or cfg.n_grid < 2:
        raise UserError(
            "max_neurons, steps and lr must be positive and n_train and n_grid at least 2"
        )
    from mltutorial import engine
    from mltutorial.engine import nn, optim
    from mltutorial.engine.trainer import fit

    rng = np.random.default_rng(cfg.seed)
    engine.manual_seed(cfg.seed)
    x = np.linspace(-3.0, 3.0, cfg.n_train)[:, None]  # (n_train, 1)
    y = target(x)  # (n_train, 1)
    x_grid = np.linspace(-3.0, 3.0, cfg.n_grid)[:, None]
    y_grid = target(x_grid)
    X_t = engine.tensor(x.astype(np.float32))
    y_t = engine.tensor(y.astype(np.float32))

    params = {
        "0.weight": np.zeros((0, 1)),
        "0.bias": np.zeros(0),
        "2.weight": np.zeros((1, 0)),
        "2.bias": np.zeros(1),
    }
    neurons, max_errors, rms_errors, costs, fits = [], [], [], [], []
    for n in progress(_sizes(cfg.max_neurons), desc="neurons"):
        params = _grow(params, n - params["0.bias"].shape[0], rng)
        model = nn.Sequential(nn.Linear(1, n), nn.Tanh(), nn.Linear(n, 1))
        model.load_state_dict({k: v.astype(np.float32) for k, v in params.items()})
        opt = optim.Adam(model.parameters(), lr=cfg.lr)
        schedule = optim.CosineAnnealingLR(opt, T_max=cfg.steps)
        history = fit(
            model,
            nn.MSELoss(),
            opt,
            (X_t, y_t),
            num_steps=cfg.steps,
            on_step=lambda step, cost, schedule=schedule: schedule.step(),
            progress=False,
        )
        params = {k: v.detach().numpy().astype(np.float64) for k, v in model.state_dict().items()}
        with engine.no_grad():
            h = model(engine.tensor(x_grid.astype(np.float32))).numpy().astype(np.float64)
        err = np.abs(h - y_grid)
        neurons.append(n)
        max_errors.append(float(err.max()))
        rms_errors.append(float(np.sqrt(np.mean(err**2))))
        costs.append(float(history.cost[-1]))
        fits.append(h[:, 0])
    return Result(neurons, max_errors, rms_errors, costs, x_grid[:, 0], fits, x[:, 0])


def plot(result: Result, path: str | Path) -> Path:
    fig, (ax_fit, ax_gap, ax_err) = viz.figure(3, 1, width=4.9, height=4.3)
    xg = result.x_grid
    ax_fit.plot(xg, target(xg), color="k", lw=3.0, alpha=0.35, label="target f(x)")
    cmap = viz.plt.get_cmap("viridis")
    for i, (n, h) in enumerate(zip(result.neurons, result.fits)):
        color = cmap(i / max(1, len(result.neurons) - 1))
        ax_fit.plot(xg, h, color=color, lw=1.3, label=f"N = {n}")
    ax_fit.plot(
        result.x_train,
        target(result.x_train),
        "|",
        color="k",
        ms=5,
        alpha=0.5,
        label="training points",
    )
    ax_fit.set_xlabel("x")
    ax_fit.set_ylabel("f(x) and the network's h(x)")
    ax_fit.set_title("Fits of one hidden layer with N tanh neurons")
    ax_fit.legend(fontsize=8, ncol=2, loc="lower right")

    for i, (n, h) in enumerate(zip(result.neurons, result.fits)):
        if i % 2 and i != len(result.neurons) - 1:
            continue  # every other N, so the curves can be told apart
        color = cmap(i / max(1, len(result.neurons) - 1))
        ax_gap.semilogy(
            xg, np.maximum(np.abs(h - target(xg)), 1e-6), color=color, lw=1.0, label=f"N = {n}"
        )
    ax_gap.set_ylim(1e-5, 3)
    ax_gap.set_xlabel("x")
    ax_gap.set_ylabel("|h(x) - f(x)|")
    ax_gap.set_title("Where the error is (every other N)")
    ax_gap.legend(fontsize=7, ncol=2, loc="lower left", frameon=True, framealpha=0.9)

    ax_err.loglog(
        result.neurons,
        result.max_errors,
        "o-",
        color=viz.COLORS["ours"],
        label="max |h(x) - f(x)| on 2,001 points",
    )
    ax_err.loglog(
        result.neurons,
        result.rms_errors,
        "s--",
        color=viz.COLORS["train"],
        label="root mean squared error",
    )
    for n, e in zip(result.neurons, result.max_errors):
        ax_err.annotate(f"{e:.3f}", (n, e), textcoords="offset points", xytext=(4, 6), fontsize=8)
    ax_err.set_xticks(result.neurons)
    ax_err.set_xticklabels([str(n) for n in result.neurons])
    ax_err.set_xlabel("neurons N in the hidden layer")
    ax_err.set_ylabel("error")
    ax_err.set_title(
        f"Error falls {result.max_errors[0] / result.max_errors[-1]:.0f}x from N = "
        f"{result.neurons[0]} to {result.neurons[-1]}"
    )
    ax_err.legend(fontsize=8)
    return viz.save(fig, path, title=f"{SLIDE}: any continuous function, given enough neurons")


CHAPTER = lesson_chapter(
    __name__,
    slide=SLIDE + ": neural networks can approximate any continuous function with arbitrary "
    "accuracy given a sufficient number of neurons.",
    order=53,
    tour={"steps": 400},
    quick={"max_neurons": 16, "steps": 150},
)
