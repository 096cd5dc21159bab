"""Train the ladder of spam models on one fixed split and measure each the same way.

One stratified, seeded split (80% train, 20% test) of a labelled corpus. Features are fitted on the
training messages only. Each model gets accuracy, precision, recall, F1 and ROC-AUC for the spam
class on the test set, and its training seconds. The decision threshold is 0.5 (p(spam) >= 0.5 is
spam) unless `tune_threshold` is set: then it is the threshold maximising F1 on a validation split
(20%) of the training data, after which the model is refitted on all training data. The test set is
never used to choose anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn import metrics as skm
from sklearn.model_selection import train_test_split

from mltutorial.config import bounded, seed_field
from mltutorial.errors import UserError

from .features import TextFeatures
from .filter import SpamFilter
from .models import MLP, Majority, NaiveBayes, Neuron

LADDER = ("majority", "nb", "neuron", "mlp")


@dataclass
class LadderConfig:
    """What to train and how; the defaults are the ones the goals were measured with."""

    models: tuple[str, ...] = LADDER
    test_size: float = bounded(0.2, gt=0, lt=1)  # held-out share, stratified
    seed: int = seed_field(0)  # the split, the initial weights and the mini-batch order
    tune_threshold: bool = False  # False: 0.5; True: max F1 on a validation split of the train set
    # None: words only (faster, a little less accurate)
    char_ngrams: tuple[int, int] | None = bounded((2, 5), ge=1)
    # per feature block (words, n-grams): bounds e-mail vocabularies
    max_features: int | None = bounded(50_000, ge=1)
    max_train: int | None = bounded(None, ge=2)  # subsample the training set (the tour's quick run)
    neuron_solver: str = "lbfgs"  # lbfgs: full-batch L-BFGS to convergence; gd: mini-batch Adam
    neuron_epochs: int = bounded(10, ge=1)  # gd only
    neuron_lr: float = bounded(0.02, gt=0)  # gd only
    mlp_epochs: int = bounded(5, ge=1)
    mlp_hidden: int = bounded(16, ge=1)
    mlp_lr: float = bounded(0.005, gt=0)


@dataclass
class ModelResult:
    name: str
    metrics: dict[str, float]  # accuracy, precision, recall, f1, roc_auc, train_seconds, threshold
    y_pred: np.ndarray  # (n_test,) 0/1
    y_score: np.ndarray  # (n_test,) p(spam)
    filter: SpamFilter


@dataclass
class LadderResult:
    dataset: str  # the data's label (real title, or "built-in sample standing in for ...")
    info: Any  # the loader's DataInfo
    n_train: int
    n_test: int
    n_features: int
    results: dict[str, ModelResult]
    test_texts: list[str]
    y_test: np.ndarray
    feature_seconds: float
    config: LadderConfig = field(default_factory=LadderConfig)

    def to_json(self) -> dict[str, Any]:
        """The `--json` object: dataset, n_train, n_test, models -> metrics."""
        return {
            "dataset": self.dataset,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "models": {name: r.metrics for name, r in self.results.items()},
        }

    def best(self) -> str:
        """The model with the highest test F1 (ties: the earlier rung)."""
        return max(self.results, key=lambda n: self.results[n].metrics["f1"])


def load_corpus(data: str | None = None, dataset: str | None = None):
    """TextLabels from a path (SMS TSV, SpamAssassin archive, ham/ + spam/ folder) or a dataset name."""
    from mltutorial import data as registry

    if data is not None and dataset is not None:
        raise UserError("give --data PATH or --dataset NAME, not both")
    if data is not None:
        return registry.load_spam_corpus(data)
    name = (dataset or "sms").lower()
    if name in ("sms", "sms_spam", "sms_spam_collection"):
        return registry.load_sms_spam()
    if name in ("spamassassin", "spam_assassin"):
        return registry.load_spamassassin()
    raise UserError(
        f"unknown spam dataset {dataset!r}: choose sms or spamassassin, or give --data PATH"
    )


def spam_metrics(y: np.ndarray, y_score: np.ndarray, threshold: float) -> dict[str, float]:
    """Accuracy, precision, recall, F1 and ROC-AUC of the spam class (1)."""
    y_pred = (y_score >= threshold).astype(np.int64)
    two_classes = len(np.unique(y)) == 2
    return {
        "accuracy": float(skm.accuracy_score(y, y_pred)),
        "precision": float(skm.precision_score(y, y_pred, zero_division=0)),
        "recall": float(skm.recall_score(y, y_pred, zero_division=0)),
        "f1": float(skm.f1_score(y, y_pred, zero_division=0)),
        "roc_auc": float(skm.roc_auc_score(y, y_score)) if two_classes else float("nan"),
    }


def _make_model(name: str, cfg: LadderConfig):
    if name == "majority":
        return Majority()
    if name == "nb":
        return NaiveBayes()
    if name == "neuron":
        return Neuron(
            solver=cfg.neuron_solver, num_epochs=cfg.neuron_epochs, lr=cfg.neuron_lr, seed=cfg.seed
        )
    if name == "mlp":
        return MLP(hidden=cfg.mlp_hidden, num_epochs=cfg.mlp_epochs, lr=cfg.mlp_lr, seed=cfg.seed)
    raise UserError(f"unknown model {name!r}: choose from {', '.join(LADDER)}")


def _best_threshold(y: np.ndarray, y_score: np.ndarray) -> float:
    """The threshold with the best F1 on (y, y_score), midway between neighbouring scores."""
    precision, recall, thresholds = skm.precision_recall_curve(y, y_score)
    if len(thresholds) == 0:
        return 0.5
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    i = int(np.argmax(f1[:-1]))  # any threshold in (thresholds[i-1], thresholds[i]] does as well
    below = thresholds[i - 1] if i > 0 else 0.0
    return float((below + thresholds[i]) / 2)


def _tuned_threshold(name: str, cfg: LadderConfig, texts: list[str], y: np.ndarray) -> float:
    fit_idx, val_idx = train_test_split(
        np.arange(len(y)), test_size=0.2, stratify=y, random_state=cfg.seed + 1
    )
    features = _make_features(name, cfg).fit([texts[i] for i in fit_idx])
    model = _make_model(name, cfg).fit(features.transform([texts[i] for i in fit_idx]), y[fit_idx])
    score = model.predict_proba(features.transform([texts[i] for i in val_idx]))[:, 1]
    return _best_threshold(y[val_idx], score)


def _make_features(name: str, cfg: LadderConfig) -> TextFeatures:
    if name == "nb":  # naive Bayes models word counts
        return TextFeatures(kind="counts", max_features=cfg.max_features)
    return TextFeatures(kind="tfidf", char_ngrams=cfg.char_ngrams, max_features=cfg.max_features)


def split(y: np.ndarray, cfg: LadderConfig) -> tuple[np.ndarray, np.ndarray]:
    """Stratified, seeded (train_idx, test_idx)."""
    counts = np.bincount(y, minlength=2)
    if len(y) < 10 or counts.min() < 2:
        raise UserError(
            f"need at least 10 messages and 2 of each class to train and test, got {counts[0]} ham "
            f"and {counts[1]} spam"
        )
    idx = np.arange(len(y))
    train_idx, test_idx = train_test_split(
        idx, test_size=cfg.test_size, stratify=y, random_state=cfg.seed
    )
    if cfg.max_train is not None and cfg.max_train < len(train_idx):
        train_idx, _ = train_test_split(
            train_idx, train_size=cfg.max_train, stratify=y[train_idx], random_state=cfg.seed
        )
    return np.sort(train_idx), np.sort(test_idx)


def train_ladder(corpus, cfg: LadderConfig | None = None) -> LadderResult:
    """Fit every model of `cfg.models` on the training split; measure each on the test split."""
    cfg = cfg or LadderConfig()
    texts = list(corpus.texts)
    y = np.asarray(corpus.y).astype(np.int64)
    train_idx, test_idx = split(y, cfg)
    tr_texts = [texts[i] for i in train_idx]
    te_texts = [texts[i] for i in test_idx]
    y_tr, y_te = y[train_idx], y[test_idx]
    meta = {
        "dataset": corpus.info.label,
        "data_path": str(corpus.info.path) if corpus.info.path else None,
        "n_train": len(train_idx),
        "seed": cfg.seed,
    }

    start = time.perf_counter()
    cache: dict[str, tuple[TextFeatures, Any, Any]] = {}  # feature kind -> fitted, X_train, X_test
    for name in cfg.models:
        kind = "counts" if name == "nb" else "tfidf"
        if kind not in cache:
            features = _make_features(name, cfg)
            try:
                X_tr = features.fit_transform(tr_texts)
            except ValueError as exc:  # e.g. an empty vocabulary: no words in any message
                raise UserError(f"cannot build features from these messages: {exc}") from exc
            cache[kind] = (features, X_tr, features.transform(te_texts))
    feature_seconds = time.perf_counter() - start

    results: dict[str, ModelResult] = {}
    for name in cfg.models:
        features, X_tr, X_te = cache["counts" if name == "nb" else "tfidf"]
        threshold = 0.5
        t0 = time.perf_counter()
        if cfg.tune_threshold and name != "majority":
            threshold = _tuned_threshold(name, cfg, tr_texts, y_tr)
        model = _make_model(name, cfg).fit(X_tr, y_tr)
        seconds = time.perf_counter() - t0
        model.threshold_ = threshold
        y_score = model.predict_proba(X_te)[:, 1]
        m = spam_metrics(y_te, y_score, threshold)
        m["train_seconds"] = seconds
        m["threshold"] = threshold
        flt = SpamFilter(features, model, threshold=threshold, meta={**meta, "test": m})
        results[name] = ModelResult(name, m, (y_score >= threshold).astype(np.int64), y_score, flt)
    tfidf = cache.get("tfidf") or cache["counts"]
    return LadderResult(
        dataset=corpus.info.label,
        info=corpus.info,
        n_train=len(train_idx),
        n_test=len(test_idx),
        n_features=tfidf[0].n_features_,
        results=results,
        test_texts=te_texts,
        y_test=y_te,
        feature_seconds=feature_seconds,
        config=cfg,
    )


def evaluate(flt: SpamFilter, corpus) -> dict[str, float]:
    """A saved filter's metrics on a whole corpus (for `spam evaluate`)."""
    y = np.asarray(corpus.y).astype(np.int64)
    y_score = flt.predict_proba(list(corpus.texts))
    return spam_metrics(y, y_score, flt.threshold)
