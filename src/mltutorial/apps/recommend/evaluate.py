"""The ladder, evaluated side by side on the same folds: rating error and ranking quality.

For each fold (u1..u5 for MovieLens 100k), every rung is fitted on the fold's training ratings and
scored on its test ratings; RMSE and MAE are averaged over the folds (as Surprise's cross_validate
reports them), precision@10, recall@10 and coverage likewise (definitions in metrics.py). The hybrid
reuses the members already fitted on the fold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from mltutorial.apps.recommend.baselines import Biases, GlobalMean, Recommender
from mltutorial.apps.recommend.content import ContentBased
from mltutorial.apps.recommend.dataset import Dataset
from mltutorial.apps.recommend.hybrid import MEMBERS, Hybrid, bayesian_mf
from mltutorial.apps.recommend.knn import ItemKNN
from mltutorial.apps.recommend.metrics import mae, ranking_metrics, rmse
from mltutorial.apps.recommend.mf import MatrixFactorization
from mltutorial.errors import UserError
from mltutorial.progress import bar

LADDER = ("mean", "biases", "content", "knn", "mf", "bpmf", "hybrid")
DESCRIPTIONS = {
    "mean": "global mean",
    "biases": "mean + user and item biases",
    "content": "content-based (genres + title words, cosine)",
    "knn": "collaborative: item-item kNN with baselines",
    "mf": "collaborative: biased matrix factorisation (engine)",
    "bpmf": "collaborative: Bayesian MF (Gibbs sampling, draws averaged)",
    "hybrid": "hybrid: least-squares blend of the above",
}


def make(name: str, mf_params: dict | None = None) -> Recommender:
    mf_params = mf_params or {}
    factories = {
        "mean": GlobalMean,
        "biases": Biases,
        "content": ContentBased,
        "knn": ItemKNN,
        "mf": lambda: MatrixFactorization(**mf_params),
        "bpmf": lambda: bayesian_mf(mf_params),
        "hybrid": lambda: Hybrid(mf_params=mf_params),
    }
    if name not in factories:
        raise UserError(f"unknown method {name!r}; choose from {', '.join(LADDER)}")
    return factories[name]()


@dataclass
class ModelScores:
    rmse: list[float] = field(default_factory=list)  # one per fold
    mae: list[float] = field(default_factory=list)
    fit_seconds: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    coverage: list[float] = field(default_factory=list)


@dataclass
class LadderResult:
    dataset: str
    folds: list[str]
    scores: dict[str, ModelScores]
    ranked: bool
    models: dict[str, Recommender] = field(default_factory=dict)  # fitted on the last fold

    def mean(self, model: str, metric: str) -> float:
        values = getattr(self.scores[model], metric)
        return float(np.mean(values)) if values else float("nan")

    def to_json(self) -> dict:
        """The issue's shape: {"dataset", "folds", "models": {name: {rmse, mae, fit_seconds}},
        "ranking": {name: {precision_at_10, recall_at_10, coverage}}}."""
        models = {
            name: {
                "rmse": self.mean(name, "rmse"),
                "mae": self.mean(name, "mae"),
                "fit_seconds": self.mean(name, "fit_seconds"),
            }
            for name in self.scores
        }
        ranking = {
            name: {
                "precision_at_10": self.mean(name, "precision"),
                "recall_at_10": self.mean(name, "recall"),
                "coverage": self.mean(name, "coverage"),
            }
            for name, s in self.scores.items()
            if s.precision
        }
        return {
            "dataset": self.dataset,
            "folds": len(self.folds),
            "models": models,
            "ranking": ranking,
        }

    def rows(self) -> list[list]:
        """Table rows: model, description, RMSE, MAE, P@10, R@10, coverage, fit seconds."""
        return [
            [
                name,
                DESCRIPTIONS.get(name, name),
                round(self.mean(name, "rmse"), 4),
                round(self.mean(name, "mae"), 4),
                round(self.mean(name, "precision"), 4) if s.precision else None,
                round(self.mean(name, "recall"), 4) if s.recall else None,
                round(self.mean(name, "coverage"), 3) if s.coverage else None,
                round(self.mean(name, "fit_seconds"), 2),
            ]
            for name, s in self.scores.items()
        ]


COLUMNS = ["model", "what", "RMSE", "MAE", "P@10", "R@10", "coverage", "fit s"]


def evaluate(
    dataset: Dataset,
    models: tuple[str, ...] | list[str] = LADDER,
    folds: int | None = None,
    ranking: bool = True,
    mf_params: dict | None = None,
) -> LadderResult:
    """Fit and score `models` on the first `folds` folds (all by default)."""
    chosen = dataset.folds[: folds or len(dataset.folds)]
    if not chosen:
        raise UserError("the data has no folds to evaluate on")
    scores = {name: ModelScores() for name in models}
    progress = bar(len(chosen) * len(models), "ladder")
    for _, train_idx, test_idx in chosen:
        train = dataset.ratings.subset(train_idx)
        test = dataset.ratings.subset(test_idx)
        fitted: dict[str, Recommender] = {}
        for name in models:
            model = make(name, mf_params)
            start = time.perf_counter()
            if name == "hybrid":
                model.fit(train, dataset.catalog, fitted=fitted)
            else:
                model.fit(train, dataset.catalog)
            seconds = time.perf_counter() - start
            if name == "hybrid":  # its members' fits on this fold are part of its cost
                seconds += sum(scores[m].fit_seconds[-1] for m in fitted if m in MEMBERS)
            fitted[name] = model
            y_hat = model.predict(test.user, test.item)
            s = scores[name]
            s.rmse.append(rmse(test.rating, y_hat))
            s.mae.append(mae(test.rating, y_hat))
            s.fit_seconds.append(seconds)
            if ranking and name != "mean":  # the mean ranks nothing: every movie ties
                r = ranking_metrics(model, train, test)
                s.precision.append(r.precision)
                s.recall.append(r.recall)
                s.coverage.append(r.coverage)
            progress.update(1)
            progress.set_postfix(model=name, rmse=f"{s.rmse[-1]:.4f}")
    progress.close()
    return LadderResult(dataset.label, [f[0] for f in chosen], scores, ranking, fitted)
