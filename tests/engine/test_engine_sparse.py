"""engine.sparse.linear (F.linear for a SciPy sparse input) against torch and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch
import torch.nn.functional as TF
from oracle import check_op, finite_difference_check

from mltutorial import engine


def _sparse_X(n_samples: int = 5, n_features: int = 40, seed: int = 0) -> sp.csr_matrix:
    return sp.random(
        n_samples, n_features, density=0.2, format="csr", random_state=seed, dtype=np.float64
    )


@pytest.mark.parametrize("with_bias", [True, False])
def test_sparse_linear_matches_torch_dense_linear(with_bias):
    X = _sparse_X()
    X32 = X.astype(np.float32)
    dense = torch.tensor(X32.toarray())
    shapes = [(3, 40), (3,)] if with_bias else [(3, 40)]
    check_op(
        shapes,
        lambda w, *b: engine.sparse.linear(X32 if w.dtype == np.float32 else X, w, *b),
        lambda w, *b: TF.linear(dense, w, *b),
    )


def test_sparse_linear_matches_torch_sparse_mm():
    X = _sparse_X(seed=1)
    rng = np.random.default_rng(0)
    W = rng.normal(size=(2, 40))
    ours = engine.tensor(W, dtype=engine.float64, requires_grad=True)
    theirs = torch.tensor(W, requires_grad=True)
    coo = X.tocoo()
    X_torch = torch.sparse_coo_tensor(
        np.vstack([coo.row, coo.col]), coo.data, X.shape, check_invariants=True
    )
    out, ref = engine.sparse.linear(X, ours), torch.sparse.mm(X_torch, theirs.T)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    G = rng.normal(size=out.shape)
    out.backward(G)
    ref.backward(torch.tensor(G))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12)


def test_sparse_linear_finite_differences_and_no_grad_for_X():
    X = _sparse_X(seed=2)
    arrays = [np.random.default_rng(3).normal(size=(4, 40)), np.zeros(4)]
    finite_difference_check(lambda w, b: engine.sparse.linear(X, w, b), arrays)
    out = engine.sparse.linear(X, engine.tensor(arrays[0], dtype=engine.float64))
    assert out.shape == (5, 4) and out.requires_grad is False  # a constant weight: no graph


def test_sparse_linear_refuses_mismatched_widths():
    W = engine.tensor(np.zeros((3, 41), np.float32))
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        engine.sparse.linear(_sparse_X(), W)
