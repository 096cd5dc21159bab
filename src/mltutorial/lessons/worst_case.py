"""What goes wrong with gradient descent: five failures, each with its number

Slide: "What is the worst that can happen?"

Gradient descent only looks at the slope where it stands. Five things go wrong in practice, and each
panel of the figure shows one with the number that measures it:

1. Too large a learning rate: every step overshoots the minimum by more than the last, and the cost
   explodes. The training loop (`mltutorial.engine.trainer.fit`) stops at the first step whose cost
   exceeds 1e6 (or stops being a number) and says so in one line, instead of crashing later with NaNs.
   Model: h = w x + b on iris petals, the same valley as the gradient-descent lesson.
2. Too small a learning rate: nothing breaks, it only crawls: after N steps the cost is still far
   above the minimum that a sensible learning rate reaches in the same N steps.
3. A non-convex cost, J(theta) = theta^4 - 3 theta^2 + theta: two starting points a little apart roll
   into different valleys, and only one of them is the best minimum.
4. A saddle point, J(x, y) = x^2/2 + (y^2 - 1)^2/4: started almost exactly on the ridge, descent slides
   into the flat middle and spends many steps there with an almost zero gradient before it escapes.
5. Vanishing gradients: in a stack of 10 sigmoid layers the gradient shrinks layer by layer on its way
   back to the input (sigmoid's slope is at most 1/4), so the first layers hardly learn. The same
   stack with ReLU (and He initialisation) keeps the gradient's size. Data: a batch of scikit-learn's
   handwritten digits.

What to look at: the step where the cost passes 1e6; the crawling cost after N steps; the two end
points of the non-convex descent; the count of tiny-gradient steps at the saddle; the per-layer
gradient norms, sigmoid against ReLU.

Run: mltutorial run worst_case --lr_big=0.15 --lr_small=0.0001 --depth=10
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mltutorial import viz
from mltutorial.config import bounded, seed_field
from mltutorial.errors import UserError
from mltutorial.lessons import lesson_chapter

SLIDE = "What is the worst that can happen?"


@dataclass
class Config:
    lr_big: float = bounded(0.15, gt=0)  # above the valley's stability limit 2 / lambda_max ~ 0.111
    lr_good: float = bounded(0.1, gt=0)  # just below it: the fastest safe rate
    lr_small: float = bounded(1e-4, gt=0)  # a thousand times smaller: crawls
    num_steps: int = bounded(300, ge=1)  # steps given to the good and the small learning rate
    max_cost: float = bounded(1e6, gt=0)  # the loop stops when the cost first exceeds this
    nonconvex_starts: list[float] = field(default_factory=lambda: [-0.5, 0.5])
    nonconvex_lr: float = bounded(0.01, gt=0)
    nonconvex_steps: int = bounded(400, ge=1)
    saddle_y0: float = 1e-7  # how close to the ridge y = 0 the saddle descent starts
    saddle_lr: float = bounded(0.1, gt=0)
    saddle_steps: int = bounded(250, ge=1)
    # a gradient norm below this counts as "stuck on a plateau"
    tiny_grad: float = bounded(1e-2, gt=0)
    depth: int = bounded(10, ge=2)  # layers in the deep stack
    width: int = bounded(32, ge=1)
    batch: int = bounded(256, ge=1)  # digits used for the gradient measurement
    seed: int = seed_field(0)


@dataclass
class Result:
    # 1. too large
    diverged_step: int | None
    diverged_cost: float
    big_costs: list[float]
    # 2. too small
    J_star: float
    good_costs: list[float]
    small_costs: list[float]
    # 3. non-convex
    nonconvex_paths: list[np.ndarray]  # one (steps + 1,) theta path per start
    nonconvex_ends: list[float]
    nonconvex_costs: list[float]
    # 4. saddle
    saddle_path: np.ndarray  # (steps + 1, 2)
    saddle_grad_norms: list[float]
    saddle_tiny_steps: int  # steps before the escape with ||grad|| < tiny_grad
    saddle_escape_step: int | None  # first step with y > 0.5 (left the ridge)
    # 5. vanishing gradients
    sigmoid_grad_norms: list[float]  # ||dJ/dW|| per Linear layer, input first
    relu_grad_norms: list[float]
    cfg: Config = field(repr=False, default_factory=Config)
    data: str = (
        "scikit-learn iris (150 samples) for the learning rates; scikit-learn digits (1,797 "
        "8x8 images) for the deep stack; formulas for the non-convex and saddle costs"
    )
    citation: str = (
        "Fisher 1936 (iris); Alpaydin & Kaynak 1998, UCI Optical Recognition of Handwritten Digits"
    )
    licence: str = "CC BY 4.0 (UCI Machine Learning Repository)"

    @property
    def sigmoid_ratio(self) -> float:
        """How much smaller the first layer's gradient is than the last one's (sigmoid stack)."""
        return self.sigmoid_grad_norms[0] / self.sigmoid_grad_norms[-1]

    @property
    def relu_ratio(self) -> float:
        return self.relu_grad_norms[0] / self.relu_grad_norms[-1]

    def summary(self) -> str:
        div = (
            f"lr {self.cfg.lr_big:g} diverged at step {self.diverged_step}"
            if self.diverged_step is not None
            else f"lr {self.cfg.lr_big:g} did not diverge"
        )
        return (
            f"{div}; lr {self.cfg.lr_small:g} after {len(self.small_costs)} steps J = "
            f"{self.small_costs[-1]:.3g} vs {self.good_costs[-1]:.3g} (J* {self.J_star:.3g}); "
            f"non-convex ends {', '.join(f'{t:.2f}' for t in self.nonconvex_ends)}; "
            f"saddle: {self.saddle_tiny_steps} tiny-gradient steps; first/last layer gradient "
            f"sigmoid {self.sigmoid_ratio:.1e}, ReLU {self.relu_ratio:.2g}"
        )

    def numbers(self) -> dict[str, object]:
        return {
            "lr_big": self.cfg.lr_big,
            "diverged_step": self.diverged_step,
            "diverged_cost": self.diverged_cost,
            "lr_small": self.cfg.lr_small,
            "lr_good": self.cfg.lr_good,
            "J_star": self.J_star,
            "small_final_cost": self.small_costs[-1],
            "good_final_cost": self.good_costs[-1],
            "nonconvex_ends": self.nonconvex_ends,
            "nonconvex_costs": self.nonconvex_costs,
            "saddle_tiny_steps": self.saddle_tiny_steps,
            "saddle_escape_step": self.saddle_escape_step,
            "sigmoid_grad_norms": self.sigmoid_grad_norms,
            "relu_grad_norms": self.relu_grad_norms,
            "sigmoid_first_over_last": self.sigmoid_ratio,
            "relu_first_over_last": self.relu_ratio,
        }


def _half_mse(y_hat, y):
    return 0.5 * ((y_hat - y) ** 2).mean()


def _iris():
    from sklearn.datasets import load_iris

    iris = load_iris()
    x = iris.data[:, 2:3].astype(np.float32)  # (150, 1) petal length
    y = iris.data[:, 3:4].astype(np.float32)  # (150, 1) petal width
    return x, y


def _line_model(w0: float = -0.5, b0: float = 2.0):
    from mltutorial.engine import nn

    model = nn.Linear(1, 1)
    model.weight.data[...] = w0
    model.bias.data[...] = b0
    return model


def _learning_rates(cfg: Config):
    """Fit h = w x + b with a too large, a good and a too small learning rate."""
    from mltutorial.engine import optim
    from mltutorial.engine.trainer import DivergenceError, fit

    x, y = _iris()
    A = np.column_stack([x[:, 0], np.ones(len(x))]).astype(np.float64)
    theta, *_ = np.linalg.lstsq(A, y[:, 0].astype(np.float64), rcond=None)
    J_star = float(0.5 * np.mean((A @ theta - y[:, 0]) ** 2))

    def train(lr: float, num_steps: int, max_cost: float):
        model = _line_model()
        opt = optim.SGD(model.parameters(), lr=lr)
        return fit(
            model, _half_mse, opt, (x, y), num_steps=num_steps, max_cost=max_cost, progress=False
        )

    diverged_step, diverged_cost = None, float("nan")
    try:
        big = train(cfg.lr_big, 10_000, cfg.max_cost).cost
    except DivergenceError as exc:  # the expected outcome: one clear stop
        diverged_step, diverged_cost, big = exc.step, exc.cost, exc.history.cost
    good = train(cfg.lr_good, cfg.num_steps, np.inf).cost
    small = train(cfg.lr_small, cfg.num_steps, np.inf).cost
    return diverged_step, diverged_cost, big, J_star, good, small


def nonconvex(theta):
    """J(theta) = theta^4 - 3 theta^2 + theta: minima near -1.30 (J -3.51) and 1.13 (J -1.07)."""
    return theta**4 - 3 * theta**2 + theta


def saddle(x, y):
    """J(x, y) = x^2/2 + (y^2 - 1)^2/4: a saddle at (0, 0), minima at (0, +-1)."""
    return 0.5 * x**2 + 0.25 * (y**2 - 1) ** 2


def _descend(fn, start: list[float], lr: float, num_steps: int):
    """Plain gradient descent on a formula with the engine's autograd; returns path and grad norms."""
    from mltutorial import engine
    from mltutorial.engine import optim

    params = [engine.tensor(np.array(v, dtype=np.float64), requires_grad=True) for v in start]
    opt = optim.SGD(params, lr=lr)
    path = [list(start)]
    norms = []
    for _ in range(num_steps):
        opt.zero_grad()
        J = fn(*params)
        J.backward()
        norms.append(float(np.sqrt(sum(float(np.sum(p.grad.data**2)) for p in params))))
        opt.step()
        path.append([float(p.data) for p in params])
    return np.asarray(path), norms


