"""The character vocabulary: every distinct character of the corpus gets an integer id.

Ids are assigned in sorted order of the characters (as nanoGPT's `shakespeare_char/prepare.py`), so
the same text always gives the same vocabulary; a checkpoint stores the characters so that sampling
uses exactly the ids the model was trained with.

Prompt characters outside the vocabulary are *dropped* (with a one-line warning from the caller):
a character the model has never seen has no embedding, and guessing a substitute would silently
change the prompt. A prompt left empty starts from a newline (or the first character of the
vocabulary when the corpus has no newline).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


class CharVocab:
    """A bijection between the corpus' characters and the integers 0..size-1."""

    def __init__(self, chars: Iterable[str]) -> None:
        self.chars: list[str] = sorted(set(chars))
        if any(len(c) != 1 for c in self.chars):
            raise ValueError("a character vocabulary holds single characters")
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        return cls(set(text))

    @property
    def size(self) -> int:
        return len(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharVocab) and self.chars == other.chars

    def __repr__(self) -> str:
        return f"CharVocab(size={self.size})"

    def encode(self, text: str) -> np.ndarray:
        """Ids of `text` (every character must be in the vocabulary), shape (len(text),), int64."""
        return np.fromiter((self.stoi[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def split_known(self, text: str) -> tuple[str, list[str]]:
        """(text without unknown characters, the distinct unknown characters in order of appearance)."""
        unknown: list[str] = []
        for c in text:
            if c not in self.stoi and c not in unknown:
                unknown.append(c)
        kept = "".join(c for c in text if c in self.stoi)
        return kept, unknown

    def start_char(self) -> str:
        """What an empty prompt starts from: a newline if the corpus has one, else the first char."""
        return "\n" if "\n" in self.stoi else self.chars[0]
