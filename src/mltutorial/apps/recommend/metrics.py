"""How good is a recommender: rating error (RMSE, MAE) and ranking quality (precision/recall@10).

Rating metrics are computed on each test fold's ratings and averaged over the folds, as Surprise's
`cross_validate` reports them (mean of per-fold RMSE, not RMSE of the pooled predictions).

Ranking metrics, per test user (a user with at least one test rating >= 4):
- candidates: every item the user did NOT rate in the training fold (test items included);
- the model ranks all candidates; the top k (10) are its recommendations;
- relevant: the user's test items rated >= 4;
- precision@k = |top k ∩ relevant| / k,  recall@k = |top k ∩ relevant| / |relevant|,
  each averaged over those users;
- catalogue coverage: the share of all items that appear in at least one user's top k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mltutorial.apps.recommend.dataset import Ratings

RELEVANT_MIN = 4.0


def rmse(y: np.ndarray, y_hat: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(y) - np.asarray(y_hat)) ** 2)))


def mae(y: np.ndarray, y_hat: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(y) - np.asarray(y_hat))))


@dataclass
class Ranking:
    precision: float
    recall: float
    coverage: float
    n_users: int
    k: int


def ranking_metrics(model, train: Ratings, test: Ratings, k: int = 10) -> Ranking:
    """Precision@k, recall@k and catalogue coverage of `model.score_all` (definitions above)."""
    relevant_mask = test.rating >= RELEVANT_MIN
    users = np.unique(test.user[relevant_mask])
    order = np.argsort(train.user, kind="stable")
    ptr = np.concatenate([[0], np.cumsum(np.bincount(train.user, minlength=train.n_users))])
    rated_sorted = train.item[order]
    precision, recall = [], []
    shown = np.zeros(train.n_items, bool)
    for u in users:
        scores = np.asarray(model.score_all(int(u)), np.float64).copy()
        scores[rated_sorted[ptr[u] : ptr[u + 1]]] = -np.inf  # only what they have not rated
        top = np.argpartition(-scores, k)[:k]
        shown[top] = True
        relevant = test.item[(test.user == u) & relevant_mask]
        hits = np.isin(top, relevant).sum()
        precision.append(hits / k)
        recall.append(hits / len(relevant))
    return Ranking(
        float(np.mean(precision)) if precision else float("nan"),
        float(np.mean(recall)) if recall else float("nan"),
        float(shown.mean()),
        len(users),
        k,
    )
