"""Checks for the vision notebook: a numerically stable softmax; the cross-entropy loss."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, close, verdict


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def check_softmax(fn) -> bool:
    """`fn(logits)` -> probabilities along the last axis of a (n_samples, n_classes) array."""

    def check() -> None:
        logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [1000.0, 1001.0, 999.0]])
        with np.errstate(all="ignore"):
            got = as_array(call(fn, logits.copy()))
        hint = (
            "p_k = exp(z_k) / Σ_j exp(z_j) per row; subtract the row's max first (it cancels) so "
            "exp(1000) does not overflow"
        )
        if got.shape == logits.shape and not np.all(np.isfinite(got[2])):
            raise Wrong("your softmax overflows on logits near 1000. " + hint)
        close(got, _softmax(logits), hint)

    return verdict(check)


def check_cross_entropy(fn) -> bool:
    """`fn(logits, y)` -> mean over samples of −log softmax(logits)[y], as F.cross_entropy."""

    def check() -> None:
        rng = np.random.default_rng(6)
        logits = rng.normal(size=(8, 5)) * 3
        y = rng.integers(0, 5, size=8)
        want = -np.mean(np.log(_softmax(logits))[np.arange(8), y])
        hint = (
            "take log softmax of each row, pick the entry of the true class y[i], average and "
            "negate: −mean(log p[i, y[i]])"
        )
        close(call(fn, logits.copy(), y.copy()), want, hint)

    return verdict(check)
