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
    """Symmetric counts of word pairs at distance 1..window, weighted 1/distance (as GloVe).

    One distance at a time (a loop over distances, not over tokens): each distance's pairs are
    summed into a sparse matrix, which is far smaller than its pairs, before the next are made.
    """
    counts = sp.csr_matrix((n_words, n_words))
    for d in range(1, window + 1):
        a, b = ids[:-d], ids[d:]
        keep = (a >= 0) & (b >= 0)
        a, b = a[keep].astype(np.int32), b[keep].astype(np.int32)
        pairs = sp.coo_matrix((np.full(len(a), 1.0 / d), (a, b)), shape=(n_words, n_words))
        counts = counts + pairs.tocsr()  # tocsr sums the repeated pairs
        del a, b, pairs
    return (counts + counts.T).tocsr()


def ppmi_svd(ids: np.ndarray, n_words: int, dim: int, window: int = 5, seed: int = 0) -> np.ndarray:
    """(n_words, dim) unit-length vectors from the SVD of the PPMI matrix (context smoothing 0.75)."""
    from sklearn.utils.extmath import randomized_svd

    M = cooccurrence(ids, n_words, window)
    total = M.sum()
    row = np.asarray(M.sum(axis=1)).ravel()
    col = np.asarray(M.sum(axis=0)).ravel() ** 0.75
    col = col / col.sum()
    # PMI(w, c) = log(count / total) - log(row(w) / total) - log(col(c)), computed in place on the
    # stored counts (no copy of the matrix's size), row by row through CSR's row pointer
    row_of = np.repeat(np.arange(n_words, dtype=np.int32), np.diff(M.indptr))
    pmi = M.data
    np.log(pmi / total, out=pmi)
    pmi -= np.log(row / total)[row_of]
    pmi -= np.log(col)[M.indices]
    del row_of
    pmi[pmi < 0] = 0  # positive PMI: the negative ones are dropped
    M.eliminate_zeros()
    P = M
    U, S, _ = randomized_svd(P, n_components=dim, random_state=seed, n_iter=5)
    vectors = U * np.sqrt(S)  # eigenvalue weighting p = 0.5
    return normalise(vectors.astype(np.float32))


def normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8)
