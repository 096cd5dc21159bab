"""Checks for the neuron notebook: the sigmoid's derivative and the gradient of the slide's cost."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, call, close, verdict


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def check_sigmoid_derivative(fn) -> bool:
    """`fn(z)` -> dσ/dz at every z of a NumPy array."""

    def check() -> None:
        z = np.linspace(-6.0, 6.0, 25)
        s = _sigmoid(z)
        close(
            call(fn, z.copy()),
            s * (1 - s),
            "σ'(z) = σ(z)·(1 − σ(z)): at z = 0 it is 0.25, far from 0 it goes to 0",
        )

    return verdict(check)


def check_cost_gradient(fn) -> bool:
    """`fn(w, b, X, y)` -> (dJ/dw, dJ/db) for J = ½‖σ(Xw + b) − y‖²."""

    def check() -> None:
        rng = np.random.default_rng(1)
        X = rng.normal(size=(12, 3))
        y = (rng.random(12) < 0.5).astype(float)
        w, b = rng.normal(size=3), 0.3
        h = _sigmoid(X @ w + b)
        delta = (h - y) * h * (1 - h)  # dJ/dz, one per sample
        got = call(fn, w.copy(), b, X.copy(), y.copy())
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Wrong("return a pair (dJ/dw, dJ/db)")
        hint = "dJ/dw = Xᵀ[(h − y) ⊙ h(1 − h)] and dJ/db = Σ (h − y) h(1 − h): the chain rule"
        if np.allclose(np.asarray(got[0], float), X.T @ (h - y)):
            hint = "you forgot σ'(z) = h(1 − h) in the chain rule: " + hint
        close(got[0], X.T @ delta, hint, what="dJ/dw")
        close(got[1], delta.sum(), hint, what="dJ/db")

    return verdict(check)
