"""Checks for the text-generation notebook: the causal mask; attention written out."""

from __future__ import annotations

import numpy as np

from mltutorial.exercises._check import Wrong, as_array, call, close, verdict


def _attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    T, d = q.shape
    scores = q @ k.T / np.sqrt(d)
    scores[~np.tril(np.ones((T, T), bool))] = -np.inf
    w = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (w / w.sum(axis=1, keepdims=True)) @ v


def check_causal_mask(fn) -> bool:
    """`fn(T)` -> (T, T) booleans: True where position t may look at position s (s <= t)."""

    def check() -> None:
        hint = (
            "row t is the position that looks, column s the one looked at; it may see itself and "
            "the past (s ≤ t), never the future: np.tril of ones"
        )
        for T in (1, 4, 7):
            got = call(fn, T)
            want = np.tril(np.ones((T, T), bool))
            g = as_array(got).astype(bool)
            if T > 1 and g.shape == want.shape and np.array_equal(g, want.T):
                raise Wrong("your mask lets each position see the future, not the past. " + hint)
            if g.shape != want.shape or not np.array_equal(g, want):
                raise Wrong(f"wrong mask for T = {T}. {hint}")

    return verdict(check)


def check_attention(fn) -> bool:
    """`fn(q, k, v)` -> causal scaled dot-product attention of one head: q, k, v (T, d)."""

    def check() -> None:
        rng = np.random.default_rng(12)
        q, k, v = (rng.normal(size=(6, 4)) for _ in range(3))
        hint = (
            "scores = q kᵀ / √d, set the future (s > t) to −inf, softmax over each ROW, "
            "then the weighted sum of v's rows: softmax(scores) @ v"
        )
        got = as_array(call(fn, q.copy(), k.copy(), v.copy()))
        if got.shape == (6, 4):
            unscaled = _attention(q * np.sqrt(4), k, v)
            if np.allclose(got, unscaled):
                hint = "you forgot to divide by √d. " + hint
        close(got, _attention(q, k, v), hint)

    return verdict(check)
