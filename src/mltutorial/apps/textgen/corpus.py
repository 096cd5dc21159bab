"""The text the models learn from: load it, check it, build the vocabulary, split it 90/10.

Tiny Shakespeare (Karpathy's char-rnn corpus) by default, found through the data registry
(`mltutorial.data.load_text`); any UTF-8 text file with `--data FILE`. As nanoGPT's
`shakespeare_char`, the first 90% of the characters train and the last 10% validate, and the
vocabulary is every character of the whole text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from mltutorial.apps.textgen.vocab import CharVocab
from mltutorial.errors import DataError

TRAIN_FRACTION = 0.9  # nanoGPT's shakespeare_char split
MIN_CHARS = 100  # fewer characters cannot fill a validation split and a context


@dataclass
class Corpus:
    """A character corpus, encoded: `train` and `val` are int64 id arrays."""

    text: str
    vocab: CharVocab
    train: np.ndarray  # (n_train,) int64
    val: np.ndarray  # (n_val,) int64
    label: str  # the dataset's name for reports ("built-in sample standing in for ..." if so)
    citation: str = ""
    licence: str = ""
    path: str = ""
    is_fallback: bool = False


def check_text(text: str, where: str) -> None:
    """Refuse text a character model cannot use: empty, binary, or too short to split."""
    if not text.strip():
        raise DataError(f"{where}: the text is empty")
    if "\x00" in text:
        raise DataError(f"{where}: looks like a binary file (NUL bytes), not UTF-8 text")
    controls = sum(1 for c in text[:100_000] if ord(c) < 32 and c not in "\n\r\t\f\v")
    if controls > 0.01 * min(len(text), 100_000):
        raise DataError(f"{where}: looks like a binary file (control bytes), not UTF-8 text")
    if len(text) < MIN_CHARS:
        raise DataError(f"{where}: only {len(text)} characters; need at least {MIN_CHARS}")


def _read(path: str | os.PathLike[str] | None):
    """(text, info) from the data registry; an explicit path is read as UTF-8."""
    from mltutorial.data import load_text

    try:
        corpus = load_text(path)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not UTF-8 text (byte {exc.start}); is it a binary file?"
        ) from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a text file") from None
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    return corpus.text, corpus.info


def from_text(text: str, label: str = "text", **meta: object) -> Corpus:
    """Encode `text` with its own vocabulary and split it 90/10 (no shuffling: the text is ordered)."""
    check_text(text, label)
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    n_train = int(TRAIN_FRACTION * len(ids))
    return Corpus(text, vocab, ids[:n_train], ids[n_train:], label, **meta)  # type: ignore[arg-type]


def load(path: str | os.PathLike[str] | None = None) -> Corpus:
    """Tiny Shakespeare (or the file at `path`), checked, encoded and split."""
    text, info = _read(path)
    where = str(path) if path is not None else getattr(info, "label", "text")
    check_text(text, where)
    return from_text(
        text,
        label=getattr(info, "label", str(path)),
        citation=getattr(info, "citation", ""),
        licence=getattr(info, "licence", ""),
        path=str(getattr(info, "path", path or "")),
        is_fallback=bool(getattr(info, "is_fallback", False)),
    )


def get_batch(
    ids: np.ndarray, block_size: int, batch_size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """nanoGPT's get_batch: `batch_size` random windows; targets are the inputs shifted by one.

    Returns X, Y of shape (batch_size, block_size), int64.
    """
    if len(ids) <= block_size:
        raise DataError(
            f"a split of {len(ids)} characters is too short for block_size={block_size} (needs "
            f"{block_size + 1}); use a longer text or a smaller --block_size"
        )
    starts = rng.integers(0, len(ids) - block_size, size=batch_size)
    offsets = np.arange(block_size)
    X = ids[starts[:, None] + offsets]  # (B, T)
    Y = ids[starts[:, None] + offsets + 1]  # (B, T)
    return X, Y


def eval_windows(ids: np.ndarray, block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The whole split cut into consecutive non-overlapping windows: every character scored once.

    Returns X, Y of shape (n_windows, block_size). Deterministic, so every model and every run
    (engine or PyTorch) is scored on exactly the same characters.
    """
    n = (len(ids) - 1) // block_size
    if n < 1:
        raise DataError(
            f"a split of {len(ids)} characters is too short for block_size={block_size} (needs "
            f"{block_size + 1}); use a longer text or a smaller --block_size"
        )
    X = ids[: n * block_size].reshape(n, block_size)
    Y = ids[1 : n * block_size + 1].reshape(n, block_size)
    return X, Y
