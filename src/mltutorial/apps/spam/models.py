"""The ladder of spam models, "start simple, increase size wisely", with scikit-learn's manners.

1. `Majority`: always says the most common class (ham): the accuracy to beat, and an F1 of 0.
2. `NaiveBayes`: scikit-learn's MultinomialNB on word counts, the classic spam filter
   (Sahami et al. 1998, "A Bayesian approach to filtering junk e-mail").
3. `Neuron`: ONE neuron, p(spam | x) = sigmoid(w . x + b) on TF-IDF features, trained on the binary
   cross-entropy: logistic regression, the talk's neuron doing Gmail's job. By default full-batch
   L-BFGS (`lbfgs.py`) follows the cost's gradient, the same gradient gradient descent follows, used
   smarter; `solver="gd"` trains it on the engine by mini-batch gradient descent (Adam).
4. `MLP`: a small network on the engine, sigmoid(w2 . relu(W1 x + b1) + b2), dropout in between.

Every model: keyword-only hyperparameters stored by `__init__`; `fit(X, y)` returns self; learned state
ends in `_`; `predict_proba(X)` -> (n_samples, 2) [p(ham), p(spam)]; `predict(X)` thresholds p(spam) at
`threshold_` (0.5 unless the trainer tuned it); `score(X, y)` is accuracy; `get_state()` /
`from_state(state)` give plain arrays for the saved filter.

X is a SciPy CSR matrix (n_samples, n_features) of TF-IDF features: tens of thousands of columns,
a few dozen non-zeros per row. The engine's `Linear` multiplies dense tensors; densifying would cost
n_features floats per message, so the first layer of the neural models goes through the engine's
`sparse.linear`, which does the sparse products with SciPy in both directions.

Like scikit-learn's `_BaseNB`, the base class does what every prediction needs once: `predict_proba`
checks the model is fitted (else `NotFittedError`) and that X has the training's number of features,
then asks the subclass's `_predict_proba`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError as _SklearnNotFitted
from sklearn.naive_bayes import MultinomialNB
from threadpoolctl import threadpool_limits

from mltutorial import engine
from mltutorial.engine import nn, optim, sparse
from mltutorial.engine.nn import functional as F
from mltutorial.engine.tensor import Tensor
from mltutorial.engine.trainer import fit
from mltutorial.errors import UserError

from .lbfgs import lbfgs

# ---------------------------------------------------------------------------- engine pieces


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow warnings."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _cross_entropy_cost(X: sp.csr_matrix, y: np.ndarray, weight: np.ndarray, l2: float):
    """The neuron's cost J(w, b) and its gradient, for a full-batch optimiser; params = [w, b].

    J = sum_i weight_i BCE(sigmoid(z_i), y_i) + l2 / 2 ||w||^2, z = X w + b, where
    BCE(p, y) = -y log p - (1 - y) log(1 - p) = softplus(z) - y z, and weight_i = 1 / n_samples
    (pos_weight / n_samples for spam): the mean loss gradient descent follows, and its L2.
    dJ/dz_i = weight_i (p_i - y_i), the neuron's error on each message, so
    dJ/dw = X^T dJ/dz + l2 w (one sparse product) and dJ/db = sum_i dJ/dz_i (b is not penalised).
    X stays float32, as the features make it; w, the errors and the sums are float64.
    """
    y = y.astype(np.float64)

    def cost(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]  # (n_features,), ()
        z = X @ w.astype(X.dtype) + b  # (n_samples,) logits
        f = weight @ (np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * (w @ w)
        dz = weight * (_sigmoid(z) - y)  # (n_samples,)
        grad = np.empty_like(params)  # (n_features + 1,)
        grad[:-1] = X.T @ dz.astype(X.dtype) + l2 * w
        grad[-1] = dz.sum()
        return float(f), grad

    return cost


class _NeuronNet(nn.Module):
    """One neuron: z = w . x + b (the sigmoid lives in the loss and in predict_proba)."""

    def __init__(self, n_features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, X: sp.csr_matrix) -> Tensor:
        return sparse.linear(X, self.linear.weight, self.linear.bias).reshape(-1)  # (B,)


class _MLPNet(nn.Module):
    """z = w2 . dropout(relu(W1 x + b1)) + b2."""

    def __init__(self, n_features: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.hidden = nn.Linear(n_features, hidden)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, 1)

    def forward(self, X: sp.csr_matrix) -> Tensor:
        h = sparse.linear(X, self.hidden.weight, self.hidden.bias).relu()  # (B, hidden)
        return self.out(self.drop(h)).reshape(-1)  # (B,)


# ---------------------------------------------------------------------------- the models


class NotFittedError(_SklearnNotFitted, UserError):
    """A model asked to predict before `fit`: scikit-learn's NotFittedError, and one clear line on
    the command line (a `UserError`)."""


class _Classifier:
    """Shared manners: the checks before any prediction, predict from predict_proba and threshold_,
    score, parameter listing. Subclasses learn in `fit` and predict in `_predict_proba`."""

    name = "model"
    threshold_: float = 0.5

    def get_params(self) -> dict[str, Any]:
        return {
            k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")
        }

    def _check_fitted(self) -> None:
        # scikit-learn's rule (check_is_fitted): fitting sets attributes whose names end in "_"
        if not any(k.endswith("_") and not k.startswith("__") for k in vars(self)):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(X, y) before predicting"
            )

    def _check_n_features(self, X: sp.csr_matrix) -> None:
        n_features = getattr(self, "n_features_in_", None)
        if n_features is not None and X.shape[1] != n_features:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} was fitted with "
                f"{n_features} features"
            )

    def _check_X(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """What every prediction checks first: fitted, and X as wide as the training's X."""
        self._check_fitted()
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
        self._check_n_features(X)
        return X

    def _predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        """(n_samples, 2): [p(ham), p(spam)] per row."""
        return self._predict_proba(self._check_X(X))

    def predict(self, X: sp.csr_matrix) -> np.ndarray:
        """(n_samples,) int64: 1 = spam where p(spam) >= threshold_."""
        return (self.predict_proba(X)[:, 1] >= self.threshold_).astype(np.int64)

    def score(self, X: sp.csr_matrix, y: np.ndarray) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def _check_Xy(X: sp.csr_matrix, y: np.ndarray) -> np.ndarray:
    y = np.asarray(y).astype(np.int64)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    if X.shape[0] == 0:
        raise UserError("no training messages")
    return y


