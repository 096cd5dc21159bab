"""The small containers every loader returns: plain NumPy arrays and lists, plus a `DataInfo`.

Shapes and dtypes are part of the contract (see each class). Labels follow one rule: `y == 1` is the
"positive" class a report talks about (spam, anomaly, signal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FALLBACK_PREFIX = "built-in sample standing in for "


@dataclass(frozen=True)
class DataInfo:
    """Where a dataset came from, for reports.

    origin: "explicit" (a path the user gave), "env" ($MLTUTORIAL_DATA/<folder>), "cache" (the user
    cache filled by `mltutorial data fetch`), "package" (data an installed package ships, e.g.
    scikit-learn's digits) or "builtin" (a fallback this project generates).
    """

    name: str  # registry name, e.g. "sms_spam_collection"
    title: str  # the real dataset's title, e.g. "SMS Spam Collection v.1"
    origin: str
    path: Path | None  # file or folder read; None for generated fallbacks
    citation: str
    licence: str
    notes: str = ""  # anything a user must know (a missing part, a split we made)

    @property
    def is_fallback(self) -> bool:
        return self.origin == "builtin"

    @property
    def label(self) -> str:
        """What reports print: the real title, or "built-in sample standing in for <title>"."""
        if self.is_fallback:
            return FALLBACK_PREFIX + self.title
        return self.title


@dataclass
class TextLabels:
    """Labelled texts (SMS, e-mails).

    texts: list of n_samples str. For e-mails: the subject, a blank line, then the body as plain
        text (MIME decoded, HTML converted to text).
    y: (n_samples,) int64, 1 = spam, 0 = ham.
    groups: per-text source group (e.g. SpamAssassin folder "easy-ham-1"; "ham"/"spam" for SMS).
    ids: per-text identifier (file name inside the corpus, or "line N" for SMS).
    """

    texts: list[str]
    y: np.ndarray
    info: DataInfo
    groups: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class TextCorpus:
    """One plain text (tinyshakespeare, a Gutenberg book without header and licence)."""

    text: str
    info: DataInfo


@dataclass
class BilingualCorpus:
    """Two comparable monolingual texts (same book in English and Spanish), Gutenberg parts stripped."""

    en: str
    es: str
    info: DataInfo


@dataclass
class TaggedSentences:
    """A tokenised, POS-tagged corpus (Brown).

    sentences: list of sentences, each a list of word tokens (original case, tags stripped).
    tags: same structure, the POS tag of each token (e.g. "at", "nn-tl").
    categories: per-sentence genre of the document it comes from (e.g. "news").
    """

    sentences: list[list[str]]
    tags: list[list[str]]
    categories: list[str]
    info: DataInfo

    @property
    def n_words(self) -> int:
        return sum(len(s) for s in self.sentences)


@dataclass
class Dictionary:
    """Bilingual word pairs: pairs[i] = (source word, target word); a source may have several targets."""

    pairs: list[tuple[str, str]]
    source_lang: str
    target_lang: str
    info: DataInfo

    def __len__(self) -> int:
        return len(self.pairs)


@dataclass
class Images:
    """An image classification set, NCHW.

    X_train: (n_train, C, H, W) uint8; y_train: (n_train,) int64 class index; X_test, y_test likewise.
    classes: class names, index = label. max_value: 255 for photos/scans, 16 for sklearn's digits.
    extra: arrays that exist without their images (MNIST's 60,000 training labels: "train_labels").
    A set without training images (MNIST here) has X_train of shape (0, C, H, W); info.notes says so.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: list[str]
    info: DataInfo
    max_value: int = 255
    extra: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class UserInfo:
    """MovieLens 100k demographics, index = user index: age (n_users,) int64; the rest lists of str."""

    age: np.ndarray
    gender: list[str]
    occupation: list[str]
    zip_code: list[str]


@dataclass
class MovieLens:
    """Ratings as parallel arrays (one entry per rating), items with titles and genres.

    user, item: (n_ratings,) int64, 0-based indices (user_ids[user] / item_ids[item] are the raw ids).
    rating: (n_ratings,) float32 (1..5 in 100k; 0.5 steps in the CSV layout). timestamp: int64 (unix s).
    titles: n_items str (year kept as in the file, e.g. "Toy Story (1995)"); years: (n_items,) int64,
        0 when unknown. genres: (n_items, n_genres) uint8 0/1 flags, columns named by genre_names
        (100k: its 19 genres in u.genre order). user_info: 100k demographics, None for the CSV layout.
    folds: 5 (train_idx, test_idx) pairs of int64 indices into the rating arrays: the official u1..u5
        for 100k; for the CSV layout a seeded (seed 0) shuffled 5-fold split of the ratings.
    splits: other official splits by name ({"ua": ..., "ub": ...} for 100k, 10 ratings per user held out).
    """

    user: np.ndarray
    item: np.ndarray
    rating: np.ndarray
    timestamp: np.ndarray
    n_users: int
    n_items: int
    titles: list[str]
    years: np.ndarray
    genres: np.ndarray
    genre_names: list[str]
    user_ids: np.ndarray
    item_ids: np.ndarray
    info: DataInfo
    user_info: UserInfo | None = None
    folds: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    splits: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def n_ratings(self) -> int:
        return int(self.rating.shape[0])


@dataclass
class Tabular:
    """A table for anomaly detection or classification.

    X: (n_samples, n_features) float64. y: (n_samples,) int64, 1 = anomaly / attack / signal.
    feature_names: n_features str. labels: (n_samples,) original class names when the data has more
    than two (KDD's "smurf", "normal", ...), else None. categorical: feature name -> category names for
    columns stored as integer codes in X (KDD's protocol_type, service, flag).
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    info: DataInfo
    labels: np.ndarray | None = None
    categorical: dict[str, list[str]] = field(default_factory=dict)
