"""Figures: the learned item embeddings in 2-D, and RMSE against the number of latent factors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mltutorial import viz
from mltutorial.apps.recommend.dataset import Catalog
from mltutorial.apps.recommend.tuning import Trial

FAMOUS = [
    "Star Wars (1977)",
    "Toy Story (1995)",
    "Pulp Fiction (1994)",
    "Godfather, The (1972)",
    "Schindler's List (1993)",
    "Independence Day (ID4) (1996)",
    "Sound of Music, The (1965)",
    "Scream (1996)",
    "Casablanca (1942)",
    "Fargo (1996)",
    "Lion King, The (1994)",
    "Twister (1996)",
    "Titanic (1997)",
]
# Groups of genres coloured in the figure: the model was never told genres, so any grouping the
# reader sees was learned from ratings alone.
GROUPS = {
    "Children's or Musical": (("Children's", "Musical"), "#2ca02c"),
    "Horror": (("Horror",), "#d62728"),
    "Sci-Fi": (("Sci-Fi",), "#1f77b4"),
    "Film-Noir": (("Film-Noir",), "#000000"),
}


def pca_2d(X: np.ndarray) -> np.ndarray:
    """(n, d) -> (n, 2): projection on the two leading principal components."""
    Xc = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ Vt[:2].T


def _kept(popularity: np.ndarray, min_ratings: int) -> np.ndarray:
    keep = np.flatnonzero(popularity >= min_ratings)
    return keep if keep.size >= 3 else np.arange(popularity.size)


def genre_axes(
    Q: np.ndarray, catalog: Catalog, popularity: np.ndarray, min_ratings: int = 50
) -> str:
    """Which genres sit at the two ends of each principal component (genre centroids, genres
    with >= 10 movies), e.g. "component 1 runs from Film-Noir to Adventure; ..."."""
    keep = _kept(popularity, min_ratings)
    xy = pca_2d(Q[keep])
    centroids = {}
    for j, genre in enumerate(catalog.genre_names):
        mask = catalog.genres[keep, j] > 0
        if mask.sum() >= 10:
            centroids[genre] = xy[mask].mean(axis=0)
    if len(centroids) < 2:
        return ""
    parts = []
    for axis in (0, 1):
        ordered = sorted(centroids, key=lambda g: centroids[g][axis])
        parts.append(f"component {axis + 1} runs from {ordered[0]} to {ordered[-1]}")
    return "; ".join(parts)


def plot_embeddings(
    Q: np.ndarray, catalog: Catalog, popularity: np.ndarray, path: Path, min_ratings: int = 50
) -> Path:
    """Item factor vectors of movies with >= min_ratings ratings, in 2-D (PCA), famous ones named;
    a cross marks the centre of each coloured genre group."""
    keep = _kept(popularity, min_ratings)
    xy = pca_2d(Q[keep])
    fig, ax = viz.figure(width=8.5, height=6.5)
    ax.scatter(xy[:, 0], xy[:, 1], s=8, c="#c7c7c7", alpha=0.6, linewidths=0, label="other")
    genre_index = {g: j for j, g in enumerate(catalog.genre_names)}
    for label, (genres, colour) in GROUPS.items():
        columns = [genre_index[g] for g in genres if g in genre_index]
        if not columns:
            continue
        mask = catalog.genres[np.ix_(keep, columns)].sum(axis=1) > 0
        if not mask.any():
            continue
        ax.scatter(xy[mask, 0], xy[mask, 1], s=12, c=colour, alpha=0.7, linewidths=0, label=label)
        centre = xy[mask].mean(axis=0)
        ax.scatter(
            [centre[0]], [centre[1]], s=160, marker="X", c=colour, edgecolors="white", zorder=5
        )
    position = {catalog.titles[i]: n for n, i in enumerate(keep)}
    for n, title in enumerate(t for t in FAMOUS if t in position):
        x, y = xy[position[title]]
        ax.scatter([x], [y], s=30, facecolors="none", edgecolors="black", zorder=3)
        ax.annotate(
            title,
            (x, y),
            xytext=(5, 6 if n % 2 == 0 else -11),
            textcoords="offset points",
            fontsize=8,
            zorder=6,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.7, "lw": 0},
        )
    ax.set_xlabel("principal component 1 of the item factors q_i")
    ax.set_ylabel("principal component 2")
    ax.legend(loc="best", fontsize=8, title="genre (X = group centre)", title_fontsize=8)
    axes_text = genre_axes(Q, catalog, popularity, min_ratings)
    ax.set_title(
        f"Learned movie embeddings in 2-D ({keep.size} movies with >= {min_ratings} ratings)"
        + (f"\n{axes_text}" if axes_text else ""),
        fontsize=10,
    )
    return viz.save(fig, path, title="Netflix: collaborative filtering learns tastes")


def plot_rmse_vs_factors(trials: list[Trial], path: Path, biases_rmse: float | None = None) -> Path:
    """Best validation RMSE against the number of latent factors (biases-only model for reference)."""
    factors = [t.params["n_factors"] for t in trials]
    fig, ax = viz.figure(width=6.5, height=4.2)
    ax.plot(
        factors,
        [t.best_rmse for t in trials],
        "o-",
        color=viz.COLORS["val"],
        label="validation (10% of training fold)",
    )
    if biases_rmse is not None:
        ax.axhline(biases_rmse, ls="--", color=viz.COLORS["peer"], label="biases only (k = 0)")
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(factors)
    ax.set_xticklabels([str(k) for k in factors])
    ax.set_xlabel("number of latent factors k")
    ax.set_ylabel("RMSE (lower is better)")
    ax.legend()
    ax.set_title("Matrix factorisation: RMSE vs number of latent factors")
    return viz.save(fig, path, title="Netflix: how many tastes does a movie need?")