class Majority(_Classifier):
    """Predicts the training set's class frequencies for every message (scikit-learn's Dummy 'prior')."""

    name = "majority"

    def __init__(self) -> None:
        pass

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> Majority:
        y = _check_Xy(X, y)
        self.n_features_in_ = int(X.shape[1])
        self.p_spam_ = float(y.mean())
        return self

    def _predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        n = X.shape[0]
        return np.tile([1.0 - self.p_spam_, self.p_spam_], (n, 1))

    def get_state(self) -> dict[str, np.ndarray]:
        return {"p_spam": np.array(self.p_spam_), "n_features": np.array(self.n_features_in_)}

    @classmethod
    def from_state(cls, params: dict[str, Any], state: dict[str, np.ndarray]) -> Majority:
        self = cls()
        self.p_spam_ = float(state["p_spam"])
        if "n_features" in state:  # files saved before it was kept say nothing of the width
            self.n_features_in_ = int(state["n_features"])
        return self


class NaiveBayes(_Classifier):
    """Multinomial naive Bayes on word counts (scikit-learn), with its smoothing `alpha`.

    p(spam | words) from p(spam) * prod_w p(w | spam)^count(w), each p(w | class) smoothed by adding
    alpha to every count. alpha=None picks it from ALPHAS by 5-fold cross-validation on the
    training set (the test set is never looked at).
    """

    name = "nb"
    ALPHAS = (0.01, 0.03, 0.1, 0.3, 1.0)

    def __init__(self, *, alpha: float | None = None) -> None:
        self.alpha = alpha

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> NaiveBayes:
        y = _check_Xy(X, y)
        alpha = self.alpha
        if alpha is None:
            alpha = _cv_alpha(X, y, self.ALPHAS)
        self.alpha_ = float(alpha)
        self.nb_ = MultinomialNB(alpha=self.alpha_).fit(X, y)
        self.n_features_in_ = int(X.shape[1])
        return self

    def _predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        proba = self.nb_.predict_proba(X)
        if proba.shape[1] == 1:  # trained on one class only
            only = int(self.nb_.classes_[0])
            return np.column_stack([1.0 - proba[:, 0] * only, proba[:, 0] * only])
        return proba

    def get_state(self) -> dict[str, np.ndarray]:
        return {
            "alpha": np.array(self.alpha_),
            "classes": self.nb_.classes_,
            "class_log_prior": self.nb_.class_log_prior_,
            "feature_log_prob": self.nb_.feature_log_prob_,
        }

    @classmethod
    def from_state(cls, params: dict[str, Any], state: dict[str, np.ndarray]) -> NaiveBayes:
        self = cls(**params)
        self.alpha_ = float(state["alpha"])
        nb = MultinomialNB(alpha=self.alpha_)
        nb.classes_ = np.asarray(state["classes"])
        nb.class_log_prior_ = np.asarray(state["class_log_prior"], dtype=np.float64)
        nb.feature_log_prob_ = np.asarray(state["feature_log_prob"], dtype=np.float64)
        nb.n_features_in_ = nb.feature_log_prob_.shape[1]
        self.nb_ = nb
        self.n_features_in_ = int(nb.n_features_in_)
        return self


