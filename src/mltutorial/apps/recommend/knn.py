"""Item-item k-nearest neighbours with baselines ("people who liked this also liked ...").

Similarity: the shrunk Pearson-baseline correlation of two movies over the users who rated both
(Koren, TKDD 2010, sec. 2.2; Surprise's `pearson_baseline`), computed on residuals z_ui = r_ui - b_ui:

    s_ij = (n_ij - 1) / (n_ij - 1 + shrinkage) * sum_u z_ui z_uj / sqrt(sum_u z_ui^2 * sum_u z_uj^2)

Prediction (Surprise's `KNNBaseline`, item based): among the movies j the user rated, take the k most
similar to i and average their residuals, weighted by positive similarity:

    r_hat_ui = b_ui + sum_j s_ij (r_uj - b_uj) / sum_j s_ij

All similarities come from three dense matrix products over the (n_users, n_items) residual matrix.
"""

from __future__ import annotations

import numpy as np

from mltutorial.apps.recommend.baselines import Recommender, clip, fit_biases
from mltutorial.apps.recommend.dataset import Catalog, Ratings


def pearson_baseline(
    user: np.ndarray,
    item: np.ndarray,
    z: np.ndarray,
    n_users: int,
    n_items: int,
    shrinkage: float,
) -> np.ndarray:
    """(n_items, n_items) float32 shrunk Pearson-baseline similarities; the diagonal is 0."""
    Z = np.zeros((n_users, n_items), np.float32)  # residuals, 0 where unrated
    M = np.zeros((n_users, n_items), np.float32)  # 1 where rated
    Z[user, item] = z
    M[user, item] = 1.0
    num = Z.T @ Z  # (n_items, n_items)
    sq = (Z * Z).T @ M  # sq[i, j] = sum over users who rated both of z_ui^2
    n_common = M.T @ M
    den = np.sqrt(sq * sq.T)
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = np.where(den > 0, num / den, 0.0)
    sim *= np.maximum(n_common - 1, 0) / (np.maximum(n_common - 1, 0) + shrinkage)
    np.fill_diagonal(sim, 0.0)
    return sim.astype(np.float32)


def _top_k_weights(S: np.ndarray, k: int) -> np.ndarray:
    """Zero all but each row's k largest entries, and every non-positive one. S: (n_targets, n_rated)."""
    W = np.maximum(S, 0.0)
    if S.shape[1] > k:
        cut = np.partition(S, S.shape[1] - k, axis=1)[:, S.shape[1] - k][:, None]
        W = np.where(cut <= S, W, 0.0)
    return W


class ItemKNN(Recommender):
    """Item-based kNN with baselines (k neighbours among the movies this user rated)."""

    name = "knn"

    def __init__(self, *, k: int = 40, shrinkage: float = 100.0) -> None:
        self.k = k  # Surprise's default neighbourhood size
        self.shrinkage = shrinkage  # Surprise's default: distrust correlations over few users

    def fit(self, train: Ratings, catalog: Catalog) -> ItemKNN:
        self.mu_, self.b_u_, self.b_i_ = fit_biases(train)
        self.n_items_ = train.n_items
        self._index(train)
        z = train.rating - self.mu_ - self.b_u_[train.user] - self.b_i_[train.item]
        self.sim_ = pearson_baseline(
            train.user, train.item, z, train.n_users, train.n_items, self.shrinkage
        )
        return self

    def _index(self, train: Ratings) -> None:
        """Per user: the items they rated and their residuals (CSR-style, sorted by user)."""
        order = np.lexsort((train.item, train.user))
        self.rated_item_ = train.item[order]
        self.rated_rating_ = train.rating[order]
        self.rated_ptr_ = np.concatenate(
            [[0], np.cumsum(np.bincount(train.user, minlength=train.n_users))]
        )

    def rated(self, user: int) -> tuple[np.ndarray, np.ndarray]:
        """(items, ratings) this user rated in the training data."""
        lo, hi = self.rated_ptr_[user], self.rated_ptr_[user + 1]
        return self.rated_item_[lo:hi], self.rated_rating_[lo:hi]

    def _predict_user(self, user: int, items: np.ndarray) -> np.ndarray:
        base = self.mu_ + self.b_u_[user] + self.b_i_[items]
        rated, ratings = self.rated(user)
        if rated.size == 0:
            return base
        z = ratings - self.mu_ - self.b_u_[user] - self.b_i_[rated]  # (n_rated,)
        W = _top_k_weights(self.sim_[np.ix_(items, rated)], self.k)  # (n_items, n_rated)
        total = W.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.where(total > 0, (W @ z) / total, 0.0)
        return base + shift

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        user, item = np.asarray(user), np.asarray(item)
        out = np.empty(item.shape, np.float64)
        order = np.argsort(user, kind="stable")
        bounds = np.flatnonzero(np.diff(user[order])) + 1
        for group in np.split(order, bounds):
            if group.size:
                out[group] = self._predict_user(int(user[group[0]]), item[group])
        return clip(out)

    def score_all(self, user: int) -> np.ndarray:
        return clip(self._predict_user(user, np.arange(self.n_items_)))

    def get_state(self) -> dict[str, np.ndarray]:
        # kNN is a lazy learner: its state is the ratings; the similarities are rebuilt on load
        # (deterministic, well under a second) instead of storing an (n_items, n_items) matrix.
        return {"k": np.array(self.k), "shrinkage": np.array(self.shrinkage)}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        self.k, self.shrinkage = int(state["k"]), float(state["shrinkage"])
