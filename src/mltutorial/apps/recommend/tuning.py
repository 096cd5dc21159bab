"""Choosing MF's hyperparameters on a validation split of the TRAINING data, never on a test fold.

`tune(train, grid)` holds out `val_fraction` of the training ratings (seeded), fits one MF per grid
point on the rest, and records the validation RMSE after every epoch; the best epoch of each run is
its `num_epochs`. `rmse_vs_factors` is the same with only the number of latent factors varying: the
figure "RMSE vs number of latent factors".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mltutorial.apps.recommend.baselines import Biases
from mltutorial.apps.recommend.dataset import Ratings, validation_split
from mltutorial.apps.recommend.mf import MatrixFactorization


@dataclass
class Trial:
    params: dict
    val_rmse: list[float]  # after each epoch
    seconds: float

    @property
    def best_epoch(self) -> int:
        return int(np.argmin(self.val_rmse)) + 1

    @property
    def best_rmse(self) -> float:
        return float(np.min(self.val_rmse))


def tune(
    train: Ratings,
    grid: list[dict],
    val_fraction: float = 0.1,
    seed: int = 0,
) -> list[Trial]:
    """One `Trial` per grid point (MF keyword arguments), validation RMSE per epoch."""
    fit_idx, val_idx = validation_split(len(train), val_fraction, seed)
    part, val = train.subset(fit_idx), train.subset(val_idx)
    trials = []
    for params in grid:
        start = time.perf_counter()
        model = MatrixFactorization(**params).fit(part, validation=val, desc=f"MF {params}")
        trials.append(Trial(dict(params), model.history_["val_rmse"], time.perf_counter() - start))
    return trials


def rmse_vs_factors(
    train: Ratings, factors: list[int], base: dict | None = None, seed: int = 0
) -> list[Trial]:
    return tune(train, [{**(base or {}), "n_factors": k} for k in factors], seed=seed)


def biases_validation_rmse(train: Ratings, val_fraction: float = 0.1, seed: int = 0) -> float:
    """The biases-only model on the same validation split as `tune` (the k = 0 reference)."""
    fit_idx, val_idx = validation_split(len(train), val_fraction, seed)
    part, val = train.subset(fit_idx), train.subset(val_idx)
    model = Biases().fit(part, None)
    return float(np.sqrt(np.mean((val.rating - model.predict(val.user, val.item)) ** 2)))