def _cv_alpha(X: sp.csr_matrix, y: np.ndarray, alphas: tuple[float, ...]) -> float:
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    n_splits = int(min(5, np.bincount(y, minlength=2).min()))
    if n_splits < 2:
        return 1.0
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=0)
    scores = [
        cross_val_score(MultinomialNB(alpha=a), X, y, cv=cv, scoring="f1").mean() for a in alphas
    ]
    return float(alphas[int(np.argmax(scores))])


class _EngineModel(_Classifier):
    """Mini-batch training of an engine network on sparse X with Adam and the BCE loss.

    A subclass builds its network in `_build` and names, in `first_weight`, the state-dict key of
    the weight that meets the features (its width is the number of features, when loading).
    """

    first_weight: str
    lr: float
    num_epochs: int
    batch_size: int
    weight_decay: float
    pos_weight: float
    seed: int

    def _build(self, n_features: int) -> nn.Module:
        raise NotImplementedError

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> _EngineModel:
        y = _check_Xy(X, y)
        X = sp.csr_matrix(X, dtype=np.float32)
        engine.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        self.n_features_in_ = X.shape[1]
        self.net_ = self._build(X.shape[1])
        n_samples = X.shape[0]

        def batches(epoch: int):
            order = rng.permutation(n_samples)
            X_epoch, y_epoch = (
                X[order],
                y[order].astype(np.float32),
            )  # shuffled once: slices are cheap
            for lo in range(0, n_samples, self.batch_size):
                X_batch = X_epoch[lo : lo + self.batch_size]  # (B, n_features) sparse
                yield X_batch, engine.tensor(y_epoch[lo : lo + self.batch_size])  # (B,)

        pos_weight = engine.tensor(self.pos_weight)  # counts each spam's error pos_weight times

        def loss_fn(z: Tensor, y_batch: Tensor) -> Tensor:  # z (B,) logits
            return F.binary_cross_entropy_with_logits(z, y_batch, pos_weight=pos_weight)

        start = time.perf_counter()
        self.net_.train()
        history = fit(
            self.net_,
            loss_fn,
            optim.Adam(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay),
            batches,
            num_epochs=self.num_epochs,
            max_cost=float("inf"),  # cross-entropy has no ceiling to check: only NaN/inf stop it
            desc=self.name,
        )
        self.loss_history_: list[float] = history.epoch_cost(per_sample=True)
        self.net_.eval()
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def decision_function(self, X: sp.csr_matrix, batch_size: int = 2048) -> np.ndarray:
        """(n_samples,) logits z, computed on the engine in batches (no graph)."""
        X = sp.csr_matrix(self._check_X(X), dtype=np.float32)
        out = np.empty(X.shape[0], dtype=np.float64)
        with engine.no_grad():
            for lo in range(0, X.shape[0], batch_size):
                out[lo : lo + batch_size] = self.net_(X[lo : lo + batch_size]).numpy()
        return out

    def _predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        p = _sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def get_state(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v.data) for k, v in self.net_.state_dict().items()}

    @classmethod
    def from_state(cls, params: dict[str, Any], state: dict[str, np.ndarray]) -> _EngineModel:
        self = cls(**params)
        self.n_features_in_ = int(np.asarray(state[cls.first_weight]).shape[1])
        self.net_ = self._build(self.n_features_in_)
        self.net_.load_state_dict({k: np.asarray(v) for k, v in state.items()})
        self.net_.eval()
        return self


