"""Checks for the gradient-descent notebook: the largest stable learning rate, a momentum step."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, close, verdict


def data() -> tuple[np.ndarray, np.ndarray]:
    """The notebook's data: 40 points around the line y = 2x + 1 (seeded, the same every time)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 3.0, size=40)
    return x, 2.0 * x + 1.0 + rng.normal(scale=0.5, size=40)


def largest_stable_lr() -> float:
    """J(w, b) = ½‖wx + b − y‖² is quadratic with Hessian H; steps stay stable for lr < 2/λ_max(H)."""
    x, _ = data()
    H = np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), len(x)]])
    return float(2.0 / np.linalg.eigvalsh(H).max())


def check_largest_stable_lr(lr) -> bool:
    """`lr`: your largest learning rate (a number) at which gradient descent on the data converges."""

    def check() -> None:
        value = float(as_array(lr, "your learning rate"))
        best = largest_stable_lr()
        hint = (
            "J is quadratic; its Hessian is H = [[Σx², Σx], [Σx, n]] and gradient descent "
            "converges exactly when lr < 2/λ_max(H) (try lr just above and below in the loop)"
        )
        if value >= best:
            raise Wrong(f"at lr = {value:.4g} the steps grow without bound. {hint}")
        if value < 0.95 * best:
            raise Wrong(f"lr = {value:.4g} converges, but a larger one does too. {hint}")

    return verdict(check)


def check_momentum_step(fn) -> bool:
    """`fn(w, v, grad, lr, momentum)` -> (new w, new v), as PyTorch's SGD with momentum."""

    def check() -> None:
        rng = np.random.default_rng(2)
        w, v, g = rng.normal(size=3), rng.normal(size=3), rng.normal(size=3)
        lr, mu = 0.1, 0.9
        got = call(fn, w.copy(), v.copy(), g.copy(), lr, mu)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Wrong("return a pair (new w, new v)")
        v_new = mu * v + g
        hint = "PyTorch's convention: v ← momentum·v + grad, then w ← w − lr·v"
        close(got[1], v_new, hint, what="the new v")
        close(got[0], w - lr * v_new, hint, what="the new w")

    return verdict(check)
