"""The recommender's view of MovieLens: a ratings triple, a catalogue of items, and the folds.

`load(path)` goes through the data registry (`mltutorial.data.load_movielens`: MovieLens 100k with its
official u1..u5 folds, the CSV layout `ratings.csv`/`movies.csv` with a seeded 5-fold split, or the
built-in fallback when no real data is found). Models see only `Ratings` (parallel arrays) and a
`Catalog` (titles and genres), so they do not care where the data came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Ratings:
    """Parallel arrays, one entry per rating: user, item (n,) int64 0-based; rating (n,) float64."""

    user: np.ndarray
    item: np.ndarray
    rating: np.ndarray
    n_users: int
    n_items: int

    def __len__(self) -> int:
        return int(self.rating.shape[0])

    def subset(self, index: np.ndarray) -> Ratings:
        return Ratings(
            self.user[index], self.item[index], self.rating[index], self.n_users, self.n_items
        )


@dataclass(frozen=True)
class Catalog:
    """What is known about items besides ratings: titles ("Toy Story (1995)") and genre flags."""

    titles: list[str]
    genres: np.ndarray  # (n_items, n_genres) 0/1
    genre_names: list[str]

    @property
    def n_items(self) -> int:
        return len(self.titles)


@dataclass(frozen=True)
class Dataset:
    ratings: Ratings
    catalog: Catalog
    folds: list[tuple[str, np.ndarray, np.ndarray]]  # (name, train_idx, test_idx)
    label: str  # for reports: the real title, or "built-in sample standing in for ..."
    citation: str
    licence: str
    is_fallback: bool


def load(path: str | Path | None = None) -> Dataset:
    """MovieLens through the data registry; `path` is a folder or file the user gave (--data)."""
    from mltutorial.data import load_movielens

    ml = load_movielens(path)
    ratings = Ratings(
        np.asarray(ml.user, np.int64),
        np.asarray(ml.item, np.int64),
        np.asarray(ml.rating, np.float64),
        int(ml.n_users),
        int(ml.n_items),
    )
    # u1..u5 are the 100k layout's own files (it alone has user_info); otherwise the loader's split.
    official = ml.user_info is not None and not ml.info.is_fallback and len(ml.folds) == 5
    folds = [
        (f"u{k + 1}" if official else f"fold {k + 1}", np.asarray(tr), np.asarray(te))
        for k, (tr, te) in enumerate(ml.folds)
    ]
    catalog = Catalog(list(ml.titles), np.asarray(ml.genres, np.float64), list(ml.genre_names))
    return Dataset(
        ratings,
        catalog,
        folds,
        ml.info.label,
        ml.info.citation,
        ml.info.licence,
        ml.info.is_fallback,
    )


def validation_split(n: int, fraction: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (fit, validation) of a seeded random split: hyperparameters are tuned on this, not on
    the test fold."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    n_val = max(1, round(n * fraction))
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])
