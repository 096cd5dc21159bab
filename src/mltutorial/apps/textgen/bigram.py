"""Rung 1 of the ladder: the bigram model, by counting.

P(next = j | current = i) = (N[i, j] + alpha) / (sum_k N[i, k] + alpha * V), with N the counts of
character pairs in the training text and add-alpha (Laplace) smoothing so that a pair never seen
in training costs a finite loss. No gradient descent: the maximum-likelihood answer is the counts.
It only looks one character back, which is why its samples are pronounceable noise.
"""

from __future__ import annotations

import numpy as np


class BigramModel:
    """Character bigram counts with add-alpha smoothing (NumPy only)."""

    kind = "bigram"
    context_size = 1  # characters of context the model reads

    def __init__(self, *, alpha: float = 1.0) -> None:
        self.alpha = alpha  # add-one smoothing: unseen pairs keep a little probability

    def fit(self, ids: np.ndarray, vocab_size: int) -> BigramModel:
        counts = np.zeros((vocab_size, vocab_size), dtype=np.float64)  # (V, V)
        np.add.at(counts, (ids[:-1], ids[1:]), 1.0)
        self.counts_ = counts
        return self.load_state({"counts": counts})

    @property
    def n_params(self) -> int:
        return int(self.log_probs_.size)

    def loss(self, ids: np.ndarray) -> float:
        """Mean negative log-likelihood (nats per character) of each character given the previous."""
        return float(-self.log_probs_[ids[:-1], ids[1:]].mean())

    def next_logits(self, context: np.ndarray) -> np.ndarray:
        """Log-probabilities (V,) of the character after `context` (only its last id matters)."""
        return self.log_probs_[int(context[-1])].copy()

    def state(self) -> dict[str, np.ndarray]:
        return {"counts": self.counts_}

    def load_state(self, state: dict[str, np.ndarray]) -> BigramModel:
        counts = np.asarray(state["counts"], dtype=np.float64)
        smoothed = counts + self.alpha
        self.counts_ = counts
        total = np.maximum(smoothed.sum(axis=1, keepdims=True), 1e-300)  # a row never seen
        with np.errstate(divide="ignore"):  # alpha=0: unseen pairs are impossible, log 0 = -inf
            self.log_probs_ = np.log(smoothed / total)  # (V, V)
        return self
