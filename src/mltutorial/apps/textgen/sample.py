"""Sampling text from a trained model: one character at a time, with temperature and top-k.

Each step the model scores every character of the vocabulary given the text so far (at most its
context length); the scores are divided by the temperature (below 1 sharpens, above 1 flattens),
all but the `top_k` best are removed (nanoGPT's `generate`), and the next character is drawn from
the softmax. The same seed gives the same text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol

import numpy as np

from mltutorial.apps.textgen.vocab import CharVocab
from mltutorial.errors import UserError


class CharModel(Protocol):
    context_size: int

    def next_logits(self, context: np.ndarray) -> np.ndarray: ...


def prepare_prompt(prompt: str, vocab: CharVocab, warn: Callable[[str], None] | None = None) -> str:
    """The prompt with characters outside the vocabulary dropped (one warning line says which).

    An empty result starts from the vocabulary's start character (a newline).
    """
    kept, unknown = vocab.split_known(prompt)
    if unknown and warn is not None:
        shown = "".join(unknown[:20])
        warn(
            f"warning: dropped {len(prompt) - len(kept)} prompt character(s) not in the "
            f"model's vocabulary: {shown!r}"
        )
    return kept if kept else vocab.start_char()


def _warn_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def next_distribution(
    logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None
) -> np.ndarray:
    """Probabilities (V,) from logits (V,) after temperature scaling and top-k filtering."""
    if temperature <= 0:
        raise UserError(f"--temperature must be > 0 (got {temperature})")
    z = np.asarray(logits, dtype=np.float64) / temperature
    if top_k is not None and 0 < top_k < z.size:
        kth = np.partition(z, -top_k)[-top_k]
        z = np.where(z < kth, -np.inf, z)
    z = z - z.max()
    p = np.exp(z)
    return p / p.sum()


def generate(
    model: CharModel,
    vocab: CharVocab,
    prompt: str,
    *,
    max_chars: int = 400,
    temperature: float = 0.8,
    top_k: int | None = 40,
    seed: int = 0,
    warn: Callable[[str], None] | None = _warn_stderr,
) -> str:
    """The prompt (cleaned) followed by `max_chars` sampled characters."""
    if max_chars < 0:
        raise UserError(f"--max-chars must be >= 0 (got {max_chars})")
    rng = np.random.default_rng(seed)
    start = prepare_prompt(prompt, vocab, warn)
    ids = list(vocab.encode(start))
    pad = vocab.stoi[vocab.start_char()]
    n = model.context_size
    for _ in range(max_chars):
        context = ids[-n:]
        if len(context) < n and getattr(model, "needs_full_context", False):
            context = [pad] * (n - len(context)) + context
        p = next_distribution(model.next_logits(np.asarray(context)), temperature, top_k)
        ids.append(int(rng.choice(p.size, p=p)))
    return vocab.decode(ids)
