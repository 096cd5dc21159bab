"""The anomaly-detection experiments of the talk's "unsupervised → data-driven" slide.

- fraud / intrusion: KDD Cup 99 network connections; detectors see an unlabelled, contaminated
  sample (2% attacks) and must rank the attacks first on a held-out half.
- novel particles: HIGGS collision events; detectors learn the known physics (background only) and
  must flag the events from a new process (the heavy Higgs signal).
- a small benchmark over ODDS tables, the standard suite of outlier-detection datasets.

Scores are ROC-AUC (1.0 = every anomaly ranked above every normal point, 0.5 = chance) and average
precision; labels are used only to score, never to fit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from mltutorial.apps.anomaly.detectors import make_detectors

ODDS_TOUR = ["cardio", "satellite", "shuttle", "pima", "wbc"]


@dataclass
class Experiment:
    name: str
    data: str
    citation: str
    licence: str
    n_train: int
    n_test: int
    anomaly_rate: float
    auc: dict[str, float] = field(default_factory=dict)
    ap: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    roc: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    supervised_auc: float | None = None  # a labelled classifier's ROC-AUC on the same test set


def _log_scale_heavy(X: np.ndarray, rows: np.ndarray, columns: list[int]) -> np.ndarray:
    """X[rows][:, columns] with log1p on the non-negative columns spanning several orders of
    magnitude (bytes, counts). Which columns are heavy is decided on all of X's rows; only the
    chosen rows are copied (X may be the whole KDD table: half a million rows)."""
    heavy = (X.min(axis=0)[columns] >= 0) & (X.max(axis=0)[columns] > 1000)
    out = X[rows][:, columns].astype(np.float64)  # (len(rows), len(columns))
    out[:, heavy] = np.log1p(out[:, heavy])
    return out


def run_detectors(
    name: str,
    info,
    X_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    seed: int,
    quick: bool,
) -> Experiment:
    from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

    exp = Experiment(
        name,
        info.label,
        info.citation,
        info.licence,
        len(X_train),
        len(X_test),
        float(y_test.mean()),
    )
    for key, detector in make_detectors(seed, quick).items():
        start = time.perf_counter()
        scores = detector.fit(X_train).score_samples(X_test)
        exp.seconds[key] = time.perf_counter() - start
        exp.auc[key] = float(roc_auc_score(y_test, scores))
        exp.ap[key] = float(average_precision_score(y_test, scores))
        fpr, tpr, _ = roc_curve(y_test, scores)
        exp.roc[key] = (fpr, tpr)
    return exp


def fraud(seed: int = 0, quick: bool = False, path=None) -> Experiment:
    """KDD Cup 99: normal traffic with 2% attacks mixed in, unlabelled; score a held-out half."""
    from mltutorial import data

    table = data.load_kddcup99(path)
    numeric = [i for i, n in enumerate(table.feature_names) if n not in table.categorical]
    rng = np.random.default_rng(seed)
    normal, attack = np.flatnonzero(table.y == 0), np.flatnonzero(table.y == 1)
    n_normal = min(len(normal), 4000 if quick else 20000)
    n_attack = min(len(attack), max(1, int(0.02 * n_normal / 0.98)))
    idx = rng.permutation(
        np.concatenate(
            [
                rng.choice(normal, n_normal, replace=False),
                rng.choice(attack, n_attack, replace=False),
            ]
        )
    )
    half = len(idx) // 2
    X = _log_scale_heavy(table.X, idx, numeric)  # (len(idx), n_numeric)
    return run_detectors(
        "fraud / intrusion (KDD Cup 99)",
        table.info,
        X[:half],
        X[half:],
        table.y[idx[half:]],
        seed,
        quick,
    )


def supervised_auc(X_train, y_train, X_test, y_test, seed: int, epochs: int) -> float:
    """ROC-AUC of a small MLP on the engine trained WITH labels: the reference an unsupervised
    detector is compared with (what physicists do when they can simulate the new signal)."""
    from sklearn.metrics import roc_auc_score

    from mltutorial import engine
    from mltutorial.engine import nn, optim
    from mltutorial.engine.nn import functional as F
    from mltutorial.engine.trainer import fit

    engine.manual_seed(seed)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
    Xs = ((X_train - mean) / std).astype(np.float32)
    net = nn.Sequential(
        nn.Linear(Xs.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)
    )
    target = y_train.astype(np.float32)[:, None]  # (n_samples, 1), as the logits
    fit(
        net,
        F.binary_cross_entropy_with_logits,
        optim.Adam(net.parameters(), lr=1e-3),
        (Xs, target),
        num_epochs=epochs,
        batch_size=128,
        seed=seed,
        max_cost=float("inf"),  # cross-entropy has no ceiling to check: only NaN/inf stop it
        desc="anomaly: supervised reference",
    )
    with engine.no_grad():
        scores = net(engine.tensor(((X_test - mean) / std).astype(np.float32))).data.ravel()
    return float(roc_auc_score(y_test, scores))


def particles(seed: int = 0, quick: bool = False, path=None) -> Experiment:
    """HIGGS: learn background events only, then flag signal events among held-out ones.

    For reference, the same held-out events are also scored by a classifier trained with labels
    (`supervised_auc`): the new process hides inside the background's density, which an
    unsupervised score cannot see and labels can.
    """
    from mltutorial import data

    table = data.load_hep(path)
    rng = np.random.default_rng(seed)
    background = rng.permutation(np.flatnonzero(table.y == 0))
    signal = rng.permutation(np.flatnonzero(table.y == 1))
    n_train = int(0.7 * len(background))
    if quick:
        n_train = min(n_train, 1500)
    train, held_bg = background[:n_train], background[n_train:]
    n_sig = min(len(signal) // 2, max(1, len(held_bg) // 10))  # 10% of the held-out mix is new
    test = np.concatenate([held_bg, signal[:n_sig]])
    exp = run_detectors(
        "novel particles (HIGGS)",
        table.info,
        table.X[train],
        table.X[test],
        table.y[test],
        seed,
        quick,
    )
    # the reference's labelled training set: the same background plus signal kept out of the test
    labelled = np.concatenate([train, signal[n_sig : n_sig + len(train)]])
    start = time.perf_counter()
    exp.supervised_auc = supervised_auc(
        table.X[labelled], table.y[labelled], table.X[test], table.y[test], seed, 3 if quick else 10
    )
    exp.seconds["supervised"] = time.perf_counter() - start
    return exp


def odds(name: str, seed: int = 0, quick: bool = False) -> Experiment:
    """One ODDS table: fit on a random half (unlabelled, contaminated as shipped), score the other."""
    from mltutorial import data

    table = data.load_odds(name)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(table.y))
    half = len(idx) // 2
    X = table.X.astype(np.float64)
    return run_detectors(
        f"ODDS {name}", table.info, X[idx[:half]], X[idx[half:]], table.y[idx[half:]], seed, quick
    )
