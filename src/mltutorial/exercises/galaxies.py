"""Checks for the Galaxy Zoo notebook: the label of a mirrored galaxy; class weights for an
unbalanced sky; balanced accuracy."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, close, verdict

CW, ACW = 1, 2  # GZ1's clockwise and anti-clockwise spirals (data.galaxies)


def check_mirror_labels(fn) -> bool:
    """`fn(y)` -> the GZ1 labels (0..5) of the mirror images of galaxies labelled y."""

    def check() -> None:
        y = np.array([0, 1, 2, 3, 4, 5, 1, 1, 2, 0])
        want = np.where(y == CW, ACW, np.where(y == ACW, CW, y))
        got = as_array(call(fn, y.copy()))
        hint = (
            "a mirror turns a clockwise spiral (1) into an anti-clockwise one (2) and back; "
            "every other class (elliptical, edge-on, unknown, merger) keeps its label"
        )
        if got.shape == y.shape and np.array_equal(got, y):
            raise Wrong("you changed no label. " + hint)
        close(got, want, hint, atol=0, rtol=0)

    return verdict(check)


def check_class_weights(fn) -> bool:
    """`fn(y, k)` -> (k,) weights n / (k · n_c), so that each of the k classes weighs the same."""

    def check() -> None:
        y = np.array([0] * 70 + [1] * 30)
        got = as_array(call(fn, y.copy(), 2))
        want = len(y) / (2 * np.bincount(y, minlength=2))
        hint = (
            "w_c = n / (k · n_c): the rare class gets the larger weight, and the weighted counts "
            "w_c · n_c are all n / k"
        )
        if got.shape == want.shape and np.allclose(got, np.bincount(y) / len(y)):
            raise Wrong("those are the class frequencies: the weight is their inverse. " + hint)
        close(got, want, hint)
        y3 = np.array([0] * 5 + [2] * 15)  # class 1 absent: its weight never enters the loss
        with np.errstate(all="ignore"):
            got3 = as_array(call(fn, y3.copy(), 3), "your answer for a missing class")
        if got3.shape != (3,) or not np.allclose(got3[[0, 2]], [20 / 15, 20 / 45]):
            raise Wrong(
                "with y = 5×class 0 and 15×class 2, k = 3, expected w0 = 4/3, w2 = 4/9. " + hint
            )

    return verdict(check)


def check_balanced_accuracy(fn) -> bool:
    """`fn(y, y_hat)` -> the mean over classes of each class's recall (sklearn's balanced_accuracy)."""

    def check() -> None:
        y = np.array([0] * 70 + [1] * 30)
        y_hat = np.zeros(100, int)  # always 'elliptical'
        y_hat[70:85] = 1  # finds half the spirals
        got = call(fn, y.copy(), y_hat.copy())
        hint = (
            "recall of class c = correct among the galaxies truly in c; balanced accuracy = the "
            "mean of the recalls (here (70/70 + 15/30) / 2)"
        )
        if np.isclose(as_array(got), 0.85):
            raise Wrong("that is the plain accuracy, which rewards saying 'elliptical'. " + hint)
        close(got, 0.75, hint)
        close(call(fn, np.array([0, 1, 2, 2]), np.array([0, 1, 2, 0])), (1 + 1 + 0.5) / 3, hint)

    return verdict(check)
