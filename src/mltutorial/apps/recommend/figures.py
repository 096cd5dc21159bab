"""Figures: the learned item embeddings in 2-D, and RMSE against the number of latent factors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mltutorial import viz
from mltutorial.apps.recommend.dataset import Catalog
from mltutorial.apps.recommend.tuning import Trial

FAMOUS = [
    "Star Wars (1977)",
    "Return of the Jedi (1983)",
    "Empire Strikes Back, The (1980)",
    "Toy Story (1995)",
    "Aladdin (1992)",
    "Lion King, The (1994)",
    "Pulp Fiction (1994)",
    "Reservoir Dogs (1992)",
    "Godfather, The (1972)",
    "Schindler's List (1993)",
    "Titanic (1997)",
    "Fargo (1996)",
    "Independence Day (ID4) (1996)",
    "Scream (1996)",
    "Casablanca (1942)",
    "Sound of Music, The (1965)",
    "Silence of the Lambs, The (1991)",
    "Twister (1996)",
    "Babe (1995)",
    "Full Monty, The (1997)",
]
# Colour a few genres so the reader can see what the factors learned without being told.
GENRE_COLOURS = {
    "Children's": "#2ca02c",
    "Horror": "#d62728",
    "Sci-Fi": "#1f77b4",
    "Drama": "#9467bd",
}


def pca_2d(X: np.ndarray) -> np.ndarray:
    """(n, d) -> (n, 2): projection on the two leading principal components."""
    Xc = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ Vt[:2].T


def plot_embeddings(
    Q: np.ndarray, catalog: Catalog, popularity: np.ndarray, path: Path, min_ratings: int = 50
) -> Path:
    """Item factor vectors of movies with >= min_ratings ratings, in 2-D (PCA), famous ones named."""
    keep = np.flatnonzero(popularity >= min_ratings)
    if keep.size < 3:
        keep = np.arange(Q.shape[0])
    xy = pca_2d(Q[keep])
    fig, ax = viz.figure(width=8.5, height=6.5)
    genre_index = {g: j for j, g in enumerate(catalog.genre_names)}
    colours = np.array(["#c7c7c7"] * keep.size, dtype=object)
    for genre, colour in GENRE_COLOURS.items():
        if genre in genre_index:
            colours[catalog.genres[keep, genre_index[genre]] > 0] = colour
    ax.scatter(xy[:, 0], xy[:, 1], s=9, c=list(colours), alpha=0.6, linewidths=0)
    for genre, colour in GENRE_COLOURS.items():
        if genre in genre_index:
            ax.scatter([], [], s=20, c=colour, label=genre)
    ax.scatter([], [], s=20, c="#c7c7c7", label="other")
    position = {catalog.titles[i]: n for n, i in enumerate(keep)}
    for title in FAMOUS:
        if title in position:
            x, y = xy[position[title]]
            ax.scatter([x], [y], s=28, c="black", zorder=3)
            ax.annotate(
                title,
                (x, y),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=8,
                zorder=4,
            )
    ax.set_xlabel("principal component 1 of the item factors")
    ax.set_ylabel("principal component 2")
    ax.legend(loc="best", fontsize=8, title="genre", title_fontsize=8)
    ax.set_title(
        f"Learned movie embeddings q_i in 2-D ({keep.size} movies with >= {min_ratings} ratings)"
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
