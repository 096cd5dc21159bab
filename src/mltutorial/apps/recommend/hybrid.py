"""The hybrid: a linear blend of the other rungs, its weights learned on held-out ratings.

    r_hat_ui = w_0 + w_biases * r_hat^biases + w_content * r_hat^content + w_knn * r_hat^knn
               + w_mf * r_hat^mf + w_bpmf * r_hat^bpmf

Stacking (Wolpert 1992; the Netflix Prize blends were built this way): the members are fitted on 90%
of the training ratings, the weights by least squares on the other 10% (so a member that overfits
gets no credit for it), then the members are refitted on all the training ratings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mltutorial.apps.recommend.baselines import Biases, Recommender, clip
from mltutorial.apps.recommend.content import ContentBased
from mltutorial.apps.recommend.dataset import Catalog, Ratings, validation_split
from mltutorial.apps.recommend.knn import ItemKNN
from mltutorial.apps.recommend.mf import MatrixFactorization

MEMBERS = ("biases", "content", "knn", "mf", "bpmf")


def default_members(mf_params: dict | None = None) -> dict[str, Callable[[], Recommender]]:
    return {
        "biases": Biases,
        "content": ContentBased,
        "knn": ItemKNN,
        "mf": lambda: MatrixFactorization(**(mf_params or {})),
        "bpmf": lambda: bayesian_mf(mf_params),
    }


def bayesian_mf(mf_params: dict | None = None) -> MatrixFactorization:
    """The Bayesian rung (Gibbs sampling, bpmf.py) with the MF's seed."""
    return MatrixFactorization(solver="gibbs", seed=(mf_params or {}).get("seed", 0))


class Hybrid(Recommender):
    """Least-squares blend of biases, content, kNN, MF and Bayesian MF (see module docstring)."""

    name = "hybrid"

    def __init__(
        self,
        *,
        val_fraction: float = 0.1,
        seed: int = 0,
        mf_params: dict | None = None,
    ) -> None:
        self.val_fraction = val_fraction  # ratings held out to learn the blend weights
        self.seed = seed
        self.mf_params = mf_params or {}

    def fit(
        self,
        train: Ratings,
        catalog: Catalog,
        fitted: dict[str, Recommender] | None = None,
    ) -> Hybrid:
        """`fitted`: members already fitted on all of `train` (the ladder passes its own) are reused."""
        factories = default_members(self.mf_params)
        fit_idx, val_idx = validation_split(len(train), self.val_fraction, self.seed)
        part, val = train.subset(fit_idx), train.subset(val_idx)
        columns = [np.ones(len(val))]
        for name in MEMBERS:
            model = factories[name]()
            model.fit(part, catalog)
            columns.append(model.predict(val.user, val.item))
        A = np.stack(columns, axis=1)  # (n_val, 1 + n_members)
        self.weights_, *_ = np.linalg.lstsq(A, val.rating, rcond=None)
        fitted = dict(fitted or {})
        for name in MEMBERS:
            if name not in fitted:
                fitted[name] = factories[name]().fit(train, catalog)
        self.members_ = fitted
        self.n_items_ = train.n_items
        return self

    def _blend(self, predictions: list[np.ndarray]) -> np.ndarray:
        out = np.full(predictions[0].shape, self.weights_[0])
        for w, p in zip(self.weights_[1:], predictions):
            out = out + w * p
        return clip(out)

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        return self._blend([self.members_[m].predict(user, item) for m in MEMBERS])

    def score_all(self, user: int) -> np.ndarray:
        items = np.arange(self.n_items_)
        users = np.full(items.shape, user)
        return self.predict(users, items)

    def get_state(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights_}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        self.weights_ = state["weights"]
