"""The ladder of spam models, "start simple, increase size wisely", with scikit-learn's manners.

1. `Majority`: always says the most common class (ham): the accuracy to beat, and an F1 of 0.
2. `NaiveBayes`: scikit-learn's MultinomialNB on word counts, the classic spam filter
   (Sahami et al. 1998, "A Bayesian approach to filtering junk e-mail").
3. `Neuron`: ONE neuron on the engine, p(spam | x) = sigmoid(w . x + b) on TF-IDF features, trained by
   gradient descent (Adam) on the binary cross-entropy: logistic regression, the talk's neuron doing
   Gmail's job.
4. `MLP`: a small network on the engine, sigmoid(w2 . relu(W1 x + b1) + b2), dropout in between.

Every model: keyword-only hyperparameters stored by `__init__`; `fit(X, y)` returns self; learned state
ends in `_`; `predict_proba(X)` -> (n_samples, 2) [p(ham), p(spam)]; `predict(X)` thresholds p(spam) at
`threshold_` (0.5 unless the trainer tuned it); `score(X, y)` is accuracy; `get_state()` /
`from_state(state)` give plain arrays for the saved filter.

X is a SciPy CSR matrix (n_samples, n_features) of TF-IDF features: tens of thousands of columns,
a few dozen non-zeros per row. The engine's `Linear` multiplies dense tensors; densifying would cost
n_features floats per message, so the first layer of the neural models goes through `sparse_linear`, a
small engine op that does the sparse products with SciPy in both directions.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.naive_bayes import MultinomialNB

from mltutorial import engine
from mltutorial.engine import nn, optim
from mltutorial.engine.tensor import Tensor
from mltutorial.errors import UserError
from mltutorial.progress import bar

# ---------------------------------------------------------------------------- engine pieces


def sparse_linear(X: sp.csr_matrix, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = X @ W.T + b for a sparse X: torch's `F.linear` with a SciPy CSR input.

    X (B, n_features) sparse, W (out, n_features), b (out,) -> y (B, out). Backward, the local
    derivatives: dL/dW = (X.T @ g).T (out, n_features), dL/db = sum_B g (out,). X gets no gradient.
    Cost: one pass over X's non-zeros each way, instead of B * n_features * out multiply-adds.
    """
    W = weight.data
    out = np.asarray(X @ W.T, dtype=W.dtype)  # (B, out)
    if bias is not None:
        out += bias.data

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:  # g (B, out)
        grad_w = np.asarray(X.T @ g, dtype=W.dtype).T  # (out, n_features)
        grad_b = g.sum(axis=0) if bias is not None else None  # (out,)
        return (grad_w, grad_b) if bias is not None else (grad_w,)

    parents = (weight, bias) if bias is not None else (weight,)
    return Tensor._make(out, parents, backward)


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def bce_with_logits(z: Tensor, y: Tensor, pos_weight: float = 1.0) -> Tensor:
    """Mean binary cross-entropy of logits z (B,) against 0/1 targets y (B,): torch's
    `BCEWithLogitsLoss(pos_weight=p)`, one engine op with its derivative beside it.

    L = mean(-p y log s(z) - (1 - y) log(1 - s(z))) = mean(p y softplus(-z) + (1 - y) softplus(z)),
    dL/dz = (-p y s(-z) + (1 - y) s(z)) / B. Written as one op rather than from relu/abs/log,
    because those primitives' subgradients at z = 0 give 0 there instead of the true slope.
    """
    zd, yd = z.data, y.data
    n = max(zd.size, 1)
    loss = (pos_weight * yd * _softplus(-zd) + (1.0 - yd) * _softplus(zd)).sum() / n

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        grad_z = g * (-pos_weight * yd * _sigmoid(-zd) + (1.0 - yd) * _sigmoid(zd)) / n
        return (grad_z.astype(zd.dtype), None)

    return Tensor._make(np.asarray(loss, dtype=zd.dtype), (z, y), backward)


class _NeuronNet(nn.Module):
    """One neuron: z = w . x + b (the sigmoid lives in the loss and in predict_proba)."""

    def __init__(self, n_features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, X: sp.csr_matrix) -> Tensor:
        return sparse_linear(X, self.linear.weight, self.linear.bias).reshape(-1)  # (B,)


class _MLPNet(nn.Module):
    """z = w2 . dropout(relu(W1 x + b1)) + b2."""

    def __init__(self, n_features: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.hidden = nn.Linear(n_features, hidden)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, 1)

    def forward(self, X: sp.csr_matrix) -> Tensor:
        h = sparse_linear(X, self.hidden.weight, self.hidden.bias).relu()  # (B, hidden)
        return self.out(self.drop(h)).reshape(-1)  # (B,)


