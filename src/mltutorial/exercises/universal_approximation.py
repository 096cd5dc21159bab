"""Checks for the universal-approximation notebook: one hidden layer's output; a step from a neuron."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, close, verdict


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def check_one_hidden_layer(fn) -> bool:
    """`fn(x, w, b, v)` -> Σᵢ vᵢ·σ(wᵢ·x + bᵢ) for every x (x: (n,), w, b, v: (N,))."""

    def check() -> None:
        rng = np.random.default_rng(4)
        x = np.linspace(-1, 1, 11)
        w, b, v = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
        want = _sigmoid(np.outer(x, w) + b) @ v  # (n,)
        hint = (
            "each hidden neuron i computes σ(wᵢ·x + bᵢ); the output is their sum weighted by vᵢ "
            "(np.outer(x, w) + b gives all of them at once, shape (n, N))"
        )
        close(call(fn, x.copy(), w.copy(), b.copy(), v.copy()), want, hint)

    return verdict(check)


def check_step(w, b) -> bool:
    """`w`, `b`: one neuron σ(w·x + b) that is a step at x = 0.5 (error < 0.05 away from 0.5)."""

    def check() -> None:
        ww, bb = float(as_array(w, "w")), float(as_array(b, "b"))
        x = np.linspace(0, 1, 401)
        away = np.abs(x - 0.5) > 0.05
        err = np.abs(_sigmoid(ww * x + bb) - (x > 0.5))[away].max()
        hint = (
            "σ(w·(x − 0.5)) jumps at x = 0.5 (so b = −w/2), and the larger w, the steeper the jump"
        )
        if err >= 0.05:
            raise Wrong(f"the largest error away from the step is {err:.3f}. {hint}")

    return verdict(check)
