"""Bayesian matrix factorisation by Gibbs sampling (Salakhutdinov & Mnih, ICML 2008).

The same model as mf.py, r_hat_ui - mu = p_u . q_i, learned differently. Alternating least squares
would fix the item table Q, solve one small ridge regression per user for p_u, then fix P and solve
for every q_i, and repeat. Gibbs sampling does exactly that, except that each solve is a *draw*
from the posterior instead of its peak:

    p_u ~ N(m_u, S_u^-1),   S_u = Lam_U + alpha * sum_{i rated by u} q_i q_i^T,
                            m_u = S_u^-1 (Lam_U mu_U + alpha * sum_i (r_ui - mu) q_i)

(and q_i alike), where alpha is the precision of the rating noise and (mu_U, Lam_U), the prior's
mean and precision shared by all users, are themselves drawn from their Gaussian-Wishart posterior
every sweep, so how strongly to regularise is learned from the data rather than tuned. After a
burn-in, the predictions of the drawn factorisations are averaged: an average over many plausible
tables instead of a bet on one, which is why it overfits less than gradient descent on the same model.

The average of S factorisations of rank k is itself one factorisation of rank S*k,

    1/S sum_s P_s Q_s^T = [P_1 .. P_S] [Q_1 .. Q_S]^T / S,

so the sampler returns two ordinary tables (P, Q) and everything that uses an MF model (predictions,
recommendations, item similarity, saving) works on it unchanged.

Each sweep is a handful of array operations: the per-user sums of q_i q_i^T are one sparse product
(the 0/1 rating matrix times every item's flattened outer product), and the n small k-by-k systems
are solved as one batched `np.linalg` call.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from mltutorial.apps.recommend.dataset import Ratings


def _draw_prior(rng: np.random.Generator, X: np.ndarray, beta0: float = 2.0):
    """(mu, Lam) from the Gaussian-Wishart posterior given the rows of X (hyperprior mu0 = 0,
    W0 = I, nu0 = k, beta0), by Bartlett's decomposition for the Wishart draw."""
    n, k = X.shape
    x_bar = X.mean(axis=0)
    centred = X - x_bar
    beta_n = beta0 + n
    W_inv = np.eye(k) + centred.T @ centred + (beta0 * n / beta_n) * np.outer(x_bar, x_bar)
    L = np.linalg.cholesky(np.linalg.inv(W_inv))
    A = np.zeros((k, k))
    A[np.diag_indices(k)] = np.sqrt(rng.chisquare(k + n - np.arange(k)))  # nu_n = nu0 + n
    A[np.tril_indices(k, -1)] = rng.standard_normal(k * (k - 1) // 2)
    LA = L @ A
    Lam = LA @ LA.T
    mu = n * x_bar / beta_n + np.linalg.solve(
        np.linalg.cholesky(beta_n * Lam).T, rng.standard_normal(k)
    )
    return mu, Lam


def _draw_rows(
    rng, seen: sparse.csr_matrix, rated: sparse.csr_matrix, other: np.ndarray, mu, Lam, alpha
):
    """One draw of every row of one table given the other table `other` (see module docstring).

    seen: (n, m) 0/1 matrix of who rated what; rated: the same with the centred ratings.
    """
    n, k = seen.shape[0], other.shape[1]
    outer = (other[:, :, None] * other[:, None, :]).reshape(len(other), k * k)
    precision = Lam + alpha * (seen @ outer).reshape(n, k, k)  # (n, k, k)
    rhs = alpha * (rated @ other) + Lam @ mu  # (n, k)
    # mean + L^-T z with L L^T = precision is precision^-1 (rhs + L z): one batched solve.
    L = np.linalg.cholesky(precision)
    z = rng.standard_normal((n, k, 1))
    return np.linalg.solve(precision, rhs[:, :, None] + L @ z)[:, :, 0]


def gibbs_factors(
    train: Ratings,
    rank: int = 10,
    n_samples: int = 30,
    burn_in: int = 5,
    alpha: float = 2.0,
    init_std: float = 0.1,
    seed: int = 0,
    progress=None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """(mu, P, Q): the global mean and the tables of the averaged factorisation, P (n_users,
    (n_samples - burn_in) * rank) and Q (n_items, same), so that mu + P @ Q.T is the posterior-mean
    prediction. `progress` (optional) gets .update(1) after each sweep."""
    rng = np.random.default_rng(seed)
    mu = float(train.rating.mean())
    shape = (train.n_users, train.n_items)
    seen = sparse.csr_matrix((np.ones(len(train)), (train.user, train.item)), shape=shape)
    rated = sparse.csr_matrix((train.rating - mu, (train.user, train.item)), shape=shape)
    seen_t, rated_t = seen.T.tocsr(), rated.T.tocsr()
    P = init_std * rng.standard_normal((train.n_users, rank))
    Q = init_std * rng.standard_normal((train.n_items, rank))
    kept_P, kept_Q = [], []
    for sweep in range(n_samples):
        mu_q, Lam_q = _draw_prior(rng, Q)
        mu_p, Lam_p = _draw_prior(rng, P)
        P = _draw_rows(rng, seen, rated, Q, mu_p, Lam_p, alpha)
        Q = _draw_rows(rng, seen_t, rated_t, P, mu_q, Lam_q, alpha)
        if sweep >= burn_in:
            kept_P.append(P)
            kept_Q.append(Q)
        if progress is not None:
            progress.update(1)
    scale = 1 / np.sqrt(len(kept_P))
    return mu, np.hstack(kept_P) * scale, np.hstack(kept_Q) * scale
