"""Indexing by tensors (engine/index.py): gather, scatter and its reductions, sort/argsort/topk,
masked_select, nonzero, and torch's order for ints mixed with index arrays, against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import check_op

from mltutorial import engine

INDEX = np.random.default_rng(0).integers(0, 3, (3, 4, 5))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_gather_forward_and_backward(dim: int) -> None:
    check_op(
        [(4, 5, 6)],
        lambda x: x.gather(dim, engine.tensor(INDEX)),
        lambda x: x.gather(dim, torch.tensor(INDEX)),
    )


@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_sends_gradients_to_self_and_src(dim: int) -> None:
    # distinct rows per column: each place is written once, so the gradients are unambiguous
    index = np.argsort(np.random.default_rng(dim).random((4, 3)), axis=0)[:3]
    index = index if dim == 0 else index.T
    check_op(
        [(4, 3) if dim == 0 else (3, 4), (3, 3)],
        lambda x, s: x.scatter(dim, engine.tensor(index), s),
        lambda x, s: x.scatter(dim, torch.tensor(index), s),
    )


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_forward(reduce: str, include_self: bool) -> None:
    x = np.random.default_rng(1).standard_normal((3, 4, 5)).astype(np.float32)
    src = np.random.default_rng(2).standard_normal((3, 4, 5)).astype(np.float32)
    ours = engine.tensor(x).scatter_reduce(
        1, engine.tensor(INDEX), engine.tensor(src), reduce, include_self=include_self
    )
    theirs = torch.tensor(x).scatter_reduce(
        1, torch.tensor(INDEX), torch.tensor(src), reduce, include_self=include_self
    )
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_sort_argsort_topk(descending: bool, dim: int) -> None:
    check_op([(5, 6)], lambda x: x.sort(dim, descending).values * 1.0)
    check_op([(5, 6)], lambda x: x.topk(3, dim, largest=not descending).values * 1.0)
    ties = np.array([0, 1] * 9, dtype=np.int32)
    ours = engine.tensor(ties).sort(descending=descending, stable=True).indices
    theirs = torch.tensor(ties).sort(descending=descending, stable=True).indices
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_masked_select_and_nonzero() -> None:
    x = np.random.default_rng(3).standard_normal((4, 5)).astype(np.float32)
    check_op(
        [],
        lambda a: a.masked_select(engine.tensor(x > 0)),
        lambda a: a.masked_select(torch.tensor(x > 0)),
        arrays=[x],
    )
    np.testing.assert_array_equal(
        (engine.tensor(x) > 0.5).nonzero().data, (torch.tensor(x) > 0.5).nonzero().numpy()
    )


def test_ints_with_index_arrays_select_first_as_torch_does() -> None:
    d = np.random.default_rng(4).integers(0, 4, (2, 1, 5))
    check_op(
        [(2, 5, 6, 4, 3)],
        lambda x: x[1, :, 2:6:2, engine.tensor(d), 0:2],
        lambda x: x[1, :, 2:6:2, torch.tensor(d), 0:2],
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_size": 2},
        {"kernel_size": (3, 2), "stride": 1, "padding": 1},
        {"kernel_size": 2, "stride": 2, "ceil_mode": True},
        {"kernel_size": (3, 2), "dilation": (2, 1)},
    ],
)
def test_max_pool2d_indices_and_max_unpool2d(kwargs: dict) -> None:
    import torch.nn.functional as TF

    import mltutorial.engine.nn.functional as F

    x = np.random.default_rng(5).permutation(2 * 3 * 7 * 7).reshape(2, 3, 7, 7) / 10
    ours = F.max_pool2d(engine.tensor(x).float(), return_indices=True, **kwargs)[1]
    theirs = TF.max_pool2d(torch.tensor(x).float(), return_indices=True, **kwargs)[1]
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    unpool = {k: v for k, v in kwargs.items() if k in ("kernel_size", "stride", "padding")}
    unpool["output_size"] = (7, 7)  # the pooled-away last row and column: indices reach them
    if set(kwargs) - {"kernel_size"}:
        # overlapping windows can pick one input twice: unpool writes it once but its backward
        # (torch's too) gathers it twice, so finite differences disagree by design
        return
    check_op(
        [],
        lambda a: F.max_unpool2d(*F.max_pool2d(a, return_indices=True, **kwargs), **unpool),
        lambda a: TF.max_unpool2d(*TF.max_pool2d(a, return_indices=True, **kwargs), **unpool),
        arrays=[x],
    )
