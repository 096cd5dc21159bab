"""Collaborative filtering by matrix factorisation, learned by gradient descent on the engine.

Biased matrix factorisation (Koren, Bell & Volinsky, "Matrix factorization techniques for recommender
systems", IEEE Computer 2009, eq. 5 with the biases of eq. 3):

    r_hat_ui = mu + b_u + b_i + p_u . q_i

p_u, q_i (n_factors,) and b_u, b_i are rows of four `nn.Embedding` tables of the engine. A mini-batch
of B ratings looks up its rows (the backward pass scatter-adds gradients into only those rows) and
minimises, with Adam,

    mean_B (r_ui - r_hat_ui)^2 + reg * mean_B(|p_u|^2 + |q_i|^2) + reg_bias * mean_B(b_u^2 + b_i^2)

i.e. L2 regularisation charged per rating seen, as Funk's and Surprise's SGD do. The biases start
from the closed-form baseline (baselines.fit_biases), the factors from N(0, init_std^2).

Two solvers compute the same gradients of that loss and take the same Adam steps (the engine's
`optim.Adam`), so they learn the same tables to float32 rounding:

- `solver="engine"`: the lesson. The loss is written with tensors and `loss.backward()` finds the
  gradients: nothing about matrix factorisation is derived by hand.
- `solver="fused"` (the default; the tour and `recommend train` use it): the gradients written out
  once by hand (`_fused_step`) as two sparse products per batch. Autograd's per-batch bookkeeping
  (building the graph, one gather and one scatter per table) would cost more than the arithmetic
  here, and a rating model is fitted many times (five folds, the figures); the fused step is what
  an expert would write after checking it against autograd, which tests/apps/test_recommend.py does.
- `solver="gibbs"`: the same model without the biases, learned the Bayesian way (bpmf.py): ALS whose
  every solve is a draw from the posterior, the drawn factorisations averaged. No learning rate, no
  epochs, no regularisation strength to tune (the prior's are drawn from the data); `n_factors` is
  then the rank of each draw (default 10) and the stored tables hold all the draws side by side. The
  ladder's "bpmf" rung.

Hyperparameters (defaults below) were tuned on a validation split of the training fold u1.base
(90% fit / 10% validation, seed 0) -- never on a test fold: `tuning.tune`, and the grid with its
numbers in bench/results/recommend.md (`python bench/recommend.py --tune`). The mean RMSE they give
over u1..u5 is in the README and bench/RESULTS.md, and tests/apps/test_recommend.py asserts it.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from mltutorial import engine
from mltutorial.apps.recommend.baselines import Recommender, clip, fit_biases
from mltutorial.apps.recommend.bpmf import gibbs_factors
from mltutorial.apps.recommend.dataset import Catalog, Ratings
from mltutorial.engine import nn, optim
from mltutorial.errors import UserError
from mltutorial.progress import bar

SOLVERS = ("fused", "engine", "gibbs")
GIBBS_FACTORS = 10  # the rank of each posterior draw (Salakhutdinov & Mnih use 10 on Netflix too)


class MFNet(nn.Module):
    """The four embedding tables and the prediction r_hat - mu = b_u + b_i + p_u . q_i."""

    def __init__(self, n_users: int, n_items: int, n_factors: int) -> None:
        super().__init__()
        self.user_factors = nn.Embedding(n_users, n_factors)
        self.item_factors = nn.Embedding(n_items, n_factors)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)

    def forward(self, user, item):
        p = self.user_factors(user)  # (B, k)
        q = self.item_factors(item)  # (B, k)
        b_u = self.user_bias(user).reshape(-1)  # (B,)
        b_i = self.item_bias(item).reshape(-1)  # (B,)
        return (p * q).sum(dim=1) + b_u + b_i, (p, q, b_u, b_i)


class MatrixFactorization(Recommender):
    """Biased MF (see module docstring). `history_` holds per-epoch train loss (and validation RMSE
    when `fit` gets `validation`)."""

    name = "mf"

    def __init__(
        self,
        *,
        n_factors: int | None = None,
        num_epochs: int = 8,
        lr: float = 0.006,
        lr_decay: float = 1.0,
        reg: float = 0.1,
        reg_bias: float = 0.01,
        batch_size: int = 4096,
        init_std: float = 0.05,
        seed: int = 0,
        solver: str = "fused",
        n_samples: int = 30,
        burn_in: int = 5,
        noise_precision: float = 2.0,
    ) -> None:
        if n_factors is None:  # more factors + strong reg beat few factors for Adam (tuned)
            n_factors = GIBBS_FACTORS if solver == "gibbs" else 100
        self.n_factors = n_factors
        self.num_epochs = num_epochs  # the best validation epoch at this lr (tuned)
        self.lr = lr  # Adam step size, tuned with batch_size: larger steps end a little worse
        self.lr_decay = lr_decay  # lr multiplied by this after each epoch (torch's ExponentialLR)
        self.reg = reg  # L2 on p_u, q_i per rating: the main guard against overfitting
        self.reg_bias = reg_bias  # biases need little: they start at the regularised baseline
        self.batch_size = batch_size  # large batches: few Adam steps (each updates whole tables)
        self.init_std = init_std
        self.seed = seed
        self.solver = solver  # "engine": autograd (the lesson); "fused": by hand; "gibbs": bpmf.py
        self.n_samples = n_samples  # gibbs: sweeps in all, the first `burn_in` discarded
        self.burn_in = burn_in
        self.noise_precision = noise_precision  # gibbs: 1 / variance of a rating around p_u . q_i

    def get_params(self) -> dict:
        """The hyperparameters, as keyword arguments for a new instance."""
        names = (
            "n_factors",
            "num_epochs",
            "lr",
            "lr_decay",
            "reg",
            "reg_bias",
            "batch_size",
            "init_std",
            "seed",
            "solver",
            "n_samples",
            "burn_in",
            "noise_precision",
        )
        return {name: getattr(self, name) for name in names}

    def fit(
        self,
        train: Ratings,
        catalog: Catalog | None = None,
        validation: Ratings | None = None,
        desc: str = "MF",
    ) -> MatrixFactorization:
        if self.solver not in SOLVERS:
            raise UserError(
                f"unknown MF solver {self.solver!r}; choose one of {', '.join(SOLVERS)}"
            )
        if self.solver == "gibbs":
            return self._fit_gibbs(train, desc)
        rng = np.random.default_rng(self.seed)
        mu, b_u, b_i = fit_biases(train)
        net = MFNet(train.n_users, train.n_items, self.n_factors)
        net.user_factors.weight.data = rng.normal(
            0, self.init_std, (train.n_users, self.n_factors)
        ).astype(np.float32)
        net.item_factors.weight.data = rng.normal(
            0, self.init_std, (train.n_items, self.n_factors)
        ).astype(np.float32)
        net.user_bias.weight.data = b_u[:, None].astype(np.float32)
        net.item_bias.weight.data = b_i[:, None].astype(np.float32)
        opt = optim.Adam(net.parameters(), lr=self.lr)
        step = self._engine_step if self.solver == "engine" else self._fused_step
        user, item = train.user, train.item
        target = (train.rating - mu).astype(np.float32)
        n = len(train)
        self.mu_ = mu
        self.n_items_ = train.n_items
        self.history_: dict[str, list[float]] = {"train_loss": [], "val_rmse": []}
        progress = bar(self.num_epochs, desc)
        for _ in range(self.num_epochs):
            order = rng.permutation(n)
            total = 0.0
            for start in range(0, n, self.batch_size):
                idx = order[start : start + self.batch_size]
                opt.zero_grad()
                total += step(net, user[idx], item[idx], target[idx]) * len(idx)
                opt.step()
            if not np.isfinite(total):
                raise UserError(
                    f"matrix factorisation diverged (loss {total / n}); lower --lr (now {self.lr})"
                )
            self.history_["train_loss"].append(total / n)
            self._take(net)
            if validation is not None:
                y_hat = self.predict(validation.user, validation.item)
                self.history_["val_rmse"].append(
                    float(np.sqrt(np.mean((validation.rating - y_hat) ** 2)))
                )
            for group in opt.param_groups:
                group["lr"] *= self.lr_decay
            progress.update(1)
            progress.set_postfix(loss=f"{total / n:.4f}")
        progress.close()
        return self

    def _fit_gibbs(self, train: Ratings, desc: str) -> MatrixFactorization:
        if not 0 <= self.burn_in < self.n_samples or self.noise_precision <= 0:
            raise UserError("Gibbs MF needs 0 <= burn-in < samples and a positive noise precision")
        progress = bar(self.n_samples, f"{desc} (Gibbs)")
        self.mu_, self.P_, self.Q_ = gibbs_factors(
            train,
            rank=self.n_factors,
            n_samples=self.n_samples,
            burn_in=self.burn_in,
            alpha=self.noise_precision,
            seed=self.seed,
            progress=progress,
        )
        progress.close()
        self.b_u_, self.b_i_ = np.zeros(train.n_users), np.zeros(train.n_items)
        self.n_items_ = train.n_items
        self.history_ = {"train_loss": [], "val_rmse": []}
        return self

    def _engine_step(self, net: MFNet, user: np.ndarray, item: np.ndarray, target: np.ndarray):
        """The loss on one mini-batch through the engine; autograd fills every table's .grad."""
        y_hat, (p, q, bu, bi) = net(engine.tensor(user), engine.tensor(item))
        err = y_hat - engine.tensor(target)
        loss = (
            (err * err).mean()
            + self.reg * ((p * p).sum(dim=1) + (q * q).sum(dim=1)).mean()
            + self.reg_bias * (bu * bu + bi * bi).mean()
        )
        loss.backward()
        return loss.item()

    def _fused_step(self, net: MFNet, user: np.ndarray, item: np.ndarray, target: np.ndarray):
        """The same loss and the same gradients as `_engine_step`, derived by hand in NumPy.

        With err_b = r_hat_b - r_b over a batch of B ratings, n_u the batch's ratings by user u,
        and E the sparse (n_users, n_items) matrix holding 2/B * err_b at (u_b, i_b), the loss's
        derivatives are, for whole tables at once,

            dL/dP = E @ Q + 2/B * reg * n_u * P           (n_users, k)
            dL/dQ = E.T @ P + 2/B * reg * n_i * Q         (n_items, k)
            dL/db_u = sum_i E[u, i] + 2/B * reg_bias * n_u * b_u     (and b_i alike)

        i.e. what the embeddings' backward would scatter-add row by row, as two sparse products.
        """
        B = len(user)
        P = net.user_factors.weight.data  # (n_users, k)
        Q = net.item_factors.weight.data  # (n_items, k)
        b_u, b_i = net.user_bias.weight.data[:, 0], net.item_bias.weight.data[:, 0]
        p, q = P[user], Q[item]  # (B, k)
        bu, bi = b_u[user], b_i[item]  # (B,)
        err = np.einsum("bk,bk->b", p, q) + bu + bi - target  # (B,)
        penalty = self.reg * (np.vdot(p, p) + np.vdot(q, q)) + self.reg_bias * (bu @ bu + bi @ bi)
        loss = (err @ err + penalty) / B
        scale = np.float32(2 / B)
        E = sparse.csr_matrix((scale * err, (user, item)), shape=(len(P), len(Q)))
        n_u = np.bincount(user, minlength=len(P)).astype(np.float32)  # (n_users,)
        n_i = np.bincount(item, minlength=len(Q)).astype(np.float32)  # (n_items,)
        grad_P = E @ Q  # (n_users, k)
        grad_P += (scale * self.reg * n_u)[:, None] * P
        grad_Q = E.T @ P  # (n_items, k)
        grad_Q += (scale * self.reg * n_i)[:, None] * Q
        grad_bu = np.bincount(user, scale * err, len(P)) + scale * self.reg_bias * n_u * b_u
        grad_bi = np.bincount(item, scale * err, len(Q)) + scale * self.reg_bias * n_i * b_i
        net.user_factors.weight.grad = engine.tensor(grad_P)
        net.item_factors.weight.grad = engine.tensor(grad_Q)
        net.user_bias.weight.grad = engine.tensor(grad_bu[:, None].astype(np.float32))
        net.item_bias.weight.grad = engine.tensor(grad_bi[:, None].astype(np.float32))
        return float(loss)

    def _take(self, net: MFNet) -> None:
        """Copy the learned tables out of the engine as float64 arrays (for fast NumPy inference)."""
        self.P_ = net.user_factors.weight.data.astype(np.float64)  # (n_users, k)
        self.Q_ = net.item_factors.weight.data.astype(np.float64)  # (n_items, k)
        self.b_u_ = net.user_bias.weight.data[:, 0].astype(np.float64)
        self.b_i_ = net.item_bias.weight.data[:, 0].astype(np.float64)

    def predict(self, user: np.ndarray, item: np.ndarray, chunk: int = 8192) -> np.ndarray:
        user, item = np.asarray(user), np.asarray(item)
        dot = np.empty(len(user))
        for s in range(0, len(user), chunk):  # the gathered factor rows, a chunk at a time
            u, i = user[s : s + chunk], item[s : s + chunk]
            dot[s : s + chunk] = np.einsum("nk,nk->n", self.P_[u], self.Q_[i])
        return clip(self.mu_ + self.b_u_[user] + self.b_i_[item] + dot)

    def score_all(self, user: int) -> np.ndarray:
        return clip(self.mu_ + self.b_u_[user] + self.b_i_ + self.Q_ @ self.P_[user])

    def fold_in(self, items: np.ndarray, ratings: np.ndarray) -> tuple[float, np.ndarray]:
        """A new user's (b_u, p_u) from a few ratings, item factors fixed: one ridge regression.

        Solves min sum_j (r_j - mu - b_i_j - b_u - p . q_j)^2 + reg_n * (|p|^2 + b_u^2), where
        reg_n = reg * n_ratings matches the per-rating L2 of training.
        """
        X = np.hstack([np.ones((len(items), 1)), self.Q_[items]])  # (n, 1 + k)
        y = ratings - self.mu_ - self.b_i_[items]
        lam = self.reg * max(len(items), 1)
        theta = np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)
        return float(theta[0]), theta[1:]

    def score_new(self, b_u: float, p_u: np.ndarray) -> np.ndarray:
        return clip(self.mu_ + b_u + self.b_i_ + self.Q_ @ p_u)

    def item_similarity(self, item: int) -> np.ndarray:
        """(n_items,) cosine between item factors: "liked together" in the learned taste space."""
        Q = self.Q_
        norms = np.linalg.norm(Q, axis=1) * np.linalg.norm(Q[item]) + 1e-12
        return (Q @ Q[item]) / norms

    def get_state(self) -> dict[str, np.ndarray]:
        return {
            "mu": np.array(self.mu_),
            "P": self.P_,
            "Q": self.Q_,
            "b_u": self.b_u_,
            "b_i": self.b_i_,
        }

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        self.mu_ = float(state["mu"])
        self.P_, self.Q_ = state["P"], state["Q"]
        self.b_u_, self.b_i_ = state["b_u"], state["b_i"]
        self.n_items_ = int(self.Q_.shape[0])