def _deep_stack_grad_norms(cfg: Config, activation: str) -> list[float]:
    """||dJ/dW|| of each Linear layer of a deep stack, on one batch of digits, input layer first."""
    from sklearn.datasets import load_digits

    from mltutorial import engine
    from mltutorial.engine import nn

    digits = load_digits()
    rng = np.random.default_rng(cfg.seed)
    idx = rng.choice(len(digits.target), size=min(cfg.batch, len(digits.target)), replace=False)
    X = engine.tensor((digits.data[idx] / 16.0).astype(np.float32))  # (B, 64)
    y = engine.tensor(digits.target[idx].astype(np.int64))  # (B,)
    engine.manual_seed(cfg.seed)
    layers: list = []
    sizes = [64] + [cfg.width] * (cfg.depth - 1)
    for n_in, n_out in itertools.pairwise(sizes):
        lin = nn.Linear(n_in, n_out)
        if activation == "relu":  # He initialisation: keeps the signal's size through ReLUs
            lin.weight.data[...] = rng.normal(0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
            lin.bias.data[...] = 0.0
        layers += [lin, nn.Sigmoid() if activation == "sigmoid" else nn.ReLU()]
    layers.append(nn.Linear(sizes[-1], 10))
    model = nn.Sequential(*layers)
    loss = nn.CrossEntropyLoss()(model(X), y)
    loss.backward()
    linears = [m for m in layers if isinstance(m, nn.Linear)]
    return [float(np.linalg.norm(m.weight.grad.data)) for m in linears]


def run(cfg: Config) -> Result:
    from threadpoolctl import threadpool_limits

    # Small matrices: one BLAS thread is faster than several competing for two cores.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(cfg)


def _run(cfg: Config) -> Result:
    if cfg.depth < 2:
        raise UserError("--depth must be at least 2")
    if min(cfg.width, cfg.batch, cfg.saddle_steps) < 1:
        raise UserError("--width, --batch and --saddle_steps must be at least 1")
    if min(cfg.lr_big, cfg.lr_good, cfg.lr_small) <= 0:
        raise UserError("learning rates must be positive")
    diverged_step, diverged_cost, big, J_star, good, small = _learning_rates(cfg)

    nc_paths = [
        _descend(nonconvex, [t0], cfg.nonconvex_lr, cfg.nonconvex_steps)[0][:, 0]
        for t0 in cfg.nonconvex_starts
    ]
    nc_ends = [float(p[-1]) for p in nc_paths]

    s_path, s_norms = _descend(saddle, [2.0, cfg.saddle_y0], cfg.saddle_lr, cfg.saddle_steps)
    escaped = np.nonzero(np.abs(s_path[1:, 1]) > 0.5)[0]
    escape_step = int(escaped[0]) + 1 if len(escaped) else None
    before = np.asarray(s_norms[: escape_step or len(s_norms)])  # the minimum is flat too: skip it

    return Result(
        diverged_step=diverged_step,
        diverged_cost=diverged_cost,
        big_costs=big,
        J_star=J_star,
        good_costs=good,
        small_costs=small,
        nonconvex_paths=nc_paths,
        nonconvex_ends=nc_ends,
        nonconvex_costs=[float(nonconvex(t)) for t in nc_ends],
        saddle_path=s_path,
        saddle_grad_norms=s_norms,
        saddle_tiny_steps=int(np.sum(before < cfg.tiny_grad)),
        saddle_escape_step=escape_step,
        sigmoid_grad_norms=_deep_stack_grad_norms(cfg, "sigmoid"),
        relu_grad_norms=_deep_stack_grad_norms(cfg, "relu"),
        cfg=cfg,
    )


def plot(result: Result, path: str | Path) -> Path:
    cfg = result.cfg
    fig, axes = viz.figure(3, 2, width=4.7, height=3.8)
    (ax1, ax2, ax3), (ax4, ax5, ax6) = axes

    # 1. too large: the cost explodes until the loop stops it
    steps = np.arange(1, len(result.big_costs) + 1)
    ax1.semilogy(
        steps, result.big_costs, "o-", ms=3, color=viz.COLORS["ours"], label=f"lr = {cfg.lr_big:g}"
    )
    ax1.semilogy(
        np.arange(1, len(result.good_costs) + 1)[: len(steps) * 2],
        result.good_costs[: len(steps) * 2],
        color=viz.COLORS["train"],
        label=f"lr = {cfg.lr_good:g}",
    )
    ax1.axhline(cfg.max_cost, color=viz.COLORS["peer"], ls="--", label=f"stop at {cfg.max_cost:g}")
    if result.diverged_step is not None:
        ax1.set_title(f"1. Too large: diverged at step {result.diverged_step}")
    else:
        ax1.set_title(f"1. lr {cfg.lr_big:g} did not diverge")
    ax1.set_xlabel("step")
    ax1.set_ylabel("J(w, b)")
    ax1.legend(fontsize=8)

    # 2. too small: crawls
    gap_good = np.maximum(np.asarray(result.good_costs) - result.J_star, 1e-12)
    gap_small = np.maximum(np.asarray(result.small_costs) - result.J_star, 1e-12)
    ax2.semilogy(
        np.arange(1, len(gap_good) + 1),
        gap_good,
        color=viz.COLORS["train"],
        label=f"lr = {cfg.lr_good:g}: J - J* = {gap_good[-1]:.1e}",
    )
    ax2.semilogy(
        np.arange(1, len(gap_small) + 1),
        gap_small,
        color=viz.COLORS["val"],
        label=f"lr = {cfg.lr_small:g}: J - J* = {gap_small[-1]:.1e}",
    )
    ax2.set_title(f"2. Too small: J = {result.small_costs[-1]:.2f} after {len(gap_small)} steps")
    ax2.set_xlabel("step")
    ax2.set_ylabel("J(w, b) - J*")
    ax2.legend(fontsize=8)

    # 3. non-convex: two starts, two minima
    t = np.linspace(-2.0, 2.0, 400)
    ax3.plot(t, nonconvex(t), color="k", lw=1.2, label="J(theta)")
    for i, p in enumerate(result.nonconvex_paths):
        color = viz.CYCLE[(i + 2) % len(viz.CYCLE)]
        ax3.plot(p[::10], nonconvex(p[::10]), "o", ms=3, color=color, alpha=0.6)
        ax3.plot(p[0], nonconvex(p[0]), "s", ms=7, color=color)
        ax3.plot(
            p[-1],
            nonconvex(p[-1]),
            "*",
            ms=14,
            mec="k",
            color=color,
            label=f"start {p[0]:+.2f} -> {p[-1]:+.2f} (J {nonconvex(p[-1]):.2f})",
        )
    ax3.set_ylim(-4.5, 6)
    ax3.set_title("3. Non-convex: two starts, two minima")
    ax3.set_xlabel("theta")
    ax3.set_ylabel("J(theta)")
    ax3.legend(fontsize=8, loc="upper center")

    # 4. saddle: the path on the map
    X, Y = np.meshgrid(np.linspace(-2.2, 2.2, 120), np.linspace(-1.5, 1.5, 120))
    ax4.contour(X, Y, saddle(X, Y), levels=20, cmap="Greys", linewidths=0.7)
    sp = result.saddle_path
    ax4.plot(sp[:, 0], sp[:, 1], ".-", ms=3, lw=0.8, color=viz.COLORS["ours"], label="descent path")
    ax4.plot(0, 0, "x", color="k", ms=9, mew=2, label="saddle (0, 0)")
    ax4.plot(sp[0, 0], sp[0, 1], "s", color=viz.COLORS["ours"], ms=7, label="start")
    ax4.set_title("4. Saddle: slides in, waits, escapes")
    ax4.set_xlabel("x")
    ax4.set_ylabel("y")
    ax4.legend(fontsize=8, loc="lower left", frameon=True, framealpha=0.9)

    # 4. saddle: the steps with a tiny gradient
    norms = np.asarray(result.saddle_grad_norms)
    s = np.arange(1, len(norms) + 1)
    ax5.semilogy(s, norms, color=viz.COLORS["ours"], label="||gradient||")
    ax5.axhline(
        cfg.tiny_grad, color=viz.COLORS["peer"], ls="--", label=f"tiny: < {cfg.tiny_grad:g}"
    )
    ax5.fill_between(
        s,
        norms.min() / 2,
        norms.max() * 2,
        where=(norms < cfg.tiny_grad) & (s < (result.saddle_escape_step or len(s) + 1)),
        color=viz.COLORS["val"],
        alpha=0.2,
        label="plateau steps (before the escape)",
    )
    ax5.set_title(f"4. Plateau: {result.saddle_tiny_steps} steps with a tiny gradient")
    ax5.set_xlabel("step")
    ax5.set_ylabel("||grad J||")
    ax5.legend(fontsize=8, loc="lower left")

    # 5. vanishing gradients through a deep sigmoid stack
    layers = np.arange(1, len(result.sigmoid_grad_norms) + 1)
    ax6.semilogy(
        layers,
        result.sigmoid_grad_norms,
        "o-",
        color=viz.COLORS["ours"],
        label=f"sigmoid: first/last = {result.sigmoid_ratio:.0e}",
    )
    ax6.semilogy(
        layers,
        result.relu_grad_norms,
        "o-",
        color=viz.COLORS["train"],
        label=f"ReLU + He init: first/last = {result.relu_ratio:.2g}",
    )
    ax6.set_title(f"5. Vanishing gradients, {cfg.depth} layers")
    ax6.set_xlabel("layer (1 = next to the input)")
    ax6.set_ylabel("||dJ/dW|| of the layer")
    ax6.legend(fontsize=8)
    return viz.save(fig, path, title=f"{SLIDE} Gradient descent's failures, measured")


CHAPTER = lesson_chapter(
    __name__,
    slide=SLIDE,
    order=43,
    tour={},
    quick={"num_steps": 100, "nonconvex_steps": 200, "saddle_steps": 150, "batch": 64},
)
