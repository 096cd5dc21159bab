"""Rung 2 of the ladder: a multilayer perceptron over a fixed window of characters.

Bengio, Ducharme, Vincent & Jauvin 2003, "A Neural Probabilistic Language Model" (JMLR 3): each of
the last `context` characters is looked up in a learned embedding table C, the embeddings are
concatenated into one vector, passed through a tanh hidden layer, and a linear layer scores every
possible next character:

    y_hat = softmax(W2 tanh(W1 [C(x_{t-n}); ...; C(x_{t-1})] + b1) + b2)

(the paper's optional direct input-to-output connections are left out, as in Karpathy's makemore).
It sees further back than the bigram but only a fixed number of characters, and a character's
meaning does not depend on where in the window it sits differently than the weights allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import mltutorial.engine.nn.functional as F
from mltutorial import engine
from mltutorial.config import bounded
from mltutorial.engine import nn


@dataclass
class MLPConfig:
    # characters of context (Bengio et al. used 5 words; chars carry less)
    context: int = bounded(8, ge=1)
    vocab_size: int = bounded(65, ge=1)
    n_embd: int = bounded(24, ge=1)  # embedding size per character
    n_hidden: int = bounded(512, ge=1)  # tanh units


def context_windows(ids: np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Every position with a full context: X (N, context) previous ids, y (N,) the next id."""
    if len(ids) <= context:
        raise ValueError(f"{len(ids)} characters is fewer than context={context}+1")
    X = np.lib.stride_tricks.sliding_window_view(ids[:-1], context)  # (N, context)
    y = ids[context:]  # (N,)
    return X, y


class CharMLP(nn.Module):
    """Bengio et al.'s neural language model on characters. forward(X (B, n)) -> logits (B, V)."""

    kind = "mlp"
    needs_full_context = True  # a shorter prompt is left-padded with the start character

    def __init__(self, config: MLPConfig, seed: int = 0) -> None:
        super().__init__()
        self.config = config
        self.emb = nn.Embedding(config.vocab_size, config.n_embd)
        self.hidden = nn.Linear(config.context * config.n_embd, config.n_hidden)
        self.out = nn.Linear(config.n_hidden, config.vocab_size)
        rng = np.random.default_rng(seed)
        fan_in = config.context * config.n_embd
        # Kaiming-style init for tanh (gain 5/3), small output layer so initial loss ~ log V
        self.emb.weight.data[...] = rng.normal(0, 1.0, self.emb.weight.shape)
        self.hidden.weight.data[...] = rng.normal(
            0, (5 / 3) / math.sqrt(fan_in), self.hidden.weight.shape
        )
        self.hidden.bias.data[...] = 0.0
        self.out.weight.data[...] = rng.normal(0, 0.01, self.out.weight.shape)
        self.out.bias.data[...] = 0.0

    @property
    def context_size(self) -> int:
        return self.config.context

    def n_params(self, non_embedding: bool = False) -> int:
        return sum(p.data.size for p in self.parameters())

    def forward(self, X, targets=None):
        X_np = X.data if isinstance(X, engine.Tensor) else np.asarray(X)
        B, n = X_np.shape
        emb = self.emb(engine.tensor(X_np))  # (B, n, d)
        h = self.hidden(emb.reshape(B, n * self.config.n_embd)).tanh()  # (B, H)
        logits = self.out(h)  # (B, V)
        if targets is None:
            return logits, None
        y = targets.data if isinstance(targets, engine.Tensor) else np.asarray(targets)
        return logits, F.cross_entropy(logits, engine.tensor(y.reshape(-1)))

    def next_logits(self, context: np.ndarray) -> np.ndarray:
        X = np.asarray(context, dtype=np.int64)[-self.config.context :][None, :]
        with engine.no_grad():
            logits, _ = self.forward(X)
        return logits.data[0].astype(np.float64)
