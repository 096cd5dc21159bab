"""Checks for the anomaly notebook: ROC-AUC by counting pairs; the Mahalanobis distance."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import call, close, verdict


def _auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = scores[y == 1], scores[y == 0]
    greater = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    return float(greater + 0.5 * ties)


def check_roc_auc(fn) -> bool:
    """`fn(scores, y)` -> ROC-AUC: the chance an anomaly (y = 1) scores above a normal point."""

    def check() -> None:
        rng = np.random.default_rng(7)
        y = (rng.random(60) < 0.3).astype(int)
        scores = rng.normal(size=60) + y
        scores[:6] = 0.5  # a few ties: they count one half
        hint = (
            "compare every (anomaly, normal) pair: the share where the anomaly scores higher, "
            "ties counting ½ (this equals the area under the ROC curve)"
        )
        close(call(fn, scores.copy(), y.copy()), _auc(scores, y), hint, atol=1e-9)

    return verdict(check)


def check_mahalanobis(fn) -> bool:
    """`fn(X_train, X)` -> each row of X's Mahalanobis distance to X_train's mean and covariance."""

    def check() -> None:
        rng = np.random.default_rng(8)
        X_train = rng.normal(size=(200, 3)) @ np.array([[2.0, 0, 0], [1.0, 1.0, 0], [0, 0, 0.3]])
        X = rng.normal(size=(5, 3))
        mean = X_train.mean(axis=0)
        inv = np.linalg.inv(np.cov(X_train, rowvar=False))
        d = X - mean
        want = np.sqrt(np.einsum("ij,jk,ik->i", d, inv, d))
        hint = (
            "d(x) = sqrt((x − μ)ᵀ Σ⁻¹ (x − μ)) with μ and Σ (np.cov(X_train, rowvar=False)) from "
            "the training data: distance measured in the data's own spread"
        )
        close(call(fn, X_train.copy(), X.copy()), want, hint, rtol=1e-3)

    return verdict(check)
