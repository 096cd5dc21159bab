"""Checks for the do's-and-don'ts notebook: choose on validation; standardise with training stats."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, call, close, verdict


def check_pick_by_validation(fn) -> bool:
    """`fn(results)` -> the `hidden` of the best run; results: dicts hidden, train_error, val_error."""

    def check() -> None:
        results = [
            {"hidden": 4, "train_error": 0.20, "val_error": 0.22},
            {"hidden": 32, "train_error": 0.05, "val_error": 0.08},
            {"hidden": 512, "train_error": 0.00, "val_error": 0.12},
        ]
        got = call(fn, [dict(r) for r in results])
        hint = (
            "choose the size with the lowest VALIDATION error: the training error always "
            "favours the biggest model, which may only have memorised"
        )
        if got == 512:
            raise Wrong(
                f"512 has the lowest training error, not the lowest validation error. {hint}"
            )
        if got != 32:
            raise Wrong(f"you chose {got!r}. {hint}")

    return verdict(check)


def check_standardise(fn) -> bool:
    """`fn(X_train, X_test)` -> both standardised with the TRAINING mean and standard deviation."""

    def check() -> None:
        rng = np.random.default_rng(5)
        X_train = rng.normal(3.0, 2.0, size=(50, 4))
        X_test = rng.normal(4.0, 3.0, size=(20, 4))
        got = call(fn, X_train.copy(), X_test.copy())
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Wrong("return a pair (X_train standardised, X_test standardised)")
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        hint = (
            "compute the mean and std per column on X_train only and apply them to both: the test "
            "set stands for data you have not seen yet, so it cannot shape the preprocessing"
        )
        test_own = (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)
        if np.shape(got[1]) == X_test.shape and np.allclose(got[1], test_own):
            hint = "you used the test set's own statistics (a leak). " + hint
        close(got[0], (X_train - mean) / std, hint, what="X_train")
        close(got[1], (X_test - mean) / std, hint, what="X_test")

    return verdict(check)
