"""Every Tensor op, forward and backward, against PyTorch (float32) and finite differences (float64).

Each test is one `check_op` call; shapes and broadcasting are drawn with hypothesis.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from oracle import check_op

from mltutorial import engine
from strategies import (
    broadcastable_pairs,
    matmul_shapes,
    shape_and_dim,
    shape_and_permutation,
    shapes,
)

FAST = settings(max_examples=15, deadline=None)

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 0.5),
    "rsub_scalar": lambda a, b: 2.0 - a * b,
    "radd_scalar": lambda a, b: 1.5 + a + b,
    "rdiv_scalar": lambda a, b: 1.0 / (a * a + 1.0) + b,
    "pow_scalar": lambda a, b: (a * a + 1.0) ** 1.5 + b,
}

UNARY = {
    "neg": (lambda a: -a, False),
    "exp": (lambda a: a.exp(), False),
    "log": (lambda a: a.log(), True),
    "sqrt": (lambda a: a.sqrt(), True),
    "tanh": (lambda a: a.tanh(), False),
    "sigmoid": (lambda a: a.sigmoid(), False),
    "relu": (lambda a: a.relu(), False),
    "abs": (lambda a: a.abs(), False),
    "sin": (lambda a: a.sin(), False),
    "cos": (lambda a: a.cos(), False),
    "reciprocal": (lambda a: a.reciprocal(), True),
    "square": (lambda a: a**2, False),
    "cube": (lambda a: a**3, False),
    "clamp": (lambda a: a.clamp(-0.5, 0.7), False),
    "clamp_min": (lambda a: a.clamp(min=0.1), False),
    "rpow": (lambda a: 2.0**a, False),
    "tensor_pow": (lambda a: a ** (a * 0.5), True),
    "sum": (lambda a: a.sum(), False),
    "mean": (lambda a: a.mean(), False),
    "max_all": (lambda a: a.max(), False),
    "min_all": (lambda a: a.min(), False),
    "var_all": (lambda a: a.var(), False),
    "std_all": (lambda a: a.std(), True),
    "flatten": (lambda a: a.flatten(), False),
    "clone": (lambda a: a.clone() * 2, False),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(pair=broadcastable_pairs())
@FAST
def test_binary_broadcasting(name, pair):
    check_op(list(pair), BINARY[name])


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=shapes())
@FAST
def test_unary(name, shape):
    fn, positive = UNARY[name]
    if name in ("var_all", "std_all") and int(np.prod(shape)) < 2:
        shape = (2, *shape)
    # keep clamp/relu/abs/max away from their kinks, where finite differences are undefined
    arrays = None
    if name in ("relu", "abs", "clamp", "clamp_min", "max_all", "min_all"):
        rng = np.random.default_rng(sum(shape))
        base = rng.permutation(np.prod(shape)).reshape(shape) * 0.13 - 0.61
        arrays = [base + 0.013]
    check_op([shape], fn, positive=positive, arrays=arrays)


REDUCE = {
    "sum": lambda a, d: a.sum(d),
    "sum_keep": lambda a, d: a.sum(d, keepdim=True),
    "mean": lambda a, d: a.mean(d),
    "mean_keep": lambda a, d: a.mean(dim=d, keepdim=True),
    "var": lambda a, d: a.var(d),
    "var_biased": lambda a, d: a.var(d, unbiased=False),
    "max": lambda a, d: a.max(d).values,
    "max_keep": lambda a, d: a.max(d, keepdim=True)[0],
    "min": lambda a, d: a.min(d).values,
    "softmax": lambda a, d: a.softmax(d),
    "log_softmax": lambda a, d: a.log_softmax(d),
    "squeeze_unsqueeze": lambda a, d: a.unsqueeze(d).squeeze(d) * 1.0,
    "cumulative_split": lambda a, d: a.split(1, d)[0] * 2,
}


@pytest.mark.parametrize("name", sorted(REDUCE))
@given(sd=shape_and_dim())
@FAST
def test_reductions_along_dim(name, sd):
    shape, dim = sd
    if name.startswith("var") and shape[dim] < 2:
        shape = tuple(2 if i == dim % len(shape) else n for i, n in enumerate(shape))
    arrays = [
        np.random.default_rng(len(shape)).permutation(np.prod(shape)).reshape(shape) * 0.1 - 0.5
    ]
    check_op([shape], lambda a: REDUCE[name](a, dim), arrays=arrays)


def test_reduce_over_several_dims():
    check_op([(2, 3, 4)], lambda a: a.sum((0, 2)))
    check_op([(2, 3, 4)], lambda a: a.mean((1, 2), keepdim=True))


@given(sp=shape_and_permutation())
@FAST
def test_permute(sp):
    shape, perm = sp
    check_op([shape], lambda a: a.permute(*perm))


@given(shape=shapes(2, 4))
@FAST
def test_reshape_transpose_T(shape):
    check_op([shape], lambda a: a.reshape(-1) * 1.0)
    check_op([shape], lambda a: a.transpose(0, -1))
    check_op([shape[:2]], lambda a: a.T * 1.0)
    check_op([shape], lambda a: a.flatten(1))
    check_op([shape], lambda a: a.view(shape[0], -1))


@given(ab=matmul_shapes())
@FAST
def test_matmul_broadcast(ab):
    check_op(list(ab), lambda a, b: a @ b)


def test_matmul_vectors_and_attention_shape():
    check_op([(4,), (4, 3)], lambda a, b: a @ b)
    check_op([(2, 4), (4,)], lambda a, b: a @ b)
    check_op([(4,), (4,)], lambda a, b: a @ b)
    # (B, H, T, D) @ (B, H, D, T): attention scores in one batched call
    check_op([(2, 3, 5, 4), (2, 3, 4, 5)], lambda q, k: q @ k)
    check_op([(2, 3, 5, 4), (2, 3, 5, 4)], lambda q, k: (q @ k.transpose(-2, -1)).softmax(-1) @ q)


def test_indexing():
    idx = np.array([0, 2, 2, 1])
    check_op([(3, 4)], lambda a: a[1])
    check_op([(3, 4)], lambda a: a[:, 1:3])
    check_op([(3, 4)], lambda a: a[..., -1])
    check_op([(3, 4)], lambda a: a[None, 1, ::2])
    check_op(
        [(3, 4)],
        lambda a: a[torch.tensor(idx) if isinstance(a, torch.Tensor) else engine.tensor(idx)],
    )
    rows, cols = np.array([0, 1, 2, 0]), np.array([3, 2, 1, 3])
    check_op(
        [(3, 4)],
        lambda a: a[rows, cols],
        lambda a: a[torch.tensor(rows), torch.tensor(cols)],
    )
    mask = np.array([[True, False, True, False]] * 3)
    check_op([(3, 4)], lambda a: a[mask], lambda a: a[torch.tensor(mask)])


def test_cat_stack_split_chunk():
    check_op(
        [(2, 3), (2, 5)], lambda a, b: engine.cat([a, b], 1), lambda a, b: torch.cat([a, b], 1)
    )
    check_op(
        [(2, 3), (4, 3)], lambda a, b: engine.cat([a, b * 2]), lambda a, b: torch.cat([a, b * 2])
    )
    check_op(
        [(2, 3), (2, 3)],
        lambda a, b: engine.stack([a, b], -1),
        lambda a, b: torch.stack([a, b], -1),
    )
    check_op([(5, 4)], lambda a: a.split(2)[2] + a.split([1, 4])[0])
    check_op([(4, 6)], lambda a: a.chunk(3, dim=1)[1] * a.chunk(3, dim=1)[2])
    assert [t.shape for t in engine.zeros(7, 2).chunk(3)] == [(3, 2), (3, 2), (1, 2)]


def test_where_masked_fill_tril_triu():
    mask = np.tril(np.ones((4, 4), dtype=bool))
    cond = np.array([[True, False, True, True]])
    check_op(
        [(4, 4)],
        lambda a: a.masked_fill(engine.tensor(~mask), float("-inf")).softmax(-1),
        lambda a: a.masked_fill(torch.tensor(~mask), float("-inf")).softmax(-1),
    )
    check_op(
        [(3, 4), (4,)],
        lambda a, b: engine.where(engine.tensor(cond), a, b),
        lambda a, b: torch.where(torch.tensor(cond), a, b),
    )
    check_op([(4, 4)], lambda a: engine.tril(a), lambda a: torch.tril(a))
    check_op([(2, 4, 4)], lambda a: engine.triu(a, 1), lambda a: torch.triu(a, 1))
    check_op([(3, 4), (3, 4)], lambda a, b: engine.maximum(a, b), lambda a, b: torch.maximum(a, b))


def test_expand_repeat_to_double():
    check_op([(3, 1)], lambda a: a.expand(2, 3, 4) * 1.0)
    check_op([(2, 3)], lambda a: a.repeat(2, 1, 2))


def test_argmax_and_comparisons_do_not_track():
    x = engine.tensor([[1.0, 3.0, 2.0], [5.0, 0.0, 1.0]], requires_grad=True)
    assert x.argmax(1).tolist() == [1, 0]
    assert x.argmax().item() == 3
    assert x.argmax(dim=1, keepdim=True).shape == (2, 1)
    assert not (x > 1).requires_grad and (x > 1).dtype == np.bool_
    assert ((x == 5.0).sum()).item() == 1
