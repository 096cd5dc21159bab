"""Reductions and scans of engine/reduce.py against torch (float32) and finite differences
(float64), with hypothesis shapes and dims; `axis=` and 0-d inputs as PyTorch takes them."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from oracle import check_op

from mltutorial import engine
from strategies import shape_and_dim

FAST = settings(max_examples=8, deadline=None)

ALONG_DIM = {
    "sum_axis": lambda x, d: x.sum(axis=d) if isinstance(x, engine.Tensor) else x.sum(dim=d),
    "prod": lambda x, d: x.prod(d),
    "prod_keepdim": lambda x, d: x.prod(d, keepdim=True),
    "cumsum": lambda x, d: x.cumsum(d),
    "cumprod": lambda x, d: x.cumprod(d),
    "cummax": lambda x, d: x.cummax(d).values,
    "cummin": lambda x, d: x.cummin(d).values,
    "logsumexp": lambda x, d: x.logsumexp(d),
    "logsumexp_keepdim": lambda x, d: x.logsumexp(d, keepdim=True),
    "logcumsumexp": lambda x, d: x.logcumsumexp(d),
    "std_correction": lambda x, d: x.std(d, correction=0),
    "var_correction": lambda x, d: x.var(d, correction=2) * 1.0,
    "amax": lambda x, d: x.amax(d),
}


@pytest.mark.parametrize("name", sorted(ALONG_DIM))
@given(sd=shape_and_dim())
@FAST
def test_reductions_and_scans_along_a_dim(name: str, sd: tuple[tuple[int, ...], int]) -> None:
    shape, dim = sd
    if name in ("var_correction", "std_correction") and shape[dim] < 3:
        return
    fn = ALONG_DIM[name]
    # distinct values: extrema and their gradients are then unambiguous
    n = int(np.prod(shape))
    arrays = [np.random.default_rng(0).permutation(n).reshape(shape) / n * 3 - 1.4]
    check_op([], lambda x: fn(x, dim), arrays=arrays, rtol=2e-4)


def test_cummax_indices_and_ties_take_the_later_index() -> None:
    vals = [1.0, 3.0, 3.0, 2.0, 5.0, 5.0]
    for name in ("cummax", "cummin"):
        ours = getattr(engine.tensor(vals), name)(0)
        theirs = getattr(torch.tensor(vals), name)(0)
        np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


def test_zero_dim_reductions_take_dim_0_and_minus_1() -> None:
    x, t = engine.tensor(2.5), torch.tensor(2.5)
    for fn in (
        lambda a: a.sum(0),
        lambda a: a.sum(-1),
        lambda a: a.prod(0),
        lambda a: a.squeeze(-1),
    ):
        assert fn(x).shape == tuple(fn(t).shape) and float(fn(x)) == float(fn(t))
    with pytest.raises(IndexError):
        x.sum(1)


def test_logcumsumexp_is_stable() -> None:
    check_op([], lambda x: x.logcumsumexp(0), arrays=[np.array([0.0, 100.0, -50.0])])


def test_integer_sums_are_int64_and_std_mean_matches() -> None:
    a = np.arange(12, dtype=np.int32).reshape(3, 4)
    assert engine.tensor(a).sum().dtype == np.int64 == torch.tensor(a).sum().numpy().dtype
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    s, m = engine.std_mean(engine.tensor(x), 1)
    ts, tm = torch.std_mean(torch.tensor(x), 1)
    np.testing.assert_allclose(s.data, ts.numpy(), rtol=1e-5)
    np.testing.assert_allclose(m.data, tm.numpy(), rtol=1e-5)
