"""Anomaly detectors with scikit-learn manners: `fit(X)` on (mostly) normal data, `score_samples(X)`
returns an anomaly score per row (higher = more anomalous).

- `Gaussian`: Mahalanobis distance to the training mean under a shrunk covariance (a classic baseline).
- `Autoencoder`: an MLP that squeezes each row through a bottleneck and rebuilds it, trained on the
  engine to minimise the squared reconstruction error; rows it cannot rebuild are anomalies
  (Sakurada & Yairi 2014, "Anomaly detection using autoencoders with nonlinear dimensionality reduction").
- IsolationForest (Liu, Ting & Zhou 2008) from scikit-learn, wrapped to the same sign convention.
"""

from __future__ import annotations

import numpy as np


class _Standardise:
    def fit(self, X: np.ndarray) -> _Standardise:
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0) + 1e-6
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean_) / self.scale_).astype(np.float32)


class Gaussian:
    """Mahalanobis distance to the training distribution (Ledoit-Wolf shrunk covariance)."""

    def fit(self, X: np.ndarray) -> Gaussian:
        from sklearn.covariance import LedoitWolf

        self.scaler_ = _Standardise().fit(X)
        self.cov_ = LedoitWolf().fit(self.scaler_.transform(X))
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        return self.cov_.mahalanobis(self.scaler_.transform(X))


class IsolationForestDetector:
    """scikit-learn's IsolationForest; sklearn scores normal high, so the sign is flipped."""

    def __init__(self, *, n_estimators: int = 200, seed: int = 0) -> None:
        self.n_estimators = n_estimators
        self.seed = seed

    def fit(self, X: np.ndarray) -> IsolationForestDetector:
        from sklearn.ensemble import IsolationForest

        self.forest_ = IsolationForest(n_estimators=self.n_estimators, random_state=self.seed)
        self.forest_.fit(X)
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        return -self.forest_.score_samples(X)


class Autoencoder:
    """n_features -> hidden -> bottleneck -> hidden -> n_features, ReLU, trained with Adam on MSE."""

    def __init__(
        self,
        *,
        hidden: int = 32,
        bottleneck: int = 4,
        lr: float = 1e-3,
        num_epochs: int = 20,
        batch_size: int = 256,
        seed: int = 0,
    ) -> None:
        self.hidden = hidden
        self.bottleneck = bottleneck
        self.lr = lr
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.seed = seed

    def fit(self, X: np.ndarray) -> Autoencoder:
        from mltutorial import engine
        from mltutorial.engine import nn, optim
        from mltutorial.engine.nn import functional as F
        from mltutorial.engine.trainer import fit

        engine.manual_seed(self.seed)
        self.scaler_ = _Standardise().fit(X)
        Z = self.scaler_.transform(X)  # (n_samples, n_features)
        n_features = Z.shape[1]
        bottleneck = min(self.bottleneck, max(1, n_features - 1))
        self.net_ = nn.Sequential(
            nn.Linear(n_features, self.hidden),
            nn.ReLU(),
            nn.Linear(self.hidden, bottleneck),
            nn.ReLU(),
            nn.Linear(bottleneck, self.hidden),
            nn.ReLU(),
            nn.Linear(self.hidden, n_features),
        )
        history = fit(
            self.net_,
            F.mse_loss,  # the input is its own target
            optim.Adam(self.net_.parameters(), lr=self.lr),
            (Z, Z),
            num_epochs=self.num_epochs,
            batch_size=self.batch_size,
            seed=self.seed,
            max_cost=float("inf"),  # a squared error has no ceiling to check: only NaN/inf stop it
            desc="anomaly: autoencoder",
        )
        self.losses_: list[float] = history.epoch_cost(per_sample=True)
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        from mltutorial import engine

        Z = self.scaler_.transform(X)
        with engine.no_grad():
            recon = self.net_(engine.tensor(Z)).data
        return ((recon - Z) ** 2).mean(axis=1)


def make_detectors(seed: int = 0, quick: bool = False) -> dict[str, object]:
    """The ladder, simplest first: a Gaussian, the library's forest, the engine's autoencoder.

    The autoencoder trains for few epochs on purpose: its training data is unlabelled and contains
    the anomalies, and longer training teaches it to rebuild them too, so its ROC-AUC falls with
    more epochs (in PyTorch as on the engine; bench/apps.py sweeps the epochs, bench/RESULTS.md
    has the numbers).
    """
    return {
        "gaussian": Gaussian(),
        "isolation_forest": IsolationForestDetector(n_estimators=50 if quick else 200, seed=seed),
        "autoencoder": Autoencoder(num_epochs=3 if quick else 5, seed=seed),
    }