class Neuron(_EngineModel):
    """Logistic regression as one neuron: p(spam | x) = sigmoid(w . x + b), x = TF-IDF (Cox 1958).

    The cost is the lesson's: the mean binary cross-entropy, spam errors counted `pos_weight` times,
    plus weight_decay / 2 ||w||^2; its gradient is X^T (p - y) / n_samples + weight_decay w.
    Gradient descent is how a network learns: it steps down that gradient. `solver="lbfgs"` (the
    default) uses the same gradient, smarter: full-batch L-BFGS (`lbfgs.py`; Liu & Nocedal 1989)
    remembers its last steps to estimate the cost's curvature, so it takes long, well-aimed steps,
    each over the whole training set, and stops at the optimum, when every component of the
    gradient is below `tol` (as scikit-learn's LogisticRegression does). `solver="gd"` trains the neuron on the engine by mini-batch Adam (Kingma & Ba 2015) for
    `num_epochs`, like the MLP. The weights w are readable: the most positive push a message toward
    spam, the most negative toward ham.
    """

    name = "neuron"
    first_weight = "linear.weight"
    SOLVERS = ("lbfgs", "gd")

    def __init__(
        self,
        *,
        solver: str = "lbfgs",  # lbfgs: full batch, to convergence; gd: mini-batch Adam
        tol: float = 1e-4,  # lbfgs: stop when max |gradient| is below (scikit-learn's default)
        max_iter: int = 200,  # lbfgs: at most this many steps
        lr: float = 0.02,  # gd: Adam step; TF-IDF rows have unit norm, so one scale suits any corpus
        num_epochs: int = 10,  # gd: enough at this batch size (chosen on a validation split)
        batch_size: int = 128,  # gd: each step updates all n_features weights: few, larger steps
        weight_decay: float = 1e-5,  # a touch of L2: the data are nearly separable
        pos_weight: float = 2.0,  # spam is the rarer class (13% of SMS): count its errors twice
        seed: int = 0,
    ) -> None:
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.pos_weight = pos_weight
        self.lr = lr
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.seed = seed

    def _build(self, n_features: int) -> nn.Module:
        return _NeuronNet(n_features)

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> Neuron:
        if self.solver not in self.SOLVERS:
            raise UserError(
                f"unknown solver {self.solver!r} for the neuron: choose {' or '.join(self.SOLVERS)}"
            )
        if self.solver == "gd":
            super().fit(X, y)
            return self
        y = _check_Xy(X, y)
        X = sp.csr_matrix(X, dtype=np.float32)
        n_samples, n_features = X.shape
        start = time.perf_counter()
        weight = np.where(y == 1, self.pos_weight, 1.0) / n_samples  # (n_samples,)
        cost = _cross_entropy_cost(X, y, weight, self.weight_decay)
        # L-BFGS's work is dot products of two vectors: waking BLAS threads costs more than it
        # saves, and much more on a busy machine (the sparse products are single-threaded anyway)
        with threadpool_limits(limits=1, user_api="blas"):
            result = lbfgs(cost, np.zeros(n_features + 1), tol=self.tol, max_iter=self.max_iter)
        self.n_features_in_ = n_features
        self.net_ = self._build(n_features)  # the engine neuron holds w and b: same predict, file
        self.net_.load_state_dict(
            {"linear.weight": result.x[None, :-1], "linear.bias": result.x[-1:]}
        )
        self.net_.eval()
        self.n_iter_ = result.n_iter
        self.loss_history_ = result.history  # the cost before the first step and after each
        self.fit_seconds_ = time.perf_counter() - start
        return self

    @property
    def coef_(self) -> np.ndarray:
        """(n_features,) the neuron's weights, one per feature."""
        return self.net_.linear.weight.data[0].copy()


class MLP(_EngineModel):
    """A one-hidden-layer network on the engine (ReLU, dropout), trained like the neuron."""

    name = "mlp"
    first_weight = "hidden.weight"

    def __init__(
        self,
        *,
        hidden: int = 16,  # small on purpose: the first layer has hidden x n_features weights
        dropout: float = 0.2,
        lr: float = 0.005,
        num_epochs: int = 5,
        batch_size: int = 128,
        weight_decay: float = 1e-5,
        pos_weight: float = 2.0,
        seed: int = 0,
    ) -> None:
        self.pos_weight = pos_weight
        self.hidden = hidden
        self.dropout = dropout
        self.lr = lr
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.seed = seed

    def _build(self, n_features: int) -> nn.Module:
        return _MLPNet(n_features, self.hidden, self.dropout)


MODELS: dict[str, type[_Classifier]] = {
    "majority": Majority,
    "nb": NaiveBayes,
    "neuron": Neuron,
    "mlp": MLP,
}
