"""Checks for the spam notebook: precision and recall of the spam class; the F1 score."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, call, close, verdict

_Y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
_Y_HAT = np.array([1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0])  # 3 true positives, 2 false, 1 missed


def check_precision_recall(fn) -> bool:
    """`fn(y, y_hat)` -> (precision, recall) of the spam class (label 1)."""

    def check() -> None:
        got = call(fn, _Y.copy(), _Y_HAT.copy())
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Wrong("return a pair (precision, recall)")
        hint = (
            "precision = of the messages called spam, the share that is spam (TP / (TP + FP)); "
            "recall = of the spam, the share caught (TP / (TP + FN))"
        )
        if np.allclose(np.asarray(got, float), [0.75, 0.6]):
            hint = "you swapped them. " + hint
        close(got, [0.6, 0.75], hint)

    return verdict(check)


def check_f1(fn) -> bool:
    """`fn(y, y_hat)` -> F1 of the spam class, the harmonic mean of precision and recall."""

    def check() -> None:
        hint = "F1 = 2·P·R / (P + R) (the harmonic mean: low if either is low), not (P + R) / 2"
        close(call(fn, _Y.copy(), _Y_HAT.copy()), 2 * 0.6 * 0.75 / 1.35, hint)
        # A filter that calls nothing spam has precision undefined; F1 is 0 by convention.
        close(call(fn, _Y.copy(), np.zeros_like(_Y)), 0.0, "calling nothing spam scores F1 = 0")

    return verdict(check)
