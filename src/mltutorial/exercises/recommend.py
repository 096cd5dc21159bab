"""Checks for the recommender notebook: RMSE; the gradient of one rating's error in matrix factorisation."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, call, close, verdict


def check_rmse(fn) -> bool:
    """`fn(predicted, actual)` -> root mean squared error."""

    def check() -> None:
        pred = np.array([3.5, 4.0, 2.0, 5.0])
        true = np.array([4.0, 4.0, 1.0, 3.0])
        hint = "RMSE = sqrt(mean((predicted − actual)²)): square first, then mean, then root"
        close(call(fn, pred.copy(), true.copy()), np.sqrt(np.mean((pred - true) ** 2)), hint)

    return verdict(check)


def check_mf_gradient(fn) -> bool:
    """`fn(p, q, b_u, b_i, mu, r)` -> (d/dp, d/dq) of (mu + b_u + b_i + p·q − r)²."""

    def check() -> None:
        rng = np.random.default_rng(9)
        p, q = rng.normal(size=4), rng.normal(size=4)
        b_u, b_i, mu, r = 0.2, -0.1, 3.5, 4.0
        got = call(fn, p.copy(), q.copy(), b_u, b_i, mu, r)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Wrong("return a pair (gradient with respect to p, with respect to q)")
        e = mu + b_u + b_i + p @ q - r
        hint = (
            "with e = r̂ − r, d(e²)/dp = 2e·q and d(e²)/dq = 2e·p: each vector's gradient is the "
            "OTHER vector, scaled by the error"
        )
        close(got[0], 2 * e * q, hint, what="d/dp")
        close(got[1], 2 * e * p, hint, what="d/dq")

    return verdict(check)