# ---------------------------------------------------------------------------- the models


class _Classifier:
    """Shared manners: predict from predict_proba and threshold_, score, parameter listing."""

    name = "model"
    threshold_: float = 0.5

    def get_params(self) -> dict[str, Any]:
        return {
            k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")
        }

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError

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
        self.p_spam_ = float(y.mean())
        return self

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        n = X.shape[0]
        return np.tile([1.0 - self.p_spam_, self.p_spam_], (n, 1))

    def get_state(self) -> dict[str, np.ndarray]:
        return {"p_spam": np.array(self.p_spam_)}

    @classmethod
    def from_state(cls, params: dict[str, Any], state: dict[str, np.ndarray]) -> Majority:
        self = cls()
        self.p_spam_ = float(state["p_spam"])
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
        return self

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
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
    """Mini-batch training of an engine network on sparse X with Adam and the BCE loss."""

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
        opt = optim.Adam(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        n_samples = X.shape[0]
        self.loss_history_: list[float] = []
        progress = bar(self.num_epochs, desc=f"{self.name}")
        start = time.perf_counter()
        self.net_.train()
        for _ in range(self.num_epochs):
            order = rng.permutation(n_samples)
            X_epoch, y_epoch = (
                X[order],
                y[order].astype(np.float32),
            )  # shuffled once: slices are cheap
            total = 0.0
            for lo in range(0, n_samples, self.batch_size):
                X_batch = X_epoch[lo : lo + self.batch_size]
                z = self.net_(X_batch)  # (B,) logits
                y_batch = engine.tensor(y_epoch[lo : lo + self.batch_size])
                loss = bce_with_logits(z, y_batch, self.pos_weight)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * X_batch.shape[0]
            epoch_loss = total / n_samples
            if not np.isfinite(epoch_loss):
                progress.close()
                raise UserError(
                    f"{self.name}: training loss became {epoch_loss} (try a smaller --lr)"
                )
            self.loss_history_.append(epoch_loss)
            progress.update(1)
            progress.set_postfix(loss=f"{epoch_loss:.4f}")
        progress.close()
        self.net_.eval()
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def decision_function(self, X: sp.csr_matrix, batch_size: int = 2048) -> np.ndarray:
        """(n_samples,) logits z, computed on the engine in batches (no graph)."""
        X = sp.csr_matrix(X, dtype=np.float32)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, the model {self.n_features_in_}")
        out = np.empty(X.shape[0], dtype=np.float64)
        with engine.no_grad():
            for lo in range(0, X.shape[0], batch_size):
                out[lo : lo + batch_size] = self.net_(X[lo : lo + batch_size]).numpy()
        return out

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        z = self.decision_function(X)
        p = _sigmoid(z)  # without overflow warnings
        return np.column_stack([1.0 - p, p])

    def get_state(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v.data) for k, v in self.net_.state_dict().items()}

    @classmethod
    def from_state(cls, params: dict[str, Any], state: dict[str, np.ndarray]) -> _EngineModel:
        self = cls(**params)
        first = "linear.weight" if cls is Neuron else "hidden.weight"
        self.n_features_in_ = int(np.asarray(state[first]).shape[1])
        self.net_ = self._build(self.n_features_in_)
        self.net_.load_state_dict({k: np.asarray(v) for k, v in state.items()})
        self.net_.eval()
        return self


class Neuron(_EngineModel):
    """Logistic regression as one engine neuron: p(spam | x) = sigmoid(w . x + b), x = TF-IDF.

    Trained by mini-batch Adam on the binary cross-entropy (Cox 1958; Kingma & Ba 2015). The weights
    w are readable: the most positive push a message toward spam, the most negative toward ham.
    """

    name = "neuron"

    def __init__(
        self,
        *,
        lr: float = 0.01,  # Adam step: TF-IDF rows have unit norm, so one scale suits any corpus
        num_epochs: int = 20,
        batch_size: int = 64,
        weight_decay: float = 1e-5,  # a touch of L2: the data are nearly separable
        pos_weight: float = 2.0,  # spam is the rarer class (13% of SMS): count its errors twice
        seed: int = 0,
    ) -> None:
        self.pos_weight = pos_weight
        self.lr = lr
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.seed = seed

    def _build(self, n_features: int) -> nn.Module:
        return _NeuronNet(n_features)

    @property
    def coef_(self) -> np.ndarray:
        """(n_features,) the neuron's weights, one per feature."""
        return self.net_.linear.weight.data[0].copy()


class MLP(_EngineModel):
    """A one-hidden-layer network on the engine (ReLU, dropout), trained like the neuron."""

    name = "mlp"

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
