"""Word vectors from context: count co-occurrences in a +/-window, weight them by positive pointwise
mutual information, keep the top singular directions (Levy, Goldberg & Dagan 2015, "Improving
distributional similarity with lessons learned from word embeddings"). On a book-sized corpus this
translates better than skip-gram (word2vec) and takes a fraction of its time, as Levy et al. found
for small corpora, so the app keeps the count-based method (bench/apps.py compares the two;
bench/RESULTS.md has the numbers).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Lower-cased words (letters of any alphabet, inner apostrophes kept)."""
    return _WORD.findall(text.lower())


@dataclass
class Vocab:
    words: list[str]
    index: dict[str, int]
    counts: np.ndarray  # (V,)

    @classmethod
    def build(cls, tokens: list[str], size: int, min_count: int = 3) -> Vocab:
        common = [(w, c) for w, c in Counter(tokens).most_common(size) if c >= min_count]
        words = [w for w, _ in common]
        return cls(words, {w: i for i, w in enumerate(words)}, np.array([c for _, c in common]))

    def ids(self, tokens: list[str]) -> np.ndarray:
        """Token ids, -1 for words outside the vocabulary."""
        return np.array([self.index.get(t, -1) for t in tokens], dtype=np.int64)


def cooccurrence(ids: np.ndarray, n_words: int, window: int) -> sp.csr_matrix:
    """Symmetric counts of word pairs at distance 1..window, weighted 1/distance (as GloVe)."""
    rows, cols, vals = [], [], []
    for d in range(1, window + 1):  # a loop over distances, not over tokens
        a, b = ids[:-d], ids[d:]
        keep = (a >= 0) & (b >= 0)
        rows += [a[keep], b[keep]]
        cols += [b[keep], a[keep]]
        n = int(keep.sum())
        vals += [np.full(n, 1.0 / d), np.full(n, 1.0 / d)]
    M = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_words, n_words),
    )
    return M.tocsr()


def ppmi_svd(ids: np.ndarray, n_words: int, dim: int, window: int = 5, seed: int = 0) -> np.ndarray:
    """(n_words, dim) unit-length vectors from the SVD of the PPMI matrix (context smoothing 0.75)."""
    from sklearn.utils.extmath import randomized_svd

    M = cooccurrence(ids, n_words, window).tocoo()
    total = M.sum()
    row = np.asarray(M.sum(axis=1)).ravel()
    col = np.asarray(M.sum(axis=0)).ravel() ** 0.75
    col = col / col.sum()
    pmi = np.log(M.data * 1.0 / total) - np.log(row[M.row] / total) - np.log(col[M.col])
    keep = pmi > 0
    P = sp.csr_matrix((pmi[keep], (M.row[keep], M.col[keep])), shape=M.shape)
    U, S, _ = randomized_svd(P, n_components=dim, random_state=seed, n_iter=5)
    vectors = U * np.sqrt(S)  # eigenvalue weighting p = 0.5
    return normalise(vectors.astype(np.float32))


def normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8)
