"""The spam neuron's L-BFGS: its cost's gradient, its optimum against SciPy's and scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize

from mltutorial.apps.spam.lbfgs import lbfgs
from mltutorial.apps.spam.models import Neuron, _cross_entropy_cost


def _problem(seed: int = 0, n_samples: int = 300, n_features: int = 500, dtype=np.float64):
    """A sparse, TF-IDF-like problem: nonnegative rows of unit norm, labels from a hidden neuron."""
    rng = np.random.default_rng(seed)
    X = sp.random(n_samples, n_features, density=0.03, random_state=rng, format="csr")
    X = sp.csr_matrix(sp.diags(1.0 / np.maximum(sp.linalg.norm(X, axis=1), 1e-12)) @ X)
    w_true = rng.normal(0, 3, n_features)
    y = (X @ w_true + rng.normal(0, 0.3, n_samples) > 0).astype(np.int64)
    return X.astype(dtype), y


def _cost(X, y, pos_weight=2.0, l2=1e-3):
    weight = np.where(y == 1, pos_weight, 1.0) / len(y)
    return _cross_entropy_cost(X, y, weight, l2)


def test_gradient_matches_finite_differences():
    X, y = _problem(n_samples=40, n_features=30)
    cost = _cost(X, y)
    params = np.random.default_rng(1).normal(0, 1, X.shape[1] + 1)
    _, grad = cost(params)
    eps = 1e-6
    numeric = np.array(
        [
            (cost(params + eps * e)[0] - cost(params - eps * e)[0]) / (2 * eps)
            for e in np.eye(len(params))
        ]
    )
    np.testing.assert_allclose(grad, numeric, atol=1e-8, rtol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_optimum_as_scipy(seed):
    X, y = _problem(seed)
    cost = _cost(X, y)
    x0 = np.zeros(X.shape[1] + 1)
    ours = lbfgs(cost, x0, tol=1e-7, ftol=0.0, max_iter=1000)  # stop on the gradient only
    theirs = minimize(
        cost, x0, jac=True, method="L-BFGS-B", options={"gtol": 1e-7, "ftol": 0, "maxiter": 1000}
    )
    assert ours.converged and np.max(np.abs(ours.grad)) <= 1e-7
    assert ours.fun == pytest.approx(theirs.fun, rel=1e-9)
    np.testing.assert_allclose(ours.x, theirs.x, atol=1e-4)
    assert all(b <= a for a, b in zip(ours.history, ours.history[1:]))  # the cost only falls


def _rosenbrock(x: np.ndarray) -> tuple[float, np.ndarray]:
    a, b = x
    f = (1 - a) ** 2 + 100 * (b - a**2) ** 2
    return f, np.array([-2 * (1 - a) - 400 * a * (b - a**2), 200 * (b - a**2)])


def test_rosenbrock_and_a_badly_scaled_quadratic_as_fast_as_scipy():
    scales = np.logspace(0, 3, 20)  # curvatures from 1 to 1000: gradient descent would crawl

    def quadratic(x: np.ndarray) -> tuple[float, np.ndarray]:
        return 0.5 * float(scales @ x**2), scales * x

    for cost, x0, x_min in [
        (_rosenbrock, np.array([-1.2, 1.0]), np.ones(2)),
        (quadratic, np.ones(20), np.zeros(20)),
    ]:
        ours = lbfgs(cost, x0, tol=1e-8, ftol=0.0, max_iter=2000)
        theirs = minimize(
            cost,
            x0,
            jac=True,
            method="L-BFGS-B",
            options={"gtol": 1e-8, "ftol": 0, "maxiter": 2000},
        )
        assert ours.converged
        np.testing.assert_allclose(ours.x, x_min, atol=1e-6)
        assert ours.n_iter <= 1.5 * theirs.nit + 5


def test_neuron_matches_scikit_learn_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    X, y = _problem(3, dtype=np.float32)
    neuron = Neuron(weight_decay=1e-3, pos_weight=2.0, tol=1e-7, max_iter=1000).fit(X, y)
    peer = LogisticRegression(
        C=1.0 / (1e-3 * len(y)), class_weight={0: 1.0, 1: 2.0}, tol=1e-7, max_iter=1000
    ).fit(X, y)
    np.testing.assert_allclose(neuron.coef_, peer.coef_[0], atol=2e-3)
    np.testing.assert_allclose(neuron.predict_proba(X), peer.predict_proba(X), atol=1e-3)
    assert neuron.n_iter_ > 0 and neuron.loss_history_[-1] < neuron.loss_history_[0]


def test_both_solvers_reach_the_same_neighbourhood():
    X, y = _problem(4, dtype=np.float32)
    lbfgs_neuron = Neuron(solver="lbfgs").fit(X, y)
    gd_neuron = Neuron(solver="gd", num_epochs=40).fit(X, y)
    assert gd_neuron.get_params()["solver"] == "gd" and not hasattr(gd_neuron, "n_iter_")
    agree = np.mean(lbfgs_neuron.predict(X) == gd_neuron.predict(X))
    assert agree >= 0.95


def test_unknown_solver_is_refused():
    from mltutorial.errors import UserError

    X, y = _problem(dtype=np.float32)
    with pytest.raises(UserError, match="unknown solver 'sgd'"):
        Neuron(solver="sgd").fit(X, y)
