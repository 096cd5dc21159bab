"""Mapping between languages: one orthogonal matrix W that rotates English word vectors onto Spanish.

Given seed pairs (x_i, y_i) from a bilingual dictionary, W = argmin ||XW - Y|| over orthogonal W is
U V^T where U S V^T = svd(X^T Y) (orthogonal Procrustes; Xing et al. 2015, Smith et al. 2017, after
Mikolov, Le & Sutskever 2013, "Exploiting similarities among languages for machine translation").
A word is translated to the nearest target vector by cosine; CSLS (Conneau et al. 2018, MUSE) corrects
for "hub" words that are near everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def procrustes(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The orthogonal W minimising ||X W - Y||_F."""
    U, _, Vt = np.linalg.svd(X.T @ Y)
    return (U @ Vt).astype(np.float32)


def csls_scores(mapped: np.ndarray, target: np.ndarray, k: int = 10) -> np.ndarray:
    """CSLS(x, y) = 2 cos(x, y) - r_T(x) - r_S(y), r = mean cosine to the k nearest of the other side."""
    cos = mapped @ target.T  # (n_src, n_tgt), rows already unit length
    r_src = np.sort(cos, axis=1)[:, -k:].mean(axis=1, keepdims=True)
    r_tgt = np.sort(cos, axis=0)[-k:, :].mean(axis=0, keepdims=True)
    return 2 * cos - r_src - r_tgt


@dataclass
class Translation:
    precision_at_1: float
    precision_at_5: float
    n_pairs: int
    examples: list[
        tuple[str, list[str], list[str]]
    ]  # (source word, top-5 guesses, dictionary answers)


def evaluate(
    src_vectors: np.ndarray,
    tgt_vectors: np.ndarray,
    W: np.ndarray,
    pairs: dict[int, set[int]],
    src_words: list[str],
    tgt_words: list[str],
    *,
    csls: bool = True,
    n_examples: int = 12,
) -> Translation:
    """Precision@1/@5: a source word counts as right if any of its dictionary translations is ranked there."""
    if not pairs:
        return Translation(0.0, 0.0, 0, [])
    sources = np.array(sorted(pairs))
    mapped = src_vectors[sources] @ W
    mapped /= np.linalg.norm(mapped, axis=1, keepdims=True) + 1e-8
    if csls:
        # r_T(y) needs every source word mapped, not only the test ones
        everyone = src_vectors @ W
        everyone /= np.linalg.norm(everyone, axis=1, keepdims=True) + 1e-8
        cos = mapped @ tgt_vectors.T
        r_src = np.sort(cos, axis=1)[:, -10:].mean(axis=1, keepdims=True)
        r_tgt = _mean_top10_per_column(everyone, tgt_vectors)
        scores = 2 * cos - r_src - r_tgt
    else:
        scores = mapped @ tgt_vectors.T
    top5 = np.argsort(-scores, axis=1)[:, :5]
    hit1 = np.array([top5[i, 0] in pairs[s] for i, s in enumerate(sources)])
    hit5 = np.array([bool(set(top5[i]) & pairs[s]) for i, s in enumerate(sources)])
    examples = [
        (
            src_words[s],
            [tgt_words[j] for j in top5[i]],
            sorted(tgt_words[j] for j in pairs[s]),
        )
        for i, s in enumerate(sources[:n_examples])
    ]
    return Translation(float(hit1.mean()), float(hit5.mean()), len(sources), examples)


def _mean_top10_per_column(A: np.ndarray, B: np.ndarray, block: int = 512) -> np.ndarray:
    """(1, len(B)): for each row b of B, the mean of its 10 largest dot products with A's rows.

    A block of B's rows at a time, so the full (len(A), len(B)) matrix of products is never held.
    """
    out = np.empty((1, len(B)), dtype=np.result_type(A, B))
    for start in range(0, len(B), block):
        products = A @ B[start : start + block].T
        out[0, start : start + block] = np.sort(products, axis=0)[-10:, :].mean(axis=0)
    return out


def pair_ids(
    pairs: list[tuple[str, str]], src_index: dict[str, int], tgt_index: dict[str, int]
) -> dict[int, set[int]]:
    """Dictionary pairs whose both words are in the vocabularies, grouped by source word id."""
    out: dict[int, set[int]] = {}
    for s, t in pairs:
        if s in src_index and t in tgt_index:
            out.setdefault(src_index[s], set()).add(tgt_index[t])
    return out
