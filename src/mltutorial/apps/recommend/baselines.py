"""The first rungs of the ladder: predict the global mean; then the mean plus a user and an item bias.

Baseline estimate (Koren, "Factor in the neighbors", TKDD 2010, eq. 2):

    b_ui = mu + b_u + b_i

fitted by alternating least squares on the regularised squared error, as Surprise's `BaselineOnly`
does (10 sweeps, reg_i = 10, reg_u = 15): each sweep solves every b_i with the b_u fixed, then every
b_u with the b_i fixed, in closed form:

    b_i = sum_{u in R(i)} (r_ui - mu - b_u) / (reg_i + |R(i)|)
    b_u = sum_{i in R(u)} (r_ui - mu - b_i) / (reg_u + |R(u)|)

A movie with few ratings keeps a bias near 0: the regularisation is a prior "like the average movie".
"""

from __future__ import annotations

import numpy as np

from mltutorial.apps.recommend.dataset import Catalog, Ratings

RATING_MIN, RATING_MAX = 1.0, 5.0


class Recommender:
    """The interface every rung shares (scikit-learn manners: hyperparameters in __init__, state_)."""

    name = "model"

    def fit(self, train: Ratings, catalog: Catalog) -> Recommender:
        raise NotImplementedError

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        """Predicted ratings (n,) for the (user, item) pairs, clipped to the rating scale."""
        raise NotImplementedError

    def score_all(self, user: int) -> np.ndarray:
        """(n_items,) scores for one user, higher = recommend first (predicted ratings by default)."""
        items = np.arange(self.n_items_)
        return self.predict(np.full(items.shape, user), items)

    n_items_: int = 0

    def get_state(self) -> dict[str, np.ndarray]:
        """Learned arrays for saving (see model.py); `set_state` restores them."""
        raise NotImplementedError

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError


def clip(r: np.ndarray) -> np.ndarray:
    return np.clip(r, RATING_MIN, RATING_MAX)


class GlobalMean(Recommender):
    """r_hat = mu: every movie gets the average rating. The number every other rung must beat."""

    name = "mean"

    def fit(self, train: Ratings, catalog: Catalog) -> GlobalMean:
        self.mu_ = float(train.rating.mean())
        self.n_items_ = train.n_items
        return self

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        return np.full(np.shape(item), self.mu_)

    def get_state(self) -> dict[str, np.ndarray]:
        return {"mu": np.array(self.mu_), "n_items": np.array(self.n_items_)}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        self.mu_ = float(state["mu"])
        self.n_items_ = int(state["n_items"])


def fit_biases(
    train: Ratings, reg_u: float = 15.0, reg_i: float = 10.0, n_sweeps: int = 10
) -> tuple[float, np.ndarray, np.ndarray]:
    """(mu, b_u (n_users,), b_i (n_items,)) by alternating closed-form least squares (see above)."""
    u, i, r = train.user, train.item, train.rating
    mu = float(r.mean())
    n_u = np.bincount(u, minlength=train.n_users)
    n_i = np.bincount(i, minlength=train.n_items)
    b_u = np.zeros(train.n_users)
    b_i = np.zeros(train.n_items)
    for _ in range(n_sweeps):
        b_i = np.bincount(i, r - mu - b_u[u], minlength=train.n_items) / (reg_i + n_i)
        b_u = np.bincount(u, r - mu - b_i[i], minlength=train.n_users) / (reg_u + n_u)
    return mu, b_u, b_i


class Biases(Recommender):
    """r_hat = mu + b_u + b_i: generous users and well-liked movies, nothing personal yet."""

    name = "biases"

    def __init__(self, *, reg_u: float = 15.0, reg_i: float = 10.0, n_sweeps: int = 10) -> None:
        self.reg_u = reg_u  # Surprise's BaselineOnly defaults
        self.reg_i = reg_i
        self.n_sweeps = n_sweeps

    def fit(self, train: Ratings, catalog: Catalog) -> Biases:
        self.mu_, self.b_u_, self.b_i_ = fit_biases(train, self.reg_u, self.reg_i, self.n_sweeps)
        self.n_items_ = train.n_items
        return self

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        return clip(self.mu_ + self.b_u_[user] + self.b_i_[item])

    def get_state(self) -> dict[str, np.ndarray]:
        return {"mu": np.array(self.mu_), "b_u": self.b_u_, "b_i": self.b_i_}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        self.mu_ = float(state["mu"])
        self.b_u_, self.b_i_ = state["b_u"], state["b_i"]
        self.n_items_ = int(self.b_i_.shape[0])
