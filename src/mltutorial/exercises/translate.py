"""Checks for the translation notebook: nearest neighbours by cosine; the orthogonal map (Procrustes)."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, close, verdict


def check_nearest(fn) -> bool:
    """`fn(v, M, k)` -> indices of the k rows of M most similar to v by cosine, most similar first."""

    def check() -> None:
        rng = np.random.default_rng(10)
        M = rng.normal(size=(30, 6)) * rng.uniform(0.1, 5.0, size=(30, 1))  # lengths differ
        v = rng.normal(size=6)
        cos = (M @ v) / (np.linalg.norm(M, axis=1) * np.linalg.norm(v))
        want = np.argsort(-cos)[:3]
        got = as_array(call(fn, v.copy(), M.copy(), 3))
        hint = (
            "cosine = (M @ v) / (|M_row|·|v|): divide by the lengths, or long vectors win "
            "whatever their direction; then the k largest, largest first (np.argsort(-cos)[:k])"
        )
        if (
            got.shape == (3,)
            and np.array_equal(got, np.argsort(-(M @ v))[:3])
            and not np.array_equal(got, want)
        ):
            hint = "you ranked by the dot product, not the cosine. " + hint
        close(got, want, hint, atol=0)

    return verdict(check)


def check_procrustes(fn) -> bool:
    """`fn(X, Y)` -> the orthogonal W minimising ‖XW − Y‖ (rows of X, Y: paired word vectors)."""

    def check() -> None:
        rng = np.random.default_rng(11)
        R, _ = np.linalg.qr(rng.normal(size=(5, 5)))
        X = rng.normal(size=(40, 5))
        Y = X @ R + 0.01 * rng.normal(size=(40, 5))
        W = as_array(call(fn, X.copy(), Y.copy()))
        U, _, Vt = np.linalg.svd(X.T @ Y)
        hint = "W = U Vᵀ where U Σ Vᵀ = svd(Xᵀ Y) (Schönemann 1966): rotate, never stretch"
        if W.shape != (5, 5):
            raise Wrong(f"W should be {X.shape[1]}×{Y.shape[1]}, got {W.shape}. {hint}")
        if not np.allclose(W @ W.T, np.eye(5), atol=1e-6):
            raise Wrong("your W is not orthogonal (W Wᵀ ≠ I): least squares stretches. " + hint)
        close(W, U @ Vt, hint)

    return verdict(check)
